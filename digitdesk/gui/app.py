"""Start the desktop app: the window first, the model afterwards.

TensorFlow takes seconds to import, so the window is shown before the inference
worker even starts; the model then loads in the worker's thread while the user
can already draw.

DIGITDESK_STARTUP_PROBE=1 prints "<marker> <unix time>" lines to stderr
("window-shown", "model-ready" or "model-failed") and quits once the model is
ready: benchmarks/bench_startup.py times a real launch with it.
"""
from __future__ import annotations

import os
import signal
import sys
import tempfile
import time
from pathlib import Path

from digitdesk.paths import command_name

PROBE_ENV = "DIGITDESK_STARTUP_PROBE"


def _probe(marker: str) -> None:
    print(f"{marker} {time.time():.6f}", file=sys.stderr, flush=True)


def _writable(folder: Path) -> bool:
    """True if `folder` exists and can be written, or could be created."""
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            return candidate.is_dir() and os.access(candidate, os.W_OK | os.X_OK)
    return False


def _prepare_environment(cache_dir: str) -> None:
    """Quiet TensorFlow; give matplotlib a writable config dir (a frozen app may run with none)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if "MPLCONFIGDIR" not in os.environ:
        if sys.platform.startswith("linux"):
            default = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "matplotlib"
        else:
            default = Path.home() / ".matplotlib"
        if getattr(sys, "frozen", False) or not _writable(default):
            folder = Path(cache_dir) / "matplotlib" if cache_dir else Path(tempfile.gettempdir()) / "digitdesk-mpl"
            folder.mkdir(parents=True, exist_ok=True)
            os.environ["MPLCONFIGDIR"] = str(folder)


def display_problem() -> str | None:
    """Why a window can't be opened here (Linux without X11/Wayland), instead of Qt aborting."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return None
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    return ("digitdesk: no display found (DISPLAY and WAYLAND_DISPLAY are not set), so the window "
            f"can't open.\nTo read image files without a window: {command_name()} predict PATH...")


def _close_on_terminate(app) -> None:
    """Logging out, shutting down or a task manager's End sends SIGTERM: close the windows as Quit does
    (settings saved, threads and the Images tab's worker processes stopped, temporary files removed)
    instead of dying mid-way; a second SIGTERM ends the process at once. Installed as soon as the
    application exists, so one arriving while the window is built closes it once shown. Python only
    runs a signal handler between bytecodes, so a timer wakes the interpreter while Qt waits."""
    from PySide6.QtCore import QTimer
    if not hasattr(signal, "SIGTERM") or sys.platform == "win32":   # Windows ends processes another way
        return

    def terminate(*_) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        QTimer.singleShot(0, app.closeAllWindows)

    signal.signal(signal.SIGTERM, terminate)
    wake = QTimer(app)
    wake.timeout.connect(lambda: None)
    wake.start(250)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    problem = display_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 1
    probing = os.environ.get(PROBE_ENV) == "1"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

    from PySide6.QtCore import QStandardPaths, QTimer, Qt
    from PySide6.QtGui import QGuiApplication, QIcon
    from PySide6.QtWidgets import QApplication

    from digitdesk import __version__
    from digitdesk.gui.settings import APPLICATION, ORGANIZATION, AppSettings
    from digitdesk.paths import resource_path

    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    # every pointer sample reaches the canvas: merged mouse moves (X11's default) turn a fast curve drawn
    # with a high-rate mouse into straight segments; each sample costs the canvas one short piece
    QGuiApplication.setAttribute(Qt.ApplicationAttribute.AA_CompressHighFrequencyEvents, False)
    app = QApplication.instance() or QApplication(argv)
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationVersion(__version__)
    _close_on_terminate(app)
    QGuiApplication.setDesktopFileName("digitdesk")
    icon = resource_path("icon.png")
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    _prepare_environment(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.CacheLocation))

    from digitdesk.gui.inference import InferenceClient
    from digitdesk.gui.main_window import MainWindow

    from digitdesk.gui.error_report import ErrorReport
    from digitdesk.gui.handwriting import Handwriting
    settings = AppSettings()
    handwriting = Handwriting.open(settings, QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.AppDataLocation))
    client = InferenceClient(handwriting.recognizer_loader)
    window = MainWindow(settings, client, handwriting=handwriting)
    errors = ErrorReport(handwriting.store.folder, window)   # the log beside the samples, in the data folder
    errors.install()
    window.show()
    if probing:
        QTimer.singleShot(0, lambda: _probe("window-shown"))
        client.modelReady.connect(lambda _seconds: (_probe("model-ready"), QTimer.singleShot(0, window.close)))
        client.modelFailed.connect(lambda _message: (_probe("model-failed"), QTimer.singleShot(0, window.close)))
    QTimer.singleShot(0, client.start)
    try:
        code = app.exec()
        if hasattr(signal, "SIGTERM"):   # shutting down: another SIGTERM need not wait for it
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
        client.shutdown()   # also when the window was never closed properly (e.g. the session ended)
        handwriting.close()
    finally:
        errors.uninstall()
    return code
