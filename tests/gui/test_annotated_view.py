"""The labels over the digits' boxes in the Images and Webcam pictures."""
from dataclasses import replace

import numpy as np

from digitdesk.engine.results import Box, DigitReading
from digitdesk.gui.annotated_view import box_label


def reading(digit: int, confidence: float, unsure: bool = False) -> DigitReading:
    return DigitReading(digit, confidence, np.full(10, 0.1, np.float32), Box(0, 0, 20, 30),
                        np.zeros((28, 28), np.float32), unsure)


def test_a_box_says_unsure_in_its_words_not_by_its_colour_alone():
    assert box_label(reading(7, 0.96)) == "7 · 96%"
    assert box_label(reading(9, 0.37, unsure=True)) == "9? · 37%"
    assert box_label(replace(reading(9, 0.37, unsure=True), corrected=True)) == "9 · yours"
    assert box_label(replace(reading(9, 0.9), not_digit=True)) == "not a digit"


def test_with_the_keyboard_on_the_picture_a_frame_shows_it(qtbot):
    from PySide6.QtCore import Qt

    from digitdesk.engine.results import Recognition
    from digitdesk.gui.annotated_view import AnnotatedView

    view = AnnotatedView()
    qtbot.addWidget(view)
    view.resize(300, 200)
    view.set_image(np.full((100, 150, 3), 240, np.uint8), Recognition((reading(7, 0.96),)))
    view.show()
    qtbot.waitExposed(view)

    def edge_has_highlight() -> bool:
        picture = view.grab().toImage()
        highlight = view.palette().highlight().color().name()
        return any(picture.pixelColor(x, 1).name() == highlight for x in range(0, picture.width(), 2))

    assert not edge_has_highlight()
    view.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(view.hasFocus)
    assert edge_has_highlight()   # drawn over the picture, not under it


def test_a_label_wider_than_its_box_goes_where_it_covers_no_other_digits_box(qtbot):
    from PySide6.QtCore import QRectF

    from digitdesk.gui.annotated_view import AnnotatedView

    view = AnnotatedView()
    qtbot.addWidget(view)
    view.resize(300, 200)
    one, seven = QRectF(100, 60, 12, 60), QRectF(118, 50, 40, 70)   # a narrow 1, its neighbour a little higher
    label = view._label_rect(one, 60, 16, [], [seven])
    assert not label.intersects(seven) and label.top() >= one.bottom()   # below, since above covers the 7
    assert view._label_rect(seven, 60, 16, [], [one]).bottom() <= seven.top()   # room above: above, as before


def test_the_webcam_guide_shows_on_white_paper(qtbot):
    from digitdesk.engine.results import Recognition
    from digitdesk.gui.annotated_view import AnnotatedView

    view = AnnotatedView()
    qtbot.addWidget(view)
    view.resize(400, 300)
    view.set_image(np.full((300, 400, 3), 255, np.uint8), Recognition(), guide=Box(100, 75, 200, 150))
    view.show()
    qtbot.waitExposed(view)
    picture = view.grab().toImage()
    sx, sy = picture.width() / view.width(), picture.height() / view.height()

    def grey(x, y) -> int:
        return picture.pixelColor(int(x * sx), int(y * sy)).lightness()

    assert grey(200, 150) > 245                     # inside: the paper as it is
    assert grey(30, 30) < 215                        # outside, not read: dimmed
    assert min(grey(x, 75) for x in range(110, 290)) < 120   # its edge stands out from white paper
