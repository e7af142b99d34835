"""Reading a drawing by its strokes: each digit's own ink, boxes in the drawing's pixels, one model call."""
import numpy as np
import pytest

from digitdesk.engine.prepare import to_mnist
from digitdesk.engine.recognizer import Recognizer
from digitdesk.engine.stroke_digits import group_ink, prepare_stroke_digits
from digitdesk.engine.stroke_groups import PenStroke, group_strokes
from digitdesk.engine.stroke_ink import render_strokes
from tests.engine.pen import cursive_pair, digit, number, touching_ten


class ScriptedRunner:
    """Stands in for the model: row i of a call gets digit answers[i][0] with confidence answers[i][1]."""

    def __init__(self, answers=()):
        self.answers = list(answers)
        self.calls: list[np.ndarray] = []

    def classify(self, batch: np.ndarray) -> np.ndarray:
        self.calls.append(np.array(batch, copy=True))
        rows = np.zeros((len(batch), 10), np.float32)
        for i in range(len(batch)):
            best, confidence = self.answers[i] if i < len(self.answers) else (i % 10, 0.95)
            rows[i] = (1 - confidence) / 9
            rows[i, best] = confidence
        return rows


def test_each_digit_is_drawn_alone_so_touching_ink_never_leaks_in():
    strokes = touching_ten()
    one, zero = prepare_stroke_digits(strokes)
    np.testing.assert_array_equal(one.input28, to_mnist(group_ink(digit("1", 0), group_strokes(digit("1", 0))[0])))
    assert one.input28[:, :8].max() == 0 and one.input28[:, 20:].max() == 0   # a lone thin stroke, no loop


def test_boxes_are_in_the_drawings_pixels_around_each_digits_ink():
    strokes = [PenStroke(s.points + (400, 250), s.width) for s in number("47", width=12)]
    four, seven = prepare_stroke_digits(strokes)
    assert (four.box.x, four.box.y) == (400 - 6, 250 - 6) and four.box.h == 112
    assert seven.box.x == 400 + 90 - 6 and seven.box.x + seven.box.w == 400 + 150 + 6


def test_a_drawing_is_classified_in_one_call_left_to_right():
    runner = ScriptedRunner()
    result = Recognizer(runner).recognize_strokes(digit("0", 200) + number("41"))   # drawn right to left
    assert len(runner.calls) == 1 and runner.calls[0].shape == (3, 28, 28)
    assert result.text == "012"                                 # the runner's answers, by position
    assert [d.box.x for d in result.digits] == sorted(d.box.x for d in result.digits)


def test_no_strokes_nothing_to_read_and_no_model_call():
    runner = ScriptedRunner()
    result = Recognizer(runner).recognize_strokes([])
    assert runner.calls == [] and result.message == "Nothing to read"


def test_a_stroke_through_two_digits_is_cut_by_the_image_method():
    digits = prepare_stroke_digits(cursive_pair())
    assert [len(d.pieces) for d in digits] == [0, 2, 0]
    group = digits[1]
    for piece in group.pieces:
        assert group.box.x <= piece.box.x + piece.box.w / 2 <= group.box.x + group.box.w
    assert group.pieces[0].box.x + group.pieces[0].box.w <= group.pieces[1].box.x + 10


@pytest.mark.parametrize("whole, pieces, expected", [
    (0.55, 0.97, "1004"),    # surer of both pieces: the cut stands
    (0.97, 0.90, "174"),     # surer of the whole: one digit
])
def test_the_cut_is_kept_only_where_the_model_is_surer_of_its_pieces(whole, pieces, expected):
    # rows: the 1, the cursive group, the 4, then the group's two pieces
    runner = ScriptedRunner([(1, 0.99), (7, whole), (4, 0.99), (0, pieces), (0, pieces)])
    result = Recognizer(runner).recognize_strokes(cursive_pair())
    assert result.text == expected
    assert len(runner.calls) == 1


def test_given_the_drawing_as_shown_the_cut_uses_it():
    strokes = cursive_pair()
    image = np.full((200, 500), 255, np.uint8)   # the drawing moved into a canvas: x + 100, y + 50
    ink = render_strokes([s.points for s in strokes], [s.width for s in strokes], origin=(-100, -50),
                         shape=image.shape)
    image = np.rint(255 * (1 - ink)).astype(np.uint8)
    moved = [PenStroke(s.points + (100, 50), s.width) for s in strokes]
    with_image = prepare_stroke_digits(moved, image)[1].pieces
    drawn = prepare_stroke_digits(moved)[1].pieces
    assert len(with_image) == len(drawn) == 2
    for a, b in zip(with_image, drawn):
        assert abs(a.box.x - b.box.x) <= 2 and abs(a.box.w - b.box.w) <= 3


@pytest.fixture(scope="module")
def reader(real_runner):
    return Recognizer(real_runner)


def test_touching_digits_drawn_separately_are_read_apart(reader):
    assert reader.recognize_strokes(touching_ten()).text == "10"


def test_a_two_stroke_4_a_barred_7_and_a_late_bar_on_a_5_are_read_as_written(reader):
    five = digit("5", 180)
    strokes = digit("4", 0) + digit("7", 90) + [five[0]] + digit("0", 270) + [five[1]]
    result = reader.recognize_strokes(strokes)
    assert result.text == "4750"
    assert len(result.digits) == 4
