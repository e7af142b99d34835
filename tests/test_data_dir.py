"""The CLI (no Qt) and the app find the same data folder for the handwriting samples."""
from pathlib import Path

import pytest

from digitdesk.data_dir import APPLICATION, ORGANIZATION, data_dir


@pytest.fixture
def app_names(qapp):
    """The organization and application names the app gives Qt, restored afterwards."""
    from digitdesk.gui.settings import APPLICATION as app_name, ORGANIZATION as org_name
    before = qapp.organizationName(), qapp.applicationName()
    qapp.setOrganizationName(org_name)
    qapp.setApplicationName(app_name)
    yield org_name, app_name
    qapp.setOrganizationName(before[0])
    qapp.setApplicationName(before[1])


@pytest.mark.parametrize("xdg", [None, "custom"])
def test_without_qt_the_folder_is_the_one_qt_gives_the_app(app_names, monkeypatch, tmp_path, xdg):
    from PySide6.QtCore import QStandardPaths
    monkeypatch.delenv("DIGITDESK_DATA_DIR", raising=False)
    if xdg:
        monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / xdg))
    else:
        monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    assert (ORGANIZATION, APPLICATION) == app_names
    qt = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    assert data_dir() == Path(qt)
    assert data_dir(qt) == Path(qt)


def test_the_environment_variable_wins_for_the_app_and_the_cli(monkeypatch, tmp_path):
    monkeypatch.setenv("DIGITDESK_DATA_DIR", str(tmp_path / "portable"))
    assert data_dir() == tmp_path / "portable"
    assert data_dir("/somewhere/qt/said") == tmp_path / "portable"
