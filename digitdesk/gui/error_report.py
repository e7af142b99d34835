"""Unexpected errors: said in the window and kept in a log, and the app keeps running.

Without this, an exception escaping a slot only prints a traceback to a console
that a double-clicked app does not have: the user sees nothing happen. The hook
may run in any thread (a worker's slot), so it only writes the log and emits a
signal; the dialog opens in the GUI thread.
"""
from __future__ import annotations

import sys
import time
import traceback
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

LOG_FILE = "errors.log"
LOG_MAX_BYTES = 1_000_000   # the log is started afresh beyond this: it must never fill a disk


class ErrorReport(QObject):
    """Install with `install()`; `uninstall()` puts back the previous hook."""
    reported = Signal(str, str)   # one line for the user, the whole traceback

    def __init__(self, log_dir: str | Path | None, parent_window: QWidget | None = None):
        super().__init__()
        self.log_path = Path(log_dir) / LOG_FILE if log_dir else None
        self._window = parent_window
        self._previous = None
        self._box: QMessageBox | None = None
        self.reported.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def install(self) -> None:
        self._previous, sys.excepthook = sys.excepthook, self._hook

    def uninstall(self) -> None:
        if self._previous is not None and sys.excepthook == self._hook:
            sys.excepthook = self._previous
        self._previous = None

    def _hook(self, kind, value, tb) -> None:
        if issubclass(kind, KeyboardInterrupt):   # Ctrl+C in a terminal still ends the app
            (self._previous or sys.__excepthook__)(kind, value, tb)
            return
        details = "".join(traceback.format_exception(kind, value, tb))
        print(details, file=sys.stderr, end="")
        self._write_log(details)
        summary = f"{kind.__name__}: {value}" if str(value) else kind.__name__
        try:
            self.reported.emit(summary, details)
        except RuntimeError:   # the Qt side is gone (the app is closing): stderr and the log have it
            pass

    def _write_log(self, details: str) -> None:
        if self.log_path is None:
            return
        try:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            mode = "w" if self.log_path.exists() and self.log_path.stat().st_size > LOG_MAX_BYTES else "a"
            with self.log_path.open(mode, encoding="utf-8") as log:
                log.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')}\n{details}")
        except OSError:   # a log that can't be written must not raise inside the hook
            self.log_path = None

    @Slot(str, str)
    def _show(self, summary: str, details: str) -> None:
        try:
            self._open_dialog(summary, details)
        except Exception:   # noqa: BLE001 - an error here must not come back through the hook, for ever
            self._box = None

    def _open_dialog(self, summary: str, details: str) -> None:
        if self._box is not None and self._box.isVisible():   # one dialog, however many errors follow
            self._box.setDetailedText(f"{self._box.detailedText()}\n{details}")
            return
        where = f"\n\nThe details were saved to {self.log_path}." if self.log_path else ""
        text = f"Something went wrong. DigitDesk is still running; if something looks wrong, try again.\n\n{summary}"
        self._box = QMessageBox(QMessageBox.Icon.Warning, "DigitDesk", text + where,
                                QMessageBox.StandardButton.Ok, self._window)
        self._box.setDetailedText(details)
        self._box.setWindowModality(Qt.WindowModality.NonModal)
        self._box.show()

    def dialog(self) -> QMessageBox | None:
        """The dialog shown last (for tests)."""
        return self._box
