"""The model runners: right shapes, probabilities, one shared instance, safe across threads,
and the LiteRT file giving the same answers as the Keras model it was converted from."""
import threading

import numpy as np
import pytest

from PIL import Image

from digitdesk.engine.recognizer import prepare_digits
from digitdesk.engine.runner import (KerasRunner, LiteRTRunner, ModelLoadError, ModelRunner, load_runner,
                                     shared_runner)
from digitdesk.paths import samples_dir

_loaded = {}


@pytest.fixture(params=["litert", "keras"])
def runner(request):
    """Each generic test runs against both backends (loaded once per session)."""
    if request.param not in _loaded:
        _loaded[request.param] = load_runner(request.param)
    return _loaded[request.param]


def test_classify_returns_one_probability_row_per_image(runner):
    """Ten digits and "not a digit", calibrated probabilities summing to one."""
    batch = np.random.default_rng(0).random((5, 28, 28), dtype=np.float32)
    probabilities = runner.classify(batch)
    assert probabilities.shape == (5, 11) and probabilities.dtype == np.float32
    assert (probabilities >= 0).all()
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)


def test_infer_also_returns_the_features_personal_profiles_use(runner):
    batch = np.random.default_rng(5).random((3, 28, 28), dtype=np.float32)
    probabilities, features = runner.infer(batch)
    np.testing.assert_allclose(probabilities, runner.classify(batch), atol=1e-6)
    assert features.shape == (3, runner.features_size) and runner.features_size == 2048
    assert features.dtype == np.float32 and np.isfinite(features).all()
    assert runner.infer(np.zeros((0, 28, 28), np.float32))[1].shape == (0, 2048)


def test_classify_accepts_channel_last_and_empty_batches(runner):
    x = np.zeros((2, 28, 28, 1), np.float32)
    x[:, 4:24, 13:15] = 1.0  # a plain vertical bar reads the same either way
    np.testing.assert_allclose(runner.classify(x), runner.classify(x[..., 0]), atol=1e-6)
    assert runner.classify(np.zeros((0, 28, 28), np.float32)).shape == (0, 11)


def test_batching_does_not_change_answers(runner):
    batch = np.random.default_rng(1).random((4, 28, 28), dtype=np.float32)
    together = runner.classify(batch)
    alone = np.concatenate([runner.classify(batch[i:i + 1]) for i in range(4)])
    np.testing.assert_allclose(together, alone, atol=1e-5)


def test_concurrent_calls_give_the_same_answers(runner):
    batch = np.random.default_rng(2).random((3, 28, 28), dtype=np.float32)
    expected = runner.classify(batch)
    results, errors = [], []

    def work():
        try:
            for _ in range(10):
                results.append(runner.classify(batch))
        except Exception as exc:  # surfaced below; a thread's exception is otherwise lost
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(results) == 40
    for result in results:
        np.testing.assert_allclose(result, expected, atol=1e-6)


def test_shared_runner_is_one_instance_even_when_first_asked_from_threads(real_runner):
    seen = []
    threads = [threading.Thread(target=lambda: seen.append(shared_runner())) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(runner is real_runner for runner in seen)
    assert isinstance(real_runner, ModelRunner)


def test_missing_model_file_is_a_clear_error(tmp_path):
    with pytest.raises(ModelLoadError, match="model file not found"):
        KerasRunner(tmp_path / "missing.keras")


def test_a_model_without_its_calibration_file_is_a_clear_error(tmp_path):
    import shutil
    from digitdesk.paths import litert_model_path
    shutil.copy(litert_model_path(), tmp_path / "digit_cnn.tflite")
    with pytest.raises(ModelLoadError, match="calibration digit_cnn.json"):
        LiteRTRunner(tmp_path / "digit_cnn.tflite")


def test_corrupt_model_file_is_a_clear_error(tmp_path):
    broken = tmp_path / "broken.keras"
    broken.write_bytes(b"not a zip archive")
    with pytest.raises(ModelLoadError, match="cannot load model broken.keras"):
        KerasRunner(broken)


def test_without_xla_the_answers_are_the_same():
    """Single images take an XLA-compiled path when available; the plain graph must agree with it."""
    plain = KerasRunner(xla=False)
    assert not plain.xla
    image = np.random.default_rng(3).random((1, 28, 28), dtype=np.float32)
    np.testing.assert_allclose(load_runner("keras").classify(image), plain.classify(image), atol=1e-4)


def test_litert_file_is_the_conversion_of_the_bundled_keras_model():
    """models/digit_cnn.tflite must be regenerated (python -m training.export_litert) whenever the
    Keras model changes: on real digits and on noise the two decide the same, with probabilities within
    1 % (its weights are int8, so not to the last digit) and features close enough for a personal profile."""
    digits = [prepare_digits(Image.open(p))[0].input28 for p in sorted(samples_dir().glob("[0-9].png"))]
    noise = list(np.random.default_rng(4).random((6, 28, 28), dtype=np.float32))
    batch = np.stack(digits + noise)
    keras_out, keras_features = load_runner("keras").infer(batch)
    litert_out, litert_features = load_runner("litert").infer(batch)
    np.testing.assert_allclose(litert_out, keras_out, atol=0.01)
    np.testing.assert_allclose(litert_features, keras_features, atol=0.05 * float(np.abs(keras_features).max()))
    assert (litert_out.argmax(1) == keras_out.argmax(1)).all()
    assert (litert_out[:10].argmax(1) == np.arange(10)).all()


def test_the_shared_runner_is_litert_unless_keras_is_asked_for(real_runner, monkeypatch):
    assert isinstance(real_runner, LiteRTRunner)
    monkeypatch.setenv("DIGITDESK_RUNNER", "keras")
    assert isinstance(load_runner(), KerasRunner)
    monkeypatch.setenv("DIGITDESK_RUNNER", "onnx")
    with pytest.raises(ValueError, match="unknown runner 'onnx'"):
        load_runner()


def test_missing_litert_file_is_a_clear_error_and_auto_falls_back_to_keras(tmp_path, monkeypatch):
    with pytest.raises(ModelLoadError, match="model file not found"):
        LiteRTRunner(tmp_path / "missing.tflite")
    monkeypatch.setattr("digitdesk.engine.runner.litert_model_path", lambda: tmp_path / "missing.tflite")
    assert isinstance(load_runner("auto"), KerasRunner)
    with pytest.raises(ModelLoadError):
        load_runner("litert")


def test_without_litert_and_tensorflow_the_error_says_what_is_missing(monkeypatch):
    def no_module(name):
        def fail(*args, **kwargs):
            raise ImportError(f"No module named '{name}'")
        return fail

    monkeypatch.setattr("digitdesk.engine.runner.LiteRTRunner", no_module("ai_edge_litert"))
    monkeypatch.setattr("digitdesk.engine.runner.KerasRunner", no_module("keras"))
    with pytest.raises(ModelLoadError, match="LiteRT could not load.*TensorFlow is not installed"):
        load_runner("auto")


def test_many_images_are_read_in_batches_as_in_one_call_and_none_gives_empty_answers():
    from digitdesk.engine.runner import infer_images
    from tests.engine.fake_runner import FakeRunner
    runner = FakeRunner()
    images = np.random.default_rng(0).integers(0, 256, (7, 28, 28), dtype=np.uint8)
    whole = runner.infer(images.astype(np.float32) / 255)
    for got, expected in zip(infer_images(runner, images, batch=3), whole):
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)   # float sums in other batch sizes
    probabilities, features = infer_images(runner, images[:0])
    assert probabilities.shape[0] == features.shape[0] == 0
