"""Write small IDX files so loader and pipeline tests never need the real MNIST."""
import gzip
import struct
from pathlib import Path

import numpy as np

from training.data import FILES, IMAGE_MAGIC, LABEL_MAGIC


def idx_bytes(array: np.ndarray, magic: int) -> bytes:
    header = struct.pack(">I", magic) + struct.pack(">" + "I" * array.ndim, *array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_idx(path: Path, array: np.ndarray, magic: int, gz: bool = True) -> Path:
    data = idx_bytes(array, magic)
    path = Path(str(path) + ".gz") if gz else Path(path)
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def synthetic_digits(n: int, seed: int = 0):
    """Images whose class is a bright bar at a class-dependent position: learnable in one epoch."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 10
    x = (rng.random((n, 28, 28)) * 40).astype(np.uint8)
    for i, label in enumerate(y):
        x[i, 4 + 2 * label: 6 + 2 * label, 4:24] = 255
    return x, y.astype(np.uint8)


def write_mnist_dir(directory: Path, n_train: int = 200, n_test: int = 50, gz: bool = True) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (xtr, ytr), (xte, yte) = synthetic_digits(n_train, 0), synthetic_digits(n_test, 1)
    write_idx(directory / FILES["train_images"], xtr, IMAGE_MAGIC, gz)
    write_idx(directory / FILES["train_labels"], ytr, LABEL_MAGIC, gz)
    write_idx(directory / FILES["test_images"], xte, IMAGE_MAGIC, gz)
    write_idx(directory / FILES["test_labels"], yte, LABEL_MAGIC, gz)
    return directory


def optimizer_variables(keras_file: Path) -> int:
    """How many optimizer variables a .keras file stores (0 for an inference-only save)."""
    import io
    import zipfile

    import h5py
    with zipfile.ZipFile(keras_file) as z, h5py.File(io.BytesIO(z.read("model.weights.h5"))) as h5:
        return len(h5["optimizer/vars"]) if "optimizer/vars" in h5 else 0
