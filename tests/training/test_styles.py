"""Flagged 1s and crossed 7s: styles the training writers rarely use, made from the ones they do."""
import numpy as np

from training.styles import crossed, flagged, plain_ones, sevens
from training.unipen import PenChar


def _char(label, *strokes):
    return PenChar(label, "w", "c", tuple(np.float32(s) for s in strokes))


def test_only_plain_ones_get_a_flag():
    stick = _char("1", [(50, 0), (52, 100)])
    already_flagged = _char("1", [(0, 40), (50, 0), (52, 100)])
    seven = _char("7", [(0, 0), (60, 0), (20, 100)])
    assert plain_ones([stick, already_flagged, seven]) == [stick]


def test_flag_is_drawn_into_the_top_of_the_stem_down_to_the_left():
    rng = np.random.default_rng(0)
    for written in [[(50, 0), (52, 100)], [(52, 100), (50, 0)]] * 20:  # top-down and bottom-up
        one = flagged(_char("1", written, [(40, 100), (64, 100)]), rng)
        stroke = one.strokes[0]
        assert one.label == "1" and len(one.strokes) == 2          # flag + stem in one stroke, foot kept
        top = int(np.argmin(stroke[:, 1]))
        assert 0 < top < len(stroke) - 1                         # the flag leads up to the top, the stem goes down
        start, foot = stroke[0], stroke[-1]
        assert start[0] < stroke[top][0] - 15                    # the flag starts well left of the top
        assert 25 <= start[1] - stroke[top][1] <= 90             # and part of the way down
        assert foot[1] - stroke[top][1] > 95                     # the stem still runs the full height


def test_a_crossed_seven_gets_a_short_bar_across_its_stem_half_way_down():
    rng = np.random.default_rng(0)
    seven = _char("7", [(0, 0), (60, 0), (20, 100)])
    assert sevens([seven, _char("1", [(50, 0), (52, 100)])]) == [seven]
    for _ in range(40):
        crossed_seven = crossed(seven, rng)
        assert crossed_seven.label == "7" and len(crossed_seven.strokes) == 2
        np.testing.assert_array_equal(crossed_seven.strokes[0], seven.strokes[0])   # the 7 itself unchanged
        bar = crossed_seven.strokes[1]
        assert 40 <= bar[:, 1].mean() <= 70                       # about half-way down
        stem_x = 60 - 40 * bar[:, 1].mean() / 100                 # where the down-stroke is at that height
        assert bar[:, 0].min() < stem_x < bar[:, 0].max()          # across the stem
        assert 30 <= np.ptp(bar[:, 0]) <= 90 and np.ptp(bar[:, 1]) < 15   # short and nearly level
