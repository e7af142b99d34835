"""Where the bundled model and resources live: through the package, never the working directory.

Works from a source checkout (editable install maps models/ and resources/ to
digitdesk.models and digitdesk.resources), an installed wheel, and a PyInstaller
bundle (which collects both folders under digitdesk/ in its data directory).
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

MODEL_FILE = "digit_cnn.keras"
LITERT_FILE = "digit_cnn.tflite"
CALIBRATION_FILE = "digit_cnn.json"


def _package_dir(package: str) -> Path:
    return Path(str(resources.files(package)))


def model_path() -> Path:
    return _package_dir("digitdesk.models") / MODEL_FILE


def litert_model_path() -> Path:
    return _package_dir("digitdesk.models") / LITERT_FILE


def calibration_path() -> Path:
    return _package_dir("digitdesk.models") / CALIBRATION_FILE


def model_card_path() -> Path:
    return _package_dir("digitdesk.models") / "README.md"


def resource_path(name: str) -> Path:
    return _package_dir("digitdesk.resources") / name


def samples_dir() -> Path:
    return resource_path("samples")


def command_name() -> str:
    """What a user types to run DigitDesk in a shell: `digitdesk` when installed, the executable itself
    in the bundle (`DigitDesk`, `digitdesk-cli.exe`), which has no `digitdesk` command."""
    import sys
    return Path(sys.executable).name if getattr(sys, "frozen", False) else "digitdesk"
