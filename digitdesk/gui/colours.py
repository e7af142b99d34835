"""Colours of text and marks that read on the window's palette, light or dark.

Every text colour comes as a pair, for a light and for a dark window, each at least 4.5:1 against
it (WCAG 2 for text of normal size): a fixed dark red is 2:1 on a dark window. The digit boxes'
labels are white on colours at least 4.5:1 against white, over paper or a dark desk alike.
A number read surely uses the palette's own text colour.
"""
from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

# (on a light window, on a dark one)
ERROR_TEXT = ("#b00020", "#ff8a80")     # 6.4:1 on #efefef, 6.0:1 on #2d2d2d
UNSURE_TEXT = ("#9a4f00", "#ffb74d")    # 5.2:1, 8.0:1
MUTED_TEXT = ("#595959", "#a8a8a8")     # 6.1:1, 5.8:1

# boxes over a picture, with white labels
BOX_OK = QColor("#007a33")         # white on it 5.5:1
BOX_UNSURE = QColor("#a65400")     # 5.4:1
BOX_SELECTED = QColor("#0b5ed7")   # 5.8:1
BOX_REFUSED = QColor("#666666")    # 5.7:1: a mark that is not a digit, boxed but left out of the number


def is_dark(widget: QWidget | None = None) -> bool:
    """Is the background of `widget`'s window dark (the system's or the user's dark theme)? Asked of the
    window: a widget with a style sheet of its own no longer follows its parent's palette."""
    palette = widget.window().palette() if widget is not None else QApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def text_colour(pair: tuple[str, str], widget: QWidget | None = None) -> str:
    """The pair's colour for the palette `widget` shows (the application's without one)."""
    return pair[is_dark(widget)]


def text_style(pair: tuple[str, str] | None, widget: QWidget | None = None) -> str:
    """A style sheet for a label's text in the pair's colour; None: the palette's own text colour."""
    return "" if pair is None else f"color: {text_colour(pair, widget)};"


_PAIR = "digitdesk_text_colours"   # the pair a widget's text is in, kept on it for a change of theme


def colour_text(widget: QWidget, pair: tuple[str, str] | None) -> None:
    """Put `widget`'s text in the pair's colour for the palette it shows (None: the palette's own), and
    remember the pair, so follow_palette can choose again when the system switches light and dark."""
    style = text_style(pair, widget)
    if widget.styleSheet() != style:   # the webcam's labels are set every frame: restyle only on a change
        widget.setStyleSheet(style)
    widget.setProperty(_PAIR, "|".join(pair) if pair else "")


def follow_palette(root: QWidget) -> None:
    """The theme changed: every widget under `root` coloured by colour_text takes its pair's other colour."""
    for widget in (root, *root.findChildren(QWidget)):
        pair = widget.property(_PAIR)
        if pair:
            widget.setStyleSheet(text_style(tuple(pair.split("|")), widget))
