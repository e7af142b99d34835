"""The labels over the digits' boxes in the Images and Webcam pictures."""
from dataclasses import replace

import numpy as np

from digitdesk.engine.results import Box, DigitReading
from digitdesk.gui.annotated_view import box_label


def reading(digit: int, confidence: float, unsure: bool = False) -> DigitReading:
    return DigitReading(digit, confidence, np.full(10, 0.1, np.float32), Box(0, 0, 20, 30),
                        np.zeros((28, 28), np.float32), unsure)


def test_a_box_says_unsure_in_its_words_not_by_its_colour_alone():
    assert box_label(reading(7, 0.96)) == "7 · 96%"
    assert box_label(reading(9, 0.37, unsure=True)) == "9? · 37%"
    assert box_label(replace(reading(9, 0.37, unsure=True), corrected=True)) == "9 · yours"
    assert box_label(replace(reading(9, 0.9), not_digit=True)) == "not a digit"
