"""What "not a digit" looks like: examples for the model's eleventh class.

Max-softmax alone cannot refuse a letter (a dash is read as "4" at 100 %), and
a background class trained on one kind of junk carries over poorly to others
(Dhamija et al. 2018), so the negatives are varied: handwritten letters and
symbols (UNIPEN, minus the ones that pass for digits), synthetic scribbles,
dashes, dots and blobs, and the pieces a segmenter produces when it cuts a
number in the wrong place (two digits in one box, a digit with part of its
neighbour). Every example goes through the app's own to_mnist.
"""
from __future__ import annotations

import cv2
import numpy as np

from digitdesk.engine.prepare import ink_bounds, to_mnist
from digitdesk.engine.stroke_ink import render_strokes
from training.unipen import LOOKALIKES, PenChar, render_all

# Kinds never trained on, from any writer: the refusal figure on them shows how
# the model treats input it has never seen (Dhamija et al.: the hard case).
UNSEEN_KINDS = frozenset("kwRM#@%*")


def refusable(char: PenChar) -> bool:
    return char.label not in LOOKALIKES and char.label not in UNSEEN_KINDS and not char.label.isdigit()


def letters(chars: list[PenChar], n: int, rng: np.random.Generator) -> np.ndarray:
    """n letters and symbols (sampled without replacement when possible), rendered like drawings."""
    pool = [c for c in chars if refusable(c)]
    picks = rng.choice(len(pool), size=min(n, len(pool)), replace=False)
    return render_all([pool[i] for i in picks], rng)


def _to28(ink: np.ndarray) -> np.ndarray:
    return np.rint(to_mnist(ink) * 255).astype(np.uint8)


def scribble(rng: np.random.Generator) -> np.ndarray:
    """A tangle: a smooth curve through many random points (no digit crosses itself that often)."""
    n = rng.integers(14, 28)
    points = rng.normal(0, 1, size=(n, 2)) * [rng.uniform(30, 80), rng.uniform(30, 80)]
    t = np.linspace(0, n - 1, n * 8)
    curve = np.stack([np.interp(t, np.arange(n), points[:, k]) for k in (0, 1)], axis=1)
    curve = cv2.blur(curve.reshape(-1, 1, 2).astype(np.float32), (1, 5)).reshape(-1, 2)
    return _to28(render_strokes([curve + 200], rng.uniform(3, 12)))


def dash(rng: np.random.Generator) -> np.ndarray:
    """A dash, underline, tilde or equals sign: long flat strokes."""
    length = rng.uniform(60, 160)
    angle = np.radians(rng.uniform(-25, 25))
    x = np.linspace(0, length, 24)
    wave = np.sin(x / length * np.pi * rng.choice([0, 2, 3])) * rng.uniform(0, 8)
    line = np.stack([x, wave], axis=1) @ np.array([[np.cos(angle), np.sin(angle)], [-np.sin(angle), np.cos(angle)]])
    strokes = [line + 200]
    if rng.random() < 0.3:  # "=": a second bar below
        strokes.append(line + [200 + rng.normal(0, 5), 200 + rng.uniform(18, 40)])
    return _to28(render_strokes(strokes, rng.uniform(4, 14)))


def blob(rng: np.random.Generator) -> np.ndarray:
    """A dot, smudge or filled shape: solid ink without strokes."""
    ink = np.zeros((120, 120), np.float32)
    if rng.random() < 0.5:
        axes = (int(rng.uniform(8, 50)), int(rng.uniform(8, 50)))
        cv2.ellipse(ink, (60, 60), axes, rng.uniform(0, 180), 0, 360, 1.0, -1, cv2.LINE_AA)
    else:
        k = rng.integers(4, 9)
        angles = np.sort(rng.uniform(0, 2 * np.pi, k))
        radius = rng.uniform(15, 55, k)
        poly = np.stack([60 + radius * np.cos(angles), 60 + radius * np.sin(angles)], axis=1)
        cv2.fillPoly(ink, [np.rint(poly).astype(np.int32)], 1.0, cv2.LINE_AA)
    return _to28(ink)


def merged_pair(digits: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Two digits in one box, or a digit with a good part of its neighbour: what a wrong cut yields."""
    a, b = (digits[i].astype(np.float32) / 255 for i in rng.choice(len(digits), 2, replace=False))
    gap = int(rng.integers(-8, 4))
    ink = np.zeros((28, 56 + 8), np.float32)
    ink[:, :28] = a
    ink[:, 28 + gap:56 + gap] = np.maximum(ink[:, 28 + gap:56 + gap], b)
    cols = np.flatnonzero(ink.max(axis=0) > 0.1)
    if len(cols) == 0:
        return np.zeros((28, 28), np.uint8)
    left, right = cols[0], cols[-1] + 1
    if rng.random() < 0.5:  # keep 40-75 % of one neighbour
        keep = rng.uniform(0.4, 0.75)
        b_cols = np.flatnonzero(b.max(axis=0) > 0.1)
        b_width = (b_cols[-1] - b_cols[0] + 1) if len(b_cols) else 0
        right = min(right, 28 + gap + (b_cols[0] if len(b_cols) else 0) + int(keep * b_width) + 1)
    return _to28(ink[:, left:right])


PAIR_HEIGHT = 40                 # px: both digits of an overlapping pair are scaled to about this height
PAIR_GAP = (-0.10, 0.01)         # gap between their boxes, share of the height: overlapping, as in a tight number


def _ink(digit: np.ndarray) -> np.ndarray | None:
    ink = digit.astype(np.float32) / 255
    bounds = ink_bounds(ink, level=0.1)
    if bounds is None:
        return None
    x, y, w, h = bounds
    return ink[y:y + h, x:x + w]


def overlapping_pair(digits: np.ndarray, labels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Two digits whose boxes overlap, as in a number written tight: one piece that is not one digit.

    merged_pair's tiles never let ink overlap, and the model read such pieces surely as one digit ('16' as
    a 6 at 98 %). Half of the pairs hold a 1, the digit its neighbour most often swallows.
    """
    i, j = rng.choice(len(digits), 2, replace=False)
    ones = np.flatnonzero(labels == 1)
    if rng.random() < 0.5 and len(ones):
        one = int(ones[rng.integers(len(ones))])
        i, j = (one, j) if rng.random() < 0.5 else (i, one)
    a, b = _ink(digits[i]), _ink(digits[j])
    if a is None or b is None:
        return np.zeros((28, 28), np.uint8)
    tiles = []
    for crop in (a, b):
        height = max(2, int(round(PAIR_HEIGHT * rng.uniform(0.9, 1.1))))
        width = max(1, int(round(crop.shape[1] * height / crop.shape[0])))
        tiles.append(cv2.resize(crop, (width, height), interpolation=cv2.INTER_LINEAR))
    a, b = tiles
    x_b = max(0, a.shape[1] + int(round(rng.uniform(*PAIR_GAP) * PAIR_HEIGHT)))
    shift = int(round(rng.normal(0, 0.04) * PAIR_HEIGHT))
    y_a, y_b = max(0, -shift), max(0, shift)
    ink = np.zeros((max(y_a + a.shape[0], y_b + b.shape[0]), max(a.shape[1], x_b + b.shape[1])), np.float32)
    ink[y_a:y_a + a.shape[0], :a.shape[1]] = a
    region = ink[y_b:y_b + b.shape[0], x_b:x_b + b.shape[1]]
    np.maximum(region, b, out=region)
    return _to28(ink)


def overlapping_pairs(n: int, digits: np.ndarray, labels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    return (np.stack([overlapping_pair(digits, labels, rng) for _ in range(n)]) if n
            else np.zeros((0, 28, 28), np.uint8))


def synthetic(n: int, digits: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """n synthetic negatives: 35 % merged pairs, 25 % scribbles, 25 % dashes, 15 % blobs."""
    makers = [lambda: merged_pair(digits, rng), lambda: scribble(rng), lambda: dash(rng), lambda: blob(rng)]
    kinds = rng.choice(4, size=n, p=[0.35, 0.25, 0.25, 0.15])
    return np.stack([makers[k]() for k in kinds]) if n else np.zeros((0, 28, 28), np.uint8)
