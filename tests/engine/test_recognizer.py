"""Recognizer: pictures in, digits out; one model call per batch of pictures."""
import io

import numpy as np
import pytest
from PIL import Image

from digitdesk.engine.decode import ImageDecodeError
from digitdesk.engine.recognizer import UNSURE_THRESHOLD, Recognizer, recognize
from digitdesk.engine.results import EMPTY, OK, UNSURE
from tests.engine import images


class SpyRunner:
    """Stands in for the model: the i-th input of a call is read as digit i % 10 with a set confidence."""

    def __init__(self, confidence: float = 0.95, scale: float = 1.0):
        self.confidence, self.scale = confidence, scale
        self.calls: list[np.ndarray] = []

    def classify(self, batch: np.ndarray) -> np.ndarray:
        self.calls.append(np.array(batch, copy=True))
        rows = np.full((len(batch), 10), (1 - self.confidence) / 9, np.float32)
        rows[np.arange(len(batch)), np.arange(len(batch)) % 10] = self.confidence
        return rows * self.scale


def test_recognize_many_classifies_every_digit_of_every_picture_in_one_call():
    spy = SpyRunner()
    pictures = [images.number_image("12"), np.full((80, 80), 255, np.uint8), images.number_image("345")]
    results = Recognizer(spy).recognize_many(pictures)
    assert len(spy.calls) == 1 and spy.calls[0].shape == (5, 28, 28)
    assert [r.text for r in results] == ["01", "", "234"]  # the spy's answers, in picture order
    assert [r.status for r in results] == [OK, EMPTY, OK]


def test_each_reading_carries_what_the_model_saw_and_where():
    spy = SpyRunner()
    result = Recognizer(spy).recognize(images.number_image("47"))
    for i, (reading, drawn) in enumerate(zip(result.digits, images.digit_boxes("47"))):
        np.testing.assert_array_equal(reading.input28, spy.calls[0][i])
        assert reading.input28.shape == (28, 28) and reading.input28.dtype == np.float32
        x, y, w, h = drawn
        assert reading.box.x <= x + w / 2 <= reading.box.x + reading.box.w  # box around the drawn digit
        assert reading.box.y <= y + h / 2 <= reading.box.y + reading.box.h


def test_an_empty_picture_never_reaches_the_model():
    spy = SpyRunner()
    result = Recognizer(spy).recognize(np.full((300, 400), 255, np.uint8))
    assert spy.calls == []
    assert result.status == EMPTY and result.message == "Nothing to read" and result.digit is None


def test_probabilities_are_normalised_even_if_the_runner_is_sloppy():
    result = Recognizer(SpyRunner(scale=3.7)).recognize(images.canvas_digit(3))
    (reading,) = result.digits
    assert reading.probabilities.shape == (10,) and reading.probabilities.dtype == np.float32
    assert float(reading.probabilities.sum()) == pytest.approx(1.0, abs=1e-6)
    assert reading.confidence == pytest.approx(0.95, abs=1e-6)


@pytest.mark.parametrize("confidence,threshold,unsure", [
    (UNSURE_THRESHOLD - 0.05, UNSURE_THRESHOLD, True), (UNSURE_THRESHOLD + 0.05, UNSURE_THRESHOLD, False),
    (0.7, 0.75, True), (0.7, 0.65, False)])
def test_low_confidence_is_flagged_unsure(confidence, threshold, unsure):
    result = Recognizer(SpyRunner(confidence), unsure_threshold=threshold).recognize(images.canvas_digit(3))
    assert result.digits[0].unsure is unsure
    assert result.status == (UNSURE if unsure else OK)


def test_accepts_paths_bytes_pil_and_colour_arrays(tmp_path):
    grey = images.canvas_digit(7, size=(200, 200), thickness=12)
    path = tmp_path / "seven.png"
    Image.fromarray(grey).save(path)
    buffer = io.BytesIO()
    Image.fromarray(grey).save(buffer, "PNG")
    rgba = np.dstack([np.repeat(grey[:, :, None], 3, 2), np.full(grey.shape, 255, np.uint8)])
    spy = SpyRunner()
    results = Recognizer(spy).recognize_many(
        [grey, str(path), path, buffer.getvalue(), Image.fromarray(grey), rgba, rgba[:, :, :3]])
    assert all(len(r.digits) == 1 for r in results)
    for x in spy.calls[0][1:]:
        np.testing.assert_allclose(x, spy.calls[0][0], atol=1e-5)  # all the same picture to the model


def test_unreadable_file_raises_a_decode_error(tmp_path):
    path = tmp_path / "notes.png"
    path.write_text("not a picture")
    with pytest.raises(ImageDecodeError, match="not an image file"):
        Recognizer(SpyRunner()).recognize(path)


# --- with the real model ------------------------------------------------------------------------

@pytest.mark.parametrize("thickness", [6, 60])
@pytest.mark.parametrize("digit", range(10))
def test_reads_drawn_digits_with_fine_and_fat_pens(real_runner, digit, thickness):
    result = Recognizer(real_runner).recognize(images.canvas_digit(digit, thickness=thickness))
    assert result.digit == digit and result.status == OK


@pytest.mark.parametrize("kind", ["shadow", "ruled", "grey"])
def test_reads_a_number_photographed_on_paper(real_runner, kind):
    picture = images.jpeg(images.on_paper(images.number_image("1074"), kind), 60)
    assert Recognizer(real_runner).recognize(picture).text == "1074"


def test_module_level_recognize_uses_the_bundled_model(real_runner):
    result = recognize(images.canvas_digit(1))
    assert result.text == "1"
    assert float(result.digits[0].probabilities.sum()) == pytest.approx(1.0, abs=1e-6)


def test_exif_rotated_phone_photo_reads_upright(real_runner, tmp_path):
    upright = Image.fromarray(images.on_paper(images.canvas_digit(7, size=(400, 300), thickness=20), "gradient"))
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / "phone.jpg"
    upright.transpose(Image.Transpose.ROTATE_90).save(path, "JPEG", quality=85, exif=exif)
    assert Recognizer(real_runner).recognize(path).text == "7"


@pytest.mark.parametrize("height,kind", [(20, "white"), (40, "gradient"), (120, "shadow"), (300, "ruled")])
def test_reads_mnist_digits_pasted_on_paper(real_runner, mnist_path, height, kind):
    """Real handwriting (MNIST test digits, inverted to ink on paper), at several sizes and papers."""
    digits, labels = images.load_mnist_test(mnist_path, count=60)
    recognizer = Recognizer(real_runner)
    pictures = [images.mnist_on_paper(digits[i:i + 5], height, kind, seed=i) for i in range(0, 60, 5)]
    results = recognizer.recognize_many(pictures)
    expected = ["".join(map(str, labels[i:i + 5])) for i in range(0, 60, 5)]
    found = sum(r.text == e for r, e in zip(results, expected))
    assert found >= 11, list(zip([r.text for r in results], expected))  # at most one number misread
