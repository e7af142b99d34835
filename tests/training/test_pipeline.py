"""A tiny end-to-end run of the real training and evaluation scripts on generated data."""
import json

import numpy as np
import pytest

from tests.training.idx import optimizer_variables, write_mnist_dir
from tests.training.unipen_files import write_unipen_dir

@pytest.fixture
def generated(tmp_path):
    """(MNIST folder, UNIPEN folder) of generated files, small enough for a few seconds of training."""
    return write_mnist_dir(tmp_path / "mnist", n_train=300, n_test=60), write_unipen_dir(tmp_path / "unipen")


REPORT_FILES = ["metrics.json", "classification_report.txt", "confusion_matrix.png", "reliability.png",
                "rejection_roc.png", "training_curves.png", "mistakes.png", "history.json", "training.json"]


@pytest.mark.slow
def test_train_then_evaluate_writes_a_loadable_model_and_every_report(tmp_path, generated):
    from training import evaluate, eda, train

    data, pen = generated
    model_path = tmp_path / "model.keras"
    reports = tmp_path / "reports"
    train.main(["--data-dir", str(data), "--unipen-dir", str(pen), "--model-out", str(model_path),
                "--reports", str(reports), "--limit", "300",
                "--epochs", "2", "--width", "4", "--batch-size", "32", "--verbose", "0"])
    evaluate.main(["--model", str(model_path), "--data-dir", str(data), "--unipen-dir", str(pen),
                   "--out", str(reports)])
    eda.main(["--data-dir", str(data), "--out", str(reports / "eda")])

    for name in REPORT_FILES:
        assert (reports / name).stat().st_size > 0, name
    assert sorted(p.name for p in (reports / "eda").glob("*.png")) == [
        "class_balance.png", "pca.png", "pixel_histogram.png", "samples.png"]

    metrics = json.loads((reports / "metrics.json").read_text())
    assert metrics["n_test"] == 60
    assert 0.0 <= metrics["test_accuracy"] <= 1.0
    assert set(metrics["per_class"]) == {str(d) for d in range(10)} | {"not a digit"}
    sources = metrics["sources"]
    assert sources["unipen_heldout_digits"]["n"] == 10  # one held-out writer of the two is in the report half
    assert sources["unseen_kinds"]["n"] == 2 and 0 <= sources["unseen_kinds"]["refused"] <= 1  # both writers' "k"
    assert set(metrics["auroc_not_digit"]) == {"letters and symbols", "kinds never trained on",
                                               "scribbles, dashes, blobs, merged digits"}
    calibration = json.loads(model_path.with_suffix(".json").read_text())
    assert calibration["temperature"] > 0 and len(calibration["classes"]) == 11
    assert {"precision", "recall", "f1"} <= set(metrics["per_class"]["3"])
    assert set(metrics["robustness"]) >= {"thin", "thick", "downscaled_16", "binarised"}
    history = json.loads((reports / "history.json").read_text())
    assert len(history["val_accuracy"]) == 2

    import keras
    assert optimizer_variables(model_path) == 0  # saved for inference only: small file
    model = keras.saving.load_model(model_path, compile=False)
    logits, features = model.predict_on_batch(np.zeros((3, 28, 28, 1), np.float32))
    assert logits.shape == (3, 11) and features.shape == (3, 256)  # 4x4 positions x (4 * width) filters


@pytest.mark.slow
def test_fine_tuning_starts_from_the_saved_model_and_may_add_styles(tmp_path, generated):
    """--init loads the saved model's weights: at learning rate 0 they come out unchanged."""
    import keras

    from training import train

    data, pen = generated
    common = ["--data-dir", str(data), "--unipen-dir", str(pen), "--limit", "300", "--width", "4",
              "--batch-size", "32", "--verbose", "0"]
    first, tuned = tmp_path / "first.keras", tmp_path / "tuned.keras"
    train.main(common + ["--model-out", str(first), "--reports", str(tmp_path / "r1"), "--epochs", "1"])
    train.main(common + ["--model-out", str(tuned), "--reports", str(tmp_path / "r2"), "--epochs", "1",
                         "--init", str(first), "--lr", "0", "--flag-ones", "--cross-sevens"])
    before = keras.saving.load_model(first, compile=False)
    after = keras.saving.load_model(tuned, compile=False)
    for a, b in zip(before.trainable_weights, after.trainable_weights):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=1e-6)


@pytest.mark.slow
def test_the_saved_model_is_the_averaged_one_that_early_stopping_judged(tmp_path, generated):
    """With Polyak averaging (the default) validation scores the averaged weights: the file written must read
    the validation set exactly as well as the best epoch in the history, not like the last raw weights."""
    import keras

    from training import dataset, train
    from training.data import normalise

    data, pen = generated
    model_path, reports = tmp_path / "model.keras", tmp_path / "reports"
    train.main(["--data-dir", str(data), "--unipen-dir", str(pen), "--model-out", str(model_path),
                "--reports", str(reports), "--limit", "300", "--epochs", "3", "--width", "4",
                "--batch-size", "32", "--verbose", "0", "--ema", "0.9"])
    _, val = dataset.build(str(data), str(pen), 42, 0.1, 300, False, dataset.TRAIN_LETTERS, False, 0)
    logits = keras.saving.load_model(model_path, compile=False).predict_on_batch(normalise(val.x))[0]
    best = max(json.loads((reports / "history.json").read_text())["val_accuracy"])
    assert np.mean(np.argmax(logits, axis=1) == val.y) == pytest.approx(best, abs=1e-6)
