"""Cutting touching digits where the model reads the pieces best (engine/split.py)."""
from dataclasses import replace

import numpy as np
import pytest

from digitdesk.engine import split
from digitdesk.engine.prepare import ink_map, to_mnist
from digitdesk.engine.results import Box
from tests.engine import images


def blob_ink(text: str, gap: float) -> np.ndarray:
    ink = ink_map(images.number_image(text, gap=gap))
    ys, xs = np.nonzero(ink > 0.05)
    return ink[ys.min():ys.max() + 1, xs.min():xs.max() + 1]


def test_a_narrow_digit_gets_no_lattice():
    assert split.lattice(blob_ink("7", gap=0.3)) is None


def test_touching_digits_get_a_cut_near_where_they_meet():
    ink = blob_ink("08", gap=-0.05)
    found = split.lattice(ink)
    assert found is not None and found.spans[found.whole] == (0, len(found.cuts) - 1)
    meet = ink.shape[1] / 2
    assert min(abs(c - meet) for c in found.cuts[1:-1]) <= 0.1 * ink.shape[0]
    height = ink.shape[0]
    for i, j in found.spans:  # every candidate digit is a plausible width, the whole blob aside
        assert (i, j) == (0, len(found.cuts) - 1) or found.cuts[j] - found.cuts[i] <= split.MAX_PART * height


def test_best_path_prefers_the_whole_unless_the_pieces_are_surer_together():
    lattice = split.Lattice(cuts=(0, 10, 20), spans=((0, 1), (0, 2), (1, 2)))
    sure, unsure = np.log(0.99), np.log(0.2)
    assert split.best_path(lattice, [sure, sure, sure]) == [1]          # whole read surely: stays whole
    assert split.best_path(lattice, [sure, unsure, sure]) == [0, 2]     # whole doubtful, halves sure: cut
    assert split.best_path(lattice, [unsure, sure, unsure]) == [1]


def test_best_path_covers_the_blob_left_to_right_with_three_digits():
    lattice = split.Lattice(cuts=(0, 5, 10, 15), spans=((0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)))
    scores = {(0, 1): np.log(0.98), (1, 2): np.log(0.97), (2, 3): np.log(0.99)}
    path = split.best_path(lattice, [scores.get(s, np.log(0.05)) for s in lattice.spans])
    assert [lattice.spans[k] for k in path] == [(0, 1), (1, 2), (2, 3)]


def test_span_boxes_tile_the_blob_box():
    lattice = split.Lattice(cuts=(0, 30, 60), spans=((0, 1), (0, 2), (1, 2)))
    box = Box(100, 50, 120, 80)
    tight = np.ones((40, 60), np.float32)
    tight[:20, 30:] = 0                       # the right piece's ink fills only the lower half
    left, right = split.span_box(box, tight, lattice, 0), split.span_box(box, tight, lattice, 2)
    assert (left.x, left.w, right.x, right.x + right.w) == (100, 60, 160, 220)
    assert (left.y, left.h) == (50, 80) and (right.y, right.h) == (90, 40)


def test_span_ink_keeps_only_its_columns():
    ink = np.ones((10, 40), np.float32)
    lattice = split.Lattice(cuts=(0, 15, 40), spans=((0, 1), (0, 2), (1, 2)))
    part = split.span_ink(ink, lattice, 2)
    assert part[:, :15].sum() == 0 and part[:, 15:].min() == 1


def rows(*readings):
    """Model rows for the lattice's spans: (digit, probability) each."""
    out = np.full((len(readings), 11), 1e-4, np.float32)
    for i, (digit, p) in enumerate(readings):
        out[i, digit] = p
    return out


def test_a_split_barely_better_than_the_whole_is_doubtful():
    lattice = split.Lattice(cuts=(0, 10, 20), spans=((0, 1), (0, 2), (1, 2)))
    candidates = tuple(split.PreparedDigit(Box(0, 0, 1, 1), np.zeros((28, 28), np.float32)) for _ in range(3))
    blob = split.Blob(candidates, lattice)
    clear = blob.choice(rows((2, 0.99), (8, 0.05), (6, 0.99)))
    assert clear == ([0, 2], False)
    close = blob.choice(rows((2, 0.9), (8, 0.6), (6, 0.9)))   # whole 8 at 0.6 vs "26" at 0.9 x 0.9
    assert close[1] is True


NOT_DIGIT = 10


def three_span_blob():
    lattice = split.Lattice(cuts=(0, 10, 20), spans=((0, 1), (0, 2), (1, 2)))
    candidates = tuple(split.PreparedDigit(Box(0, 0, 1, 1), np.zeros((28, 28), np.float32)) for _ in range(3))
    return split.Blob(candidates, lattice)


def test_a_refused_blob_is_read_as_its_pieces_when_each_is_surely_a_digit():
    blob = three_span_blob()
    assert blob.choice(rows((6, 0.97), (NOT_DIGIT, 0.9), (1, 0.96)), refuse_at=0.6) == ([0, 2], False)
    assert blob.choice(rows((6, 0.97), (NOT_DIGIT, 0.9), (NOT_DIGIT, 0.8)), refuse_at=0.6) == ([1], False)


def test_in_a_number_less_sure_pieces_and_two_ones_may_stand_but_are_shown_unsure():
    blob = three_span_blob()
    fair = rows((6, 0.7), (NOT_DIGIT, 0.9), (1, 0.75))
    assert blob.choice(fair, refuse_at=0.6) == ([1], False)                    # alone: stays refused
    assert blob.choice(fair, refuse_at=0.6, in_number=True) == ([0, 2], True)  # in a number: read, unsure
    ones = rows((1, 0.97), (NOT_DIGIT, 0.9), (1, 0.96))
    assert blob.choice(ones, refuse_at=0.6) == ([1], False)                    # an A is not "11"
    assert blob.choice(ones, refuse_at=0.6, in_number=True) == ([0, 2], False)  # two touching 1s in a number


def test_a_refused_blob_is_cut_into_the_fewest_sure_pieces():
    lattice = split.Lattice(cuts=(0, 5, 10, 15, 20), spans=((0, 2), (0, 4), (2, 4), (0, 1), (1, 2), (2, 3), (3, 4)))
    candidates = tuple(split.PreparedDigit(Box(0, 0, 1, 1), np.zeros((28, 28), np.float32)) for _ in range(7))
    blob = split.Blob(candidates, lattice)
    slices = rows((1, 0.9), (NOT_DIGIT, 0.9), (1, 0.9), (1, 0.99), (1, 0.99), (1, 0.99), (1, 0.99))
    assert blob.choice(slices, refuse_at=0.6, in_number=True)[0] == [0, 2]  # "11", not "1111"


def test_a_refused_narrow_blob_gets_cuts_on_a_second_look():
    ink = blob_ink("61", gap=-0.3)
    assert ink.shape[1] < split.MIN_ASPECT * ink.shape[0]
    first = split.blob(ink, Box(0, 0, ink.shape[1], ink.shape[0]), may_hold_several=True)
    assert first.lattice is None                        # too narrow to seem two digits at first
    again = split.second_look(first)
    assert again is not None and again.lattice is not None and len(again.candidates) == len(again.lattice.spans)
    assert split.second_look(again) is None             # nothing more to cut: not looked at again


def test_a_flat_blob_is_never_sliced_on_a_second_look():
    """A ruled line's fragment or an underline, refused: its slices would each read as a sure 1."""
    line = np.zeros((6, 86), np.float32)
    line[1:5, :] = 1.0
    first = split.blob(line, Box(0, 0, 86, 6))
    assert first.lattice is not None                     # wide: it has cuts, and is refused whole
    assert split.second_look(first) is None and split.second_look(first, weak=True) is None


def test_a_cut_blob_kept_whole_gets_more_candidate_cuts_on_a_second_look():
    ink = blob_ink("2026", gap=-0.08)
    first = split.blob(ink, Box(0, 0, ink.shape[1], ink.shape[0]))
    again = split.second_look(first)
    assert again is not None and set(first.lattice.cuts) < set(again.lattice.cuts)   # the same cuts, and more
    assert len(again.candidates) == len(again.lattice.spans)
    assert split.second_look(again) is None


def test_a_blob_read_as_no_digit_more_likely_than_not_is_cut_only_into_sure_pieces():
    weak = replace(three_span_blob(), weak_whole=True)            # a "10" read whole as a doubtful 0
    assert weak.choice(rows((1, 0.97), (0, 0.35), (0, 0.99)), refuse_at=0.6, in_number=True) == ([0, 2], False)
    # a piece below SURE_PIECE: the whole stays, even in a number (where a refused blob's bar is lower)
    assert weak.choice(rows((1, 0.97), (0, 0.35), (0, 0.7)), refuse_at=0.6, in_number=True) == ([1], False)
    ink = blob_ink("10", gap=-0.1)
    lone = split.blob(ink, Box(0, 0, ink.shape[1], ink.shape[0]), may_hold_several=False)
    assert split.second_look(lone, weak=True).weak_whole and not split.second_look(lone).weak_whole


def test_the_flag_and_stem_of_a_refused_european_one_are_not_read_as_eleven():
    lattice = split.Lattice(cuts=(0, 10, 20), spans=((0, 1), (0, 2), (1, 2)))
    zeros = np.zeros((28, 28), np.float32)
    boxes = (Box(0, 0, 10, 40), Box(0, 0, 20, 100), Box(10, 0, 10, 100))   # the flag reaches 40 % down
    blob = split.Blob(tuple(split.PreparedDigit(b, zeros) for b in boxes), lattice)
    ones = rows((1, 0.97), (NOT_DIGIT, 0.9), (1, 0.96))
    assert blob.choice(ones, refuse_at=0.6, in_number=True) == ([1], False)


def test_a_flagged_one_read_weakly_is_not_cut_into_two_ones_even_full_height():
    """A refused blob of two full-height 1s may be "11"; one read as a doubtful 1 is a European 1."""
    lattice = split.Lattice(cuts=(0, 10, 20), spans=((0, 1), (0, 2), (1, 2)))
    zeros = np.zeros((28, 28), np.float32)
    boxes = (Box(0, 0, 10, 90), Box(0, 0, 20, 100), Box(10, 0, 10, 100))   # the flag reaches 90 % down
    blob = split.Blob(tuple(split.PreparedDigit(b, zeros) for b in boxes), lattice)
    assert blob.choice(rows((1, 0.97), (NOT_DIGIT, 0.9), (1, 0.96)), refuse_at=0.6, in_number=True)[0] == [0, 2]
    weak = replace(blob, weak_whole=True)
    assert weak.choice(rows((1, 0.97), (1, 0.8), (1, 0.96)), refuse_at=0.6, in_number=True) == ([1], False)
    seven_one = rows((7, 0.99), (7, 0.8), (1, 0.96))       # a 1 touching a 7, read whole as a doubtful 7
    assert weak.choice(seven_one, refuse_at=0.6, in_number=True) == ([0, 2], False)


def test_a_fat_zero_read_weakly_is_not_cut_into_a_short_one_and_a_zero():
    """The left side of a felt-tip 0 read alone is a sure but short '1': the 0 stays whole. A touching '10'
    whose 1 stands as tall as the blob is still cut."""
    lattice = split.Lattice(cuts=(0, 12, 80), spans=((0, 1), (0, 2), (1, 2)))
    zeros = np.zeros((28, 28), np.float32)
    fat_zero = (Box(0, 15, 12, 70), Box(0, 0, 80, 100), Box(12, 0, 68, 100))   # the side spans 70 % of it
    weak = split.Blob(tuple(split.PreparedDigit(b, zeros) for b in fat_zero), lattice, weak_whole=True)
    side_and_rest = rows((1, 0.95), (0, 0.84), (0, 0.97))
    assert weak.choice(side_and_rest, refuse_at=0.6, in_number=True) == ([1], False)
    ten = (Box(0, 5, 12, 95), Box(0, 0, 80, 100), Box(12, 0, 68, 100))
    weak_ten = split.Blob(tuple(split.PreparedDigit(b, zeros) for b in ten), lattice, weak_whole=True)
    assert weak_ten.choice(side_and_rest, refuse_at=0.6, in_number=True) == ([0, 2], False)


@pytest.mark.parametrize("in_number", [False, True])
def test_a_wide_blob_is_split_when_its_pieces_are_surer_together_than_the_whole(in_number):
    """Two touching digits read as one at 80 %, each piece at 95 %: the two (0.95 x 0.95 > 0.8), alone (a
    touching '16' photographed by itself) as beside other digits; a whole surer than its pieces together stays."""
    blob = three_span_blob()
    assert blob.choice(rows((1, 0.95), (6, 0.8), (6, 0.95)), in_number=in_number)[0] == [0, 2]
    assert blob.choice(rows((1, 0.9), (6, 0.85), (6, 0.9)), in_number=in_number)[0] == [1]


def _lone(ink: np.ndarray, box: Box) -> split.Blob:
    return split.blob(ink, box, may_hold_several=False)


def test_blobs_whose_ink_nearly_touches_are_judged_together():
    bar, stem = np.ones((10, 40), np.float32), np.ones((100, 8), np.float32)   # each blob's ink, boxed tight:
    left, right = _lone(bar, Box(0, 30, 40, 10)), _lone(stem, Box(44, 10, 8, 100))  # a 4's bar, its stem 4 px on
    pair = split.near_pair(left, right)
    assert pair is not None and pair.keep_split and pair.apart
    assert [c.box for c in pair.candidates] == [left.candidates[0].box, Box(0, 10, 52, 100), right.candidates[0].box]
    page = np.zeros((100, 52), np.float32)                             # both blobs' ink where they lie
    page[20:30, :40], page[:, 44:52] = bar, stem
    np.testing.assert_allclose(pair.candidates[1].input28, to_mnist(page), atol=0.02)
    assert split.near_pair(left, _lone(stem, Box(60, 10, 8, 100))) is None    # 20 px apart: not near
    assert split.near_pair(left, _lone(stem, Box(44, 200, 8, 100))) is None   # beside, but on another line
