"""Digits as pen strokes, drawn on a widget with real (QTest) mouse events.

Shapes are in unit coordinates (0..1 across a box) so the same '4' can fill the
whole canvas or one half of it for a two-digit number.
"""
from __future__ import annotations

import math

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtTest import QTest


def _line(a, b, steps=12):
    return [(a[0] + (b[0] - a[0]) * t / steps, a[1] + (b[1] - a[1]) * t / steps) for t in range(steps + 1)]


def _ellipse(cx, cy, rx, ry, points=40):
    return [(cx + rx * math.sin(2 * math.pi * k / points), cy - ry * math.cos(2 * math.pi * k / points))
            for k in range(points + 1)]


DIGITS: dict[str, list[list[tuple[float, float]]]] = {
    "0": [_ellipse(0.5, 0.5, 0.22, 0.34)],
    "1": [_line((0.5, 0.15), (0.5, 0.85), 20)],
    "4": [_line((0.58, 0.15), (0.26, 0.6)), _line((0.26, 0.6), (0.76, 0.6)), _line((0.62, 0.32), (0.62, 0.87))],
    "2": [[(0.3 + 0.2 * (1 - math.cos(math.pi * t / 12)), 0.38 - 0.2 * math.sin(math.pi * t / 12))
           for t in range(13)] + _line((0.7, 0.38), (0.3, 0.84))[1:] + _line((0.3, 0.84), (0.74, 0.84))[1:]],
    "7": [_line((0.28, 0.18), (0.72, 0.18)) + _line((0.72, 0.18), (0.45, 0.86))[1:]],
}


def to_widget(points, box: QRect) -> list[QPoint]:
    return [QPoint(round(box.x() + x * box.width()), round(box.y() + y * box.height())) for x, y in points]


def draw_stroke(widget, points: list[QPoint]) -> None:
    """Press, move through every point, release: what a user's mouse does."""
    QTest.mousePress(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, points[0])
    for point in points[1:]:
        QTest.mouseMove(widget, point)
    QTest.mouseRelease(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, points[-1])


def draw_digit(widget, digit: str, box: QRect | None = None) -> None:
    box = box or QRect(0, 0, widget.width(), widget.height())
    for stroke in DIGITS[digit]:
        draw_stroke(widget, to_widget(stroke, box))


def draw_number(widget, text: str) -> None:
    """Digits side by side, each in a tall box with a gap between them."""
    width, height = widget.width(), widget.height()
    cell = width // len(text)
    side = min(cell, height)
    for i, digit in enumerate(text):
        box = QRect(i * cell + (cell - int(side * 0.8)) // 2, (height - side) // 2 + side // 10,
                    int(side * 0.8), int(side * 0.8))
        draw_digit(widget, digit, box)
