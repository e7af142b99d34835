"""Stroke grouping: a drawing's strokes become digits the way the person wrote them."""
import numpy as np
import pytest

from digitdesk.engine.stroke_groups import PenStroke, group_strokes
from tests.engine.pen import cursive_pair, digit, line, number, scaled


def groups(strokes):
    return [g.strokes for g in group_strokes(strokes)]


@pytest.mark.parametrize("text, expected", [
    ("41", [(0, 1), (2,)]),          # the 4's open top and its stem
    ("74", [(0, 1), (2, 3)]),        # a 7 with a bar across, then a 4
    ("18", [(0,), (1, 2)]),          # an 8 of two loops
    ("91", [(0, 1), (2,)]),          # a 9 of a circle and a stem
    ("1405", [(0,), (1, 2), (3,), (4, 5)]),
])
def test_the_strokes_of_one_digit_are_one_group(text, expected):
    assert groups(number(text)) == expected


def test_a_bar_added_after_the_next_digit_joins_its_own_digit():
    five = digit("5", 0)
    strokes = [five[0]] + digit("3", 90) + [five[1]]   # stem and belly, then the 3, then the 5's top bar
    assert groups(strokes) == [(0, 2), (1,)]


def test_digits_drawn_separately_stay_apart_where_their_ink_touches():
    one = digit("1", 0)                       # the 1's stroke runs along the 0's left edge
    zero = digit("0", 26, size=100)
    assert groups(one + zero) == [(0,), (1,)]
    overlapping = digit("0", 0) + digit("0", 56)   # two 0s whose loops overlap a little
    assert groups(overlapping) == [(0,), (1,)]


def test_groups_come_left_to_right_whatever_order_they_were_drawn_in():
    strokes = digit("0", 100) + digit("1", 0)
    result = group_strokes(strokes)
    assert [g.strokes for g in result] == [(1,), (0,)]
    assert result[0].box[2] < result[1].box[0]


def test_the_box_holds_the_ink_with_the_pen_width():
    (group,) = group_strokes(digit("1", 10, y=20, size=100, width=12))
    x0, y0, x1, y1 = group.box
    assert (x0, y0, x1, y1) == pytest.approx((10 + 30 - 6, 20 - 6, 10 + 30 + 6, 120 + 6))


def test_one_stroke_through_two_digits_is_left_to_the_image_method():
    result = group_strokes(cursive_pair())   # a 1, then "00" without lifting the pen, then a 4
    assert [g.strokes for g in result] == [(0,), (1,), (2, 3)]
    assert [g.needs_image_split for g in result] == [False, True, False]


def test_a_wide_digit_alone_is_not_taken_for_several():
    (group,) = group_strokes(digit("2", 0, aspect=1.1))
    assert not group.needs_image_split


def test_specks_are_dropped_but_a_dot_on_a_digit_is_part_of_it():
    zero = digit("0", 0)
    far = PenStroke(np.array([[300.0, 50.0]]), 8)             # a click away from the digits
    on_ink = PenStroke(np.array([[1.0, 50.0], [3.0, 52.0]]), 8)  # a dab on the 0's left edge
    assert groups(zero + [far]) == [(0,)]
    assert groups(zero + [on_ink]) == [(0, 1)]


@pytest.mark.parametrize("factor, pen", [(0.3, 2.0), (1.0, None), (4.0, 40.0)])
def test_grouping_does_not_depend_on_size_or_pen(factor, pen):
    strokes = number("41705")
    assert groups(scaled(strokes, factor, pen)) == groups(strokes) == [(0, 1), (2,), (3, 4), (5,), (6, 7)]


def test_no_ink_no_groups():
    assert group_strokes([]) == []
    assert group_strokes([PenStroke(np.zeros((0, 2)), 10)]) == []


def test_empty_strokes_keep_the_indices_of_the_others():
    strokes = [PenStroke(np.zeros((0, 2)), 10)] + number("10")
    assert groups(strokes) == [(1,), (2,)]


def test_a_short_stroke_beside_nothing_is_still_read():
    """A small digit far from the others is a digit, not a bar to give away."""
    small = [PenStroke(np.array(line((300, 60), (300, 100))), 8)]
    assert groups(number("00") + small) == [(0,), (1,), (2,)]


def test_a_long_late_bar_reaching_over_the_next_digit_stays_with_its_own():
    five = digit("5", 0)
    bar = PenStroke(np.array(line((7.0, 0.0), (88.0, 0.0))), 10)   # drawn last, onto the 1's top
    strokes = [five[0]] + digit("1", 55) + [bar]
    assert groups(strokes) == [(0, 2), (1,)]


def test_a_flat_wide_digit_close_to_the_next_is_not_a_fragment_of_it():
    strokes = digit("2", 0, y=30, size=70, aspect=1.6) + digit("0", 122)   # 0.7 of the height, 0.1 apart
    assert groups(strokes) == [(0,), (1,)]
