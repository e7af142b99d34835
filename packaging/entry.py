"""Entry point of the frozen DigitDesk: sets up the environment the bundle needs, then runs the CLI.

PyInstaller runs this script; `pip install` users get the same `digitdesk.cli:main` as a console
script. The settings below live here rather than in a runtime hook because PyInstaller's own
matplotlib runtime hook runs after custom hooks and would overwrite MPLCONFIGDIR.
"""
import logging
import multiprocessing
import os
import sys
import tempfile
from pathlib import Path


def _user_cache_dir() -> Path:
    """The platform's per-user cache folder: survives restarts, unlike the bundle, always writable."""
    home = Path.home()
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local") / "DigitDesk" / "Cache"
    if sys.platform == "darwin":
        return home / "Library" / "Caches" / "DigitDesk"
    return Path(os.environ.get("XDG_CACHE_HOME") or home / ".cache") / "digitdesk"


def _matplotlib_config_dir() -> str:
    """A writable matplotlib config dir that persists, so its font list is built once, not at every start.

    (PyInstaller's hook gives a fresh temporary one per run, which costs a font scan every launch.)
    """
    for candidate in (_user_cache_dir() / "matplotlib", Path(tempfile.gettempdir()) / "digitdesk-matplotlib"):
        try:
            candidate.mkdir(parents=True, exist_ok=True)
            if os.access(candidate, os.W_OK):
                return str(candidate)
        except OSError:
            continue
    return os.environ.get("MPLCONFIGDIR", tempfile.gettempdir())


def prepare_environment() -> None:
    # TensorFlow's C++ INFO/WARNING lines mean nothing to a user; errors still show.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    # TensorFlow's and absl's Python loggers at ERROR (AutoGraph and retracing notices are for
    # developers); setting a logger's level before the library is imported is cheap and sticks.
    for name in ("tensorflow", "absl"):
        logging.getLogger(name).setLevel(logging.ERROR)
    if getattr(sys, "frozen", False):
        hook_dir = os.environ.get("MPLCONFIGDIR")
        os.environ["MPLCONFIGDIR"] = _matplotlib_config_dir()
        _remove_empty_folder(hook_dir)


def _remove_empty_folder(folder: str | None) -> None:
    """Drop the empty temporary folder PyInstaller's matplotlib hook made before this ran.

    The hook deletes it at a normal exit only, so every killed or crashed run (a worker process
    stopped by the system, the app ended from a task manager) would leave one behind in the temp
    folder. rmdir removes nothing but an empty folder.
    """
    if folder and folder != os.environ.get("MPLCONFIGDIR"):
        try:
            os.rmdir(folder)
        except OSError:
            pass


if __name__ == "__main__":
    # A worker process of `predict --jobs` or the Images tab is this executable started again:
    # freeze_support() runs its task (or the fork server, or the resource tracker) and exits; the
    # environment comes first so that workers, too, drop the hook's temporary folder.
    prepare_environment()
    multiprocessing.freeze_support()
    from digitdesk.cli import main
    sys.exit(main())
