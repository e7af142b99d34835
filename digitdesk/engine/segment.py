"""Split a page's ink into digits, line by line, each line left to right.

Connected components of the coarse ink mask, then the repairs real handwriting
needs: ruled lines are removed (a line touching every digit would glue them
together), dark surfaces that read as ink against the page's smooth paper
estimate (the shaded end of a small sheet, the desk along its edge) are re-read
as strokes only, specks and faint shading residue are dropped, the pieces are
grouped into lines of writing (a page of several numbers), strokes of one
digit that do not touch (the detached bar of a '5', a thin scan's broken '7')
are merged because they share the same columns or nearly touch, and a blob
several digits wide (judged by the line's other digits) is cut where its
columns hold least ink, never leaving a part much shorter than the line (the
hook of a 2's tail) on its own. Each digit's ink is then re-read from a finer
level, keeping only its own strokes, and boxed in the original image's pixels.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass

import cv2
import numpy as np

from digitdesk.engine.lines import lines_of
from digitdesk.engine.prepare import MASK_LEVEL, NORM_SIDE, Page, ink_bounds
from digitdesk.engine.results import Box

CROP_SIDE = 2 * NORM_SIDE  # digits are re-read at up to this size, then prepared at NORM_SIDE
SEGMENT_HEIGHT = 48        # pixels the tallest digit needs on the level it is segmented on
SPECK_OF_IMAGE = 0.015     # a component smaller than this share of the image's longer side is a speck ...
SPECK_OF_LARGEST = 0.2     # ... and so is one smaller than this share of the largest component ...
SPECK_PIXELS = 3           # ... and one less than this many of the picture's own pixels across (dust on a tiny bitmap)
FLAG_OF_LARGEST = 0.1      # ... but one at least this share of the largest that belongs with a digit's strokes stays
LINE_OF_WIDTH = 0.6        # a ruled line spans at least this share of the width ...
LINE_THICKNESS = 0.04      # ... and is at most this share of the height thick
STRONG = 0.5               # a piece must reach this ink level somewhere (shading residue stays below)
CONTAINED = 0.8            # pieces sharing this much of the narrower one's columns are one digit
OVERLAPPING = 0.4          # ... and so are pieces sharing less, when one of them is short
SHORT = 0.6                # "short": at most this share of the other piece's height
NEAR_FRAGMENT = 0.12       # a short piece this close (share of the digit height) to another joins it ...
NEAR = 0.06                # ... two tall ones only this close, and only if both are narrow halves
NARROW_HALF = 0.45         # (width at most this share of the height)
WIDE = 1.6                 # a blob this many times wider than the page's other digits is touching digits
SURFACE_OF_LINE = 0.5      # ink holding a square this share of the line's height is a surface (desk, shade) ...
TALLER = 2.0               # ... and so may be a piece this many times taller than the line ...
WIDER = 5.0                # ... or this many times wider, or a band along the frame's edge: at least this
EDGE_LONG = 0.5            # share of the frame long, at most this share thick (all are re-read against
EDGE_THIN = 0.34           # the paper beside them)
NARROW = 0.5               # ("1"s, narrower than this share of their height, do not set the width)
PAIR_ASPECT = 1.0          # touching digits are at least this many times wider than tall
# A sliver of darker desk along the frame's edge (a sheet photographed askew) is too thin to pass for a
# surface and reads as a '1'. It lies flush with the edge and widens steadily along it, solid from the edge;
# a stroke keeps its width, and a digit cut by a tight crop meets the edge with gaps or jumps.
WEDGE_LONG = 0.25          # at least this share of the frame's side long
WEDGE_FLUSH = 0.9          # ... touching the edge along this share of its length
WEDGE_WIDENS = 4.0         # ... its widest at least this many times its narrowest
WEDGE_STEADY = 0.95        # ... widening steadily (|correlation| of width with position along the edge)
WEDGE_SOLID = 0.95         # ... and its ink all in one run from the edge
BAND_FLAT = 0.25           # a piece flush with the edge and solid from it, at most this share as deep as long, is
                           # a band of shadow along it


@dataclass(frozen=True)
class DigitInk:
    """One digit: its box in the original image and its own ink (other digits masked out)."""
    box: Box
    ink: np.ndarray  # float32 in [0, 1], bright on black


@dataclass
class _Piece:
    x0: int
    y0: int
    x1: int
    y1: int
    labels: list[int]

    @property
    def width(self) -> int:
        return self.x1 - self.x0

    @property
    def height(self) -> int:
        return self.y1 - self.y0

    def absorb(self, other: _Piece) -> None:
        self.x0, self.y0 = min(self.x0, other.x0), min(self.y0, other.y0)
        self.x1, self.y1 = max(self.x1, other.x1), max(self.y1, other.y1)
        self.labels += other.labels


def segment(page: Page, cut_touching: bool = True) -> list[DigitInk]:
    """The digits on a page, line by line from the top, each line left to right."""
    return [digit for line in segment_lines(page, cut_touching) for digit in line]


def segment_lines(page: Page, cut_touching: bool = True) -> list[list[DigitInk]]:
    """The digits on a page by line of writing, top to bottom, each left to right (empty for an empty page).

    Starts on the page's coarse level and moves finer while the pieces found are
    too small to tell strokes apart (a number written small in a big photo).
    With cut_touching=False blobs of touching digits are left whole, for the
    recognizer to cut where the model reads the pieces best (engine/split.py).
    """
    if page.empty:
        return []
    digit_height = None  # once known on a coarser level
    while True:
        mask = remove_ruled_lines(page.coarse_mask(MASK_LEVEL))
        x, y, w, h = cv2.boundingRect(mask)
        if w == 0:
            return []
        # work within the ink's bounds (plus a pixel, so every piece has a margin)
        x0, y0 = max(x - 1, 0), max(y - 1, 0)
        bounds = np.s_[y0:min(y + h + 1, mask.shape[0]), x0:min(x + w + 1, mask.shape[1])]
        region = mask[bounds]
        wide_labels = cv2.CV_32S if region.size > 4 * 65535 else cv2.CV_16U  # 16 bits are faster, if enough
        _, labels, stats, _ = cv2.connectedComponentsWithStats(region, connectivity=8, ltype=wide_labels)
        pieces = _pieces(stats, mask.shape)
        pieces = _clear_of_surfaces(page, pieces, labels, x0, y0, mask.shape, digit_height)
        strong = page.coarse_mask(STRONG)[bounds]
        pieces = [p for p in _drop_specks(pieces, mask.shape, page, labels)
                  if _reaches(strong, labels, p) and not _along_the_frame(p, labels, x0, y0, mask.shape)]
        if not pieces or max(p.height for p in pieces) >= SEGMENT_HEIGHT or not page.refine():
            break
        digit_height = 2.0 * float(statistics.median([p.height for p in pieces]))  # doubles on the finer level
    lines = []
    for line in _lines(pieces):
        digits = _merge_strokes(line, labels)
        if cut_touching:
            digits = _split_touching(digits, labels)
        digits.sort(key=lambda p: (p.x0 + p.x1) / 2)
        found = [digit for digit in (_read_digit(page, labels, piece, x0, y0) for piece in digits) if digit]
        if found:
            lines.append(found)
    return lines


def find_digits(image) -> list[DigitInk]:
    return segment(Page(image))


def remove_ruled_lines(mask: np.ndarray) -> np.ndarray:
    """Erase long thin horizontal lines (ruled paper), then re-join strokes they crossed."""
    h, w = mask.shape
    length = int(w * LINE_OF_WIDTH)
    if length < 8 or cv2.reduce(mask, 1, cv2.REDUCE_SUM, dtype=cv2.CV_32S).max() < length:
        return mask  # no row holds enough ink for a line: the usual case, and cheap to tell
    runs = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((1, length), np.uint8))
    if not runs.any():
        return mask
    thickness = max(2, int(round(h * LINE_THICKNESS)))
    thick = cv2.erode(runs, np.ones((thickness + 1, 1), np.uint8))  # too thick to be a ruled line
    lines = runs & ~cv2.dilate(thick, np.ones((thickness + 1, 3), np.uint8))
    if not lines.any():
        return mask
    lines = cv2.dilate(lines, np.ones((3, 1), np.uint8))  # plus its antialiased fringe
    cleaned = mask & ~lines
    bridged = cv2.morphologyEx(cleaned, cv2.MORPH_CLOSE, np.ones((thickness + 4, 1), np.uint8))
    return cleaned | (bridged & lines)


def _clear_of_surfaces(page: Page, pieces: list[_Piece], labels: np.ndarray, x0: int, y0: int,
                       shape: tuple[int, int], line: float | None) -> list[_Piece]:
    """The pieces, or, if some look like dark surfaces rather than ink, only the strokes.

    A shaded end of a sheet smaller than the paper estimate, or the desk along
    the sheet's edge, reads as ink against the page's paper; beside a digit it
    would join it. Strokes are thinner than the digits are tall, so a piece
    holding a square half the line's height, far taller or wider than the line,
    or a band along the frame's edge may be a surface: then all ink is re-read
    against the paper right beside it (_strokes_only), which keeps strokes (a
    digit cut by a tight crop too) and drops surfaces. The line's height comes
    from the coarser level when there was one (finer levels hold more specks of
    grain). `labels` (starting at coarse pixel (x0, y0)) are updated in place.
    """
    height, width = shape

    def along_edge(p: _Piece) -> bool:
        """At the frame's edge, long one way and thin the other (a digit cut by a tight crop fills the frame)."""
        if not any(_frame_edges(p, x0, y0, shape)):
            return False
        return ((p.height >= EDGE_LONG * height and p.width <= EDGE_THIN * width)
                or (p.width >= EDGE_LONG * width and p.height <= EDGE_THIN * height))

    if line is None:  # what is left after specks, judged without the bands along the edge
        sized = _drop_specks([p for p in pieces if not along_edge(p)] or pieces, shape, page)
        if not sized:
            return pieces
        line = float(statistics.median([p.height for p in sized]))
    side = max(3, int(round(SURFACE_OF_LINE * line)))
    suspects = {p.labels[0] for p in pieces
                if p.height > TALLER * line or p.width > WIDER * line or along_edge(p)}
    broad = cv2.erode((labels > 0).astype(np.uint8), np.ones((side, side), np.uint8))
    if not suspects and not broad.any():
        return pieces  # the usual page: strokes only
    return _strokes_only(page, labels, x0, y0, side, shape)


def _strokes_only(page: Page, labels: np.ndarray, x0: int, y0: int, width: int,
                  shape: tuple[int, int]) -> list[_Piece]:
    """All ink re-read against the paper within `width` pixels, as pieces; `labels` are replaced in place.

    Once a surface shows, the page's paper estimate is off around it, so its
    grain and the specks beside it could pass for ink: only strokes that reach
    STRONG against their own paper count.
    """
    rows, cols = labels.shape
    dark = page.stroke_darkness(x0, y0, x0 + cols, y0 + rows, width)
    mask = page.mask(dark, MASK_LEVEL, local=True) & (labels > 0).astype(np.uint8)
    count, found, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8, ltype=cv2.CV_32S)
    if count > np.iinfo(labels.dtype).max:
        count = 1  # more pieces than labels: nothing but grain
    strong = page.mask(dark, STRONG, local=True)
    labels[:] = 0
    pieces = []
    for piece in _pieces(stats[:count], shape):
        box = np.s_[piece.y0:piece.y1, piece.x0:piece.x1]
        own = found[box] == piece.labels[0]
        if strong[box][own].any():
            piece.labels = [len(pieces) + 1]
            labels[box][own] = piece.labels[0]
            pieces.append(piece)
    return pieces


def _pieces(stats: np.ndarray, shape: tuple[int, int]) -> list[_Piece]:
    """A piece per component (stats of connectedComponentsWithStats, background first).

    Not for specks too small ever to pass _drop_specks: grain can leave thousands.
    """
    sides = np.maximum(stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT])
    keep = np.flatnonzero(sides >= max(2.0, SPECK_OF_IMAGE * max(shape))) + 1
    return [_Piece(int(px), int(py), int(px + pw), int(py + ph), [int(i)])
            for i, (px, py, pw, ph) in zip(keep, stats[keep, :4])]


def _frame_edges(piece: _Piece, x0: int, y0: int, shape: tuple[int, int]) -> tuple[bool, bool, bool, bool]:
    """Which edges of the frame (left, right, top, bottom) the piece reaches; its box starts at (x0, y0)."""
    height, width = shape
    return piece.x0 + x0 == 0, piece.x1 + x0 == width, piece.y0 + y0 == 0, piece.y1 + y0 == height


def _along_the_frame(piece: _Piece, labels: np.ndarray, x0: int, y0: int, shape: tuple[int, int]) -> bool:
    """Is this piece a sliver of desk or a band of shadow along the frame's edge rather than ink?

    Both lie flush with the edge, solid from it: a sliver of desk widens steadily along it (see WEDGE_*),
    a band of shadow (the soft edge of a shadow the paper estimate missed, where it meets the frame) is
    flat against it (BAND_FLAT). A stroke keeps its width and reaches away from the edge; a digit cut by a
    tight crop meets the edge with gaps or jumps, and is taller than flat.
    """
    height, width = shape
    left, right, top, bottom = _frame_edges(piece, x0, y0, shape)
    if not (left or right or top or bottom):
        return False   # the usual case, and cheap: a piece clear of the frame's edges
    own = _owned(labels[piece.y0:piece.y1, piece.x0:piece.x1], piece.labels).astype(bool)
    views = []   # the piece seen from each frame edge it touches: one line per row along that edge
    if left:
        views.append((own, height))
    if right:
        views.append((own[:, ::-1], height))
    if top:
        views.append((own.T, width))
    if bottom:
        views.append((own.T[:, ::-1], width))
    for view, side in views:
        flush = view[:, 0]
        if flush.mean() < WEDGE_FLUSH:
            continue
        lines = view[flush]
        runs = np.argmin(np.c_[lines, np.zeros(len(lines), bool)], axis=1)   # ink from the edge inward
        if runs.sum() < WEDGE_SOLID * lines.sum():
            continue
        if view.shape[1] <= BAND_FLAT * len(view) and runs.sum() >= WEDGE_SOLID * view.sum():
            return True   # a band of shadow: flat, and all its ink (flush lines or not) solid from the edge
        if len(view) < WEDGE_LONG * side or runs.max() < WEDGE_WIDENS * max(int(runs.min()), 1):
            continue
        if abs(float(np.corrcoef(np.arange(len(runs)), runs)[0, 1])) >= WEDGE_STEADY:
            return True
    return False


def _drop_specks(pieces: list[_Piece], shape: tuple[int, int], page: Page,
                 labels: np.ndarray | None = None) -> list[_Piece]:
    """The pieces big enough to be digits: specks are small beside the picture, the other pieces, or its pixels.

    A tiny bitmap is upscaled before it is read, so there a speck of dust spans
    several coarse pixels: SPECK_PIXELS counts the picture's own. Given the
    pieces' `labels`, a piece small only beside the largest (down to
    FLAG_OF_LARGEST) stays when it belongs with a digit's strokes: the short
    detached bar of a '5', without which the 5 reads as a 0.
    """
    if not pieces:
        return []
    largest = max(max(p.width, p.height) for p in pieces)
    own_pixels = SPECK_PIXELS / (page.factor * page.coarse_scale)  # coarse pixels that many original ones span
    floor = max(2.0, own_pixels, SPECK_OF_IMAGE * max(shape))
    minimum = max(floor, SPECK_OF_LARGEST * largest)
    kept = [p for p in pieces if max(p.width, p.height) >= minimum]
    if labels is None:
        return kept
    flag = max(floor, FLAG_OF_LARGEST * largest)
    return [p for p in pieces if max(p.width, p.height) >= minimum
            or (max(p.width, p.height) >= flag and any(_belong_together(p, k, labels) for k in kept))]


def _reaches(strong: np.ndarray, labels: np.ndarray, piece: _Piece) -> bool:
    """Does the piece hold any strong ink (unlike faint shading residue)?"""
    region = np.s_[piece.y0:piece.y1, piece.x0:piece.x1]
    return bool(strong[region][labels[region] == piece.labels[0]].any())


def _belong_together(a: _Piece, b: _Piece, labels: np.ndarray) -> bool:
    """Two pieces of one digit? They share columns, or they nearly touch and fit one digit's box."""
    shared = min(a.x1, b.x1) - max(a.x0, b.x0)
    tall = max(a.height, b.height)
    short = min(a.height, b.height) <= SHORT * tall
    below = max(a.y0, b.y0) - min(a.y1, b.y1)  # vertical gap (< 0: rows in common)
    if shared > 0 and below <= 0.6 * tall:
        narrower = min(a.width, b.width)
        stacked = -below <= 0.3 * min(a.height, b.height)  # one above the other: never two digits of a row
        if shared >= CONTAINED * narrower or (shared >= OVERLAPPING * narrower and (short or stacked)):
            return True
    # side by side: a stroke broken by a thin pen or a faint scan
    near = (NEAR_FRAGMENT if short else NEAR) * tall
    if -shared > near or below > near:
        return False
    width = max(a.x1, b.x1) - min(a.x0, b.x0)
    height = max(a.y1, b.y1) - min(a.y0, b.y0)
    if short:
        fits = width <= 1.3 * height  # a detached bar may stick out sideways
    else:  # two tall halves, like a '0' broken into '(' and ')', not a '1' beside a '0'
        fits = width <= 0.8 * height and max(a.width, b.width) <= NARROW_HALF * tall
    return fits and _pixel_gap(a, b, labels) <= near


def _pixel_gap(a: _Piece, b: _Piece, labels: np.ndarray) -> float:
    """Shortest distance between the two pieces' pixels (0 when they are adjacent)."""
    x0, y0 = min(a.x0, b.x0), min(a.y0, b.y0)
    region = labels[y0:max(a.y1, b.y1), x0:max(a.x1, b.x1)]
    distance = cv2.distanceTransform(1 - _owned(region, a.labels), cv2.DIST_L2, 3)
    return float(distance[_owned(region, b.labels) > 0].min()) - 1.0


def _lines(pieces: list[_Piece]) -> list[list[_Piece]]:
    """The pieces by line of writing, top to bottom (engine/lines.py)."""
    return [[pieces[i] for i in line] for line in lines_of([(p.x0, p.y0, p.x1, p.y1) for p in pieces])]


def _merge_strokes(pieces: list[_Piece], labels: np.ndarray) -> list[_Piece]:
    """Merge pieces of one digit (drawn in several strokes, or broken) until none are left to merge."""
    pieces = sorted(pieces, key=lambda p: p.x0)
    merged = True
    while merged:
        merged = False
        for i in range(len(pieces)):
            for j in range(i + 1, len(pieces)):
                if _belong_together(pieces[i], pieces[j], labels):
                    pieces[i].absorb(pieces.pop(j))
                    merged = True
                    break
            if merged:
                break
    return pieces


def _split_touching(pieces: list[_Piece], labels: np.ndarray) -> list[_Piece]:
    """Cut blobs several digits wide (touching digits) where their column ink is thinnest.

    Only with other digits on the page to say how wide a digit is here: alone, a
    wide blob may as well be one wide digit. A '1' says nothing about the width
    of other digits, so narrow pieces are left out of that estimate. Every digit,
    a '1' too, spans most of the line's height, so a part of a cut much shorter
    than the blob (the hook at the end of a 2's tail) is a piece of its
    neighbour and stays with it.
    """
    result = []
    for piece in pieces:
        others = [p.width for p in pieces if p is not piece
                  and p.width >= NARROW * p.height and p.height >= SHORT * piece.height]
        typical = float(statistics.median(others)) if others else 0.0
        count = min(4, int(round(piece.width / typical))) if typical else 1
        if piece.width < WIDE * typical or piece.width < PAIR_ASPECT * piece.height or count < 2:
            result.append(piece)
            continue
        result += _fold_fragments(_cut(piece, labels, count), SHORT * piece.height, labels)
    return result


def _fold_fragments(parts: list[_Piece], min_height: float, labels: np.ndarray) -> list[_Piece]:
    """Give each part shorter than min_height to the neighbouring part its strokes are closest to."""
    parts = list(parts)
    while len(parts) > 1:
        short = [i for i, part in enumerate(parts) if part.height < min_height]
        if not short:
            break
        i = min(short, key=lambda k: parts[k].height)
        neighbours = [k for k in (i - 1, i + 1) if 0 <= k < len(parts)]
        k = min(neighbours, key=lambda k: _pixel_gap(parts[i], parts[k], labels))
        parts[k].absorb(parts.pop(i))
    return parts


def _cut(piece: _Piece, labels: np.ndarray, count: int) -> list[_Piece]:
    region = labels[piece.y0:piece.y1, piece.x0:piece.x1]
    own = _owned(region, piece.labels).astype(bool)
    columns = own.sum(axis=0)
    step = piece.width / count
    cuts = []
    for k in range(1, count):
        lo, hi = int(k * step - 0.3 * step), int(k * step + 0.3 * step) + 1
        cuts.append(lo + int(np.argmin(columns[lo:hi])))
    parts, start = [], 0
    for end in cuts + [piece.width]:
        label = int(labels.max()) + 1  # each part owns only its columns
        part = own.copy()
        part[:, :start] = False
        part[:, end:] = False
        region[part] = label
        parts.append(_tight(_Piece(piece.x0 + start, piece.y0, piece.x0 + end, piece.y1, [label]), labels))
        start = end
    return parts


def _tight(piece: _Piece, labels: np.ndarray) -> _Piece:
    own = _owned(labels[piece.y0:piece.y1, piece.x0:piece.x1], piece.labels)
    x, y, w, h = cv2.boundingRect(own)
    return _Piece(piece.x0 + x, piece.y0 + y, piece.x0 + x + w, piece.y0 + y + h, piece.labels)


def _owned(labels: np.ndarray, own: list[int]) -> np.ndarray:
    """uint8 mask of the pixels carrying one of the `own` labels."""
    if len(own) == 1:
        return (labels == own[0]).astype(np.uint8)
    return np.isin(labels, own).astype(np.uint8)


def _read_digit(page: Page, labels: np.ndarray, piece: _Piece, x0: int, y0: int) -> DigitInk | None:
    """Re-read the piece's ink from the finest level that fits CROP_SIDE, masked to its own strokes.

    `labels` start at coarse pixel (x0, y0).
    """
    h, w = labels.shape
    left, top = max(piece.x0 - 1, 0), max(piece.y0 - 1, 0)
    right, bottom = min(piece.x1 + 1, w), min(piece.y1 + 1, h)
    c = page.coarse_scale
    crop = page.ink((x0 + left) * c, (y0 + top) * c, (x0 + right) * c, (y0 + bottom) * c, max_side=CROP_SIDE)
    own = cv2.dilate(_owned(labels[top:bottom, left:right], piece.labels), np.ones((3, 3), np.uint8))
    own = cv2.resize(own, (crop.ink.shape[1], crop.ink.shape[0]), interpolation=cv2.INTER_NEAREST)
    ink = crop.ink * own
    bounds = ink_bounds(ink, MASK_LEVEL)
    if bounds is None:
        return None
    bx, by, bw, bh = bounds
    # crop pixels -> detail pixels -> original pixels
    x_left, y_top = page.to_original(crop.x0 + bx * crop.scale, crop.y0 + by * crop.scale)
    x_right, y_bottom = page.to_original(crop.x0 + (bx + bw) * crop.scale, crop.y0 + (by + bh) * crop.scale)
    height, width = page.shape
    x_left, y_top = max(0, int(np.floor(x_left))), max(0, int(np.floor(y_top)))
    x_right, y_bottom = min(width, int(np.ceil(x_right))), min(height, int(np.ceil(y_bottom)))
    return DigitInk(Box(x_left, y_top, max(1, x_right - x_left), max(1, y_bottom - y_top)), ink)
