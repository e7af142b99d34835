"""Odd shapes, types and values: a reading (usually empty) or an UnreadableImage in plain words, never a crash.

A fake runner stands in for the model: these tests are about preparation and segmentation, which must
cope with anything a user or a program hands over, and they run hundreds of pictures in seconds.
"""
import io
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from PIL import Image

from digitdesk.engine.decode import UnreadableImage, load_image
from digitdesk.engine.recognizer import Recognizer
from digitdesk.engine.results import Recognition
from tests.engine.images import draw_digit

pytestmark = pytest.mark.filterwarnings("error")   # numpy's RuntimeWarnings would reach a user's terminal too

# What a library's own error looks like: OpenCV's assertion text, numpy's casting complaints, tracebacks.
LIBRARY_TEXT = re.compile(r"OpenCV|cv2|cv::|Assertion|\(-\d+:|error:|Traceback|numpy|dtype\(|ufunc|0x[0-9a-f]{6}",
                          re.IGNORECASE)


class UniformRunner:
    """Any object with classify(batch) -> (n, 10) probabilities will do; this one always says '5' at 60%."""

    def classify(self, batch):
        batch = np.asarray(batch)
        assert batch.shape[1:] in ((28, 28), (28, 28, 1)) and np.isfinite(batch).all()
        probabilities = np.full((len(batch), 10), 0.4 / 9, np.float32)
        probabilities[:, 5] = 0.6
        return probabilities


@pytest.fixture(scope="module")
def recognizer():
    return Recognizer(UniformRunner())


def read(recognizer, picture) -> Recognition | UnreadableImage:
    """The engine's answer: a Recognition, or the UnreadableImage it raised (anything else fails the test)."""
    try:
        result = recognizer.recognize(picture)
    except UnreadableImage as error:
        return error
    assert isinstance(result, Recognition)
    return result


def assert_plain(error: UnreadableImage) -> None:
    message = str(error)
    assert message and len(message) < 160 and "\n" not in message, message
    assert not LIBRARY_TEXT.search(message), message


@pytest.mark.parametrize("shape, value", [
    ((3, 20_000), 255), ((20_000, 3), 255), ((3, 20_000), 0), ((1, 500), 0), ((500, 1), 128), ((1, 1), 0),
    ((2, 2), 255), ((1, 2), 0), ((2, 50_000, 3), 200), ((9_000, 9_000), 255), ((6_000, 8_000, 3), 250),
])
def test_extreme_and_huge_blank_shapes_read_as_empty(recognizer, shape, value):
    result = read(recognizer, np.full(shape, value, np.uint8))
    assert isinstance(result, Recognition) and result.status == "empty"


@pytest.mark.parametrize("width", [1, 2, 3])
def test_strips_a_few_pixels_wide_with_ink_patterns_give_a_reading(recognizer, width):
    rng = np.random.default_rng(width)
    for strip in (rng.integers(0, 256, (4_000, width), dtype=np.uint8),
                  np.where(np.arange(4_000) % 97 < 30, 0, 255).astype(np.uint8)[:, None].repeat(width, 1),
                  np.where(np.arange(30_000) % 50 < 10, 20, 240).astype(np.uint8)[None].repeat(width, 0)):
        assert isinstance(read(recognizer, strip), Recognition)


def test_a_long_thin_strip_of_digits_is_still_read_where_they_are(recognizer):
    """Adding paper to a 40:1 strip must not move or lose its digits."""
    strip = np.full((60, 2_400), 255, np.uint8)
    for i, digit in enumerate((3, 1, 4)):
        draw_digit(strip, digit, (300 + 700 * i, 8, 30, 44), thickness=4)
    result = read(recognizer, strip)
    assert isinstance(result, Recognition) and len(result.digits) == 3
    for i, reading in enumerate(result.digits):
        box = reading.box
        assert abs(box.x - (300 + 700 * i)) <= 8 and box.y + box.h <= 60 and box.w <= 40


@pytest.mark.parametrize("picture, words", [
    (np.zeros((5, 5, 2), np.uint8), "expected a grey, RGB or RGBA image"),
    (np.zeros((4, 4, 3, 2), np.uint8), "expected a grey, RGB or RGBA image"),
    (np.zeros(7, np.uint8), "expected a grey, RGB or RGBA image"),
    (np.zeros((0, 9), np.uint8), "no pixels"),
    (np.zeros((6, 6), np.complex64), "not brightness values"),
    (np.array([["a", "b"], ["c", "d"]]), "not brightness values"),
    ([[1, 2, 3], [4, 5]], "do not form a grid"),
])
def test_things_that_are_not_pictures_are_refused_in_words(recognizer, picture, words):
    result = read(recognizer, picture)
    assert isinstance(result, UnreadableImage) and words in str(result)
    assert_plain(result)


def png(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("shape", [(3, 20_000), (20_000, 1), (1, 1), (2, 9_000, 3)])
def test_odd_shaped_files_decode_and_read(recognizer, shape):
    picture = load_image(png(np.full(shape, 230, np.uint8)))
    assert isinstance(read(recognizer, picture), Recognition)


# ---- property: anything at all -------------------------------------------------------------------
SIDES = st.one_of(st.integers(1, 80), st.sampled_from([1, 2, 3, 97, 500, 3_000, 20_000]))
DTYPES = st.sampled_from([np.uint8, np.uint16, np.int8, np.int32, np.int64, np.float16, np.float32,
                          np.float64, np.bool_, np.complex64])


@st.composite
def pictures(draw):
    """Arrays of any shape (extremely long and thin too), dtype and values, NaN and infinities included."""
    height, width = draw(SIDES), draw(SIDES)
    if height * width > 2_000_000:
        width = max(1, 2_000_000 // height)
    channels = draw(st.sampled_from([None, None, 1, 2, 3, 4, 5]))
    shape = (height, width) if channels is None else (height, width, channels)
    if draw(st.integers(0, 9)) == 0:
        shape = draw(st.sampled_from([(height,), (height, width, 3, 1), (0, width), (height, 0, 3)]))
    dtype = np.dtype(draw(DTYPES))
    if dtype.kind == "f":
        elements = st.floats(allow_nan=True, allow_infinity=True, width=min(dtype.itemsize * 8, 64))
    elif dtype.kind == "c":
        elements = st.complex_numbers(allow_nan=False, allow_infinity=False, max_magnitude=1e3, width=64)
    else:
        elements = hnp.from_dtype(dtype)
    fill = draw(hnp.from_dtype(dtype, allow_nan=False, allow_infinity=False) if dtype.kind in "fc"
                else hnp.from_dtype(dtype))
    return draw(hnp.arrays(dtype, shape, elements=elements, fill=st.just(fill)))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(picture=pictures())
def test_any_array_gives_a_reading_or_a_plain_refusal(recognizer, picture):
    result = read(recognizer, picture)
    if isinstance(result, UnreadableImage):
        assert_plain(result)
    else:
        assert result.status in ("empty", "ok", "unsure", "not_digit")
        for digit in result.digits:
            x, y, w, h = digit.box.as_list()
            assert 0 <= x and 0 <= y and w >= 1 and h >= 1
            assert x + w <= picture.shape[1] and y + h <= picture.shape[0]   # boxes inside the picture
            assert digit.input28.shape == (28, 28) and np.isfinite(digit.input28).all()


@settings(max_examples=100, deadline=None)
@given(data=st.binary(min_size=0, max_size=400))
def test_any_bytes_decode_or_are_refused_in_words(recognizer, data):
    try:
        picture = load_image(data)
    except UnreadableImage as error:
        assert_plain(error)
        return
    assert isinstance(read(recognizer, picture), Recognition | UnreadableImage)
