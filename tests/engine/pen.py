"""Hand-made pen strokes for the stroke tests: digits as a person draws them, in pixels.

Each shape is a list of strokes in drawing order, points in a unit box (x right,
y down); `digit` places one in a box `size` px tall and 0.6 x size wide.
"""
from __future__ import annotations

import math

import numpy as np

from digitdesk.engine.stroke_groups import PenStroke


def line(a, b, steps: int = 16) -> list[tuple[float, float]]:
    return [(a[0] + (b[0] - a[0]) * t / steps, a[1] + (b[1] - a[1]) * t / steps) for t in range(steps + 1)]


def arc(cx, cy, rx, ry, start: float, stop: float, steps: int = 32) -> list[tuple[float, float]]:
    """Angles in turns, 0 at the top, clockwise on screen."""
    return [(cx + rx * math.sin(2 * math.pi * (start + (stop - start) * k / steps)),
             cy - ry * math.cos(2 * math.pi * (start + (stop - start) * k / steps))) for k in range(steps + 1)]


SHAPES: dict[str, list[list[tuple[float, float]]]] = {
    "0": [arc(0.5, 0.5, 0.5, 0.5, 0, 1, 48)],
    "1": [line((0.5, 0.0), (0.5, 1.0))],
    "4": [line((0.7, 0.0), (0.0, 0.65)) + line((0.0, 0.65), (1.0, 0.65))[1:],   # the open top and the bar
          line((0.75, 0.3), (0.75, 1.0))],                                      # then the stem
    "7": [line((0.0, 0.0), (1.0, 0.0)) + line((1.0, 0.0), (0.35, 1.0))[1:],
          line((0.3, 0.5), (0.9, 0.5))],                                        # the bar across
    "5": [line((0.12, 0.0), (0.08, 0.45)) + arc(0.45, 0.68, 0.45, 0.27, -0.2, 0.6)[1:],  # stem and belly
          line((0.12, 0.0), (0.95, 0.0))],                                      # the top bar, last
    "8": [arc(0.5, 0.25, 0.38, 0.25, 0, 1), arc(0.5, 0.75, 0.5, 0.25, 0, 1)],  # two loops
    "9": [arc(0.45, 0.3, 0.45, 0.3, 0.25, 1.25), line((0.9, 0.3), (0.85, 1.0))],
    "3": [arc(0.45, 0.25, 0.45, 0.25, -0.25, 0.5) + arc(0.45, 0.75, 0.5, 0.25, 0.0, 0.75)[1:]],
    "2": [arc(0.5, 0.3, 0.45, 0.3, -0.25, 0.3) + line((0.85, 0.45), (0.0, 1.0))[1:]
          + line((0.0, 1.0), (1.0, 1.0))[1:]],
}


def digit(name: str, x: float, y: float = 0.0, size: float = 100.0, width: float = 10.0,
          aspect: float = 0.6) -> list[PenStroke]:
    """The digit's strokes with its box's top-left corner at (x, y)."""
    scale = np.array([aspect * size, size])
    return [PenStroke(np.array(points, np.float64) * scale + (x, y), width) for points in SHAPES[name]]


def number(text: str, gap: float = 0.3, size: float = 100.0, width: float = 10.0) -> list[PenStroke]:
    """Digits left to right, `gap` x size apart, each one's strokes in its drawing order."""
    strokes, x = [], 0.0
    for char in text:
        strokes += digit(char, x, size=size, width=width)
        x += (0.6 + gap) * size
    return strokes


def scaled(strokes: list[PenStroke], factor: float, pen: float | None = None) -> list[PenStroke]:
    return [PenStroke(s.points * factor, pen if pen is not None else s.width * factor) for s in strokes]


def touching_ten() -> list[PenStroke]:
    """A 1 drawn along the left edge of a 0: their ink overlaps."""
    return digit("1", 0) + digit("0", 26)


def gapped_four(x: float, size: float = 100.0, width: float = 10.0) -> list[PenStroke]:
    """A wide 4 whose bar stops 5 px short of its stem (pen 10): the two strokes neither touch nor overlap."""
    scale = np.array([size, size])
    top = line((0.55, 0.0), (0.0, 0.65)) + line((0.0, 0.65), (0.6, 0.65))[1:]
    return [PenStroke(np.array(points, np.float64) * scale + (x, 0), width)
            for points in (top, line((0.75, 0.2), (0.75, 1.0)))]


def five_with_a_short_bar(x: float, size: float = 100.0, width: float = 9.0) -> list[PenStroke]:
    """A round 5 whose bar is a short dash floating above it; without its bar the body reads as a 0."""
    scale = np.array([0.6 * size, size])
    body = line((0.32, 0.2), (0.25, 0.42)) + arc(0.5, 0.66, 0.45, 0.3, -0.3, 0.62)[1:]
    bar = [(0.48, 0.1), (0.54, 0.09)]
    return [PenStroke(np.array(points, np.float64) * scale + (x, 0), width) for points in (body, bar)]


def cursive_pair() -> list[PenStroke]:
    """'00' in one stroke between a 1 and a 4 (which show how wide a digit is)."""
    loops = [(x + 0.3 * np.sin(t), 0.5 - 0.5 * np.cos(t)) for x in (0.3, 1.2) for t in np.linspace(0, 2 * np.pi, 40)]
    return digit("1", -80) + [PenStroke(np.array(loops) * 100, 10)] + digit("4", 250)
