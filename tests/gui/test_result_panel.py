"""ResultPanel: the number, how sure, the model's 28x28 inputs and the chart of the chosen digit."""
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
