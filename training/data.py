"""MNIST loading, normalisation and the stratified validation split.

The loader reads the four original IDX files (gzipped or not) so training works
offline; it validates every header because a truncated download otherwise
surfaces much later as a baffling reshape error.
"""
from __future__ import annotations

import gzip
import hashlib
import itertools
import os
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

IMAGE_MAGIC = 0x00000803
LABEL_MAGIC = 0x00000801
FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
ENV_VAR = "DIGITDESK_MNIST_DIR"


class MnistFormatError(ValueError):
    """An IDX file is missing, corrupt or truncated."""


@dataclass(frozen=True)
class Split:
    x_train: np.ndarray  # (n, 28, 28) uint8
    y_train: np.ndarray  # (n,) uint8
    x_val: np.ndarray
    y_val: np.ndarray


def _find(directory: Path, stem: str) -> Path:
    for name in (stem + ".gz", stem, stem.replace("-idx", ".idx")):
        if (directory / name).is_file():
            return directory / name
    raise MnistFormatError(f"{stem}(.gz) not found in {directory}")


def _read_bytes(path: Path) -> bytes:
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as fh:
                return fh.read()
        return path.read_bytes()
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise MnistFormatError(f"{path.name}: cannot read ({exc})") from exc


def read_idx(path: str | os.PathLike, expect_magic: int) -> np.ndarray:
    """Read one IDX file, checking magic number, dimensions and payload size."""
    path = Path(path)
    data = _read_bytes(path)
    if len(data) < 8:
        raise MnistFormatError(f"{path.name}: file is truncated ({len(data)} bytes, no header)")
    magic, count = struct.unpack(">II", data[:8])
    if magic != expect_magic:
        raise MnistFormatError(
            f"{path.name}: bad magic number 0x{magic:08x} (expected 0x{expect_magic:08x}); "
            "not an MNIST file or corrupt")
    ndim = magic & 0xFF
    header = 4 + 4 * ndim
    if len(data) < header:
        raise MnistFormatError(f"{path.name}: file is truncated inside its header")
    dims = struct.unpack(">" + "I" * ndim, data[4:header])
    expected = int(np.prod(dims)) if dims else 0
    payload = len(data) - header
    if payload != expected:
        kind = "truncated" if payload < expected else "longer than its header says"
        raise MnistFormatError(
            f"{path.name}: file is {kind}: header announces {count} items of shape {dims[1:]} "
            f"({expected} bytes) but holds {payload} bytes")
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(dims)


def load_mnist_dir(directory: str | os.PathLike):
    """((x_train, y_train), (x_test, y_test)) from a directory of IDX files."""
    directory = Path(directory)
    if not directory.is_dir():
        raise MnistFormatError(f"MNIST directory not found: {directory}")
    arrays = {}
    for key, stem in FILES.items():
        magic = IMAGE_MAGIC if key.endswith("images") else LABEL_MAGIC
        arrays[key] = read_idx(_find(directory, stem), magic)
    for part in ("train", "test"):
        n_img, n_lab = len(arrays[f"{part}_images"]), len(arrays[f"{part}_labels"])
        if n_img != n_lab:
            raise MnistFormatError(f"{part}: {n_img} images but {n_lab} labels")
        if arrays[f"{part}_labels"].max(initial=0) > 9:
            raise MnistFormatError(f"{part}: labels outside 0-9")
    return ((arrays["train_images"], arrays["train_labels"]),
            (arrays["test_images"], arrays["test_labels"]))


def qmnist_labels(directory: str | os.PathLike, split: str) -> Path:
    """QMNIST's extended labels for MNIST's `split` ("train" or "test"), beside the IDX files."""
    return Path(directory) / f"qmnist-{split}-labels.tsv.gz"


def qmnist_writers(directory: str | os.PathLike, split: str, n: int) -> np.ndarray:
    """NIST writer id of each of the first n MNIST digits of `split`: column 3 of QMNIST's extended
    labels, which list the MNIST digits in MNIST's order."""
    with gzip.open(qmnist_labels(directory, split), "rt") as fh:
        rows = [line.split("\t") for line in itertools.islice(fh, n)]
    return np.array([int(r[2]) for r in rows])


def shared_data_dir(name: str, env_var: str) -> Path | None:
    """$env_var, else ../shared/data/<name> beside the project, else None."""
    env = os.environ.get(env_var)
    if env:
        return Path(env)
    sibling = Path(__file__).resolve().parents[2] / "shared" / "data" / name
    return sibling if sibling.is_dir() else None


def default_data_dir() -> Path | None:
    """$DIGITDESK_MNIST_DIR, else ../shared/data/mnist beside the project, else None."""
    return shared_data_dir("mnist", ENV_VAR)


def load_mnist(data_dir: str | os.PathLike | None = None):
    """Load from data_dir (or the default); with none, fall back to Keras' downloader."""
    directory = Path(data_dir) if data_dir else default_data_dir()
    if directory is not None:
        return load_mnist_dir(directory)
    import keras  # only the download fallback needs it
    return keras.datasets.mnist.load_data()


def checksums(directory: str | os.PathLike) -> dict[str, str]:
    """MD5 of each IDX file, for the model card."""
    directory = Path(directory)
    return {_find(directory, s).name: hashlib.md5(_find(directory, s).read_bytes()).hexdigest()
            for s in FILES.values()}


def normalise(images: np.ndarray) -> np.ndarray:
    """uint8 (n, 28, 28) -> float32 (n, 28, 28, 1) in [0, 1], the model's input."""
    return (images.astype(np.float32) / 255.0)[..., None]


def stratified_split(x: np.ndarray, y: np.ndarray, val_fraction: float = 0.1, seed: int = 42) -> Split:
    """Hold out val_fraction of every class, so validation mirrors the class balance."""
    rng = np.random.default_rng(seed)
    val_idx = []
    for label in np.unique(y):
        idx = np.flatnonzero(y == label)
        rng.shuffle(idx)
        val_idx.append(idx[: int(round(len(idx) * val_fraction))])
    val_idx = np.sort(np.concatenate(val_idx))
    mask = np.ones(len(y), dtype=bool)
    mask[val_idx] = False
    train_idx = rng.permutation(np.flatnonzero(mask))
    return Split(x[train_idx], y[train_idx], x[val_idx], y[val_idx])
