"""Shared test setup: Qt offscreen, quiet TensorFlow, the user's own data out of reach, and where MNIST
lives (if anywhere)."""
import os
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")
# Handwriting samples go to a throwaway folder, also in apps the tests launch: a test must never write the
# user's real store (tests that check where the store goes set or clear the variable themselves).
os.environ["DIGITDESK_DATA_DIR"] = tempfile.mkdtemp(prefix="digitdesk-test-data-")


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
