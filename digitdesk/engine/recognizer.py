"""Read the digits in a picture: decode, prepare like MNIST, segment, classify in one batch."""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Iterable

import numpy as np

from digitdesk.engine.decode import load_image
from digitdesk.engine.prepare import Page, to_mnist
from digitdesk.engine.results import Box, DigitReading, Recognition
from digitdesk.engine.runner import ModelRunner, shared_runner
from digitdesk.engine.segment import segment

# Below this top probability a digit is flagged "unsure" (still read, with a
# warning). Measured by benchmarks/bench_real_input.py on 11,000 MNIST test
# digits re-rendered as photos, scans and drawings: at 0.8 the flag catches
# ~89% of the misreadings while touching ~0.6% of the right ones (0.6: 46% and
# 0.2%; 0.9: 97% and 1.1%). Past 0.8 it mostly flags good readings.
UNSURE_THRESHOLD = 0.8


@dataclass(frozen=True)
class PreparedDigit:
    box: Box             # in the input image's pixels
    input28: np.ndarray  # (28, 28) float32 in [0, 1]: what the model will see


def as_image(image):
    """Paths and bytes are decoded (ImageDecodeError on failure); arrays and PIL images pass through."""
    if isinstance(image, (str, os.PathLike, bytes, bytearray, memoryview)):
        return load_image(image)
    return image


def prepare_digits(image) -> list[PreparedDigit]:
    """Every digit in the picture, left to right, as model input; no model needed."""
    page = Page(as_image(image))
    return [PreparedDigit(digit.box, to_mnist(digit.ink)) for digit in segment(page)]


class Recognizer:
    """Reads digits with a ModelRunner (the shared Keras runner unless given one)."""

    def __init__(self, runner: ModelRunner | None = None, unsure_threshold: float = UNSURE_THRESHOLD):
        self._runner = runner
        self.unsure_threshold = unsure_threshold

    @property
    def runner(self) -> ModelRunner:
        if self._runner is None:
            self._runner = shared_runner()  # loads TensorFlow on first use
        return self._runner

    def recognize(self, image) -> Recognition:
        """image: ndarray (grey or RGB/RGBA), PIL image, path or encoded bytes."""
        return self.recognize_many([image])[0]

    def recognize_many(self, images: Iterable) -> list[Recognition]:
        """Several pictures, all their digits classified in one model call."""
        prepared = [prepare_digits(image) for image in images]
        inputs = [digit.input28 for digits in prepared for digit in digits]
        if not inputs:
            return [Recognition() for _ in prepared]
        probabilities = np.asarray(self.runner.classify(np.stack(inputs)), dtype=np.float32)
        results, row = [], 0
        for digits in prepared:
            readings = []
            for digit in digits:
                readings.append(self._reading(digit, probabilities[row]))
                row += 1
            results.append(Recognition(tuple(readings)))
        return results

    def _reading(self, digit: PreparedDigit, probabilities: np.ndarray) -> DigitReading:
        p = np.clip(probabilities.astype(np.float32), 0.0, None)
        p = p / max(float(p.sum()), 1e-12)
        best = int(np.argmax(p))
        confidence = float(p[best])
        return DigitReading(digit=best, confidence=confidence, probabilities=p, box=digit.box,
                            input28=digit.input28, unsure=confidence < self.unsure_threshold)


_default: Recognizer | None = None
_default_lock = threading.Lock()


def recognize(image) -> Recognition:
    """Read the digits in one picture with the bundled model (loaded on first call)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Recognizer()
    return _default.recognize(image)
