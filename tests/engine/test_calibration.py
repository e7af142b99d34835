"""The calibration file beside the model: read safely, applied the same way as in training."""
import json

import numpy as np
import pytest

from digitdesk.engine.calibration import Calibration
from digitdesk.paths import calibration_path


def write(path, **fields):
    data = {"classes": [str(d) for d in range(10)] + ["not a digit"], "temperature": 1.5,
            "not_digit_threshold": 0.6, "unsure_threshold": 0.7, **fields}
    path.write_text(json.dumps(data))
    return path


def test_reads_the_fields_training_writes(tmp_path):
    calibration = Calibration.load(write(tmp_path / "m.json"))
    assert calibration == Calibration(classes=11, temperature=1.5, not_digit_threshold=0.6, unsure_threshold=0.7)


@pytest.mark.parametrize("content", ["{not json", json.dumps({"temperature": 1.0}), ""])
def test_a_broken_file_gives_a_plain_error_naming_it(tmp_path, content):
    path = tmp_path / "digit_cnn.json"
    path.write_text(content)
    with pytest.raises(ValueError, match="calibration digit_cnn.json"):
        Calibration.load(path)


def test_a_missing_file_or_nonsense_values_are_refused(tmp_path):
    with pytest.raises(ValueError, match="calibration"):
        Calibration.load(tmp_path / "absent.json")
    with pytest.raises(ValueError, match="invalid"):
        Calibration.load(write(tmp_path / "m.json", temperature=0))


def test_temperature_softens_probabilities_without_changing_the_answer():
    logits = np.array([[4.0, 1.0, 0.0], [0.0, 0.5, 3.0]], np.float32)
    sharp = Calibration(classes=3).probabilities(logits)
    soft = Calibration(classes=3, temperature=2.0).probabilities(logits)
    np.testing.assert_allclose(soft.sum(axis=1), 1.0, rtol=1e-6)
    assert (soft.argmax(axis=1) == sharp.argmax(axis=1)).all()
    assert (soft.max(axis=1) < sharp.max(axis=1)).all()


def test_the_bundled_model_ships_its_calibration():
    calibration = Calibration.load(calibration_path())
    assert calibration.classes == 11 and 0.5 <= calibration.not_digit_threshold < 1
    assert 0 < calibration.unsure_threshold < 1 and calibration.temperature > 0
