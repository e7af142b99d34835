"""An image scaled to fit, with a box and a label over every digit read in it.

Shared by the Images tab (the selected file) and the Webcam tab (the live
preview). Boxes come in the image's own pixel coordinates, so the view maps
them through the same fit transform it draws the image with; clicking a box
selects that digit.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from digitdesk.engine.results import Box, DigitReading, Recognition
from digitdesk.gui.colours import BOX_OK, BOX_REFUSED, BOX_SELECTED, BOX_UNSURE
from digitdesk.gui.qt_convert import array_to_qimage

GUIDE_COLOR = QColor(255, 255, 255, 200)
GUIDE_EDGE = QColor(0, 0, 0, 170)   # under the white dashes: the guide shows on white paper too
GUIDE_SHADE = QColor(0, 0, 0, 75)   # over what lies outside the guide, which is not read


def box_label(reading: DigitReading) -> str:
    """'7 · 96%'; '7? · 64%' when unsure (said in the label, not by its colour alone); a digit the user
    corrected says so instead of a model's 100 %."""
    if reading.not_digit:
        return "not a digit"
    if reading.corrected:
        return f"{reading.digit} · yours"
    return f"{reading.digit}{'?' if reading.unsure else ''} · {reading.confidence:.0%}"


class AnnotatedView(QWidget):
    """Paints an image (numpy RGB/gray or QImage) and the digits of a Recognition over it."""
    digitSelected = Signal(int)   # index into recognition.digits
    digitActivated = Signal(int)  # Space or Enter on the selected digit: what a click on its box does

    def __init__(self, parent=None, placeholder: str = ""):
        super().__init__(parent)
        self._image = QImage()
        self._recognition = Recognition()
        self._guide: Box | None = None
        self._selected = -1
        self._placeholder = placeholder
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(200, 150)
        # from the keyboard too: Tab here, Left / Right through the digits, Space or Enter to correct one
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    # -- state --------------------------------------------------------------------------------
    def set_image(self, image: np.ndarray | QImage | None, recognition: Recognition | None = None,
                  guide: Box | None = None) -> None:
        """Show a new image; the selection resets unless the same digit still exists."""
        if image is None:
            self._image = QImage()
        elif isinstance(image, QImage):
            self._image = image.copy()
        else:
            self._image = array_to_qimage(image)
        self._recognition = recognition or Recognition()
        self._guide = guide
        if self._selected >= len(self._recognition.digits):
            self._selected = -1
        self.update()

    def clear(self, placeholder: str | None = None) -> None:
        if placeholder is not None:
            self._placeholder = placeholder
        self._selected = -1
        self.set_image(None)

    def placeholder_text(self) -> str:
        """What the view says while it shows no picture."""
        return self._placeholder

    @property
    def recognition(self) -> Recognition:
        return self._recognition

    @property
    def image(self) -> QImage:
        return self._image

    @property
    def selected(self) -> int:
        return self._selected

    def select(self, index: int) -> None:
        """Highlight digit ``index`` (-1: none); a change is announced (so linked widgets can follow)."""
        index = index if 0 <= index < len(self._recognition.digits) else -1
        if index == self._selected:
            return
        self._selected = index
        self.update()
        if index >= 0:
            self.digitSelected.emit(index)

    # -- geometry -------------------------------------------------------------------------------
    def image_rect(self) -> QRectF:
        """Where the image is drawn: scaled to fit, centred, aspect kept."""
        if self._image.isNull():
            return QRectF()
        iw, ih = self._image.width(), self._image.height()
        scale = min(self.width() / iw, self.height() / ih)
        w, h = iw * scale, ih * scale
        return QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)

    def box_rect(self, box: Box) -> QRectF:
        """A box in image pixels -> widget coordinates."""
        target = self.image_rect()
        if target.isEmpty():
            return QRectF()
        s = target.width() / self._image.width()
        return QRectF(target.x() + box.x * s, target.y() + box.y * s, box.w * s, box.h * s)

    def digit_at(self, point: QPointF) -> int:
        """The digit whose (slightly padded) box contains a widget point, smallest box first; -1 if none."""
        hits = []
        for i, d in enumerate(self._recognition.digits):
            rect = self.box_rect(d.box).adjusted(-4, -4, 4, 4)
            if rect.contains(point):
                hits.append((rect.width() * rect.height(), i))
        return min(hits)[1] if hits else -1

    def _label_rect(self, box: QRectF, width: float, height: float, placed: list[QRectF],
                    others: list[QRectF]) -> QRectF:
        """Above the box if there is room and no other label is there, else below it; of those, one that
        covers no other digit's box (a label wider than a narrow '1' runs over its neighbour) first."""
        left = min(max(0.0, box.left()), max(0.0, self.width() - width))
        above = QRectF(left, box.top() - height, width, height)
        below = QRectF(left, box.bottom(), width, height)
        free = [c for c in (above, below) if c.top() >= 0 and c.bottom() <= self.height()
                and not any(c.intersects(other) for other in placed)]
        clear = [c for c in free if not any(c.intersects(other) for other in others)]
        return (clear or free or [above if above.top() >= 0 else below])[0]

    def sizeHint(self) -> QSize:
        return QSize(480, 360)

    # -- events ---------------------------------------------------------------------------------
    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            index = self.digit_at(event.position())
            if index >= 0:
                self.select(index)
        super().mousePressEvent(event)

    def keyPressEvent(self, event) -> None:
        count = len(self._recognition.digits)
        key = event.key()
        if count and key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            step = -1 if key == Qt.Key.Key_Left else 1
            start = self._selected if self._selected >= 0 else (-1 if step > 0 else count)
            self.select(min(max(start + step, 0), count - 1))
        elif self._selected >= 0 and key in (Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.digitActivated.emit(self._selected)
        else:
            super().keyPressEvent(event)

    def focusInEvent(self, event) -> None:
        super().focusInEvent(event)
        self.update()

    def focusOutEvent(self, event) -> None:
        super().focusOutEvent(event)
        self.update()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.fillRect(self.rect(), self.palette().window())
        if self._image.isNull():
            if self._placeholder:
                painter.setPen(self.palette().placeholderText().color())
                painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                                 self._placeholder)
            self._draw_focus(painter)
            painter.end()
            return
        painter.drawImage(self.image_rect(), self._image)
        if self._guide is not None:
            guide, outside, inside = self.box_rect(self._guide), QPainterPath(), QPainterPath()
            outside.addRect(self.image_rect())
            inside.addRect(guide)
            painter.fillPath(outside.subtracted(inside), GUIDE_SHADE)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(GUIDE_EDGE, 4))
            painter.drawRect(guide)
            painter.setPen(QPen(GUIDE_COLOR, 2, Qt.PenStyle.DashLine))
            painter.drawRect(guide)
        font = QFont(self.font())
        font.setBold(True)
        font.setPointSizeF(max(8.0, font.pointSizeF()))
        painter.setFont(font)
        metrics = painter.fontMetrics()
        digits = self._recognition.digits
        colors = [BOX_SELECTED if i == self._selected else BOX_REFUSED if d.not_digit
                  else BOX_UNSURE if d.unsure else BOX_OK for i, d in enumerate(digits)]
        rects = [self.box_rect(d.box) for d in digits]
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for i, (d, color, rect) in enumerate(zip(digits, colors, rects)):   # every box, then the labels over them
            painter.setPen(QPen(color, 3 if i == self._selected else 2,
                                Qt.PenStyle.DashLine if d.not_digit else Qt.PenStyle.SolidLine))
            painter.drawRect(rect)
        placed: list[QRectF] = []
        for i, (d, color, rect) in enumerate(zip(digits, colors, rects)):
            text = box_label(d)
            label = self._label_rect(rect, metrics.horizontalAdvance(text) + 8, metrics.height() + 2, placed,
                                     rects[:i] + rects[i + 1:])
            placed.append(label)
            painter.fillRect(label, color)
            painter.setPen(Qt.GlobalColor.white)
            painter.drawText(label, Qt.AlignmentFlag.AlignCenter, text)
        self._draw_focus(painter)
        painter.end()

    def _draw_focus(self, painter: QPainter) -> None:
        """Where the keyboard is: a dotted frame round the picture, drawn last so nothing covers it."""
        if self.hasFocus():
            painter.setPen(QPen(self.palette().highlight().color(), 2, Qt.PenStyle.DotLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(QRectF(self.rect()).adjusted(1, 1, -1, -1))
