"""Group a drawing's pen strokes into digits, left to right.

A drawing knows what an image does not: which ink was one pen-down and in
what order it came. Digits drawn as separate strokes stay separate even where
their ink touches, and the extra strokes of one digit (the bar of a 7 or 5, the
second stroke of a 4, the foot of a 1) join it even where they do not touch.

The rules, in units of the writing height (the tallest digit's, so they hold
at any size and pen width):

* specks (a stroke smaller than SPECK) join the digit their ink touches, else
  they are dropped, as the image path drops them;
* two strokes are one digit when one shares most of its columns with the
  other and its centre lies well inside the other's columns (a touching
  neighbour only overlaps at the edge);
* a group too short to be a digit (a bar, the open top of a 4, one loop of an
  8) joins the group it shares most columns with (as a share of the columns
  both span, so a thin 1 under the tip of a long bar does not win it), the
  strokes drawn just before or after it breaking ties; a small one sharing
  none joins the nearest ink;
* a stroke much wider than a digit (connected cursive) is left to the image
  method: its group is marked ``needs_image_split``.
"""
from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

SPECK = 0.15        # a stroke whose ink is smaller than this share of the writing height is a speck
TOUCH = 0.05        # ink this close (share of the height) touches
SHORT = 0.8         # a group shorter than this share of the height is part of a digit, not a digit
CONTAINED = 0.6     # tall strokes sharing this much of the narrower one's columns ...
DEPTH = 0.1         # ... with its centre this far inside the other's columns, or sharing this much
SHARED = 0.25       # of the height in columns, are one digit (touching neighbours share an edge)
NEIGHBOUR = 0.1     # share of columns a fragment's drawing-order neighbours get as a head start
NEAR = 0.3          # a fragment sharing no columns joins ink at most this far away, if it is
SMALL = 0.5         # smaller than this share of the height (a wide flat digit is not a fragment)
NARROW = 0.5        # a group narrower than this share of its height (a '1') does not set the digit width
TYPICAL = 0.7       # a digit's width in heights, when no other digit shows it
WIDE = 1.8          # a stroke this many digit widths wide runs through several digits


@dataclass(frozen=True)
class PenStroke:
    """One pen-down .. pen-up: points (n, 2) x, y in pixels in drawing order, and the pen's width."""
    points: np.ndarray
    width: float


@dataclass(frozen=True)
class StrokeGroup:
    """One digit's strokes (indices into the drawing, in drawing order) and its ink's box."""
    strokes: tuple[int, ...]
    box: tuple[float, float, float, float]   # x0, y0, x1, y1 in pixels, pen width included
    needs_image_split: bool = False           # one stroke spans several digits: cut its ink as an image


@dataclass
class _Group:
    strokes: list[int]
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def centre(self) -> float:
        return (self.x0 + self.x1) / 2

    def absorb(self, other: _Group) -> None:
        self.strokes = sorted(self.strokes + other.strokes)
        self.x0, self.y0 = min(self.x0, other.x0), min(self.y0, other.y0)
        self.x1, self.y1 = max(self.x1, other.x1), max(self.y1, other.y1)


def ink_box(stroke: PenStroke) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1) of the stroke's ink: its points plus half the pen width."""
    points = np.asarray(stroke.points, dtype=np.float64).reshape(-1, 2)
    pad = max(float(stroke.width), 1.0) / 2
    (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
    return float(x0 - pad), float(y0 - pad), float(x1 + pad), float(y1 + pad)


def group_strokes(strokes: Sequence[PenStroke]) -> list[StrokeGroup]:
    """The drawing's digits as groups of strokes, left to right (empty when there is no ink)."""
    indices = [i for i, s in enumerate(strokes) if len(np.asarray(s.points).reshape(-1, 2))]
    if not indices:
        return []
    boxes = {i: ink_box(strokes[i]) for i in indices}
    height = max(1.0, max(y1 - y0 for _, y0, _, y1 in boxes.values()))  # the writing height
    specks = [i for i in indices if max(boxes[i][2] - boxes[i][0], boxes[i][3] - boxes[i][1]) < SPECK * height]
    groups = [_Group([i], *boxes[i]) for i in indices if i not in specks]
    if not groups:
        return []
    ink = _Ink(strokes, height)
    _merge_contained(groups, height)
    height = max(g.height for g in groups)  # a 4's two strokes are each shorter than the digit
    _merge_fragments(groups, ink, height)
    _attach_specks(groups, specks, boxes, ink, height)
    groups.sort(key=lambda g: g.centre)
    wide = _wide_strokes(groups, boxes, height)
    return [StrokeGroup(tuple(g.strokes), (g.x0, g.y0, g.x1, g.y1), bool(wide & set(g.strokes)))
            for g in groups]


def _shared(a: _Group, b: _Group) -> float:
    """Columns the two groups share (negative: the gap between them)."""
    return min(a.x1, b.x1) - max(a.x0, b.x0)


def _contained(a: _Group, b: _Group, height: float) -> bool:
    """Does the narrower group sit well inside the other's columns?"""
    narrow, wide = (a, b) if a.width <= b.width else (b, a)
    shared = _shared(a, b)
    if shared < CONTAINED * narrow.width:
        return False
    return shared >= SHARED * height or min(narrow.centre - wide.x0, wide.x1 - narrow.centre) >= DEPTH * height


def _merge_contained(groups: list[_Group], height: float) -> None:
    merged = True
    while merged:
        merged = False
        for i, a in enumerate(groups):
            for b in groups[i + 1:]:
                if _contained(a, b, height):
                    a.absorb(b)
                    groups.remove(b)
                    merged = True
                    break
            if merged:
                break


def _merge_fragments(groups: list[_Group], ink: _Ink, height: float) -> None:
    """Give every group too short to be a digit to the group it belongs with, shortest first."""
    while len(groups) > 1:
        fragments = sorted((g for g in groups if g.height < SHORT * height), key=lambda g: g.height)
        for fragment in fragments:
            partner = _partner(fragment, [g for g in groups if g is not fragment], ink, height)
            if partner is not None:
                partner.absorb(fragment)
                groups.remove(fragment)
                break
        else:
            return


def _partner(fragment: _Group, others: list[_Group], ink: _Ink, height: float) -> _Group | None:
    """The group sharing most columns with the fragment, else (for a small one) the nearest ink, else None."""
    def share(other: _Group) -> float:
        shared = _shared(fragment, other) / max(max(fragment.x1, other.x1) - min(fragment.x0, other.x0), 1.0)
        adjacent = any(abs(i - j) == 1 for i in fragment.strokes for j in other.strokes)
        return shared + (NEIGHBOUR if adjacent else 0.0)

    best = max(others, key=share)
    if _shared(fragment, best) > 0:
        return best
    if max(fragment.width, fragment.height) >= SMALL * height:
        return None
    distances = [ink.distance(fragment.strokes, other.strokes) for other in others]
    nearest = int(np.argmin(distances))
    return others[nearest] if distances[nearest] <= NEAR * height else None


def _attach_specks(groups: list[_Group], specks: list[int], boxes, ink: _Ink, height: float) -> None:
    """A speck whose ink touches a digit is part of it (a dot closing a loop); any other is dropped."""
    for i in specks:
        distances = [ink.distance([i], g.strokes) for g in groups]
        nearest = int(np.argmin(distances))
        if distances[nearest] <= TOUCH * height:
            groups[nearest].absorb(_Group([i], *boxes[i]))


def _wide_strokes(groups: list[_Group], boxes, height: float) -> set[int]:
    """Strokes far wider than a digit here: connected writing through several digits."""
    wide = set()
    for group in groups:
        others = [g.width for g in groups if g is not group and g.width >= NARROW * g.height]
        typical = float(statistics.median(others)) if others else TYPICAL * height  # np.median: 50 us a call
        wide |= {i for i in group.strokes if boxes[i][2] - boxes[i][0] >= WIDE * typical}
    return wide


class _Ink:
    """Distances between strokes' ink, on points resampled along each stroke."""

    def __init__(self, strokes: Sequence[PenStroke], height: float):
        self._strokes = strokes
        self._step = max(1.0, 0.03 * height)
        self._points: dict[int, np.ndarray] = {}

    def points(self, i: int) -> np.ndarray:
        if i not in self._points:
            self._points[i] = _resampled(np.asarray(self._strokes[i].points, np.float64).reshape(-1, 2),
                                         self._step)
        return self._points[i]

    def distance(self, a: Sequence[int], b: Sequence[int]) -> float:
        """Gap between the two sets of strokes' ink (pen widths taken off; 0 when they touch)."""
        pa = np.concatenate([self.points(i) for i in a])
        pb = np.concatenate([self.points(i) for i in b])
        centre = float(np.sqrt(((pa[:, None, :] - pb[None, :, :]) ** 2).sum(axis=2).min()))
        pens = (max(self._strokes[i].width for i in a) + max(self._strokes[i].width for i in b)) / 2
        return max(0.0, centre - pens)


def _resampled(points: np.ndarray, step: float) -> np.ndarray:
    """Points along the polyline at most `step` apart (the original points included)."""
    if len(points) < 2:
        return points
    pieces = [points[:1]]
    for a, b in zip(points[:-1], points[1:]):
        count = int(np.ceil(np.hypot(*(b - a)) / step))
        if count > 1:
            t = np.arange(1, count + 1, dtype=np.float64)[:, None] / count
            pieces.append(a + (b - a) * t)
        else:
            pieces.append(b[None])
    return np.concatenate(pieces)
