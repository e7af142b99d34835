"""A drawing's digits from its pen strokes: grouped, drawn as ink and prepared like MNIST.

The stroke counterpart of prepare_blobs: each group of strokes (stroke_groups)
is drawn on its own the way the canvas paints it, so a neighbour's touching ink
never leaks in, then goes through the same to_mnist as every picture. A group
whose stroke runs through several digits gets candidate cuts (engine/split.py),
and the reader keeps the cut where the model reads the pieces best.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from functools import partial

import cv2
import numpy as np

from digitdesk.engine.results import Box
from digitdesk.engine.segment import CROP_SIDE
from digitdesk.engine.prepare import to_mnist
from digitdesk.engine.split import NEAR_GAP, Blob, Lattice, PreparedDigit, blob
from digitdesk.engine.lines import lines_of
from digitdesk.engine.stroke_groups import PenStroke, StrokeGroup, group_strokes, ink_box
from digitdesk.engine.stroke_ink import render_strokes

SIMPLIFY = 0.25  # px: a point this close to the line through its neighbours adds nothing visible


RUN = 3       # groups judged together at most


def prepare_stroke_blobs(strokes: Sequence[PenStroke]) -> list[Blob]:
    """Every digit of the drawing, line by line, each left to right (see prepare_stroke_blob_lines)."""
    return [b for line in prepare_stroke_blob_lines(strokes) for b in line]


def prepare_stroke_blob_lines(strokes: Sequence[PenStroke]) -> list[list[Blob]]:
    """The drawing's digits by line of writing (engine/lines.py), top to bottom, each line left to right."""
    inked = [s for s in strokes if len(np.asarray(s.points).reshape(-1, 2))]
    return [blobs for line in lines_of([ink_box(s) for s in inked])
            if (blobs := _line_blobs([inked[i] for i in line]))]


def _line_blobs(strokes: Sequence[PenStroke]) -> list[Blob]:
    """One line's digits, left to right, as model input (with candidate cuts where a stroke may run
    through several digits, and merged candidates for neighbouring groups that overlap or nearly touch)."""
    groups = group_strokes(strokes)
    near = NEAR_GAP * max((g.box[3] - g.box[1] for g in groups), default=0.0)
    blobs, i = [], 0
    while i < len(groups):
        run = [groups[i]]
        while i + len(run) < len(groups) and len(run) < RUN and groups[i + len(run)].box[0] - run[-1].box[2] < near:
            run.append(groups[i + len(run)])
        if len(run) == 1:
            group = run[0]
            blobs.append(blob(group_ink(strokes, group), _box(group), may_hold_several=group.needs_image_split))
        else:
            blobs.append(_run_blob(strokes, run))
        i += len(run)
    return blobs


def _run_blob(strokes: Sequence[PenStroke], run: list[StrokeGroup]) -> Blob:
    """Neighbouring groups, each alone; their merged candidates wait for a second look (Blob.regroup)."""
    n = len(run)
    singles = tuple((k, k + 1) for k in range(n))
    candidates = tuple(PreparedDigit(_box(g), to_mnist(group_ink(strokes, g))) for g in run)
    return Blob(candidates, Lattice(tuple(range(n + 1)), singles), keep_split=True,
                regroup=partial(_regrouped, strokes, run, candidates))


def _regrouped(strokes: Sequence[PenStroke], run: list[StrokeGroup], singles: tuple[PreparedDigit, ...]) -> Blob:
    """The run with every neighbouring pair and the whole run merged, for the model to judge."""
    n = len(run)
    spans = tuple((a, b) for a in range(n) for b in range(a + 1, n + 1) if b - a <= 2 or (a, b) == (0, n))
    candidates = []
    for a, b in spans:
        if b - a == 1:
            candidates.append(singles[a])
            continue
        merged = _merged(run[a:b])
        candidates.append(PreparedDigit(_box(merged), to_mnist(group_ink(strokes, merged))))
    apart = any(b.box[0] >= a.box[2] for a, b in zip(run, run[1:]))
    return Blob(tuple(candidates), Lattice(tuple(range(n + 1)), spans), keep_split=True, apart=apart)


def _merged(groups: Sequence[StrokeGroup]) -> StrokeGroup:
    boxes = np.array([g.box for g in groups])
    return StrokeGroup(tuple(sorted(i for g in groups for i in g.strokes)),
                       (boxes[:, 0].min(), boxes[:, 1].min(), boxes[:, 2].max(), boxes[:, 3].max()))


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
