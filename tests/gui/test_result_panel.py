"""ResultPanel: the number, how sure, the model's 28x28 inputs and the chart of the chosen digit."""
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt

from digitdesk.engine.results import Box, DigitReading, Recognition
from digitdesk.gui.result_panel import ResultPanel


def reading(digit: int, confidence: float, x: int = 0, unsure: bool = False) -> DigitReading:
    probabilities = np.full(10, (1 - confidence) / 9, np.float32)
    probabilities[digit] = confidence
    input28 = np.zeros((28, 28), np.float32)
    input28[4:24, 12:16] = 1.0
    return DigitReading(digit, confidence, probabilities, Box(x, 0, 20, 30), input28, unsure)


@pytest.fixture
def panel(qtbot):
    widget = ResultPanel()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def heights(panel):
    return [bar.get_height() for bar in panel.chart.bars]


def test_a_sure_reading_shows_the_number_large_with_its_confidence(panel):
    panel.show_recognition(Recognition((reading(4, 0.99), reading(2, 0.97, x=40))))
    assert panel.number_text() == "42"
    assert panel.number_label.font().pointSize() >= 30
    assert panel.confidence_label.text() == "Confidence 97.0%"
    assert panel.message_label.text() == ""


def test_nothing_drawn_says_nothing_to_read(panel):
    panel.show_recognition(Recognition((reading(1, 0.9),)))
    panel.show_recognition(Recognition())
    assert panel.message_label.text() == "Nothing to read"
    assert panel.number_text() not in {"1", ""} and not panel.number_text().isdigit()
    assert panel.preview_buttons() == [] and heights(panel) == [0.0] * 10


def test_an_unsure_reading_says_so_with_the_best_guess(panel):
    panel.show_recognition(Recognition((reading(7, 0.41, unsure=True),)))
    assert panel.message_label.text() == "Unsure: best guess 7"
    assert panel.number_text() == "7"


def test_one_preview_per_digit_shows_what_the_model_saw(panel):
    recognition = Recognition((reading(4, 0.99), reading(2, 0.97, x=40)))
    panel.show_recognition(recognition)
    buttons = panel.preview_buttons()
    assert len(buttons) == 2 and all(b.isVisible() for b in buttons)
    icon = buttons[0].icon().pixmap(buttons[0].iconSize()).toImage()
    scale = icon.width() // 28
    assert scale >= 2
    # the model input's bright bar (columns 12-15) is bright in the preview, the rest dark
    assert icon.pixelColor(13 * scale + 1, 14 * scale).value() > 200
    assert icon.pixelColor(4 * scale, 14 * scale).value() < 50


def test_clicking_a_preview_selects_that_digit_for_the_chart(panel, qtbot):
    recognition = Recognition((reading(4, 0.99), reading(2, 0.80, x=40)))
    panel.show_recognition(recognition)
    np.testing.assert_allclose(heights(panel), recognition.digits[0].probabilities)
    with qtbot.waitSignal(panel.digitSelected) as selected:
        qtbot.mouseClick(panel.preview_buttons()[1], Qt.MouseButton.LeftButton)
    assert selected.args == [1] and panel.selected_index() == 1
    np.testing.assert_allclose(heights(panel), recognition.digits[1].probabilities)
    assert panel.detail_label.text() == "Digit 2 of 2: 2 (80.0%)"
    assert panel.preview_buttons()[1].isChecked() and not panel.preview_buttons()[0].isChecked()


def test_selection_is_kept_while_live_readings_arrive(panel):
    panel.show_recognition(Recognition((reading(4, 0.99), reading(2, 0.80, x=40))))
    panel.select_digit(1)
    panel.show_recognition(Recognition((reading(4, 0.98), reading(3, 0.90, x=40))))
    assert panel.selected_index() == 1 and panel.chart.top_digit() == 3
    panel.show_recognition(Recognition((reading(4, 0.98),)))
    assert panel.selected_index() == 0 and panel.chart.top_digit() == 4


def test_a_message_keeps_the_last_reading(panel):
    panel.show_recognition(Recognition((reading(5, 0.95),)))
    panel.show_message("Recognition failed: out of memory", error=True)
    assert panel.number_text() == "5"
    assert "out of memory" in panel.message_label.text()


def digits(count: int, input28: np.ndarray | None = None) -> Recognition:
    pieces = [reading(i % 10, 0.99, x=30 * i) for i in range(count)]
    if input28 is not None:
        pieces = [replace(piece, input28=input28) for piece in pieces]
    return Recognition(tuple(pieces))


@pytest.fixture
def narrow_panel(panel, qtbot):
    """As wide as the Images tab gives it at the default window size."""
    panel.resize(panel.minimumWidth(), 600)
    qtbot.waitUntil(lambda: panel.width() == panel.minimumWidth())
    return panel


def test_a_long_number_shrinks_to_fit_a_narrow_panel(narrow_panel, qtbot):
    narrow_panel.show_recognition(digits(12))
    qtbot.wait(20)
    label = narrow_panel.number_label
    assert label.text() == narrow_panel.number_text() == "012345678901"
    assert label.fontMetrics().horizontalAdvance(label.text()) <= label.contentsRect().width()
    narrow_panel.show_recognition(digits(2))   # a short one is large again
    assert label.text() == "01" and label.font().pointSize() >= 30


def test_a_number_too_long_even_for_the_smallest_font_is_elided_with_the_whole_in_the_tooltip(narrow_panel, qtbot):
    narrow_panel.show_recognition(digits(40))
    qtbot.wait(20)
    label, whole = narrow_panel.number_label, "0123456789" * 4
    assert label.text().endswith("…") and whole.startswith(label.text()[:-1])
    assert label.fontMetrics().horizontalAdvance(label.text()) <= label.contentsRect().width()
    assert whole in label.toolTip() and narrow_panel.number_text() == whole


def test_the_confidence_line_is_shown_whole_in_a_narrow_panel(narrow_panel, qtbot):
    refused = replace(reading(0, 0.99, x=90), not_digit=True)
    narrow_panel.show_recognition(Recognition((reading(4, 0.988), reading(2, 0.99, x=30), refused,
                                               replace(refused, box=replace(refused.box, x=120)))))
    qtbot.wait(20)
    label = narrow_panel.confidence_label
    assert "2 marks left out" in label.text()
    needed = label.fontMetrics().boundingRect(label.contentsRect(), int(Qt.TextFlag.TextWordWrap), label.text())
    assert needed.width() <= label.contentsRect().width() and needed.height() <= label.contentsRect().height()


def test_previews_keep_their_size_and_scroll_when_there_are_many(narrow_panel, qtbot):
    """Two lines of seven digits: every one has a preview to click (and correct), the last scrolled to."""
    narrow_panel.show_recognition(digits(14))
    qtbot.wait(20)
    buttons = narrow_panel.preview_buttons()
    assert len(buttons) == 14
    assert all(b.width() >= b.iconSize().width() and b.height() >= b.iconSize().height() for b in buttons)
    narrow_panel.select_digit(13)   # e.g. chosen in the image: its preview scrolls into view
    assert buttons[13].visibleRegion().boundingRect().width() >= buttons[13].iconSize().width()
    assert buttons[13].isChecked()


def test_a_five_digit_number_shows_every_preview_whole_and_they_grow_with_the_panel(narrow_panel, qtbot):
    """At the Images tab's width, the fifth digit of 31415 was cut off behind a scroll bar."""
    narrow_panel.show_recognition(digits(5))
    qtbot.wait(20)
    buttons = narrow_panel.preview_buttons()
    assert all(b.visibleRegion().boundingRect().width() == b.width() for b in buttons)
    assert not narrow_panel._strip.horizontalScrollBar().isVisible()
    narrow_panel.select_digit(3)
    narrow_panel.resize(700, 600)
    qtbot.waitUntil(lambda: narrow_panel.preview_buttons()[0].iconSize().width() == 56)   # full size again
    assert narrow_panel.preview_buttons()[3].isChecked() and narrow_panel.selected_index() == 3


def test_the_chart_stays_put_from_nothing_read_to_one_digit_to_five(panel, qtbot):
    """The panel jumped as previews came and went: the chart moved under the user's eyes."""
    tops = []
    for recognition in (Recognition(), digits(1), digits(5), Recognition()):
        panel.show_recognition(recognition)
        panel.layout().activate()
        tops.append(panel.chart.geometry().top())
    assert len(set(tops)) == 1, tops


def test_arrow_keys_move_between_previews_and_show_that_digit(panel, qtbot):
    panel.show_recognition(digits(3))
    panel.preview_buttons()[0].setFocus()
    qtbot.waitUntil(lambda: panel.focusWidget() is panel.preview_buttons()[0])
    qtbot.keyClick(panel.preview_buttons()[0], Qt.Key.Key_Right)
    assert panel.focusWidget() is panel.preview_buttons()[1] and panel.selected_index() == 1
    assert panel.detail_label.text().startswith("Digit 2 of 3")
    qtbot.keyClick(panel.preview_buttons()[1], Qt.Key.Key_Left)
    qtbot.keyClick(panel.preview_buttons()[0], Qt.Key.Key_Left)   # the first: stays
    assert panel.focusWidget() is panel.preview_buttons()[0] and panel.selected_index() == 0


def test_the_keyboard_focus_stays_on_the_same_preview_after_a_new_reading(panel, qtbot):
    panel.show_recognition(digits(3))
    panel.preview_buttons()[1].setFocus()
    qtbot.waitUntil(lambda: panel.focusWidget() is panel.preview_buttons()[1])
    panel.show_recognition(digits(3))   # e.g. re-read after a correction: all new buttons
    assert panel.focusWidget() is panel.preview_buttons()[1]
    panel.show_recognition(digits(1))   # that digit is gone: the focus stays among the previews
    assert panel.focusWidget() is panel.preview_buttons()[0]


SHARP_PREVIEW = """
import numpy as np
from PySide6.QtWidgets import QApplication
app = QApplication([])
from digitdesk.gui.qt_convert import qimage_to_gray
from digitdesk.gui.result_panel import ResultPanel
from tests.gui.test_result_panel import digits
panel = ResultPanel()
panel.show()
panel.show_recognition(digits(1, (np.indices((28, 28)).sum(0) % 2).astype(np.float32)))
app.processEvents()
(button,) = panel.preview_buttons()
shot = button.grab()
gray = qimage_to_gray(shot.toImage())
side = 2 * button.iconSize().width() - 8   # the icon's middle, in screen pixels
top, left = (gray.shape[0] - side) // 2, (gray.shape[1] - side) // 2
middle = gray[top:top + side, left:left + side]
print(shot.devicePixelRatio(), int(((middle > 0) & (middle < 255)).sum()))
"""


def test_previews_are_sharp_on_a_high_density_screen():
    """Each model pixel is a block of pure black or white, not smoothed into greys (a checkerboard shows it)."""
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QT_SCALE_FACTOR": "2", "PYTHONPATH": str(root)}
    done = subprocess.run([sys.executable, "-c", SHARP_PREVIEW], cwd=root, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    ratio, greys = done.stdout.split()
    if float(ratio) != 2:
        pytest.skip(f"this Qt platform ignores QT_SCALE_FACTOR (device pixel ratio {ratio})")
    assert int(greys) == 0


def test_a_screen_reader_hears_the_number_itself_not_only_what_the_label_is_for(panel):
    from PySide6.QtGui import QAccessible

    panel.show_recognition(Recognition((reading(4, 0.99), reading(2, 0.97, x=40))))
    name = QAccessible.queryAccessibleInterface(panel.number_label).text(QAccessible.Text.Name)
    assert name == "Number read: 42"
    panel.show_recognition(Recognition())
    assert QAccessible.queryAccessibleInterface(panel.number_label).text(QAccessible.Text.Name) == \
        "Number read: nothing"


def test_in_a_dark_theme_the_number_and_an_error_stay_readable(qtbot):
    from digitdesk.gui.colours import ERROR_TEXT
    from tests.gui.test_colours import dark_palette

    panel = ResultPanel()
    panel.setPalette(dark_palette())
    qtbot.addWidget(panel)
    panel.show_recognition(Recognition((reading(4, 0.99),)))
    assert panel.number_label.styleSheet() == ""   # the palette's light text, not a fixed near-black
    panel.show_message("The model could not be loaded", error=True)
    assert ERROR_TEXT[1] in panel.message_label.styleSheet()


def test_when_the_system_switches_to_dark_the_panels_text_colours_follow(qtbot):
    from PySide6.QtWidgets import QApplication

    from digitdesk.gui.colours import MUTED_TEXT, UNSURE_TEXT
    from tests.gui.test_colours import dark_palette

    panel = ResultPanel()
    qtbot.addWidget(panel)
    panel.show_recognition(Recognition((reading(4, 0.5, unsure=True),)))
    assert UNSURE_TEXT[0] in panel.message_label.styleSheet()
    app = QApplication.instance()
    light = app.palette()
    app.setPalette(dark_palette())
    app.processEvents()
    try:
        assert UNSURE_TEXT[1] in panel.message_label.styleSheet()     # readable on the dark window now
        seen = [label for label in panel.findChildren(type(panel.message_label)) if "model sees" in label.text()]
        assert MUTED_TEXT[1] in seen[0].styleSheet()
    finally:
        app.setPalette(light)
        app.processEvents()


def test_a_digit_read_with_a_large_not_a_digit_share_says_so_and_an_unsure_preview_is_framed(panel):
    weak = reading(4, 0.09, unsure=True)
    weak = replace(weak, probabilities=np.where(np.arange(10) == 4, 0.09, 0.0).astype(np.float32))
    panel.show_recognition(Recognition((reading(1, 0.99), weak)))
    panel.select_digit(1)
    assert panel.detail_label.text() == "Digit 2 of 2: 4 (9.0%); not a digit 91%"   # not just a lone 9 % bar
    sure, doubtful = panel.preview_buttons()
    assert "border" in doubtful.styleSheet() and sure.styleSheet() == ""          # which digit is in doubt
    assert "unsure" in doubtful.toolTip()
    panel.select_digit(0)
    assert panel.detail_label.text() == "Digit 1 of 2: 1 (99.0%)"
