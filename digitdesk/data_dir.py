"""Where DigitDesk keeps the user's own data (handwriting samples): one rule for the app and the CLI.

$DIGITDESK_DATA_DIR wins (tests, portable installs); else the folder the app was
given (QStandardPaths.AppDataLocation); else the same folder worked out without Qt,
so `digitdesk teach` in a shell and the window share one store. Qt builds
AppDataLocation as <platform data folder>/<organization>/<application>; the names
here must match the ones the app gives Qt (gui/settings.py, checked by a test).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

ENV_VAR = "DIGITDESK_DATA_DIR"
ORGANIZATION = "DigitDesk"
APPLICATION = "DigitDesk"
DEFAULT_PROFILE = "default"   # whose handwriting a correction teaches until the user names profiles


def platform_data_home() -> Path:
    """The per-user data folder Qt uses for AppDataLocation on this OS, before the org/app names."""
    if sys.platform == "win32":
        appdata = os.environ.get("APPDATA")
        return Path(appdata) if appdata else Path.home() / "AppData" / "Roaming"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support"
    xdg = os.environ.get("XDG_DATA_HOME", "")
    return Path(xdg) if os.path.isabs(xdg) else Path.home() / ".local" / "share"  # Qt ignores a relative one


def data_dir(app_location: str | os.PathLike | None = None) -> Path:
    """$DIGITDESK_DATA_DIR, else `app_location` (the GUI passes Qt's AppDataLocation), else Qt's rule."""
    override = os.environ.get(ENV_VAR)
    if override:
        return Path(override).expanduser()
    if app_location:
        return Path(app_location)
    return platform_data_home() / ORGANIZATION / APPLICATION
