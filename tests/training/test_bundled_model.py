"""The model shipped in models/: loads for inference and meets the accuracy the card states."""
import json

import numpy as np
import pytest

from digitdesk.paths import model_path
from tests.training.idx import optimizer_variables


@pytest.fixture(scope="module")
def model():
    import keras
    return keras.saving.load_model(model_path(), compile=False)


def test_bundled_model_is_inference_only_and_small(model):
    assert optimizer_variables(model_path()) == 0
    assert model.input_shape == (None, 28, 28, 1)
    assert model_path().stat().st_size < 3_000_000


def test_outputs_are_probabilities(model):
    rng = np.random.default_rng(0)
    probs = np.asarray(model.predict_on_batch(rng.random((5, 28, 28, 1), dtype=np.float32)))
    assert probs.shape == (5, 10)
    assert (probs >= 0).all()
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)


def test_test_set_accuracy_is_at_least_99_6_percent(model, mnist_path):
    from training.data import load_mnist_dir
    from training.evaluate import predict_all
    _, (x_test, y_test) = load_mnist_dir(mnist_path)
    accuracy = float((predict_all(model, x_test).argmax(1) == y_test).mean())
    assert accuracy >= 0.996


def test_committed_report_matches_the_bundled_model():
    """reports/metrics.json is what users read; it must describe this model file."""
    from pathlib import Path
    metrics = json.loads((Path(__file__).resolve().parents[2] / "reports" / "metrics.json").read_text())
    assert metrics["model_bytes"] == model_path().stat().st_size
    assert metrics["test_accuracy"] >= 0.996
