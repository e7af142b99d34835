"""Save dialogs: a name typed without its extension never replaces the file it becomes, unasked."""
import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from digitdesk.gui.save_path import ask_save_path

YES, NO = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No


@pytest.fixture
def parent(qtbot):
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


def answering(monkeypatch, typed, reply=None):
    """The dialog returns `typed`; the replace question, if asked, is answered `reply` and recorded."""
    asked = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(typed), "CSV files (*.csv)"))
    monkeypatch.setattr(QMessageBox, "question", lambda _parent, _title, text, *a: asked.append(text) or reply)
    return asked


@pytest.mark.parametrize("reply, expected", [(NO, None), (YES, "keep.csv")])
def test_an_existing_file_the_name_becomes_is_only_replaced_when_the_user_says_so(parent, tmp_path, monkeypatch,
                                                                                 reply, expected):
    (tmp_path / "keep.csv").write_text("precious,data\n")
    asked = answering(monkeypatch, tmp_path / "keep", reply)
    path = ask_save_path(parent, "Export results as CSV", str(tmp_path), "CSV files (*.csv)", ".csv")
    assert asked == ["keep.csv already exists. Do you want to replace it?"]
    assert path == (str(tmp_path / expected) if expected else None)


def test_a_new_name_or_one_the_dialog_already_asked_about_is_not_asked_again(parent, tmp_path, monkeypatch):
    asked = answering(monkeypatch, tmp_path / "new")
    assert ask_save_path(parent, "t", str(tmp_path), "", ".csv") == str(tmp_path / "new.csv") and not asked
    (tmp_path / "old.CSV").write_text("x")
    asked = answering(monkeypatch, tmp_path / "old.CSV")   # typed whole: the dialog asked "replace?" itself
    assert ask_save_path(parent, "t", str(tmp_path), "", ".csv") == str(tmp_path / "old.CSV") and not asked


def test_cancelling_the_dialog_saves_nothing(parent, tmp_path, monkeypatch):
    answering(monkeypatch, "")
    assert ask_save_path(parent, "t", str(tmp_path), "", ".csv") is None
