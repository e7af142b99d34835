"""A drawing's digits from its pen strokes: grouped, drawn as ink and prepared like MNIST.

The stroke counterpart of prepare_digits: each group of strokes (stroke_groups)
is drawn on its own the way the canvas paints it, so a neighbour's touching ink
never leaks in, then goes through the same to_mnist as every picture. A group
whose stroke runs through several digits is cut by the image method (segment)
on the whole drawing, so it sees how wide the other digits are; the reader
keeps that cut only where the model is surer of its pieces than of the whole.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from digitdesk.engine.prepare import Page, to_mnist
from digitdesk.engine.results import Box
from digitdesk.engine.segment import CROP_SIDE, segment
from digitdesk.engine.stroke_groups import PenStroke, StrokeGroup, group_strokes
from digitdesk.engine.stroke_ink import render_strokes

SIMPLIFY = 0.25  # px: a point this close to the line through its neighbours adds nothing visible


@dataclass(frozen=True)
class StrokeDigit:
    box: Box             # in the drawing's pixels
    input28: np.ndarray  # (28, 28) float32 in [0, 1]: what the model will see
    pieces: tuple[StrokeDigit, ...] = ()  # the image method's cut, when a stroke may span several digits


def prepare_stroke_digits(strokes: Sequence[PenStroke], image: np.ndarray | None = None) -> list[StrokeDigit]:
    """Every digit of the drawing, left to right, as model input.

    A group whose stroke may run through several digits also carries the image
    method's pieces of it, for the reader to choose between. `image` is the
    drawing as shown (dark on light, same pixels as the strokes); only that cut
    needs it, and it is drawn from the strokes when not given.
    """
    groups = group_strokes(strokes)
    digits: list[StrokeDigit] = []
    cut = None
    for group in groups:
        pieces: tuple[StrokeDigit, ...] = ()
        if group.needs_image_split:
            cut = cut if cut is not None else _image_digits(strokes, image)
            pieces = tuple(d for d in cut if group.box[0] <= d.box.x + d.box.w / 2 <= group.box[2])
            pieces = pieces if len(pieces) > 1 else ()   # one piece: the image method sees one digit too
        digits.append(StrokeDigit(_box(group), to_mnist(group_ink(strokes, group)), pieces))
    return digits


def group_ink(strokes: Sequence[PenStroke], group: StrokeGroup, max_side: int = CROP_SIDE) -> np.ndarray:
    """The group's strokes as an ink map, scaled down so its longer side is at most `max_side` px."""
    x0, y0, x1, y1 = group.box
    scale = min(1.0, max_side / max(x1 - x0, y1 - y0, 1.0))
    chosen = [strokes[i] for i in group.strokes]
    return render_strokes([_simplified(np.asarray(s.points, np.float64).reshape(-1, 2) * scale) for s in chosen],
                          [max(1.0, s.width * scale) for s in chosen])


def _simplified(points: np.ndarray) -> np.ndarray:
    """The polyline with points closer than SIMPLIFY px to it dropped: a mouse leaves one every pixel or so,
    and each costs a round-capped segment to draw."""
    if len(points) < 3:
        return points
    kept = cv2.approxPolyDP(points.astype(np.float32).reshape(-1, 1, 2), SIMPLIFY, False)
    return kept.reshape(-1, 2).astype(np.float64)


def _box(group: StrokeGroup) -> Box:
    x0, y0, x1, y1 = group.box
    left, top = math.floor(x0), math.floor(y0)
    return Box(left, top, max(1, math.ceil(x1) - left), max(1, math.ceil(y1) - top))


def _image_digits(strokes: Sequence[PenStroke], image: np.ndarray | None) -> list[StrokeDigit]:
    """The whole drawing read by the image method, boxes in the drawing's pixels."""
    x, y = 0, 0
    if image is None:
        drawn = [s for s in strokes if len(np.asarray(s.points).reshape(-1, 2))]
        points = np.concatenate([np.asarray(s.points, np.float64).reshape(-1, 2) for s in drawn])
        pad = max(s.width for s in drawn) / 2 + 2
        x, y = (int(math.floor(v)) for v in points.min(axis=0) - pad)
        right, bottom = points.max(axis=0) + pad
        ink = render_strokes([np.asarray(s.points, np.float64).reshape(-1, 2) for s in drawn],
                             [s.width for s in drawn], origin=(x, y),
                             shape=(int(math.ceil(bottom)) - y + 1, int(math.ceil(right)) - x + 1))
        image = np.rint(255 * (1 - ink)).astype(np.uint8)
    return [StrokeDigit(Box(d.box.x + x, d.box.y + y, d.box.w, d.box.h), to_mnist(d.ink))
            for d in segment(Page(image))]
