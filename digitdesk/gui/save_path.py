"""Where to save: the save dialog's answer with its file type's extension, never replacing a file unasked.

The dialog asks "replace?" only about the name typed. A name typed without the extension ("digits")
gets it added afterwards ("digits.csv"), and that file may exist too: it is asked about here, in the
dialog's own words, before anything is written.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget


def with_suffix(path: str, suffix: str) -> str:
    """`path` ending in `suffix` (".csv", ".png"), case aside; added if the user left it out."""
    return path if path.lower().endswith(suffix.lower()) else path + suffix


def ask_save_path(parent: QWidget, title: str, suggested: str, file_filter: str, suffix: str) -> str | None:
    """The file to write, or None if the user cancelled or would not replace the file the name became."""
    typed, _ = QFileDialog.getSaveFileName(parent, title, suggested, file_filter)
    if not typed:
        return None
    path = with_suffix(typed, suffix)
    if path != typed and Path(path).exists():
        yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
        question = f"{Path(path).name} already exists. Do you want to replace it?"
        if QMessageBox.question(parent, title, question, yes | no, no) != yes:
            return None
    return path
