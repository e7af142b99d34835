"""A tiny end-to-end run of the real training and evaluation scripts on generated data."""
import json

import numpy as np
import pytest

from tests.training.idx import optimizer_variables, write_mnist_dir

REPORT_FILES = ["metrics.json", "classification_report.txt", "confusion_matrix.png",
                "training_curves.png", "mistakes.png", "history.json", "training.json"]


@pytest.mark.slow
def test_train_then_evaluate_writes_a_loadable_model_and_every_report(tmp_path):
    from training import evaluate, eda, train

    data = write_mnist_dir(tmp_path / "mnist", n_train=300, n_test=60)
    model_path = tmp_path / "model.keras"
    reports = tmp_path / "reports"
    train.main(["--data-dir", str(data), "--model-out", str(model_path), "--reports", str(reports),
                "--epochs", "2", "--width", "4", "--batch-size", "32", "--verbose", "0"])
    evaluate.main(["--model", str(model_path), "--data-dir", str(data), "--out", str(reports)])
    eda.main(["--data-dir", str(data), "--out", str(reports / "eda")])

    for name in REPORT_FILES:
        assert (reports / name).stat().st_size > 0, name
    assert sorted(p.name for p in (reports / "eda").glob("*.png")) == [
        "class_balance.png", "pca.png", "pixel_histogram.png", "samples.png"]

    metrics = json.loads((reports / "metrics.json").read_text())
    assert metrics["n_test"] == 60
    assert 0.0 <= metrics["test_accuracy"] <= 1.0
    assert set(metrics["per_class"]) == {str(d) for d in range(10)}
    assert {"precision", "recall", "f1"} <= set(metrics["per_class"]["3"])
    assert set(metrics["robustness"]) >= {"thin", "thick", "downscaled_16", "binarised"}
    history = json.loads((reports / "history.json").read_text())
    assert len(history["val_accuracy"]) == 2

    import keras
    assert optimizer_variables(model_path) == 0  # saved for inference only: small file
    model = keras.saving.load_model(model_path, compile=False)
    probs = model.predict_on_batch(np.zeros((3, 28, 28, 1), np.float32))
    assert probs.shape == (3, 10)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
