"""Settings persist between runs in an INI file, and bad values never stop the app."""
import errno
import os
from pathlib import Path

from PySide6.QtCore import QByteArray, QStandardPaths

from digitdesk.gui.settings import DEFAULT_PEN_WIDTH, PEN_WIDTH_RANGE, AppSettings, default_settings_path


def test_values_survive_a_restart(tmp_path):
    path = tmp_path / "digitdesk.ini"
    first = AppSettings(path)
    first.pen_width = 31
    first.window_geometry = QByteArray(b"\x01\x02geometry")
    first.current_tab = 1
    first.last_dir = tmp_path
    first.sync()
    assert path.is_file()
    again = AppSettings(path)
    assert again.pen_width == 31
    assert bytes(again.window_geometry) == b"\x01\x02geometry"
    assert again.current_tab == 1
    assert again.last_dir == str(tmp_path)


def test_fresh_or_corrupt_values_fall_back_to_defaults(tmp_path):
    path = tmp_path / "digitdesk.ini"
    path.write_text("[canvas]\npen_width=thick\n[window]\ntab=x\n[files]\nlast_dir=/no/such/folder\n")
    settings = AppSettings(path)
    assert settings.pen_width == DEFAULT_PEN_WIDTH
    assert settings.current_tab == 0
    assert settings.window_geometry.isEmpty()
    assert settings.last_dir != "/no/such/folder"


def test_pen_width_is_clamped_to_the_usable_range(tmp_path):
    settings = AppSettings(tmp_path / "s.ini")
    settings.pen_width = 500
    assert settings.pen_width == PEN_WIDTH_RANGE[1]


def test_default_file_lives_in_the_app_config_folder(qapp):
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppConfigLocation)
    assert str(default_settings_path()).startswith(folder)
    assert default_settings_path().name == "digitdesk.ini"


def test_a_remembered_folder_on_a_network_drive_that_has_gone_gives_the_home_folder(tmp_path, monkeypatch):
    """Open and Save dialogs start in the last folder; a stale network mount must not break every one of them."""
    settings = AppSettings(tmp_path / "digitdesk.ini")
    gone = tmp_path / "mnt" / "share"
    settings.last_dir = gone
    stat = os.stat

    def not_connected(path, *args, **kwargs):
        if str(path).startswith(str(gone)):
            raise OSError(errno.ENOTCONN, "Transport endpoint is not connected", str(path))
        return stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", not_connected)
    assert settings.last_dir == str(Path.home())
