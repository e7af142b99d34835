"""UNIPEN pen characters (CC BY 4.0, Guyon et al. 1994): loading, writer split, rendering.

Records come from ``digits.jsonl.gz`` and ``letters_symbols.jsonl.gz``; every
writer listed in ``heldout_writers.txt`` is never trained on. Strokes are
rendered the way the Draw tab paints them (digitdesk.engine.stroke_ink) and
prepared by the app's own to_mnist, so training sees exactly what the app
would feed the model for that drawing.
"""
from __future__ import annotations

import gzip
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from digitdesk.engine.prepare import to_mnist
from digitdesk.engine.stroke_ink import render_strokes, stroke_bounds
from training.data import shared_data_dir

ENV_VAR = "DIGITDESK_UNIPEN_DIR"
DIGITS_FILE = "digits.jsonl.gz"
OTHERS_FILE = "letters_symbols.jsonl.gz"
HELDOUT_FILE = "heldout_writers.txt"
IBM_BOXED_EXTENT = 1000  # ibm's box-normalised section splits characters into single strokes: skip it
ASPECT = {"aga": 0.875}  # y scale for isotropic units (README: aga's tablet is not square)
RENDER_HEIGHT = 96       # px: a digit's height when rendered; to_mnist rescales anyway

# Characters that pass for digits when written by hand, so they cannot teach "not a digit":
# O/o/D/Q for 0; l, I, i, j, J, |, /, \, (, ), [, ], !, ', ` for 1; Z/z for 2; S/s/$ for 5;
# b/G for 6; B/& for 8; g/q/a for 9; and the kai marker "\@", which is not a character.
LOOKALIKES = frozenset("OoDQlIijJ|/\\()[]{}!'`ZzSs$bGB&gqa") | {"\\@"}


@dataclass(frozen=True)
class PenChar:
    label: str
    writer: str
    contributor: str
    strokes: tuple[np.ndarray, ...]  # (n, 2) float32 x, y (y down), isotropic units


def default_unipen_dir() -> Path | None:
    """$DIGITDESK_UNIPEN_DIR, else ../shared/data/unipen beside the project, else None."""
    return shared_data_dir("unipen", ENV_VAR)


def heldout_writers(directory: str | os.PathLike) -> frozenset[str]:
    lines = (Path(directory) / HELDOUT_FILE).read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip())


def load(directory: str | os.PathLike, which: str = DIGITS_FILE) -> list[PenChar]:
    """Every usable record of one file (empty strokes and ibm's split-stroke section dropped)."""
    chars = []
    with gzip.open(Path(directory) / which, "rt", encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            strokes = [np.asarray(s, np.float32).reshape(-1, 2) for s in record["strokes"] if s]
            if not strokes:
                continue
            contributor = record["contributor"]
            if contributor == "ibm" and max(float(s.max()) for s in strokes) > IBM_BOXED_EXTENT:
                continue
            if contributor in ASPECT:
                strokes = [s * np.float32([1.0, ASPECT[contributor]]) for s in strokes]
            chars.append(PenChar(record["label"], record["writer"], contributor, tuple(strokes)))
    return chars


def split_by_writer(chars: list[PenChar], heldout: frozenset[str]) -> tuple[list[PenChar], list[PenChar]]:
    """(train, held out): no held-out writer's sample ever reaches the first list."""
    train = [c for c in chars if c.writer not in heldout]
    return train, [c for c in chars if c.writer in heldout]


def halves(heldout: frozenset[str]) -> tuple[frozenset[str], frozenset[str]]:
    """Held-out writers cut in two fixed halves: one to validate and calibrate on, one only to report."""
    ordered = sorted(heldout)
    return frozenset(ordered[0::2]), frozenset(ordered[1::2])


def scaled_strokes(char: PenChar, height: float = RENDER_HEIGHT) -> list[np.ndarray]:
    """The character's strokes scaled so its larger side is `height` px (contributors' units differ)."""
    x0, y0, x1, y1 = stroke_bounds(char.strokes)
    extent = max(x1 - x0, y1 - y0, 1e-6)
    return [(s - np.float32([x0, y0])) * np.float32(height / extent) for s in char.strokes]


def render28(char: PenChar, pen_fraction: float) -> np.ndarray:
    """(28, 28) uint8 model input of the character drawn with a pen `pen_fraction` of its size wide."""
    ink = render_strokes(scaled_strokes(char), RENDER_HEIGHT * pen_fraction)
    return np.rint(to_mnist(ink) * 255).astype(np.uint8)


def render_all(chars: list[PenChar], rng: np.random.Generator,
               pen_range: tuple[float, float] = (0.05, 0.16)) -> np.ndarray:
    """Render each character once with a random pen width (like canvas pens of 4-60 px)."""
    return np.stack([render28(c, rng.uniform(*pen_range)) for c in chars]) if chars else \
        np.zeros((0, 28, 28), np.uint8)
