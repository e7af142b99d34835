"""The "My handwriting" window: one person's samples by digit, and what the profile gains.

Thumbnails of every sample (what the model saw), grouped by digit, with counts;
delete some, forget them all (after asking), export or import a zip of PNGs in
digit folders, switch, rename and remove profiles (several people on one machine)
and turn the profile on or off. How much the profile helps ("your samples: 98 % with your
profile, 91 % without") is measured by the model in a worker thread.
"""
from __future__ import annotations

import contextlib
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QThread, QTimer, Signal, Slot
from PySide6.QtGui import QCursor, QIcon, QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QCheckBox, QComboBox, QDialog, QFileDialog, QHBoxLayout,
                               QInputDialog, QLabel, QListWidget, QListWidgetItem, QMessageBox, QPushButton,
                               QVBoxLayout, QWidget)

from digitdesk.data_dir import DEFAULT_PROFILE
from digitdesk.gui.colours import ERROR_TEXT, colour_text, follow_palette
from digitdesk.engine.sample_files import archive_name, may_replace
from digitdesk.engine.samples import left_out_text, samples_text
from digitdesk.gui.handwriting import SHORT_NAME, Handwriting
from digitdesk.gui.sample_import import ImportWorker
from digitdesk.gui.qt_convert import model_input_pixmap
from digitdesk.gui.save_path import ask_save_path

THUMB = 56
ROLE_ID = Qt.ItemDataRole.UserRole
ALL_DIGITS = "All digits"
USE_MINE = "Use my handwriting when reading"


def counts_text(counts: list[int]) -> str:
    """'9 samples: 1 ×1 · 4 ×2 · 7 ×3 · 9 ×3; none yet of 0, 2, 3, 5, 6, 8'."""
    total = sum(counts)
    have = " · ".join(f"{d} ×{n}" for d, n in enumerate(counts) if n)
    missing = [str(d) for d, n in enumerate(counts) if not n]
    return (f"{samples_text(total)}: {have}" +
            (f"; none yet of {', '.join(missing)}" if missing else ""))


@contextlib.contextmanager
def _busy():
    QApplication.setOverrideCursor(QCursor(Qt.CursorShape.WaitCursor))
    try:
        yield
    finally:
        QApplication.restoreOverrideCursor()


class CheckWorker(QObject):
    """Measures the profile with the model (leave-one-out and the check digits); lives in its own thread."""
    done = Signal(int, str)   # request number, summary for the user

    def __init__(self, handwriting: Handwriting):
        super().__init__()
        self._live = handwriting.live

    @Slot(int)
    def run(self, request: int) -> None:
        try:
            summary = self._live.check().summary()
        except Exception as error:  # noqa: BLE001 - the model failed to load: say so, keep the window
            summary = f"Could not measure the profile: {error}"
        self.done.emit(request, summary)


class HandwritingDialog(QDialog):
    _measure = Signal(int)
    imported = Signal(int)   # an import ended: how many samples it added

    def __init__(self, handwriting: Handwriting, parent: QWidget | None = None):
        super().__init__(parent)
        self.handwriting = handwriting
        self._import: tuple[QThread, ImportWorker] | None = None   # the import running, if one is
        self.setWindowTitle("My handwriting")
        self._request = 0

        self.profile_combo = QComboBox()
        self.profile_combo.setAccessibleName("Whose handwriting")
        # a long name (up to 60 letters) must not widen the window to the screen's edge
        self.profile_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.profile_combo.setMinimumContentsLength(16)
        self.profile_combo.activated.connect(self._on_profile_chosen)
        self.new_button = QPushButton("&New person…")
        self.new_button.clicked.connect(self.new_profile)
        self.rename_button = QPushButton("&Rename…")
        self.rename_button.setToolTip("Give this person another name; their samples stay")
        self.rename_button.clicked.connect(self.rename_profile)
        self.remove_button = QPushButton("Re&move person…")
        self.remove_button.clicked.connect(self.remove_profile)
        self.use_check = QCheckBox(USE_MINE)   # named after the person chosen (refresh)
        self.use_check.toggled.connect(handwriting.set_enabled)
        self.notice_label = QLabel(handwriting.notice or "")
        self.notice_label.setWordWrap(True)
        colour_text(self.notice_label, ERROR_TEXT)
        self.notice_label.setVisible(bool(handwriting.notice))
        self.counts_label = QLabel()
        self.counts_label.setWordWrap(True)
        self.check_label = QLabel()
        self.check_label.setWordWrap(True)
        # a label's accessible name is its text unless one is set: screen readers say the text itself
        self.check_label.setAccessibleDescription("What the profile gains")
        self.filter_combo = QComboBox()
        self.filter_combo.addItems([ALL_DIGITS] + [f"Digit {d}" for d in range(10)])
        self.filter_combo.currentIndexChanged.connect(self.refresh)

        self.samples = QListWidget()
        self.samples.setViewMode(QListWidget.ViewMode.IconMode)
        self.samples.setIconSize(QSize(THUMB, THUMB))
        self.samples.setGridSize(QSize(THUMB + 16, THUMB + 26))
        self.samples.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.samples.setMovement(QListWidget.Movement.Static)
        self.samples.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.samples.setAccessibleName("Samples of your handwriting")
        self.samples.itemSelectionChanged.connect(self._update_buttons)
        QShortcut(QKeySequence.StandardKey.Delete, self.samples, self.delete_selected)

        self.delete_button = QPushButton("Delete selected")
        self.delete_button.clicked.connect(self.delete_selected)
        self.export_button = QPushButton("Export…")
        self.export_button.clicked.connect(self.choose_export)
        self.import_button = QPushButton("Import…")
        self.import_button.clicked.connect(self.choose_import)
        self.forget_button = QPushButton("Forget all…")
        self.forget_button.clicked.connect(self.forget_all)
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        self.status_label = QLabel()   # what the last action did, or why it could not (here, not behind this window)
        self.status_label.setWordWrap(True)
        self.status_label.setAccessibleDescription("What happened")
        handwriting.message.connect(self._on_message)

        top = QHBoxLayout()
        whose = QLabel("&Whose handwriting:")
        whose.setBuddy(self.profile_combo)   # Alt+W, and screen readers name the list by its label
        top.addWidget(whose)
        top.addWidget(self.profile_combo, 1)
        for button in (self.new_button, self.rename_button, self.remove_button):
            top.addWidget(button)
        middle = QHBoxLayout()
        middle.addWidget(self.counts_label, 1)
        show = QLabel("&Show:")
        show.setBuddy(self.filter_combo)
        middle.addWidget(show)
        middle.addWidget(self.filter_combo)
        buttons = QHBoxLayout()
        for button in (self.delete_button, self.export_button, self.import_button, self.forget_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.use_check)
        layout.addWidget(self.notice_label)
        layout.addWidget(self.check_label)
        layout.addLayout(middle)
        layout.addWidget(self.samples, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.status_label)
        for button in self.findChildren(QPushButton):   # Enter in the list or the person box opens nothing
            button.setAutoDefault(False)
        room = (parent or self).screen().availableGeometry()   # less a taskbar or a panel
        self.resize(min(640, room.width() - 40), min(480, room.height() - 60))   # and a title bar

        self._thread = QThread(self)
        self._thread.setObjectName("digitdesk-profile-check")
        self._worker = CheckWorker(handwriting)
        self._worker.moveToThread(self._thread)
        self._thread.finished.connect(self._worker.deleteLater)
        self._measure.connect(self._worker.run)
        self._worker.done.connect(self._on_measured)
        self._thread.start()
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(400)
        self._debounce.timeout.connect(self.measure)

        handwriting.changed.connect(self.refresh)   # the contents are built when the window shows (showEvent)

    @classmethod
    def show_for(cls, window: QWidget, handwriting: Handwriting) -> HandwritingDialog:
        """One window per main window: raised if already open."""
        dialog = getattr(window, "handwriting_dialog", None)
        if dialog is None:
            dialog = cls(handwriting, window)
            window.handwriting_dialog = dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    # ---- contents ---------------------------------------------------------------------------
    def refresh(self) -> None:
        """Rebuild the contents and measure again; a hidden window waits for showEvent (no thumbnails
        rebuilt nor model kept busy for a window nobody sees)."""
        if not self.isVisible():
            return
        hw = self.handwriting
        self.profile_combo.blockSignals(True)
        self.profile_combo.clear()
        self.profile_combo.addItems(hw.profiles())
        self.profile_combo.setCurrentText(hw.profile_name)
        self.profile_combo.blockSignals(False)
        self.use_check.blockSignals(True)
        self.use_check.setChecked(hw.enabled)
        self.use_check.setText(USE_MINE if hw.profile_name == DEFAULT_PROFILE else
                               f"Use {hw.whose()} handwriting when reading")
        self.use_check.setToolTip(hw.profile_name if len(hw.profile_name) > SHORT_NAME else "")
        self.use_check.blockSignals(False)
        counts = hw.counts()
        total = sum(counts)
        self.counts_label.setText(counts_text(counts) if total else
                                  "No samples yet. Click a digit's preview or box after a reading to "
                                  "correct or confirm it: each one teaches DigitDesk your handwriting.")
        wanted = self.filter_combo.currentIndex() - 1
        ratio = self.devicePixelRatioF()   # drawn at the screen's density, so not blurred
        self.samples.clear()
        for sample in sorted(hw.samples(), key=lambda s: (s.label, s.id)):
            if wanted >= 0 and sample.label != wanted:
                continue
            pixmap = model_input_pixmap(sample.image, QSize(THUMB, THUMB), ratio)
            item = QListWidgetItem(QIcon(pixmap), str(sample.label))
            item.setData(ROLE_ID, sample.id)
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(sample.created))
            item.setToolTip(f"A {sample.label}, from {sample.source}, {when}")
            self.samples.addItem(item)
        self._update_buttons()
        self.check_label.setText("Measuring what your profile gains…" if total else "")
        self.check_label.setHidden(not total)   # no blank line above "No samples yet"
        if total:
            self._debounce.start()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.status_label.clear()   # news of an earlier visit is stale now
        self.refresh()

    @Slot(str)
    def _on_message(self, text: str) -> None:
        if self.isVisible():
            self.status_label.setText(text[:1].upper() + text[1:])

    def measure(self) -> None:
        self._request += 1
        self._measure.emit(self._request)

    @Slot(int, str)
    def _on_measured(self, request: int, summary: str) -> None:
        if request == self._request:   # an older measurement than the samples shown: drop it
            self.check_label.setText(summary)

    def _update_buttons(self) -> None:
        has = self.samples.count() > 0 or sum(self.handwriting.counts()) > 0
        importing = self._import is not None   # into the profile chosen: it stays chosen meanwhile
        self.delete_button.setEnabled(bool(self.samples.selectedItems()) and not importing)
        self.export_button.setEnabled(has and not importing)
        self.forget_button.setEnabled(has and not importing)
        for widget in (self.import_button, self.profile_combo, self.new_button, self.rename_button):
            widget.setEnabled(not importing)
        # the default person is whose corrections are until people are named: emptied by Forget all
        default = self.handwriting.profile_name == DEFAULT_PROFILE
        self.remove_button.setEnabled(not importing and not default)
        self.remove_button.setToolTip("The default person stays: Forget all empties it" if default else
                                      "Delete this person and all their samples")

    # ---- actions ---------------------------------------------------------------------------
    def _on_profile_chosen(self, index: int) -> None:
        self.handwriting.use_profile(self.profile_combo.itemText(index), listed=True)

    def new_profile(self) -> None:
        name, ok = QInputDialog.getText(self, "New person", "Name of the person whose handwriting to learn:")
        if ok and name.strip():
            self.handwriting.use_profile(name)

    def rename_profile(self) -> None:
        old = self.handwriting.profile_name
        name, ok = QInputDialog.getText(self, "Rename person", f"New name for {old!r}:", text=old)
        if ok and name.strip() and name.strip() != old:
            self.handwriting.rename_profile(name, asked=old)

    def remove_profile(self) -> None:
        """After asking, like Forget all: the person goes from the list and readings are the default's again."""
        name, shown = self.handwriting.profile_name, [sample.id for sample in self.handwriting.samples()]
        what = (f"Remove {name!r} and {samples_text(len(shown))} of their handwriting? DigitDesk then reads "
                "with the default profile. This cannot be undone (export the samples first to keep a copy)."
                if shown else f"Remove {name!r}? They have no samples yet.")
        if self._sure("Remove person", what):
            self.handwriting.remove_profile(only=shown, asked=name)   # not what arrived while the question was open

    def delete_selected(self) -> None:
        """After asking: a deleted sample cannot be brought back (Undo correction only takes back corrections)."""
        ids = [item.data(ROLE_ID) for item in self.samples.selectedItems()]
        if not ids:
            return
        what = "this sample" if len(ids) == 1 else f"these {len(ids)} samples"
        if self._sure("Delete samples", f"Delete {what} of your handwriting? This cannot be undone."):
            self.handwriting.delete_samples(ids)

    def forget_all(self) -> None:
        name, shown = self.handwriting.profile_name, [sample.id for sample in self.handwriting.samples()]
        which = "the 1 sample" if len(shown) == 1 else f"all {len(shown)} samples"
        if self._sure("Forget all samples", f"Delete {which} of {name!r}? DigitDesk then reads this handwriting "
                      "like anyone else's. This cannot be undone (export them first to keep a copy)."):
            self.handwriting.forget_profile(only=shown, asked=name)   # not what arrived while the question was open

    def _sure(self, title: str, question: str) -> bool:
        """Yes or No, No the default: what these questions guard cannot be undone."""
        yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
        return QMessageBox.question(self, title, question, yes | no, no) == yes

    @property
    def _last_dir(self) -> str:
        """Where export and import dialogs start: the app's last folder (shared with its other dialogs)."""
        settings = self.handwriting.settings
        return settings.last_dir if settings is not None else str(Path.home())

    def _remember_dir(self, path: str) -> None:
        if self.handwriting.settings is not None:
            self.handwriting.settings.last_dir = str(Path(path).parent)

    def choose_export(self) -> None:
        suggested = str(Path(self._last_dir) / archive_name(self.handwriting.profile_name))
        path = ask_save_path(self, "Export samples", suggested, "Zip archive (*.zip)", ".zip")
        if path:   # with .zip added if left out: Import lists zip files only
            self.export_to(path)

    def export_to(self, path: str) -> bool:
        if not may_replace(path):   # the save dialog asked "replace?", but not what the file is
            QMessageBox.warning(self, "Export samples",
                                f"{Path(path).name} is not an earlier export (a zip of pictures in digit folders), "
                                "so it was not replaced. Choose another name.")
            return False
        try:
            with _busy():
                count = self.handwriting.export_archive(path)
        except OSError as error:
            QMessageBox.warning(self, "Export samples", f"Could not write {path}: {error.strerror or error}")
            return False
        self._remember_dir(path)
        self.handwriting.message.emit(f"Exported {samples_text(count)} to {Path(path).name}.")
        return True

    def choose_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import samples", self._last_dir, "Zip archive (*.zip)")
        if path:
            self.import_from(path)

    def import_from(self, path: str) -> bool:
        """Import in the background (`imported` says when, with how many): the window stays live and
        says how far it got. False if an import is already running."""
        if self._import is not None:
            return False
        self._remember_dir(path)
        thread = QThread(self)
        thread.setObjectName("digitdesk-import")
        self.handwriting.follow_outside_changes()   # into the person as they are now
        self._importing_into = self.handwriting.profile_name
        worker = ImportWorker(self.handwriting, path, self._importing_into, self.handwriting.profile_created)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.done.connect(thread.quit)
        thread.finished.connect(worker.deleteLater)
        # bound slots of this window, so they run in the GUI thread (a lambda would run in the worker's)
        worker.progress.connect(self._on_import_progress)
        worker.done.connect(self._on_imported)
        self._import = (thread, worker)
        self._importing_name = Path(path).name
        self.status_label.setText(f"Importing {self._importing_name}…")
        QApplication.setOverrideCursor(QCursor(Qt.CursorShape.BusyCursor))   # working, and still usable
        self._update_buttons()
        thread.start()
        return True

    @Slot(int)
    def _on_import_progress(self, count: int) -> None:
        if self._import is not None:
            self.status_label.setText(f"Importing {self._importing_name}: {count} pictures so far…")

    @Slot(object)
    def _on_imported(self, result) -> None:
        name = self._importing_name
        self._end_import()
        if result is None:
            return
        added, held, copies, problems = result
        if added:
            self.handwriting.changed.emit()   # here, in the GUI thread: its receivers repaint
        left_out = left_out_text(held, copies)
        there = f" ({', '.join(left_out)})" if left_out else ""
        into = self._importing_into
        whose = f" into {into!r}" if into != self.handwriting.profile_name else ""   # changed meanwhile
        shown = "\n".join(problems[:8]) + ("\n…" if len(problems) > 8 else "")
        owner = self if self.isVisible() else self.parentWidget()   # closed meanwhile: over the main window
        if not (added or held or copies):   # as `profile import` says it: nothing, and why
            why = "it holds no pictures in digit folders (0/ … 9/)" if not problems else \
                problems[0].removeprefix(f"{name}: ") if len(problems) == 1 else "none of its files could be used"
            text = f"Nothing imported from {name}: {why}."
            self.status_label.setText(text)
            QMessageBox.warning(owner, "Import samples", text if len(problems) < 2 else f"{text}\n{shown}")
        else:
            text = f"Imported {samples_text(added)} from {name}{whose}{there}."
            self.status_label.setText(text)
            if problems:
                QMessageBox.information(owner, "Import samples", f"{text}\n{len(problems)} skipped:\n{shown}")
        self.handwriting.message.emit(text)
        self.imported.emit(added)

    def _end_import(self, stop: bool = False) -> None:
        """The import's thread is done (or, `stop`ped at exit, is made to end): wait for it, restore the cursor."""
        if self._import is None:
            return
        thread, worker = self._import
        self._import = None
        if stop:
            worker.stop()
        thread.quit()
        thread.wait()
        QApplication.restoreOverrideCursor()
        self._update_buttons()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:   # the system switched between light and dark
            follow_palette(self)

    def done(self, result: int) -> None:
        self._debounce.stop()
        super().done(result)

    def keyPressEvent(self, event) -> None:
        """Enter presses the focused button, as Space does; elsewhere (the list, the person box) it does
        nothing: the buttons are not 'default', so it never opens New person by surprise."""
        if event.key() not in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            super().keyPressEvent(event)
        elif isinstance(self.focusWidget(), QPushButton):
            self.focusWidget().animateClick()
        # else nothing: QDialog would press a default button, and there is none to press

    def closeEvent(self, event) -> None:
        self._debounce.stop()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Stop the measuring and importing threads and wait for them (the main window calls this on closing)."""
        self._end_import(stop=True)   # nothing of an unfinished import is written
        self._debounce.stop()
        if self._thread.isRunning():
            self._thread.quit()
            self._thread.wait()
