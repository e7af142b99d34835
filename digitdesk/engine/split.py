"""Cutting touching digits apart, judged by the model instead of by width.

A blob of ink wide enough to hold several digits gets candidate cut columns
(where its columns hold least ink). Every span between two candidates that
could be one digit becomes a candidate piece; the model reads all of them in
the same batch as everything else, and the split whose pieces the model is
surest are single digits wins (dynamic programming over the cuts). A piece
the model calls "not a digit" (two digits, half a digit) scores low, so a
wrong cut loses to the right one, and a blob that is really one wide digit
stays whole. This keeps the engine's flow one way: segment proposes, classify
scores, the best path is chosen, results are built.

A blob kept whole though the model refuses it as "not a digit" gets a second
look (second_look): the width gate is lowered, so a '61' or two touching 1s,
too narrow to seem several digits, are cut and read when every piece is surely
a digit, and a blob that had cuts gets more of them (a tight number's digits
need not meet where its columns hold least ink). In a
number (other blobs beside it) that bar is lower (IN_NUMBER_SURE) and a pair of
1s may stand: there a refused blob is far more often touching digits than a letter.
A refused blob whose ink nearly touches a neighbour's (near_pair: the bar and the
stem of a 4 that do not meet) is also read merged with it, and kept merged only
when that is at least MERGE_SURE a digit.
"""
from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, replace

import cv2
import numpy as np

from digitdesk.engine.calibration import DIGITS
from digitdesk.engine.prepare import MASK_LEVEL, ink_bounds, to_mnist
from digitdesk.engine.results import Box

MIN_ASPECT = 0.75      # blobs narrower than this share of their height are one digit: no lattice
WIDER_THAN_OTHERS = 1.15 # ... and this many times as wide as the picture's other digits (median),
LONE_ASPECT = 1.2        # ... or, alone, this many times as wide as tall
NARROW = 0.5             # blobs narrower than this share of their height ('1's) do not set the width
GRID = 0.15              # candidate cuts at least every this many heights ...
MAX_CUTS_PER_HEIGHT = 3  # candidate cuts per height of blob width: bounds the spans the model reads
# ... and on a second look at a blob kept whole though refused or read weakly: the deepest valleys may all
# be wrong (a 7 whose bar runs into a 4), and the grid between them holds the cut.
DENSE_CUTS_PER_HEIGHT = 6
# A blob more than this many times as wide as tall (some six touching digits; a ruled line's fragment, an
# underline) gets no second look: sliced, a flat stroke reads as a row of sure 1s.
FLAT = 5.0
SPACING = 0.12           # ... and never closer together than this (fewer candidates, faster)
MIN_PART = 0.12        # a part is at least this share of the blob's height wide (a thin '1')
MAX_PART = 1.25        # ... and at most this many heights wide
# Log-score paid per extra digit: none, a split wins when its pieces' probabilities multiply to more than the
# whole's. Chosen in numbers on UNIPEN's validation writers (bench_numbers.py --tune: 0.35 / 0.1 / 0 read
# 92.0 / 93.0 / 93.4 % of numbers in images). A lone blob paid 0.35, lest wide single digits be cut; with
# model version 3, at 0 single digits (bench_real_input; the validation writers' 774 pen digits, drawn and as
# images), lone letters and numbers read the same, and lone touching pairs better (tuning writers: a '20'
# read as a doubtful 0 reads 20; 1,800 pairs 83.4 -> 84.6 %).
SPLIT_COST = 0.0
# In a number (a picture of several pieces) junk is rarer than alone, so a piece is refused only when the
# model is this sure it is not a digit; between the model's refusal threshold and this it is read, unsure.
# Chosen on UNIPEN's validation writers (benchmarks/bench_numbers.py --tune), never the reported ones.
# These bars are calibrated probabilities: when the temperature moved from 1.16 to 1.04 (fitted on digits
# alone, training/calibrate.py) the same margins read higher, so 0.95 became 0.97 and SURE_PIECE 0.9 became
# 0.92 (re-checked on the validation writers: numbers and lone letters read as before).
IN_NUMBER_REFUSE = 0.97
REFUSED_SPLIT_COST = 2.0  # when the whole is refused: the fewest sure pieces (slices of a 1 read as 1s)
SURE_PIECE = 0.92      # a refused blob is cut only into pieces each read at least this surely
IN_NUMBER_SURE = 0.6   # ... or this surely, in a number (the picture holds other blobs)
ONES_TALL = 0.8        # ... where each 1 must be this share of the blob's height (a shorter one is the side of a
                       # fat 0: validation writers, 2,000 numbers a source, the same or up to 0.3 points better)
SECOND_LOOK_ASPECT = 0.35  # a refused blob at least this wide (share of its height) is looked at again
# Neighbours whose ink is this close (share of the taller one's height) may be one digit: a 4 whose bar
# stops short of its stem. They stay apart unless one is refused and the two merged are at least
# MERGE_SURE a digit (below the unsure bar, so such a 4 is shown unsure). Both chosen on UNIPEN's validation
# writers (2,000 drawn numbers: 96.55 % exact at 0.06 / 0.9, 96.70 % at 0.08 / 0.8, 0.7 the same, 0.1 less).
NEAR_GAP = 0.08
MERGE_SURE = 0.8
# A blob read as its best digit below this (no digit more likely than not: a '10' read as a doubtful 0)
# gets the second look too, and is cut only into pieces each SURE_PIECE sure. Chosen on UNIPEN's validation
# writers: 0.5 read 93.2 % of numbers in images (92.9 % without), 0.7 and 0.88 the same but cost drawings.
WEAK_WHOLE = 0.5
# ... or below this when it is as wide as two touching digits (MIN_ASPECT of its height): a lone '15' read as a
# 5 at 69 %. Tuning writers: lone overlapping pairs in pictures 76.1 -> 79.4 % (UNIPEN validation writers),
# 92.2 -> 93.3 % (MNIST training writers' tenth, scans; 1,500 each); single digits (22,000 pictures of that
# tenth, bench_real_input's kinds; 774 pen digits) and numbers the same. 0.9 lost lone digits on photo pages.
WEAK_WIDE = 0.85
# Beside other blobs (a number) a blob read below 90 % gets that look too: a 1 touching its neighbour ('71'
# read as a 7 at 84 %) cuts into two sure digits. Alone it could be one sloppy digit (a marker 6 at 68 % cut
# as '16'), so the bar stays at WEAK_WHOLE (WEAK_WIDE when wide); and a weak blob is never cut into 1s alone
# (a flagged European 1 read as a 1 at 80 % is not '11'). Validation writers, 1,000 numbers as images: 93.8 %
# exact at 0.5, 94.1 % at 0.7, 94.2 % at 0.8, 94.5 % at 0.9 and 0.95 (without the rule on 1s: 94.1 % at 0.9,
# four flagged 1s cut in two); lone letters refused (91.7 %) and single digits the same at each.
WEAK_IN_NUMBER = 0.9
PAIR_SIDE = 112        # px: two near blobs are merged at most this large before the 28x28 fit
# Whole and best cut closer than this (log-score) make the reading unsure. Chosen on the tuning writers
# (bench_numbers.py --tune, 1,000 numbers a source): the largest drop in right numbers shown unsure with no
# wrong one losing its warning (0.5 warned 26 % of right MNIST scans, 0.4 23 %; 0.35 left a wrong UNIPEN one
# unwarned). Drawings are the same at any value.
DOUBT = 0.4
LEVEL = 0.05           # ink above this counts in the column profile


def is_refused(probabilities: np.ndarray, bar: float) -> bool:
    """Does this reading's "not a digit" probability reach `bar` (a 10-class model never refuses)?"""
    return len(probabilities) > DIGITS and float(probabilities[DIGITS]) >= bar


def weak_bar(in_number: bool, wide: bool = False) -> float:
    """Below which best-digit probability a blob read whole gets a second look at its cuts (`wide`: at least
    MIN_ASPECT of its height wide)."""
    return WEAK_IN_NUMBER if in_number else WEAK_WIDE if wide else WEAK_WHOLE


def refusal_bar(refuse_at: float, in_number: bool) -> float:
    """From which "not a digit" probability a piece is refused: in a number, only from IN_NUMBER_REFUSE."""
    return max(refuse_at, IN_NUMBER_REFUSE) if in_number else refuse_at


@dataclass(frozen=True)
class Lattice:
    """Candidate digits of one blob: spans between cut columns of its ink."""
    cuts: tuple[int, ...]               # columns of the blob's ink, first 0, last its width
    spans: tuple[tuple[int, int], ...]  # (i, j): the ink between cuts[i] and cuts[j] may be one digit

    @property
    def whole(self) -> int:
        """Index of the span covering the whole blob."""
        return self.spans.index((0, len(self.cuts) - 1))


@dataclass(frozen=True)
class PreparedDigit:
    box: Box             # in the input image's pixels
    input28: np.ndarray  # (28, 28) float32 in [0, 1]: what the model will see


@dataclass(frozen=True)
class Blob:
    """One blob of ink: the digit it may be, or (with a lattice) the candidate digits it may hold."""
    candidates: tuple[PreparedDigit, ...]  # the whole blob alone, or one per lattice span
    lattice: Lattice | None = None
    # True for touching groups of pen strokes: the grouping's split stands unless the model
    # refuses one of its pieces (in a number, surely: IN_NUMBER_REFUSE; a K drawn as '|' and '<'); then the
    # lattice decides. A piece refused less surely is merged only into a digit (MERGE_SURE), else read as drawn
    keep_split: bool = False
    # ... and when some of those groups do not even overlap (only nearly touch), a refused one is merged
    # only into pieces each at least MERGE_SURE a digit; otherwise the groups stand as they were drawn
    apart: bool = False
    # a blob without a lattice keeps its ink (bright on black) and box, for a second look if refused
    source: tuple[np.ndarray, Box] | None = None
    # neighbouring pen groups are first read alone; this builds the blob with their merged candidates
    # too, read on a second look only when the model refuses one of them (most drawings never need it)
    regroup: Callable[[], Blob] | None = None
    # a second look at a blob read weakly rather than refused: its cut must be sure (SURE_PIECE)
    weak_whole: bool = False

    @property
    def wide(self) -> bool:
        """At least MIN_ASPECT of its height wide: as wide as two touching digits can be."""
        box = self.source[1] if self.source is not None else self.candidates[0].box
        return box.w >= MIN_ASPECT * box.h

    def choice(self, probabilities: np.ndarray, refuse_at: float = 2.0,
               in_number: bool = False) -> tuple[list[int], bool]:
        """(which candidates are the blob's digits, doubtful), given the model's rows for the candidates.

        Doubtful when keeping the blob whole and the best cut score within DOUBT of each
        other, so the reading is shown unsure rather than silently wrong. A candidate
        whose "not a digit" probability reaches `refuse_at` is refused. A refused
        blob is cut only into pieces each surely a digit (SURE_PIECE, or
        IN_NUMBER_SURE `in_number`, where 1s alone may stand too); a piece below
        SURE_PIECE makes the reading doubtful.
        """
        if self.lattice is None:
            return [0], False
        scores = [span_score(p) for p in probabilities]
        ones = [int(np.argmax(p[:DIGITS])) == 1 for p in probabilities]
        refused = [is_refused(p, refuse_at) for p in probabilities]
        if self.keep_split:
            singles = [self.lattice.spans.index((k, k + 1)) for k in range(len(self.lattice.cuts) - 1)]
            if not any(refused[k] for k in singles) or self.regroup is not None:
                return singles, False
            surely = refusal_bar(refuse_at, in_number)
            if self.apart or not any(is_refused(probabilities[k], surely) for k in singles):
                return self._merged_if_sure(singles, scores, ones, refused), False
        whole = self.lattice.whole
        cut_scores = list(scores)
        cut_scores[whole] = -np.inf
        if refused[whole] or self.weak_whole:
            cut = best_path(self.lattice, cut_scores, None if in_number else ones, refused, REFUSED_SPLIT_COST)
            weakest = min(scores[k] for k in cut)
            bar = IN_NUMBER_SURE if in_number and not self.weak_whole else SURE_PIECE
            if cut == [whole] or weakest < np.log(bar):
                return [whole], False
            tall = self.candidates[whole].box.h * ONES_TALL
            short_one = any(ones[k] and self.candidates[k].box.h < tall for k in cut)
            if short_one or (self.weak_whole and all(ones[k] for k in cut)):
                # a short '1' is a European 1's flag or a fat 0's side, and a weak 1 cut in two is not "11"
                return [whole], False
            return cut, weakest < np.log(SURE_PIECE)
        path = best_path(self.lattice, scores, ones, refused)
        cut = best_path(self.lattice, cut_scores, ones, refused)
        if cut == [whole]:  # no cut is possible at all
            return path, False
        if any(refused[k] for k in cut) or not np.isfinite(scores[whole]):
            return path, False
        margin = abs(scores[whole] - path_score(self.lattice, cut, scores))
        return path, margin < DOUBT

    def _merged_if_sure(self, singles: list[int], scores: list[float], ones: list[bool],
                        refused: list[bool]) -> list[int]:
        """Pen groups apart, one refused: the best pieces none refused if each is a digit at least MERGE_SURE
        (the bar and the stem of a 4 drawn apart), else the groups as drawn."""
        usable = [-np.inf if no else s for s, no in zip(scores, refused)]
        path = best_path(self.lattice, usable, ones)
        return path if min(usable[k] for k in path) >= np.log(MERGE_SURE) else singles


def may_hold_several(index: int, sizes: list[tuple[int, int]]) -> bool:
    """Is blob `index` (of blobs' (width, height) on one picture) worth cutting?

    Slices of a letter read as digits too (an A cut into strokes reads "11"),
    so a blob gets candidate cuts only when it is WIDER_THAN_OTHERS times as
    wide as this picture's other digits, or, with none to compare, LONE_ASPECT
    times as wide as tall (and Blob.choice cuts a refused blob only into pieces
    each surely a digit).
    A '1' says nothing about how wide digits are here.
    """
    width, height = sizes[index]
    if width < MIN_ASPECT * height:
        return False
    others = [w for k, (w, h) in enumerate(sizes) if k != index and w >= NARROW * h and h >= 0.6 * height]
    if others:
        return width >= WIDER_THAN_OTHERS * float(statistics.median(others))
    return width >= LONE_ASPECT * height


def blob(ink: np.ndarray, box: Box, may_hold_several: bool = True) -> Blob:
    """The blob whose ink (bright on black) lies in `box` of the input, with candidate cuts if it may need them."""
    cut = _cut(ink, box, MIN_ASPECT) if may_hold_several else None
    return cut or Blob((PreparedDigit(box, to_mnist(ink)),), source=(ink, box))


def second_look(blob: Blob, weak: bool = False) -> Blob | None:
    """A blob kept whole though refused (or, `weak`, read below weak_bar) with more candidate cuts: one
    without cuts from a lower width gate (SECOND_LOOK_ASPECT: a '61' or two touching 1s, which looked too
    narrow to hold two digits), one with cuts from DENSE_CUTS_PER_HEIGHT. None if that adds no cut, or if
    the blob is FLAT."""
    if blob.source is None:
        return None
    box = blob.source[1]
    if box.w > FLAT * box.h:
        return None
    if blob.lattice is None:
        cut = _cut(*blob.source, SECOND_LOOK_ASPECT)
    else:
        cut = _cut(*blob.source, SECOND_LOOK_ASPECT, DENSE_CUTS_PER_HEIGHT, more_than=len(blob.lattice.cuts))
    return replace(cut, weak_whole=True) if cut is not None and weak else cut


def near_pair(left: Blob, right: Blob) -> Blob | None:
    """Two neighbouring blobs whose ink nearly touches (a 4 whose bar stops short of its stem), judged
    together: each alone and both merged, standing apart unless one is refused and the merged ink is
    at least MERGE_SURE a digit (Blob.choice). None when they are not near or cannot be merged."""
    if left.lattice is not None or right.lattice is not None or left.source is None or right.source is None:
        return None
    a, b = left.source[1], right.source[1]
    top, bottom = min(a.y, b.y), max(a.y + a.h, b.y + b.h)
    height = max(a.h, b.h)
    rows_shared = min(a.y + a.h, b.y + b.h) - max(a.y, b.y)
    if b.x - (a.x + a.w) > NEAR_GAP * height or rows_shared < 0.5 * min(a.h, b.h):
        return None
    x0, x1 = min(a.x, b.x), max(a.x + a.w, b.x + b.w)
    scale = min(1.0, PAIR_SIDE / max(x1 - x0, bottom - top))
    canvas = np.zeros((int(np.ceil((bottom - top) * scale)) + 1, int(np.ceil((x1 - x0) * scale)) + 1), np.float32)
    for ink, box in (left.source, right.source):
        bounds = ink_bounds(ink, MASK_LEVEL)
        if bounds is None:
            return None
        x, y, w, h = bounds
        size = (max(1, int(round(box.w * scale))), max(1, int(round(box.h * scale))))
        tile = cv2.resize(ink[y:y + h, x:x + w], size, interpolation=cv2.INTER_AREA)
        cx, cy = int(round((box.x - x0) * scale)), int(round((box.y - top) * scale))
        region = canvas[cy:cy + tile.shape[0], cx:cx + tile.shape[1]]
        np.maximum(region, tile[:region.shape[0], :region.shape[1]], out=region)
    merged = PreparedDigit(Box(x0, top, x1 - x0, bottom - top), to_mnist(canvas))
    return Blob((left.candidates[0], merged, right.candidates[0]), Lattice((0, 1, 2), ((0, 1), (0, 2), (1, 2))),
                keep_split=True, apart=True)


def _cut(ink: np.ndarray, box: Box, min_aspect: float, per_height: int = MAX_CUTS_PER_HEIGHT,
         more_than: int = 0) -> Blob | None:
    """The blob with candidate cuts, or None if it gets no more than `more_than` cuts (ends included):
    counted before any span is prepared for the model."""
    bounds = ink_bounds(ink)
    if bounds is None:
        return None
    x, y, w, h = bounds
    tight = ink[y:y + h, x:x + w]
    found = lattice(tight, min_aspect, per_height)
    if found is None or len(found.cuts) <= more_than:
        return None
    return Blob(tuple(PreparedDigit(span_box(box, tight, found, k), to_mnist(span_ink(tight, found, k)))
                      for k in range(len(found.spans))), found, source=(ink, box))


def candidate_cuts(ink: np.ndarray, per_height: int = MAX_CUTS_PER_HEIGHT) -> list[int]:
    """Interior columns where a cut is plausible, at least MIN_PART heights from either end, at most
    `per_height` per height of width.

    Column-ink valleys first (the gap between two digits that barely touch),
    then a grid every GRID heights: touching round digits (0, 8, 6) meet where
    their columns hold the most ink, so valleys alone would miss the cut; the
    model decides which cuts are right.
    """
    rows = np.flatnonzero((ink > LEVEL).any(axis=1))
    height = float(rows[-1] - rows[0] + 1) if len(rows) else float(ink.shape[0])
    columns = ink.sum(axis=0)
    width = len(columns)
    margin = max(1, int(MIN_PART * height))
    if width < 2 * margin + 1:
        return []
    smooth = np.convolve(columns, np.ones(3) / 3, mode="same")
    valleys = [c for c in range(margin, width - margin)
               if smooth[c] <= smooth[c - 1] and smooth[c] <= smooth[min(c + 1, width - 1)]]
    step = max(1, int(GRID * height))
    grid = list(range(margin, width - margin + 1, step))
    kept: list[int] = []
    for c in sorted(valleys, key=lambda c: smooth[c]) + grid:
        if all(abs(c - k) >= max(1, int(SPACING * height)) for k in kept):
            kept.append(c)
    limit = max(per_height, int(per_height * width / height))
    return sorted(kept[:limit])  # the deepest valleys first, then the grid: the model reads every span


def lattice(ink: np.ndarray, min_aspect: float = MIN_ASPECT, per_height: int = MAX_CUTS_PER_HEIGHT) -> Lattice | None:
    """The blob's candidate digits, or None when it can only be one digit (narrower than `min_aspect`
    of its height, or no place to cut)."""
    rows = np.flatnonzero((ink > LEVEL).any(axis=1))
    if len(rows) == 0:
        return None
    height = rows[-1] - rows[0] + 1
    if ink.shape[1] < min_aspect * height:
        return None
    inner = candidate_cuts(ink, per_height)
    if not inner:
        return None
    cuts = (0, *inner, ink.shape[1])
    spans = tuple((i, j) for i in range(len(cuts)) for j in range(i + 1, len(cuts))
                  if (i, j) == (0, len(cuts) - 1) or cuts[j] - cuts[i] <= MAX_PART * height)
    return Lattice(cuts, spans)


def span_ink(ink: np.ndarray, lattice_: Lattice, span: int) -> np.ndarray:
    i, j = lattice_.spans[span]
    part = np.zeros_like(ink)
    part[:, lattice_.cuts[i]:lattice_.cuts[j]] = ink[:, lattice_.cuts[i]:lattice_.cuts[j]]
    return part


def span_box(box: Box, tight: np.ndarray, lattice_: Lattice, span: int) -> Box:
    """The span's box in the input image: the blob's box (that of its `tight` ink), cut at the span's
    columns and shrunk to the rows its ink reaches."""
    i, j = lattice_.spans[span]
    c0, c1 = lattice_.cuts[i], lattice_.cuts[j]
    sx, sy = box.w / max(tight.shape[1], 1), box.h / max(tight.shape[0], 1)
    rows = np.flatnonzero((tight[:, c0:c1] > LEVEL).any(axis=1))
    r0, r1 = (int(rows[0]), int(rows[-1]) + 1) if len(rows) else (0, tight.shape[0])
    x0, x1 = box.x + int(round(c0 * sx)), box.x + int(round(c1 * sx))
    y0, y1 = box.y + int(round(r0 * sy)), box.y + int(round(r1 * sy))
    return Box(x0, y0, max(1, x1 - x0), max(1, y1 - y0))


def span_score(probabilities: np.ndarray) -> float:
    """How surely a span is one digit: log of its best digit's probability ("not a digit" lowers it)."""
    return float(np.log(max(float(np.max(probabilities[:DIGITS])), 1e-9)))


def path_score(lattice_: Lattice, path: list[int], scores: list[float], split_cost: float = SPLIT_COST) -> float:
    """A path's total: its spans' scores, `split_cost` per digit beyond the first."""
    return float(sum(scores[k] for k in path)) - split_cost * (len(path) - 1)


def best_path(lattice_: Lattice, scores: list[float], ones: list[bool] | None = None,
              refused: list[bool] | None = None, split_cost: float = SPLIT_COST) -> list[int]:
    """Spans covering the blob left to right with the best total score, `split_cost` per extra digit.

    `ones` marks the spans read as "1". A vertical slice of almost any stroke
    reads as a 1, so a split made of 1s only (an A cut into "111") is never
    taken: a split needs at least one piece that is another digit. `refused`
    marks spans the model calls "not a digit": a split never keeps one (a K
    drawn as '|' and '<' is not a 1 beside a mark); only the whole blob may be refused.
    """
    n = len(lattice_.cuts)
    ones = ones or [False] * len(scores)
    if refused:
        scores = [-np.inf if no and k != lattice_.whole else s for k, (s, no) in enumerate(zip(scores, refused))]
    # best[state][j]: best score of spans covering cuts 0..j; state 1 once a piece is not a "1"
    best = [[-np.inf] * n, [-np.inf] * n]
    back: list[list[tuple[int, int, int] | None]] = [[None] * n, [None] * n]
    best[0][0] = 0.0
    by_end: dict[int, list[tuple[int, int, float]]] = {}
    for span, ((i, j), score) in enumerate(zip(lattice_.spans, scores)):
        by_end.setdefault(j, []).append((i, span, score))
    for j in range(1, n):
        for i, span, score in by_end.get(j, []):
            for state in (0, 1):
                if best[state][i] == -np.inf:
                    continue
                new = 1 if (state or not ones[span]) else 0
                total = best[state][i] + score - (split_cost if i > 0 else 0.0)
                if total > best[new][j]:
                    best[new][j], back[new][j] = total, (i, span, state)
    whole = lattice_.whole
    if scores[whole] >= best[1][n - 1]:  # the blob as one piece, whatever digit it reads as
        return [whole]
    path, j, state = [], n - 1, 1
    while j > 0:
        i, span, state = back[state][j]
        path.append(span)
        j = i
    return path[::-1]
