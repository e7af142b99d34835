"""Handwriting styles the training writers rarely use, made from the ones they do.

MNIST's American writers and most UNIPEN training writers draw a 1 as a plain
stick; many European writers start it with a long up-stroke (a "flag") from
half-way down. Version 2 refused such 1s from a held-out writer as "not a
digit", so training adds flagged copies of the training writers' plain 1s.
Likewise many Europeans cross the stem of a 7, which version 3 read as a
doubtful 4; crossed copies of the training writers' 7s teach it.
"""
from __future__ import annotations

import numpy as np

from training.unipen import PenChar

PLAIN_ASPECT = 0.25           # width / height below which a 1 is a plain stick
FLAG_LENGTH = (0.5, 0.9)     # of the 1's height
FLAG_ANGLE = (35.0, 65.0)     # degrees below the horizontal, pointing left
CROSS_AT = (0.45, 0.65)       # height of a 7's cross bar, share of the 7's height from the top
CROSS_HALF = (0.2, 0.4)       # half the bar's length, share of the 7's height


def _aspect(char: PenChar) -> float:
    points = np.concatenate(char.strokes)
    return float(np.ptp(points[:, 0]) / max(np.ptp(points[:, 1]), 1e-6))


def plain_ones(chars: list[PenChar]) -> list[PenChar]:
    return [c for c in chars if c.label == "1" and _aspect(c) < PLAIN_ASPECT]


def flagged(char: PenChar, rng: np.random.Generator) -> PenChar:
    """The 1 with a long flag drawn into its top, in one stroke, as the writer would."""
    tallest = max(range(len(char.strokes)), key=lambda i: np.ptp(char.strokes[i][:, 1]))
    stem = char.strokes[tallest]
    if stem[0, 1] > stem[-1, 1]:  # written bottom-up: turn it round so it starts at the top
        stem = stem[::-1]
    stem = stem[int(np.argmin(stem[:, 1])):]  # from its highest point (drops a hook at the top)
    height = float(np.ptp(stem[:, 1]))
    length = height * rng.uniform(*FLAG_LENGTH)
    angle = np.radians(rng.uniform(*FLAG_ANGLE))
    top = stem[0]
    start = top + np.float32([-length * np.cos(angle), length * np.sin(angle)])
    t = np.linspace(0, 1, 12, dtype=np.float32)[:-1, None]
    bow = np.sin(np.pi * t) * rng.uniform(-0.08, 0.08) * length  # a slightly curved flag
    flag = start + t * (top - start) + bow * np.float32([np.sin(angle), np.cos(angle)])
    strokes = [np.concatenate([flag, stem]).astype(np.float32)]
    strokes += [s for i, s in enumerate(char.strokes) if i != tallest]
    lean = rng.uniform(0.0, 0.35)  # such 1s often lean right: the top moves right of the foot
    strokes = [s - np.float32([lean, 0]) * s[:, 1:2] for s in strokes]
    return PenChar(char.label, char.writer, char.contributor, tuple(strokes))


def sevens(chars: list[PenChar]) -> list[PenChar]:
    return [c for c in chars if c.label == "7"]


def crossed(char: PenChar, rng: np.random.Generator) -> PenChar:
    """The 7 with a short bar across its stem, drawn last, as European writers add it."""
    points = np.concatenate(char.strokes)
    top, height = float(points[:, 1].min()), float(np.ptp(points[:, 1]))
    y = top + height * rng.uniform(*CROSS_AT)
    x = _x_at(max(char.strokes, key=lambda s: np.ptp(s[:, 1])), y)
    half = height * rng.uniform(*CROSS_HALF)
    tilt = rng.uniform(-0.12, 0.12) * half
    t = np.linspace(-1, 1, 9, dtype=np.float32)[:, None]
    bar = np.float32([x, y]) + t * np.float32([half, tilt]) + np.float32([rng.uniform(-0.1, 0.1) * half, 0])
    return PenChar(char.label, char.writer, char.contributor, tuple(char.strokes) + (bar.astype(np.float32),))


def _x_at(stroke: np.ndarray, y: float) -> float:
    """Where the stroke first passes height y (interpolated between its points), else its nearest point's x."""
    for (x0, y0), (x1, y1) in zip(stroke[:-1], stroke[1:]):
        if (y0 - y) * (y1 - y) <= 0 and y0 != y1:
            return float(x0 + (x1 - x0) * (y - y0) / (y1 - y0))
    return float(stroke[int(np.argmin(np.abs(stroke[:, 1] - y))), 0])
