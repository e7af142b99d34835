"""numpy <-> QImage: pixels survive both ways and neither side shares memory with the other."""
import numpy as np
from PySide6.QtGui import QColor, QImage

from digitdesk.gui.qt_convert import (array_to_qimage, float_to_qimage, gray_to_qimage, qimage_to_gray,
                                      qimage_to_rgb, rgb_to_qimage)


def test_gray_round_trip_with_odd_width():
    gray = np.random.default_rng(0).integers(0, 256, (13, 7), dtype=np.uint8)   # rows padded in QImage
    np.testing.assert_array_equal(qimage_to_gray(gray_to_qimage(gray)), gray)


def test_rgb_round_trip_keeps_channel_order():
    rgb = np.zeros((4, 5, 3), np.uint8)
    rgb[..., 0] = 200                         # red
    image = rgb_to_qimage(rgb)
    assert QColor(image.pixel(2, 2)).red() == 200 and QColor(image.pixel(2, 2)).blue() == 0
    np.testing.assert_array_equal(qimage_to_rgb(image), rgb)


def test_image_does_not_change_when_the_array_does():
    gray = np.full((6, 6), 40, np.uint8)
    image = array_to_qimage(gray)
    gray[:] = 255
    del gray
    assert QColor(image.pixel(3, 3)).red() == 40


def test_array_does_not_change_when_the_image_is_painted():
    image = QImage(8, 8, QImage.Format.Format_RGB32)
    image.fill(QColor(10, 20, 30))
    rgb = qimage_to_rgb(image)
    image.fill(QColor(255, 255, 255))
    assert rgb[0, 0].tolist() == [10, 20, 30]


def test_transparent_pixels_become_white_paper():
    image = QImage(4, 4, QImage.Format.Format_ARGB32)
    image.fill(QColor(0, 0, 0, 0))
    image.setPixelColor(1, 1, QColor(0, 0, 0, 255))
    rgb = qimage_to_rgb(image)
    assert rgb[0, 0].tolist() == [255, 255, 255] and rgb[1, 1].tolist() == [0, 0, 0]


def test_pasted_light_ink_on_transparency_is_laid_on_black_as_a_decoded_file_is():
    image = QImage(16, 16, QImage.Format.Format_ARGB32)
    image.fill(QColor(0, 0, 0, 0))
    for x in (0, 4):
        image.setPixelColor(x, 4, QColor(250, 250, 250, 255))
    rgb = qimage_to_rgb(image)
    assert rgb[0, 0].tolist() == [0, 0, 0] and rgb[4, 4].tolist() == [250, 250, 250]


def test_model_input_floats_map_to_gray_levels():
    values = np.array([[0.0, 0.5, 1.0]], np.float32)
    assert qimage_to_gray(float_to_qimage(values)).tolist() == [[0, 128, 255]]
