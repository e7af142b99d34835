"""Shared test setup: Qt offscreen, quiet TensorFlow, and where MNIST lives (if anywhere)."""
import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")


def mnist_dir() -> Path | None:
    """$DIGITDESK_MNIST_DIR or ../shared/data/mnist beside the project; None on a machine without MNIST."""
    env = os.environ.get("DIGITDESK_MNIST_DIR")
    candidate = Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"
    found = any((candidate / name).exists() for name in ("t10k-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte"))
    return candidate if found else None


@pytest.fixture
def mnist_path():
    path = mnist_dir()
    if path is None:
        pytest.skip("MNIST IDX files not available (set DIGITDESK_MNIST_DIR to the folder holding them)")
    return path
