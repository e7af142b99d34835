"""Lines of writing: which pieces of ink lie on which line, top to bottom.

A page (or a drawing) may hold several numbers one above the other. Their digits
must not merge because they share columns, nor be read in one left-to-right
order ('12' over '345' read '13245'). Pieces are banded by the rows they share;
a clear gap of rows starts a new band. A band is a line only if it holds two
pieces side by side and is not much shorter than the tallest line: the loop and
tail of a broken 9, the bars of an "=", a 5's detached bar are no lines, and join
the nearest one; nor are the halves of a number cut by a blank stripe (a fold, a
scanner streak): a line's pieces are mostly taller than wide, like digits, where
half digits are wider than tall. With fewer than two lines everything is one
line, as before.
The same rule serves pictures (segment.py) and pen strokes (stroke_digits.py).
"""
from __future__ import annotations

import statistics
from collections.abc import Sequence

LINE_GAP = 0.12     # a piece this far (share of the band's height) below a band starts a new one
LINE_SHARE = 0.5    # a line is at least this share as tall as the tallest line
LINE_ASPECT = 1.0   # ... and its pieces' median height is at least this many times their width

Box = tuple[float, float, float, float]   # x0, y0, x1, y1


def lines_of(boxes: Sequence[Box]) -> list[list[int]]:
    """Indices of the boxes by line, top to bottom (one line holding all when there are not two)."""
    bands: list[list[int]] = []
    top = bottom = 0.0
    for i in sorted(range(len(boxes)), key=lambda i: boxes[i][1]):
        if bands and boxes[i][1] < bottom + LINE_GAP * (bottom - top):
            bands[-1].append(i)
            bottom = max(bottom, boxes[i][3])
            continue
        bands.append([i])
        top, bottom = boxes[i][1], boxes[i][3]
    digit_like = [b for b in bands if min(boxes[i][2] for i in b) <= max(boxes[i][0] for i in b)   # side by side
                  and statistics.median(_aspect(boxes[i]) for i in b) >= LINE_ASPECT] if len(bands) > 1 else []
    tallest = max((_height(boxes, b) for b in digit_like), default=0.0)
    lines = [b for b in digit_like if _height(boxes, b) >= LINE_SHARE * tallest]
    if len(lines) < 2:   # the usual case (one number): everything is one line
        return [list(range(len(boxes)))] if len(boxes) else []
    for band in bands:
        if not any(band is line for line in lines):
            min(lines, key=lambda line: _gap(boxes, line, band)).extend(band)
    return [sorted(line) for line in lines]


def _aspect(box: Box) -> float:
    return (box[3] - box[1]) / max(box[2] - box[0], 1e-9)


def _rows(boxes: Sequence[Box], band: list[int]) -> tuple[float, float]:
    return min(boxes[i][1] for i in band), max(boxes[i][3] for i in band)


def _height(boxes: Sequence[Box], band: list[int]) -> float:
    top, bottom = _rows(boxes, band)
    return bottom - top


def _gap(boxes: Sequence[Box], a: list[int], b: list[int]) -> float:
    (a_top, a_bottom), (b_top, b_bottom) = _rows(boxes, a), _rows(boxes, b)
    return max(b_top - a_bottom, a_top - b_bottom)
