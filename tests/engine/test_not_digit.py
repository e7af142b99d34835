"""The bundled model refuses what is not a digit, and does not refuse real digits.

Hand-made marks are drawn the way the Draw tab paints them; real digits are
the bundled samples, MNIST test writers and UNIPEN's held-out writers (the
last two skip when the data is absent).
"""
import numpy as np
import pytest

from digitdesk.engine.recognizer import Recognizer
from digitdesk.engine.results import EMPTY, NOT_DIGIT
from digitdesk.engine.stroke_ink import render_strokes
from digitdesk.paths import samples_dir
from tests.engine import images


def drawing(*strokes, width: float = 22.0, size: int = 420) -> np.ndarray:
    """Strokes given in a 0-1 box, painted black on a white 420x420 canvas (the Draw tab's default)."""
    scaled = [np.asarray(s, np.float64) * 260 + 80 for s in strokes]
    ink = render_strokes(scaled, width, origin=(0, 0), shape=(size, size))
    return np.rint(255 * (1 - ink)).astype(np.uint8)


LETTERS = {
    "A": [[(0.1, 1), (0.5, 0), (0.9, 1)], [(0.27, 0.6), (0.73, 0.6)]],
    "E": [[(0.8, 0), (0.2, 0), (0.2, 1), (0.8, 1)], [(0.2, 0.5), (0.7, 0.5)]],
    "H": [[(0.2, 0), (0.2, 1)], [(0.8, 0), (0.8, 1)], [(0.2, 0.5), (0.8, 0.5)]],
    "K": [[(0.25, 0), (0.25, 1)], [(0.8, 0), (0.25, 0.55), (0.8, 1)]],
    "X": [[(0.15, 0), (0.85, 1)], [(0.85, 0), (0.15, 1)]],
    "W": [[(0, 0.1), (0.25, 0.95), (0.5, 0.35), (0.75, 0.95), (1, 0.1)]],
}


def tangle(seed: int):
    rng = np.random.default_rng(seed)
    points = rng.random((18, 2))
    t = np.linspace(0, 17, 200)
    return [np.stack([np.interp(t, np.arange(18), points[:, k]) for k in (0, 1)], axis=1)]


@pytest.fixture(scope="module")
def recognizer(real_runner):
    return Recognizer(real_runner)


@pytest.mark.parametrize("letter", sorted(LETTERS))
def test_a_handwritten_letter_is_refused(recognizer, letter):
    result = recognizer.recognize(drawing(*LETTERS[letter]))
    assert result.status == NOT_DIGIT and result.text == "", (letter, result.digits[0].probabilities)


@pytest.mark.parametrize("seed", range(3))
def test_a_scribble_is_refused(recognizer, seed):
    result = recognizer.recognize(drawing(*tangle(seed), width=10))
    assert result.status == NOT_DIGIT and result.message == "That doesn't look like a digit"


@pytest.mark.parametrize("tilt", [0.0, 0.08, -0.1])
def test_a_dash_is_refused_not_read_as_a_four(recognizer, tilt):
    """A level dash is taken for a ruled line (nothing to read); a tilted one is refused."""
    result = recognizer.recognize(drawing([(0.1, 0.5), (0.9, 0.5 + tilt)]))
    assert result.text == "" and result.status in (NOT_DIGIT, EMPTY)


def test_a_dash_between_digits_is_left_out_of_the_number(recognizer):
    picture = images.number_image("27")
    height, width = picture.shape
    canvas = np.full((height, width + 120), 255, np.uint8)
    canvas[:, :width // 2] = picture[:, :width // 2]
    canvas[:, width // 2 + 120:] = picture[:, width // 2:]
    canvas[height // 2 - 5:height // 2 + 5, width // 2 + 20:width // 2 + 100] = 0
    result = recognizer.recognize(canvas)
    assert result.text == "27" and [d.not_digit for d in result.digits] == [False, True, False]


def test_the_bundled_sample_digits_are_not_refused(recognizer):
    files = sorted(samples_dir().glob("[0-9].png"))
    results = recognizer.recognize_many(files)
    assert [r.text for r in results] == [f.stem for f in files]


@pytest.mark.parametrize("digit", range(10))
def test_drawn_digits_are_not_refused(recognizer, digit):
    assert recognizer.recognize(images.canvas_digit(digit, thickness=22)).status != NOT_DIGIT


def test_at_most_one_in_a_hundred_mnist_test_digits_is_refused(recognizer, mnist_path):
    digits, _ = images.load_mnist_test(mnist_path, count=2000)
    probabilities = recognizer.runner.classify(digits.astype(np.float32) / 255)
    refused = (probabilities[:, 10] >= recognizer.not_digit_threshold).mean()
    assert refused <= 0.01
