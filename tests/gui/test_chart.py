"""ProbabilityChart: ten bars that show the probabilities, the most likely one highlighted."""
import numpy as np
import pytest
from matplotlib.colors import to_hex

from digitdesk.gui.chart import BAR_COLOUR, TOP_COLOUR, ProbabilityChart


@pytest.fixture
def chart(qtbot):
    widget = ProbabilityChart()
    qtbot.addWidget(widget)
    return widget


def test_bar_heights_are_the_probabilities_and_the_top_one_stands_out(chart):
    probabilities = np.random.default_rng(3).dirichlet(np.ones(10)).astype(np.float32)
    chart.set_probabilities(probabilities)
    np.testing.assert_allclose([bar.get_height() for bar in chart.bars], probabilities, rtol=1e-6)
    colours = [to_hex(bar.get_facecolor()) for bar in chart.bars]
    top = int(probabilities.argmax())
    assert colours[top] == to_hex(TOP_COLOUR)
    assert colours[:top] + colours[top + 1:] == [to_hex(BAR_COLOUR)] * 9
    assert chart.top_digit() == top


def test_bars_are_updated_in_place_not_recreated(chart):
    bars = chart.bars
    chart.set_probabilities(np.eye(10)[2])
    chart.set_probabilities(np.eye(10)[8])
    assert chart.bars == bars and len(chart.figure.axes[0].patches) == 10
    assert [bar.get_height() for bar in chart.bars] == list(np.eye(10)[8])


def test_no_reading_empties_the_chart(chart):
    chart.set_probabilities(np.eye(10)[5])
    chart.set_probabilities(None)
    assert [bar.get_height() for bar in chart.bars] == [0.0] * 10
    assert chart.top_digit() is None


def test_a_refused_piece_gets_no_lone_zero_percent_label(chart):
    chart.set_probabilities(np.eye(10)[5] * 0.97)
    assert chart._label.get_text() == "97%"
    chart.set_probabilities(np.full(10, 0.0004, np.float32))   # "not a digit": every digit near 0
    assert chart._label.get_text() == ""


def test_chart_renders(chart, qtbot):
    chart.resize(300, 200)
    chart.set_probabilities(np.eye(10)[3])
    chart.draw()
    image = chart.grab().toImage()
    assert image.width() >= 300 and not image.isNull()


def test_tick_labels_are_not_cut_in_a_narrow_chart(chart, qtbot):
    """243 px: the chart on the Images tab at the default window size ("100%" once lost its "1")."""
    chart.show()
    qtbot.waitExposed(chart)
    for width, height in ((243, 240), (220, 140), (600, 400)):
        chart.resize(width, height)
        qtbot.waitUntil(lambda w=width: abs(chart.figure.bbox.width - w * chart.device_pixel_ratio) < 0.5)
        chart.draw()
        renderer, figure = chart.get_renderer(), chart.figure.bbox
        axes = chart.figure.axes[0]
        for label in axes.get_yticklabels() + axes.get_xticklabels():
            box = label.get_window_extent(renderer)
            assert figure.x0 <= box.x0 and box.x1 <= figure.x1, (width, label.get_text())
            assert figure.y0 <= box.y0 and box.y1 <= figure.y1, (width, label.get_text())


def test_the_chart_says_its_likeliest_digits_in_words_for_screen_readers(chart):
    from PySide6.QtGui import QAccessible

    p = np.zeros(10, np.float32)
    p[[9, 4, 7, 1]] = [0.45, 0.21, 0.12, 0.005]
    chart.set_probabilities(p)
    description = QAccessible.queryAccessibleInterface(chart).text(QAccessible.Text.Description)
    assert description == "9: 45%, 4: 21%, 7: 12%"    # the runner-up a bar height alone would hide
    chart.set_probabilities(None)
    assert chart.accessibleDescription() == "No digit"


def test_the_chart_takes_the_windows_colours_in_a_dark_theme(chart):
    from matplotlib.colors import to_hex
    from PySide6.QtWidgets import QApplication

    from tests.gui.test_colours import dark_palette

    app = QApplication.instance()
    light = app.palette()
    app.setPalette(dark_palette())   # as when the system switches to its dark theme
    app.processEvents()
    try:
        assert to_hex(chart.figure.get_facecolor()) == "#2d2d2d"
        assert to_hex(chart._axes.xaxis.get_ticklabels()[0].get_color()) == "#eeeeee"
    finally:
        app.setPalette(light)
        app.processEvents()
    assert to_hex(chart.figure.get_facecolor()) == light.window().color().name()   # and back
