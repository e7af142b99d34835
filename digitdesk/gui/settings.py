"""The user's preferences (window geometry, pen width, last folder, ...) in one INI file.

An INI file under the platform's app-config folder rather than the registry or
plist: it is the same on every OS, easy to inspect or delete, and tests can point
it at a temporary folder so they never touch a real user's settings.
"""
from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, QStandardPaths

ORGANIZATION = "DigitDesk"
APPLICATION = "DigitDesk"
FILE_NAME = "digitdesk.ini"

DEFAULT_PEN_WIDTH = 22
PEN_WIDTH_RANGE = (4, 60)


def default_settings_path() -> Path:
    """<AppConfigLocation>/digitdesk.ini (e.g. ~/.config/DigitDesk/DigitDesk/digitdesk.ini on Linux)."""
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppConfigLocation)
    if not folder:  # no QCoreApplication names set yet, or an odd platform
        folder = str(Path.home() / ".config" / ORGANIZATION)
    return Path(folder) / FILE_NAME


class AppSettings:
    """Typed access to the settings file; unknown or corrupt values fall back to defaults."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path is not None else default_settings_path()
        self._qsettings = QSettings(str(self.path), QSettings.Format.IniFormat)

    # generic access, for panels that keep their own keys ("drop/last_dir", ...)
    def value(self, key: str, default=None):
        value = self._qsettings.value(key, default)
        return default if value is None else value

    def set_value(self, key: str, value) -> None:
        self._qsettings.setValue(key, value)

    def sync(self) -> bool:
        """Write pending changes to the file; False if it could not be written (a full disk, a read-only
        folder): then they last only until the app closes."""
        self._qsettings.sync()
        if self._qsettings.status() == QSettings.Status.NoError:
            return True
        # Qt keeps a QSettings' first error for good: once the file can be written again, only a fresh
        # one, given the same values, says so
        fresh = QSettings(str(self.path), QSettings.Format.IniFormat)
        for key in self._qsettings.allKeys():
            fresh.setValue(key, self._qsettings.value(key))
        fresh.sync()
        if fresh.status() != QSettings.Status.NoError:
            return False
        self._qsettings = fresh
        return True

    def _int(self, key: str, default: int) -> int:
        try:
            return int(self._qsettings.value(key, default))
        except (TypeError, ValueError):
            return default

    def _bytes(self, key: str) -> QByteArray:
        value = self._qsettings.value(key)
        return value if isinstance(value, QByteArray) else QByteArray()

    @property
    def pen_width(self) -> int:
        low, high = PEN_WIDTH_RANGE
        return min(max(self._int("canvas/pen_width", DEFAULT_PEN_WIDTH), low), high)

    @pen_width.setter
    def pen_width(self, width: int) -> None:
        self._qsettings.setValue("canvas/pen_width", int(width))

    @property
    def window_geometry(self) -> QByteArray:
        return self._bytes("window/geometry")

    @window_geometry.setter
    def window_geometry(self, data: QByteArray) -> None:
        self._qsettings.setValue("window/geometry", data)

    @property
    def window_state(self) -> QByteArray:
        return self._bytes("window/state")

    @window_state.setter
    def window_state(self, data: QByteArray) -> None:
        self._qsettings.setValue("window/state", data)

    @property
    def current_tab(self) -> int:
        return self._int("window/tab", 0)

    @current_tab.setter
    def current_tab(self, index: int) -> None:
        self._qsettings.setValue("window/tab", int(index))

    @property
    def last_dir(self) -> str:
        """The folder of the last file opened or saved, so dialogs start there."""
        value = self._qsettings.value("files/last_dir", "")
        folder = str(value) if value else ""
        # os.path.isdir: Path.is_dir raises on a network drive that has gone away ("not connected")
        return folder if folder and os.path.isdir(folder) else str(Path.home())

    @last_dir.setter
    def last_dir(self, folder: str | Path) -> None:
        self._qsettings.setValue("files/last_dir", str(folder))
