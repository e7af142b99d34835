"""Segmentation finds each digit once, left to right, boxed where it is in the input."""
import cv2
import numpy as np
import pytest

from digitdesk.engine.segment import find_digits, remove_ruled_lines
from tests.engine import images


def boxes(image) -> list[tuple[int, int, int, int]]:
    return [(d.box.x, d.box.y, d.box.w, d.box.h) for d in find_digits(image)]


def iou(a, b) -> float:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    w = max(0, min(ax + aw, bx + bw) - max(ax, bx))
    h = max(0, min(ay + ah, by + bh) - max(ay, by))
    return w * h / float(aw * ah + bw * bh - w * h)


def assert_matches(found, drawn, min_iou=0.75):
    assert len(found) == len(drawn), f"found {found}, drew {drawn}"
    for f, d in zip(found, drawn):  # same order: left to right
        assert iou(f, d) >= min_iou, f"box {f} does not match drawn {d}"


@pytest.mark.parametrize("kind", ["white", "grey", "gradient", "shadow", "ruled"])
def test_a_written_number_gives_its_digits_left_to_right(kind):
    picture = images.on_paper(images.number_image("2026"), kind)
    assert_matches(boxes(picture), images.digit_boxes("2026"))


def test_blurred_low_quality_jpeg_photo():
    picture = images.jpeg(images.blur(images.on_paper(images.number_image("4759"), "shadow"), 1.5), 35)
    assert_matches(boxes(picture), images.digit_boxes("4759"))


def test_touching_digits_are_cut_apart():
    picture = images.number_image("2026", gap=-0.05)  # the 0 and the 2 run into each other
    assert_matches(boxes(picture), images.digit_boxes("2026", gap=-0.05), min_iou=0.5)


def test_a_five_written_in_two_strokes_stays_one_digit():
    canvas = np.full((300, 300), 255, np.uint8)
    images.draw_digit(canvas, 5, (80, 60, 140, 200), thickness=10, detach=0.08)  # bar floats above
    found = boxes(canvas)
    assert len(found) == 1
    x, y, w, h = found[0]
    assert y < 60 - 0.08 * 200 + 5  # the box includes the detached bar


def test_a_thin_broken_seven_stays_one_digit():
    canvas = np.full((300, 300), 255, np.uint8)
    cv2.line(canvas, (80, 60), (220, 60), 0, 4, cv2.LINE_AA)
    cv2.line(canvas, (215, 78), (140, 250), 0, 4, cv2.LINE_AA)  # the stem misses the bar
    assert len(boxes(canvas)) == 1


def test_a_four_with_a_broken_stroke_stays_one_digit():
    canvas = np.full((300, 300), 255, np.uint8)
    cv2.polylines(canvas, [np.array([[150, 40], [70, 170], [230, 170]])], False, 0, 5, cv2.LINE_AA)
    cv2.line(canvas, (180, 60), (180, 260), 0, 5, cv2.LINE_AA)
    canvas[120:135, 170:190] = 255  # a thin scan loses part of the vertical stroke
    assert len(boxes(canvas)) == 1


def test_specks_are_ignored():
    canvas = images.canvas_digit(3, size=(400, 400), box=(120, 60, 160, 280), thickness=16)
    rng = np.random.default_rng(1)
    for y, x in rng.integers(0, 400, (30, 2)):
        cv2.circle(canvas, (int(x), int(y)), 2, 0, -1)
    found = boxes(canvas)
    assert len(found) == 1
    assert iou(found[0], (120, 60, 160, 280)) > 0.7


@pytest.mark.parametrize("seed", range(8))
def test_dust_on_a_tiny_picture_is_not_a_digit(seed):
    """A tiny picture is upscaled before it is read: one pixel of dust must not grow into a "digit"."""
    rng = np.random.default_rng(seed)
    page = images.paper((36, 60), "gradient", seed)
    page[rng.integers(2, 34, 12), rng.integers(2, 58, 12)] -= 140
    assert boxes(np.clip(page, 0, 255).astype(np.uint8)) == []


def test_ruled_lines_through_the_digits_are_not_digits():
    picture = images.number_image("47")
    picture[100:103, :] = 110   # a ruled line crossing both digits
    picture[60:62, :] = 150
    found = boxes(picture)
    assert_matches(found, images.digit_boxes("47"))


def test_remove_ruled_lines_keeps_the_strokes_it_crossed():
    mask = np.zeros((100, 200), np.uint8)
    mask[50:52, :] = 1          # ruled line
    mask[20:80, 60:64] = 1      # a vertical stroke crossing it
    cleaned = remove_ruled_lines(mask)
    assert cleaned[50:52, :40].sum() == 0 and cleaned[50:52, 100:].sum() == 0
    assert cleaned[20:80, 60:64].all()  # still one unbroken stroke


def test_boxes_are_in_the_input_pixels_of_a_big_photo():
    picture = np.full((2000, 3000), 255, np.uint8)
    images.draw_digit(picture, 7, (1800, 600, 300, 500), thickness=40)
    (found,) = boxes(picture)
    assert iou(found, (1800, 600, 300, 500)) > 0.7


def test_boxes_are_in_the_input_pixels_of_a_tiny_bitmap():
    big = images.canvas_digit(1, size=(160, 160), box=(60, 20, 40, 120), thickness=14)
    bitmap = np.where(big[::10, ::10] > 127, 255, 0).astype(np.uint8)  # 16x16
    (found,) = boxes(bitmap)
    x, y, w, h = found
    assert 0 <= x and x + w <= 16 and 0 <= y and y + h <= 16
    assert h >= 11 and w <= 6


def test_each_digit_keeps_only_its_own_strokes():
    """The 7's bar reaches into the 4's box; it must not become part of the 4 (or the 4's bar of the 7)."""
    four, seven = find_digits(images.number_image("47", gap=-0.2))
    assert four.box.x + four.box.w > seven.box.x  # the boxes do overlap
    lone_four = find_digits(images.number_image("4", gap=-0.2))[0]
    assert four.ink.shape == lone_four.ink.shape
    np.testing.assert_allclose(four.ink, lone_four.ink, atol=0.02)
    lone_seven = find_digits(images.number_image("7", gap=-0.2))[0]
    assert abs(float(seven.ink.sum()) - float(lone_seven.ink.sum())) < 0.03 * float(lone_seven.ink.sum())


def test_a_number_written_small_in_a_big_photo():
    """Digits 60 px tall in a 2400x1800 photo: segmented on a finer level than the page overview."""
    photo = np.full((1800, 2400), 235, np.uint8)
    number = images.number_image("2026", digit_height=60, thickness=6, margin=20)
    photo[900:900 + number.shape[0], 1000:1000 + number.shape[1]] = np.minimum(number, 235)
    drawn = [(1000 + x, 900 + y, w, h) for x, y, w, h in images.digit_boxes("2026", 60, margin=20)]
    assert_matches(boxes(photo), drawn, min_iou=0.6)


# --- a '2' beside a '1': the tail's hook stays with the 2 ------------------------------------

def _pen(canvas: np.ndarray, points, thickness: int) -> None:
    cv2.polylines(canvas, [np.rint(np.array(points) * 16).astype(np.int32)], False, 0, thickness,
                  cv2.LINE_AA, shift=4)


def test_a_two_with_a_hooked_tail_beside_a_slanted_one_is_one_digit():
    """A slanted '1' used to set the page's digit width, so the 2 counted as two touching digits."""
    canvas = np.full((300, 460), 255, np.uint8)
    _pen(canvas, [(115, 102), (162, 70), (90, 230)], 20)                      # a '1', 72 px wide, 160 tall
    two = [(0.05, 0.25), (0.2, 0.04), (0.45, 0.03), (0.6, 0.22), (0.5, 0.5),  # body 0.6 of its height wide,
           (0.05, 0.97), (0.95, 0.97), (1.05, 0.77)]                           # a long tail, a hook at its end
    _pen(canvas, [(210 + 160 * x, 70 + 160 * y) for x, y in two], 20)
    found = boxes(canvas)
    assert len(found) == 2, found
    x, y, w, h = found[1]
    assert x + w >= 210 + 160 * 1.05  # the 2's box holds the hook
    assert h >= 150


def test_mnist_twos_beside_slanted_ones_stay_whole(mnist_path):
    """Real handwriting: '1's slanted to 0.4-0.5 of their height, '2's no wider than tall, side by side."""
    ones, twos = images.slanted_ones_and_twos(mnist_path, 5, 10)
    for i, (one, two) in enumerate((one, two) for one in ones for two in twos):
        picture = images.mnist_on_paper(np.stack([one, two]), 70, "white", seed=i)
        assert len(boxes(picture)) == 2, f"pair {i}: {boxes(picture)}"


# --- paper edges and shade are not ink -------------------------------------------------------------

def sheet_photo(text: str, desk: float, sheet_shade: float = 1.0, desk_from: int | None = None,
                frame: tuple[int, int] = (480, 640)):
    """A number on a sheet lying on a flat desk, and the boxes it was drawn in.

    The sheet darkens toward its right end to `sheet_shade` of its brightness
    and ends 30 px after the last digit; `desk_from` instead lets the sheet fill
    the frame up to that column (a desk beyond it, along the frame's edge).
    """
    digit_height, margin, gap = 60, 30, 30
    number = images.number_image(text, digit_height=digit_height, thickness=6, margin=margin)
    drawn = images.digit_boxes(text, digit_height, margin=margin)
    sheet_height, sheet_width = number.shape[0], drawn[-1][0] + drawn[-1][2] + gap
    sheet = np.minimum(number[:, :sheet_width], 240).astype(np.float32)
    sheet *= np.linspace(1.0, sheet_shade, sheet_width, dtype=np.float32)[None, :]
    photo = np.full(frame, desk, np.float32)
    y = (frame[0] - sheet_height) // 2
    if desk_from is None:
        x = (frame[1] - sheet_width) // 2
    else:
        photo[:, :desk_from] = 240
        x = desk_from - sheet_width
    photo[y:y + sheet_height, x:x + sheet_width] = sheet
    photo += np.random.default_rng(0).normal(0, 3, frame)
    return np.clip(photo, 0, 255).astype(np.uint8), [(x + bx, y + by, bw, bh) for bx, by, bw, bh in drawn]


def test_the_shaded_end_of_a_small_sheet_is_not_ink():
    """A sheet held in front of a brighter wall, its far end in shade: the shade used to swallow the last digit."""
    picture, drawn = sheet_photo("4370", desk=235, sheet_shade=0.65)
    assert_matches(boxes(picture), drawn, min_iou=0.6)


@pytest.mark.parametrize("desk", [180, 60])
@pytest.mark.parametrize("desk_from", [580, 390])
def test_a_darker_desk_beside_the_sheet_is_not_ink(desk, desk_from):
    """The sheet's edge runs down the frame 30 px after the last digit; beyond it, a darker desk."""
    picture, drawn = sheet_photo("4370", desk=desk, desk_from=desk_from)
    assert_matches(boxes(picture), drawn, min_iou=0.6)


@pytest.mark.parametrize("edge", ["left", "right", "top", "bottom"])
@pytest.mark.parametrize("desk", [150, 110])
def test_a_sliver_of_desk_along_the_frame_edge_of_an_askew_sheet_is_not_a_digit(edge, desk):
    """The sheet's edge crosses the frame at a slant: a thin wedge of darker desk along one edge, as narrow
    as a stroke at its widest, once read as a '1' beside the number."""
    number = images.number_image("42", digit_height=180, thickness=16, margin=140)
    h, w = number.shape
    sheet = {"left": [(0, 0), (w, 0), (w, h), (26, h), (0, 0.45 * h)],
             "right": [(w, 0), (0, 0), (0, h), (w - 26, h), (w, 0.45 * h)],
             "top": [(0, 0), (0.55 * w, 0), (w, 26), (w, h), (0, h)],
             "bottom": [(0, h), (0.55 * w, h), (w, h - 26), (w, 0), (0, 0)]}[edge]
    photo = np.full(number.shape, desk, np.uint8)
    cv2.fillPoly(photo, [np.array(sheet, np.int32)], 255)
    photo = np.where(photo == 255, np.minimum(number, 238), photo).astype(np.uint8)
    assert_matches(boxes(photo), images.digit_boxes("42", 180, margin=140), min_iou=0.6)


@pytest.mark.parametrize("digit,thickness", [(1, 14), (8, 45), (2, 30), (7, 14), (4, 20), (1, 40)])
def test_a_digit_cropped_to_its_ink_still_reads(digit, thickness):
    """A scan cropped close to the digit: its strokes run into the frame's edges, and are still ink."""
    drawn = images.canvas_digit(digit, size=(300, 300), box=(60, 40, 180, 220), thickness=thickness)
    x, y, w, h = cv2.boundingRect((drawn < 128).astype(np.uint8))
    crop = drawn[y:y + h, x:x + w]
    (found,) = boxes(crop)
    assert iou(found, (0, 0, w, h)) > 0.9


def test_mnist_digits_reaching_the_frame_keep_all_their_ink(mnist_path):
    """As MNIST stores them (28x28, light on dark), and scanned dark on light, cropped to the ink."""
    digits, _ = images.load_mnist_test(mnist_path, count=100)
    for i, digit in enumerate(digits):
        assert len(boxes(digit)) == 1, f"digit {i}"
        x, y, w, h = cv2.boundingRect((digit > 0).astype(np.uint8))
        found = boxes(255 - digit[y:y + h, x:x + w])
        assert found, f"digit {i} lost"
        left, top = min(b[0] for b in found), min(b[1] for b in found)
        right, bottom = max(b[0] + b[2] for b in found), max(b[1] + b[3] for b in found)
        assert right - left >= 0.8 * w and bottom - top >= 0.8 * h, f"digit {i}: {found} in {w}x{h}"


def _two_lines(top: str, bottom: str, shift: int = 0, line_gap: int = 40) -> np.ndarray:
    page = np.full((2 * 180 + line_gap + 60, 760), 255, np.uint8)
    for row, (text, x0) in enumerate(((top, 40), (bottom, 40 + shift))):
        for i, digit in enumerate(text):
            images.draw_digit(page, int(digit), (x0 + i * 160, 30 + row * (180 + line_gap), 110, 180), 12)
    return page


@pytest.mark.parametrize("shift", [0, 80])
def test_two_lines_of_digits_are_read_line_by_line(shift):
    """Digits of different lines shared columns and merged into one tall '1', or were read in one
    left-to-right order ('12' over '345' read '13245')."""
    from digitdesk.engine.recognizer import Recognizer
    reading = Recognizer().recognize(_two_lines("12", "345", shift))
    assert reading.text == "12 345"
    assert [d.line for d in reading.digits] == [0, 0, 1, 1, 1]
    assert [d.to_dict()["line"] for d in reading.digits] == [0, 0, 1, 1, 1]


@pytest.mark.parametrize("text", ["1234", "4590"])
def test_a_number_cut_by_a_blank_stripe_is_not_taken_for_two_lines(text):
    """A fold or a scanner streak across a number leaves half digits above and below: no lines of writing
    (they read '117711 134' when the halves passed for two lines)."""
    from digitdesk.engine.recognizer import Recognizer
    page = np.full((320, 200 * len(text) + 80), 255, np.uint8)
    for i, digit in enumerate(text):
        images.draw_digit(page, int(digit), (40 + i * 200, 60, 130, 200), 16)
    page[150:164, :] = 255
    assert Recognizer().recognize(page).text == text


def test_a_broken_digit_is_not_taken_for_two_lines():
    """The loop and the tail of a 9 written in two strokes lie in two bands of rows: one digit still."""
    page = np.full((300, 220), 255, np.uint8)
    images.draw_digit(page, 9, (50, 40, 110, 200), 12)
    page[130:160, :] = 255          # a clear gap between the loop and the tail
    from digitdesk.engine.segment import segment_lines
    from digitdesk.engine.prepare import Page
    assert len(segment_lines(Page(page))) == 1
