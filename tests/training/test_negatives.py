"""The "not a digit" examples made for training: overlapping pairs."""
import cv2
import numpy as np

from tests.training.idx import write_mnist_dir
from tests.training.unipen_files import write_unipen_dir
from training import dataset, negatives
from training.calibrate import NOT_DIGIT


def _ring(width: int) -> np.ndarray:
    """A 0 drawn with a pen: an ellipse outline `width` px wide and 20 tall in a 28x28 frame."""
    image = np.zeros((28, 28), np.uint8)
    cv2.ellipse(image, (14, 14), (width // 2, 10), 0, 0, 360, 255, 2)
    return image


def test_an_overlapping_pair_is_one_piece_holding_both_digits():
    """A tight number's neighbours: boxes overlapping or touching, never a blank column between them."""
    digits, labels = np.stack([_ring(14), _ring(12)]), np.array([0, 8])
    alone = max(len(np.flatnonzero(negatives._to28(d.astype(np.float32) / 255).max(axis=0) > 40)) for d in digits)
    for pair in negatives.overlapping_pairs(30, digits, labels, np.random.default_rng(0)):
        columns = np.flatnonzero(pair.max(axis=0) > 40)
        assert len(columns) > 0 and np.all(np.diff(columns) == 1), "a blank column parts the two digits"
        assert len(columns) > alone + 2, "one digit hides the other"


def test_training_with_overlapping_pairs_leaves_the_validation_set_unchanged(tmp_path):
    """So a model trained with them is compared with the bundled one on exactly the same validation rows."""
    data = write_mnist_dir(tmp_path / "mnist", n_train=300, n_test=20)
    pen = write_unipen_dir(tmp_path / "unipen")
    train0, val0 = dataset.build(data, pen, limit=300)
    train1, val1 = dataset.build(data, pen, limit=300, overlap_pairs=1000)
    assert np.array_equal(val0.x, val1.x) and np.array_equal(val0.y, val1.y)
    added = train1.source == "overlapping"
    assert added.sum() == 300 // 8 and not (train0.source == "overlapping").any()
    assert np.all(train1.y[added] == NOT_DIGIT)
    assert len(train1.y) - added.sum() == len(train0.y)
