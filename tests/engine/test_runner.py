"""The model runner: right shapes, probabilities, one shared instance, safe across threads."""
import threading

import numpy as np
import pytest

from digitdesk.engine.runner import KerasRunner, ModelLoadError, ModelRunner, shared_runner


def test_classify_returns_one_probability_row_per_image(real_runner):
    batch = np.random.default_rng(0).random((5, 28, 28), dtype=np.float32)
    probabilities = real_runner.classify(batch)
    assert probabilities.shape == (5, 10) and probabilities.dtype == np.float32
    assert (probabilities >= 0).all()
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)


def test_classify_accepts_channel_last_and_empty_batches(real_runner):
    x = np.zeros((2, 28, 28, 1), np.float32)
    x[:, 4:24, 13:15] = 1.0  # a plain vertical bar reads the same either way
    np.testing.assert_allclose(real_runner.classify(x), real_runner.classify(x[..., 0]), atol=1e-6)
    assert real_runner.classify(np.zeros((0, 28, 28), np.float32)).shape == (0, 10)


def test_batching_does_not_change_answers(real_runner):
    batch = np.random.default_rng(1).random((4, 28, 28), dtype=np.float32)
    together = real_runner.classify(batch)
    alone = np.concatenate([real_runner.classify(batch[i:i + 1]) for i in range(4)])
    np.testing.assert_allclose(together, alone, atol=1e-5)


def test_concurrent_calls_give_the_same_answers(real_runner):
    batch = np.random.default_rng(2).random((3, 28, 28), dtype=np.float32)
    expected = real_runner.classify(batch)
    results, errors = [], []

    def work():
        try:
            for _ in range(10):
                results.append(real_runner.classify(batch))
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


def test_corrupt_model_file_is_a_clear_error(tmp_path):
    broken = tmp_path / "broken.keras"
    broken.write_bytes(b"not a zip archive")
    with pytest.raises(ModelLoadError, match="cannot load model broken.keras"):
        KerasRunner(broken)
