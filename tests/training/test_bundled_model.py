"""The model shipped in models/: loads for inference and meets the figures the card states."""
import json
from pathlib import Path

import numpy as np
import pytest

from digitdesk.paths import litert_model_path, model_path
from tests.training.idx import optimizer_variables

REPORTS = Path(__file__).resolve().parents[2] / "reports"


@pytest.fixture(scope="module")
def scorer():
    from training.evaluate import Scorer
    return Scorer(model_path())


@pytest.fixture(scope="module")
def app_scorer():
    """The LiteRT file the app runs (int8 weights), with the same calibration."""
    from training.evaluate import Scorer
    return Scorer(litert_model_path())


def test_bundled_model_is_inference_only_and_small(scorer):
    assert optimizer_variables(model_path()) == 0
    assert scorer.model.input_shape == (None, 28, 28, 1)
    assert model_path().stat().st_size < 3_000_000


def test_outputs_eleven_logits_and_the_features(scorer):
    logits, features = scorer.model.predict_on_batch(np.random.default_rng(0).random((5, 28, 28, 1), np.float32))
    assert logits.shape == (5, 11) and features.shape == (5, 2048)
    probabilities = scorer.probabilities(np.zeros((2, 28, 28), np.uint8))
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)


@pytest.mark.parametrize("which", ["scorer", "app_scorer"])
def test_test_set_accuracy_is_at_least_99_4_percent_counting_refusals_as_errors(which, request, mnist_path):
    from training.data import load_mnist_dir
    scorer = request.getfixturevalue(which)
    _, (x_test, y_test) = load_mnist_dir(mnist_path)
    decisions = scorer.decide(scorer.probabilities(x_test))
    assert float((decisions == y_test).mean()) >= 0.994  # the card: 99.44 %, refused digits counted wrong


def test_committed_report_matches_the_bundled_model():
    """reports/metrics.json is what users read; it must describe the model file the app runs."""
    metrics = json.loads((REPORTS / "metrics.json").read_text())
    assert metrics["model"] == litert_model_path().name
    assert metrics["model_bytes"] == litert_model_path().stat().st_size
    assert metrics["test_accuracy"] >= 0.994
    calibration = json.loads(model_path().with_suffix(".json").read_text())
    assert metrics["calibration"] == calibration
