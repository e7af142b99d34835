"""Digit readings made by hand, for tests of how a recognition is worded (window and command line)."""
import numpy as np

from digitdesk.engine.results import Box, DigitReading


def digit_reading(digit: int, confidence: float, unsure: bool, unsure_of_cut: bool = False) -> DigitReading:
    return DigitReading(digit, confidence, np.eye(10, dtype=np.float32)[digit], Box(0, 0, 10, 20),
                        np.zeros((28, 28), np.float32), unsure, unsure_of_cut=unsure_of_cut)
