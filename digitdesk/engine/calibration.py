"""The model's calibration: how to turn its logits into probabilities a user can trust.

Written by training (training/calibrate.py, fitted on validation writers) into
``digit_cnn.json`` beside the model: the classes, the softmax temperature, the
"not a digit" probability from which a piece is refused, and the digit
probability under which a reading is flagged unsure. Plain numpy, so the
LiteRT runtime needs no TensorFlow.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from digitdesk.paths import calibration_path

DIGITS = 10  # classes 0-9 are digits; an eleventh, if present, is "not a digit"


@dataclass(frozen=True)
class Calibration:
    classes: int = DIGITS + 1
    temperature: float = 1.0
    not_digit_threshold: float = 0.5
    unsure_threshold: float = 0.8

    @classmethod
    def load(cls, path: str | os.PathLike | None = None) -> Calibration:
        """Read the JSON beside the model; ValueError with the reason if it is unusable."""
        path = Path(path) if path is not None else calibration_path()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            calibration = cls(classes=len(data["classes"]), temperature=float(data["temperature"]),
                              not_digit_threshold=float(data["not_digit_threshold"]),
                              unsure_threshold=float(data["unsure_threshold"]))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"cannot read the model's calibration {path.name}: {exc}") from exc
        if calibration.temperature <= 0 or calibration.classes not in (DIGITS, DIGITS + 1):
            raise ValueError(f"the model's calibration {path.name} is invalid")
        return calibration

    def probabilities(self, logits: np.ndarray) -> np.ndarray:
        """Temperature-scaled softmax, float32, one row per image."""
        z = np.asarray(logits, np.float32) * np.float32(1.0 / self.temperature)
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)
