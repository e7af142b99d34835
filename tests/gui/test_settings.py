"""Settings persist between runs in an INI file, and bad values never stop the app."""
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
