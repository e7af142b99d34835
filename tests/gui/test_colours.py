"""Text colours follow the palette: readable on a light window and on a dark one."""
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel

from digitdesk.gui.colours import ERROR_TEXT, MUTED_TEXT, UNSURE_TEXT, is_dark, text_colour, text_style


def dark_palette() -> QPalette:
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.Window, QColor("#2d2d2d"))
    palette.setColor(QPalette.ColorRole.WindowText, QColor("#eeeeee"))
    palette.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    palette.setColor(QPalette.ColorRole.Text, QColor("#eeeeee"))
    return palette


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two colours."""
    def luminance(colour: str) -> float:
        channels = [QColor(colour).redF(), QColor(colour).greenF(), QColor(colour).blueF()]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_each_text_colour_reads_on_a_light_and_on_a_dark_window(qtbot):
    light, dark = QLabel(), QLabel()
    dark.setPalette(dark_palette())
    qtbot.addWidget(light)
    qtbot.addWidget(dark)
    assert not is_dark(light) and is_dark(dark)
    for pair in (ERROR_TEXT, UNSURE_TEXT, MUTED_TEXT):
        assert contrast(text_colour(pair, light), "#efefef") >= 4.5
        assert contrast(text_colour(pair, dark), "#2d2d2d") >= 4.5
    assert text_style(None, dark) == ""       # a sure reading: the palette's own text colour
    assert text_style(ERROR_TEXT, dark) == f"color: {ERROR_TEXT[1]};"
