"""Launching the app: the window is shown before the model loads, settings stay out of the user's
home during tests, and matplotlib gets a writable config folder even when home isn't writable."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from digitdesk.gui import app


def test_window_shows_before_the_model_is_ready_and_the_app_exits_cleanly(tmp_path):
    env = dict(os.environ, DIGITDESK_STARTUP_PROBE="1", QT_QPA_PLATFORM="offscreen",
               XDG_CONFIG_HOME=str(tmp_path / "config"), DIGITDESK_DATA_DIR=str(tmp_path / "data"))
    done = subprocess.run([sys.executable, "-m", "digitdesk"], env=env, capture_output=True, text=True,
                          timeout=180)
    markers = dict(line.split() for line in done.stderr.splitlines()
                   if line.startswith(("window-shown ", "model-ready ", "model-failed ")))
    assert done.returncode == 0, done.stderr[-2000:]
    assert "model-failed" not in markers and "QThread" not in done.stderr
    assert float(markers["window-shown"]) < float(markers["model-ready"])
    assert (tmp_path / "config" / "DigitDesk" / "DigitDesk" / "digitdesk.ini").is_file()
    assert (tmp_path / "data" / "handwriting.sqlite3").is_file()   # the samples' store, not the user's


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM is how Linux and macOS end a session's apps")
def test_ended_by_the_system_the_app_closes_as_quit_does(tmp_path):
    """Logout or a task manager's End (SIGTERM): the window closes properly, its settings saved."""
    import signal
    import time
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "config"),
               DIGITDESK_DATA_DIR=str(tmp_path / "data"))
    running = subprocess.Popen([sys.executable, "-m", "digitdesk"], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    ini = tmp_path / "config" / "DigitDesk" / "DigitDesk" / "digitdesk.ini"
    try:
        deadline = time.monotonic() + 120
        while not (tmp_path / "data" / "handwriting.sqlite3").is_file():   # the window is being built
            assert running.poll() is None and time.monotonic() < deadline, "the app did not come up"
            time.sleep(0.1)
        time.sleep(2)
        ini.unlink()   # written at the start; the closing window writes it again
        running.send_signal(signal.SIGTERM)
        _, errors = running.communicate(timeout=60)
    finally:
        running.kill()
    assert running.returncode == 0, errors[-2000:]   # not -15: it closed itself, threads stopped
    assert "QThread" not in errors and "geometry" in ini.read_text()


def test_matplotlib_gets_a_writable_folder_when_the_default_is_not(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the config folder should be")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(blocker))
    monkeypatch.setenv("HOME", str(blocker))
    monkeypatch.delenv("MPLCONFIGDIR", raising=False)
    app._prepare_environment(str(tmp_path / "cache"))
    folder = Path(os.environ["MPLCONFIGDIR"])
    assert folder == tmp_path / "cache" / "matplotlib" and folder.is_dir()


def test_a_writable_default_is_left_alone(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("MPLCONFIGDIR", raising=False)
    app._prepare_environment(str(tmp_path / "cache"))
    assert "MPLCONFIGDIR" not in os.environ


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland displays exist only on Linux")
def test_without_a_display_the_app_explains_instead_of_crashing(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}}
    done = subprocess.run([sys.executable, "-m", "digitdesk"], env=dict(env, XDG_CONFIG_HOME=str(tmp_path)),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "no display found" in done.stderr and "digitdesk predict" in done.stderr
