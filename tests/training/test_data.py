"""The MNIST loader: reads what it should, and refuses damaged files with a message that says why."""
import gzip

import numpy as np
import pytest

from tests.training.idx import idx_bytes, write_idx, write_mnist_dir
from training.data import (FILES, IMAGE_MAGIC, LABEL_MAGIC, MnistFormatError, load_mnist_dir, normalise,
                           qmnist_writers, read_idx, stratified_split)


@pytest.mark.parametrize("gz", [True, False])
def test_loads_gzipped_and_plain_directories(tmp_path, gz):
    write_mnist_dir(tmp_path, n_train=30, n_test=20, gz=gz)
    (xtr, ytr), (xte, yte) = load_mnist_dir(tmp_path)
    assert xtr.shape == (30, 28, 28) and ytr.shape == (30,)
    assert xte.shape == (20, 28, 28) and yte.shape == (20,)
    assert xtr.dtype == np.uint8 and set(ytr) == set(range(10))


def test_wrong_magic_number_is_named(tmp_path):
    path = write_idx(tmp_path / "x", np.zeros((2, 28, 28)), LABEL_MAGIC)
    with pytest.raises(MnistFormatError, match="bad magic number"):
        read_idx(path, IMAGE_MAGIC)


def test_truncated_payload_is_reported_with_sizes(tmp_path):
    data = idx_bytes(np.zeros((5, 28, 28)), IMAGE_MAGIC)
    path = tmp_path / "cut.gz"
    path.write_bytes(gzip.compress(data[:-100]))
    with pytest.raises(MnistFormatError, match="truncated.*5 items"):
        read_idx(path, IMAGE_MAGIC)


def test_truncated_header_and_broken_gzip(tmp_path):
    short = tmp_path / "short"
    short.write_bytes(b"\x00\x00\x08")
    with pytest.raises(MnistFormatError, match="truncated"):
        read_idx(short, IMAGE_MAGIC)
    broken = tmp_path / "broken.gz"
    broken.write_bytes(gzip.compress(idx_bytes(np.zeros((5, 28, 28)), IMAGE_MAGIC))[:40])
    with pytest.raises(MnistFormatError, match="cannot read"):
        read_idx(broken, IMAGE_MAGIC)


def test_missing_file_and_label_count_mismatch(tmp_path):
    write_mnist_dir(tmp_path, n_train=30, n_test=20)
    (tmp_path / (FILES["test_labels"] + ".gz")).unlink()
    with pytest.raises(MnistFormatError, match="t10k-labels-idx1-ubyte.*not found"):
        load_mnist_dir(tmp_path)
    write_idx(tmp_path / FILES["test_labels"], np.zeros(19), LABEL_MAGIC)
    with pytest.raises(MnistFormatError, match="20 images but 19 labels"):
        load_mnist_dir(tmp_path)


def test_missing_directory(tmp_path):
    with pytest.raises(MnistFormatError, match="not found"):
        load_mnist_dir(tmp_path / "nowhere")


def test_split_is_stratified_disjoint_and_reproducible():
    rng = np.random.default_rng(0)
    y = rng.choice(10, size=5000, p=np.linspace(0.05, 0.15, 10)).astype(np.uint8)
    x = np.arange(5000)[:, None, None] * np.ones((1, 2, 2), dtype=np.int64)  # each image tagged by its index
    s1 = stratified_split(x, y, 0.1, seed=3)
    s2 = stratified_split(x, y, 0.1, seed=3)
    np.testing.assert_array_equal(s1.y_val, s2.y_val)
    assert len(s1.y_train) + len(s1.y_val) == 5000
    assert not set(s1.x_train[:, 0, 0]) & set(s1.x_val[:, 0, 0])
    shares_all = np.bincount(y, minlength=10) / len(y)
    shares_val = np.bincount(s1.y_val, minlength=10) / len(s1.y_val)
    assert np.abs(shares_all - shares_val).max() < 0.003


def test_normalise_scales_to_unit_range_with_channel():
    x = np.array([[[0, 255], [128, 64]]], dtype=np.uint8)
    out = normalise(x)
    assert out.shape == (1, 2, 2, 1) and out.dtype == np.float32
    assert out.min() == 0.0 and out.max() == 1.0


def test_writer_ids_come_from_qmnist_labels_in_mnist_order(tmp_path):
    """Profiles are benchmarked and their space fitted per writer: the id is QMNIST's third column."""
    rows = ["7\t4\t2551\t7\t1\t0\t0\t0", "2\t1\t3005\t2\t1\t0\t0\t0", "1\t0\t2551\t1\t1\t0\t0\t0"]
    with gzip.open(tmp_path / "qmnist-test-labels.tsv.gz", "wt") as fh:
        fh.write("\n".join(rows) + "\n")
    np.testing.assert_array_equal(qmnist_writers(tmp_path, "test", 2), [2551, 3005])
