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
