"""Reading a drawing by its strokes: each digit's own ink, boxes in the drawing's pixels, one model call."""
import numpy as np
import pytest

from digitdesk.engine.prepare import to_mnist
from digitdesk.engine.recognizer import Recognizer
from digitdesk.engine.stroke_digits import group_ink, prepare_stroke_blobs
from digitdesk.engine.stroke_groups import PenStroke, group_strokes
from tests.engine.pen import cursive_pair, digit, gapped_four, number, touching_ten


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
    (run,) = prepare_stroke_blobs(strokes)   # overlapping groups are read alone first ...
    assert run.keep_split and run.lattice.spans == ((0, 1), (1, 2))
    assert run.regroup().lattice.spans == ((0, 1), (0, 2), (1, 2))   # ... merged only on a second look
    one = run.candidates[0]                  # ... and each is drawn alone
    np.testing.assert_array_equal(one.input28, to_mnist(group_ink(digit("1", 0), group_strokes(digit("1", 0))[0])))
    assert one.input28[:, :8].max() == 0 and one.input28[:, 20:].max() == 0   # a lone thin stroke, no loop


def test_boxes_are_in_the_drawings_pixels_around_each_digits_ink():
    strokes = [PenStroke(s.points + (400, 250), s.width) for s in number("47", width=12)]
    four, seven = (b.candidates[0] for b in prepare_stroke_blobs(strokes))
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


class Judge:
    """Reads each candidate by its width in the 20x20 fit: narrow = 1, wide = `wide`, else 0."""

    def __init__(self, wide=(10, 0.97), middle=(0, 0.99)):
        self.wide, self.middle = wide, middle

    def classify(self, batch):
        rows = np.full((len(batch), 11), 1e-4, np.float32)
        for i, image in enumerate(batch):
            cols = np.flatnonzero(image.max(axis=0) > 0.2)
            width = cols[-1] - cols[0] + 1 if len(cols) else 0
            digit, p = (1, 0.99) if width < 8 else self.wide if width >= 19 else self.middle
            rows[i, digit] = p
        return rows


def test_overlapping_strokes_stay_apart_unless_the_model_refuses_a_piece():
    from digitdesk.engine.calibration import Calibration
    judge = Judge()
    judge.calibration = Calibration()
    assert Recognizer(judge).recognize_strokes(touching_ten()).text == "10"
    judge.middle = (10, 0.95)   # the 0 is "not a digit": the pair is judged as one mark, refused whole
    result = Recognizer(judge).recognize_strokes(touching_ten())
    assert result.text == "" and len(result.digits) == 1 and result.digits[0].not_digit


class Rows:
    """Answers model call c's candidates (in the order the blobs list them) with the rows calls[c], each a
    dict {class: probability}."""

    def __init__(self, *calls):
        self.calls = list(calls)

    def classify(self, batch):
        answers = self.calls.pop(0)
        assert len(answers) == len(batch)
        rows = np.full((len(batch), 11), 1e-4, np.float32)
        for row, answer in zip(rows, answers):
            for label, p in answer.items():
                row[label] = p
        return rows


def test_groups_that_nearly_touch_are_read_alone_and_merged_only_when_one_is_refused():
    (run,) = prepare_stroke_blobs(gapped_four(0))     # read first: the open top and the stem
    assert run.keep_split and run.regroup().apart      # a 5 px gap: not overlapping, but near
    top_refused = [{10: 0.95}, {1: 0.99}]
    # then: the open top, both merged, the stem
    four = Rows(top_refused, [{10: 0.95}, {4: 0.99}, {1: 0.99}])
    assert Recognizer(four).recognize_strokes(gapped_four(0)).text == "4" and four.calls == []
    # the merged ink is no sure digit: the groups stand as drawn
    result = Recognizer(Rows(top_refused, [{10: 0.95}, {4: 0.6}, {1: 0.99}])).recognize_strokes(gapped_four(0))
    assert [d.not_digit for d in result.digits] == [True, False] and result.text == "1"
    # merged, a likely but doubtful 4 (from MERGE_SURE): one digit, shown unsure (the bundled model's bar is ~0.9)
    doubtful_four = Rows(top_refused, [{10: 0.95}, {4: 0.85, 9: 0.15}, {1: 0.99}])
    result = Recognizer(doubtful_four, unsure_threshold=0.88).recognize_strokes(gapped_four(0))
    assert result.text == "4" and result.digits[0].unsure
    # nothing refused: the groups stand, and the merged candidates are never read
    assert Recognizer(Rows([{7: 0.9}, {1: 0.99}])).recognize_strokes(gapped_four(0)).text == "71"


def test_in_a_number_overlapping_groups_are_lost_together_only_when_one_is_surely_no_digit():
    """A 1 drawn over the edge of a 0, then a 7: the 0 alone is 70 % "not a digit", the pair merged 97 %.
    In a number a piece is refused only from IN_NUMBER_REFUSE (97 %), so the 0 is read (unsure), not dropped
    with its 1."""
    strokes = touching_ten() + digit("7", 150)
    one, zero, seven, merged = {1: 0.97}, {0: 0.3, 10: 0.7}, {7: 0.99}, {10: 0.97}
    runner = Rows([one, zero, seven], [one, merged, zero])
    result = Recognizer(runner, not_digit_threshold=0.6).recognize_strokes(strokes)
    assert result.text == "107" and runner.calls == []
    sure_junk = {0: 0.02, 10: 0.98}                       # surely no digit: the pair is one refused mark
    runner = Rows([one, sure_junk, seven], [one, merged, sure_junk])
    result = Recognizer(runner, not_digit_threshold=0.6).recognize_strokes(strokes)
    assert result.text == "7" and [d.not_digit for d in result.digits] == [True, False]


def test_only_a_stroke_through_two_digits_gets_candidate_cuts():
    blobs = prepare_stroke_blobs(cursive_pair())
    assert [b.lattice is not None for b in blobs] == [False, True, False]
    group = blobs[1]
    whole = group.candidates[group.lattice.whole]
    for piece in group.candidates:  # every candidate lies inside the group's box
        assert whole.box.x <= piece.box.x and piece.box.x + piece.box.w <= whole.box.x + whole.box.w + 1


class CutJudge:
    """Reads narrow pieces (a loop) as 0 with `halves`, anything wider as 7 with `whole`."""

    def __init__(self, whole, halves):
        self.whole, self.halves = whole, halves
        self.calls = 0

    def classify(self, batch):
        self.calls += 1
        rows = np.full((len(batch), 10), 0.001, np.float32)
        for i, image in enumerate(batch):
            cols = np.flatnonzero(image.max(axis=0) > 0.2)
            narrow = len(cols) and (cols[-1] - cols[0] + 1) < 19   # a 20x20 fit of a wide blob fills 20 columns
            digit, p = (0, self.halves) if narrow else (7, self.whole)
            rows[i, digit] = p
        return rows


@pytest.mark.parametrize("whole, halves, cut", [(0.05, 0.97, True), (0.97, 0.9, False)])
def test_the_cut_is_kept_only_where_the_model_reads_the_pieces_better(whole, halves, cut):
    judge = CutJudge(whole, halves)
    result = Recognizer(judge).recognize_strokes(cursive_pair())
    assert judge.calls == 1
    assert len(result.digits) == (4 if cut else 3), [(d.digit, d.box) for d in result.digits]


@pytest.fixture(scope="module")
def reader(real_runner):
    return Recognizer(real_runner)


def test_two_lines_drawn_on_the_canvas_are_read_line_by_line(reader):
    """'12' drawn above '345' merged column by column, or read '13245'."""
    below = [PenStroke(s.points + (30, 140), s.width) for s in number("345")]
    result = reader.recognize_strokes(number("12") + below)
    assert result.text == "12 345" and [d.line for d in result.digits] == [0, 0, 1, 1, 1]
    assert reader.recognize_strokes(number("4750")).text == "4750"   # one line stays one line


def test_touching_digits_drawn_separately_are_read_apart(reader):
    assert reader.recognize_strokes(touching_ten()).text == "10"


def test_a_two_stroke_4_a_barred_7_and_a_late_bar_on_a_5_are_read_as_written(reader):
    five = digit("5", 180)
    strokes = digit("4", 0) + digit("7", 90) + [five[0]] + digit("0", 270) + [five[1]]
    result = reader.recognize_strokes(strokes)
    assert result.text == "4750"
    assert len(result.digits) == 4


def test_a_4_whose_bar_stops_short_of_its_stem_is_one_digit(reader):
    assert reader.recognize_strokes(gapped_four(0)).text == "4"
    assert reader.recognize_strokes(digit("1", -60) + gapped_four(0) + digit("7", 130)).text == "147"


def test_digits_written_close_together_stay_apart(reader):
    assert reader.recognize_strokes(number("1111", gap=0.02)).text == "1111"
    assert reader.recognize_strokes(number("4747", gap=0.02)).text == "4747"


def test_a_k_drawn_as_a_bar_and_an_angle_is_not_read_as_a_one(reader):
    """The grouping splits touching strokes into digits; the model's refusal of the '<' undoes that."""
    bar = PenStroke(np.array([(0.25, 0.0), (0.25, 1.0)]) * 200 + 50, 20)
    angle = PenStroke(np.array([(0.8, 0.0), (0.25, 0.55), (0.8, 1.0)]) * 200 + 50, 20)
    seven = [PenStroke(s.points + (260, 0), s.width) for s in digit("7", 0)]
    result = reader.recognize_strokes([bar, angle] + seven)
    assert result.text == "7" and [d.not_digit for d in result.digits] == [True, False]
