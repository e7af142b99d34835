"""An error escaping a slot is said in the window and logged, from the GUI thread or a worker's."""
import pytest
from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot
from PySide6.QtWidgets import QWidget

from digitdesk.gui.error_report import LOG_FILE, ErrorReport


@pytest.fixture
def report(qtbot, tmp_path):
    window = QWidget()
    qtbot.addWidget(window)
    errors = ErrorReport(tmp_path / "data", window)
    errors.install()
    yield errors
    errors.uninstall()
    if errors.dialog() is not None:
        errors.dialog().close()


def _failing_slot():
    raise ValueError("the pen vanished")


@pytest.mark.qt_no_exception_capture
def test_an_error_in_a_slot_opens_one_dialog_and_is_logged(qtbot, report, tmp_path):
    QTimer.singleShot(0, _failing_slot)
    qtbot.waitUntil(lambda: report.dialog() is not None and report.dialog().isVisible())
    assert "ValueError: the pen vanished" in report.dialog().text()
    assert "still running" in report.dialog().text()
    assert "the pen vanished" in (tmp_path / "data" / LOG_FILE).read_text(encoding="utf-8")
    QTimer.singleShot(0, _failing_slot)   # a second error joins the open dialog instead of stacking another
    qtbot.waitUntil(lambda: report.dialog().detailedText().count("the pen vanished") == 2)


class Worker(QObject):
    go = Signal()

    @Slot()
    def run(self):
        raise RuntimeError("worker tripped")


@pytest.mark.qt_no_exception_capture
def test_an_error_in_a_workers_slot_is_shown_by_the_gui_thread(qtbot, report):
    thread, worker = QThread(), Worker()
    worker.moveToThread(thread)
    worker.go.connect(worker.run)
    thread.start()
    try:
        worker.go.emit()
        qtbot.waitUntil(lambda: report.dialog() is not None and report.dialog().isVisible())
        assert "RuntimeError: worker tripped" in report.dialog().text()
        assert report.dialog().thread() is report.thread()   # built in the GUI thread
    finally:
        thread.quit()
        thread.wait()


def test_uninstall_puts_back_the_previous_hook(qtbot, tmp_path):
    import sys
    before = sys.excepthook
    errors = ErrorReport(tmp_path, None)
    errors.install()
    assert sys.excepthook != before
    errors.uninstall()
    assert sys.excepthook == before


def test_an_error_after_the_qt_side_is_gone_goes_to_the_log_without_a_second_error(tmp_path, capsys):
    import sys

    from shiboken6 import delete
    errors = ErrorReport(tmp_path, None)
    errors.install()
    try:
        delete(errors)   # as when the app has closed
        try:
            raise ValueError("late")
        except ValueError:
            sys.excepthook(*sys.exc_info())
    finally:
        sys.excepthook = errors._previous or sys.__excepthook__
    err = capsys.readouterr().err
    assert "ValueError: late" in err and "Error in sys.excepthook" not in err
    assert "late" in (tmp_path / LOG_FILE).read_text(encoding="utf-8")
