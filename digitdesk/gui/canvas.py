"""DrawingCanvas: the pad the user writes digits on.

Strokes are kept as points relative to the canvas centre in units of its shorter
side, so a resize (or a move to a screen with another pixel ratio) re-renders the
same drawing at the new size instead of cropping or blurring it; a canvas made
narrower than the drawing shows all of it, smaller. What is read and saved is
always what is shown: pen input is kept inside the canvas. While drawing,
only the newest piece of the stroke is painted onto a backing image and only its
rectangle is repainted; paintEvent just copies from that image and outlines the
digits of the last reading with faint boxes (never part of the image itself).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PySide6.QtCore import QBuffer, QEvent, QIODevice, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from digitdesk.engine.results import Box
from digitdesk.engine.stroke_groups import PenStroke
from digitdesk.engine.whole_file import written_whole
from digitdesk.gui.qt_convert import qimage_to_gray
from digitdesk.gui.settings import DEFAULT_PEN_WIDTH, PEN_WIDTH_RANGE

INK = QColor(17, 17, 17)
PAPER = QColor(255, 255, 255)
MIN_STEP = 0.75            # px: closer pointer samples add nothing but cost
LIGHTEST_PRESSURE = 0.35   # a feather-light pen still leaves a readable line
BOX_COLOR = QColor(30, 110, 220, 120)   # faint: shows how the drawing was split without hiding the ink
BOX_MARGIN = 3             # px between a digit's ink and its box
FIT_MARGIN = 12            # px between a drawing shrunk to fit and the canvas edge: a pen's round end shows


@dataclass
class Stroke:
    """One pen-down .. pen-up: points (u, v, pressure) in canvas units, width in the same units."""
    width: float
    points: list[tuple[float, float, float]] = field(default_factory=list)


class DrawingCanvas(QWidget):
    """A white pad with antialiased round strokes, per-stroke undo/redo and numpy export."""

    changed = Signal()          # the drawing changed (a point, a stroke, undo, redo, clear)
    historyChanged = Signal()   # can_undo()/can_redo() may have changed

    def __init__(self, parent: QWidget | None = None, pen_width: int = DEFAULT_PEN_WIDTH):
        super().__init__(parent)
        self._pen_width = int(pen_width)
        self._strokes: tuple[Stroke, ...] = ()
        self._undo: list[tuple[Stroke, ...]] = []
        self._redo: list[tuple[Stroke, ...]] = []
        self._active: Stroke | None = None
        self._boxes: tuple[tuple[float, float, float, float], ...] = ()   # (u0, v0, u1, v1), canvas units
        self._extent = (0.0, 0.0)   # the finished strokes' farthest point from the centre, |u| and |v|
        self._image = QImage()
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(240, 240)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)   # no keyboard use: Tab passes it by (no invisible stop)
        self.setAccessibleName("Drawing canvas")
        self.setToolTip("Draw one or more digits here")

    def sizeHint(self) -> QSize:
        return QSize(420, 420)

    # ---- public API -------------------------------------------------------------------
    @property
    def pen_width(self) -> int:
        return self._pen_width

    def set_pen_width(self, width: int) -> None:
        """Width in logical pixels for strokes drawn from now on (existing strokes keep theirs)."""
        low, high = PEN_WIDTH_RANGE
        self._pen_width = int(min(max(width, low), high))

    def is_empty(self) -> bool:
        return not self._strokes and self._active is None

    def stroke_count(self) -> int:
        return len(self._strokes)

    def pen_strokes(self) -> list[PenStroke]:
        """Every stroke (the one being drawn too) in drawing order, points in logical pixels (copies).

        Widths are the pen's at the stroke's mean pressure, as painted.
        """
        unit = self._unit()
        origin = np.array([self.width() / 2, self.height() / 2])
        strokes = self._strokes + ((self._active,) if self._active is not None else ())
        result = []
        for stroke in strokes:
            points = np.asarray(stroke.points, dtype=np.float64).reshape(-1, 3)
            width = max(1.0, stroke.width * unit * float(points[:, 2].mean()))
            result.append(PenStroke(points[:, :2] * unit + origin, width))
        return result

    def show_digit_boxes(self, boxes) -> None:
        """Outline these digit boxes (Box, in logical pixels) until the next call or a clear, undo or redo."""
        unit = self._unit()
        cx, cy = self.width() / 2, self.height() / 2
        self._repaint_boxes()
        self._boxes = tuple(((b.x - cx) / unit, (b.y - cy) / unit, (b.x + b.w - cx) / unit, (b.y + b.h - cy) / unit)
                            for b in boxes)
        self._repaint_boxes()

    def digit_boxes(self) -> list[Box]:
        """The boxes shown, in logical pixels."""
        return [Box(r.x(), r.y(), r.width(), r.height()) for r in self._box_rects(margin=0)]

    def can_undo(self) -> bool:
        return bool(self._undo) or self._active is not None

    def can_redo(self) -> bool:
        return bool(self._redo)

    def undo(self) -> None:
        self._commit_active()
        if not self._undo:
            return
        self._redo.append(self._strokes)
        self._strokes = self._undo.pop()
        self._after_history_change()

    def redo(self) -> None:
        self._commit_active()
        if not self._redo:
            return
        self._undo.append(self._strokes)
        self._strokes = self._redo.pop()
        self._after_history_change()

    def clear(self) -> None:
        """Wipe the pad; undo brings the drawing back."""
        self._commit_active()
        if not self._strokes:
            return
        self._undo.append(self._strokes)
        self._strokes = ()
        self._redo.clear()
        self._after_history_change()

    def strokes_data(self) -> list[tuple[float, list[tuple[float, float, float]]]]:
        """The finished strokes as plain data in canvas units (width, points), to keep the drawing on disk."""
        return [(stroke.width, list(stroke.points)) for stroke in self._strokes]

    def restore_strokes(self, strokes) -> None:
        """Start from these strokes (as strokes_data() gives them), with no undo history."""
        self._active = None
        self._strokes = tuple(Stroke(float(width), [tuple(map(float, p)) for p in points]) for width, points in strokes)
        self._undo.clear()
        self._redo.clear()
        self._after_history_change()

    def to_qimage(self) -> QImage:
        """The drawing at device resolution (a copy)."""
        self._ensure_image()
        return self._image.copy()

    def to_array(self) -> np.ndarray:
        """The drawing as (H, W) uint8 gray, dark ink on white, at logical size (a copy)."""
        self._ensure_image()
        image = self._image
        if image.devicePixelRatio() != 1.0:
            image = image.scaled(max(1, self.width()), max(1, self.height()),
                                 Qt.AspectRatioMode.IgnoreAspectRatio,
                                 Qt.TransformationMode.SmoothTransformation)
        return qimage_to_gray(image)

    def save_png(self, path: str | Path) -> Path:
        """Save the drawing; raises OSError with a readable message if the file can't be written."""
        path = Path(path)
        if path.suffix.lower() != ".png":
            path = path.with_name(path.name + ".png")
        image = self.to_qimage()
        image.setDevicePixelRatio(1.0)
        encoded = QBuffer()
        encoded.open(QIODevice.OpenModeFlag.WriteOnly)
        if not image.save(encoded, "PNG"):
            raise OSError(f"Could not save the drawing to {path}: it could not be encoded as PNG")
        try:   # written by Python, whose error says why ("Permission denied", "No space left on device"),
            with written_whole(path) as partial:   # beside it first: a failed save keeps the old file whole
                partial.write_bytes(bytes(encoded.data()))
        except OSError as error:
            raise OSError(f"Could not save the drawing to {path}: {error.strerror or error}") from error
        return path

    # ---- coordinates ------------------------------------------------------------------
    def _unit(self) -> float:
        """Pixels per canvas unit: the shorter side, or less where the drawing would not fit (drawn on a
        wide canvas, then the window made narrower, or restored in a smaller one)."""
        unit = float(max(1, min(self.width(), self.height())))
        for extent, half in zip(self._extent, (self.width() / 2, self.height() / 2)):
            if extent * unit > half + 0.5:   # past the edge (not merely drawn up to it)
                unit = max(half - FIT_MARGIN, 1.0) / extent
        return unit

    def _measure(self) -> None:
        """Recompute the drawing's extent (after undo, redo, clear or a restore)."""
        self._extent = (0.0, 0.0)
        for stroke in self._strokes:
            self._widen(stroke)

    def _widen(self, stroke: Stroke) -> None:
        """Take `stroke` into the drawing's extent."""
        if stroke.points:
            far = np.abs(np.asarray(stroke.points, np.float64)[:, :2]).max(axis=0)
            self._extent = (max(self._extent[0], float(far[0])), max(self._extent[1], float(far[1])))

    def _to_canvas(self, pos: QPointF) -> tuple[float, float]:
        """A pointer position in canvas units, kept inside the canvas: a stroke dragged past its edge runs
        along it, so nothing is read that the canvas does not show."""
        unit = self._unit()
        x = min(max(pos.x(), 0.0), float(self.width()))
        y = min(max(pos.y(), 0.0), float(self.height()))
        return (x - self.width() / 2) / unit, (y - self.height() / 2) / unit

    def _to_widget(self, u: float, v: float) -> QPointF:
        unit = self._unit()
        return QPointF(self.width() / 2 + u * unit, self.height() / 2 + v * unit)

    # ---- input --------------------------------------------------------------------------
    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._begin(event.position(), 1.0)
            event.accept()
        else:
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        if self._active is not None:
            self._extend(event.position(), 1.0)
            event.accept()
        else:
            super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._active is not None:
            self._extend(event.position(), 1.0)
            self._finish()
            event.accept()
        else:
            super().mouseReleaseEvent(event)

    def tabletEvent(self, event) -> None:
        """A pen: pressure sets the width; accepting stops Qt from also sending mouse events."""
        pressure = LIGHTEST_PRESSURE + (1 - LIGHTEST_PRESSURE) * max(0.0, min(1.0, event.pressure()))
        kind = event.type()
        if kind == QEvent.Type.TabletPress:
            self._begin(event.position(), pressure)
        elif kind == QEvent.Type.TabletMove and self._active is not None:
            self._extend(event.position(), pressure)
        elif kind == QEvent.Type.TabletRelease and self._active is not None:
            self._extend(event.position(), pressure)
            self._finish()
        event.accept()

    # ---- stroke building ---------------------------------------------------------------
    def _begin(self, pos: QPointF, pressure: float) -> None:
        self._commit_active()
        u, v = self._to_canvas(pos)
        self._active = Stroke(width=self._pen_width / self._unit(), points=[(u, v, pressure)])
        self._paint_pieces(self._active, 0, 1)
        self.historyChanged.emit()
        self.changed.emit()

    def _extend(self, pos: QPointF, pressure: float) -> None:
        stroke = self._active
        u, v = self._to_canvas(pos)
        last_u, last_v, _ = stroke.points[-1]
        if math.hypot(u - last_u, v - last_v) * self._unit() < MIN_STEP:
            return
        stroke.points.append((u, v, pressure))
        n = len(stroke.points)
        self._paint_pieces(stroke, n - 1, n)
        self.changed.emit()

    def _finish(self) -> None:
        stroke = self._active
        n = len(stroke.points)
        if n >= 2:
            self._paint_pieces(stroke, n, n + 1)
        self._active = None
        self._undo.append(self._strokes)
        self._strokes = self._strokes + (stroke,)
        self._widen(stroke)   # drawn inside the canvas: no rescale
        self._redo.clear()
        self.historyChanged.emit()
        self.changed.emit()

    def _commit_active(self) -> None:
        if self._active is not None:
            self._finish()

    # ---- rendering ----------------------------------------------------------------------
    def _pieces(self, stroke: Stroke, start: int, stop: int):
        """Yield (QPainterPath, width) for piece indices [start, stop).

        Piece 0 is the first point (a dot), piece k (1 <= k < n) ends at the midpoint of
        points k-1 and k, curving through point k-1; piece n runs to the last point. The
        midpoint curves make fast strokes smooth instead of polygonal.
        """
        pts = stroke.points
        n = len(pts)
        unit = self._unit()

        def at(i: int) -> QPointF:   # only the points a piece needs: O(1) per new segment
            return self._to_widget(pts[i][0], pts[i][1])

        def mid(a: int, b: int) -> QPointF:
            return (at(a) + at(b)) / 2

        for k in range(start, stop):
            path = QPainterPath()
            if k == 0:   # a dot; also what a click leaves
                path.moveTo(at(0))
                pressure = pts[0][2]
            elif k == 1:
                path.moveTo(at(0))
                path.lineTo(mid(0, 1))
                pressure = (pts[0][2] + pts[1][2]) / 2
            elif k < n:
                path.moveTo(mid(k - 2, k - 1))
                path.quadTo(at(k - 1), mid(k - 1, k))
                pressure = pts[k - 1][2]
            else:
                path.moveTo(mid(n - 2, n - 1))
                path.lineTo(at(n - 1))
                pressure = pts[n - 1][2]
            yield path, max(1.0, stroke.width * unit * pressure)

    def _paint_pieces(self, stroke: Stroke, start: int, stop: int) -> None:
        self._ensure_image()
        painter = QPainter(self._image)
        self._prepare(painter)
        dirty = QRectF()
        for path, width in self._pieces(stroke, start, stop):
            self._stroke_path(painter, path, width)
            margin = width / 2 + 2
            area = path.controlPointRect()
            area = area if path.elementCount() > 1 else QRectF(path.currentPosition(), path.currentPosition())
            dirty = dirty.united(area.adjusted(-margin, -margin, margin, margin))
        painter.end()
        self.update(dirty.toAlignedRect())

    @staticmethod
    def _prepare(painter: QPainter) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)

    @staticmethod
    def _stroke_path(painter: QPainter, path: QPainterPath, width: float) -> None:
        pen = QPen(INK, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if path.elementCount() == 1:
            painter.drawPoint(path.currentPosition())
        else:
            painter.drawPath(path)

    def _ensure_image(self) -> None:
        """(Re)create the backing image when the size or pixel ratio changed, replaying all strokes."""
        ratio = self.devicePixelRatioF()
        width, height = max(1, self.width()), max(1, self.height())
        wanted = QSize(math.ceil(width * ratio), math.ceil(height * ratio))
        if not self._image.isNull() and self._image.size() == wanted \
                and self._image.devicePixelRatio() == ratio:
            return
        self._image = QImage(wanted, QImage.Format.Format_RGB32)
        self._image.setDevicePixelRatio(ratio)
        self._render_all()

    def _render_all(self) -> None:
        self._image.fill(PAPER)
        painter = QPainter(self._image)
        self._prepare(painter)
        strokes = self._strokes + ((self._active,) if self._active is not None else ())
        for stroke in strokes:
            last = len(stroke.points) + (1 if stroke is not self._active and len(stroke.points) >= 2 else 0)
            for path, width in self._pieces(stroke, 0, last):
                self._stroke_path(painter, path, width)
        painter.end()

    def _after_history_change(self) -> None:
        self._repaint_boxes()
        self._boxes = ()   # they belong to a drawing that is gone; the next reading brings new ones
        self._measure()    # the drawing may fit at full size again
        self._ensure_image()
        self._render_all()
        self.update()
        self.historyChanged.emit()
        self.changed.emit()

    def resizeEvent(self, event) -> None:
        self._ensure_image()
        super().resizeEvent(event)

    def paintEvent(self, event) -> None:
        self._ensure_image()
        ratio = self._image.devicePixelRatio()
        rect: QRect = event.rect()
        source = QRectF(rect.x() * ratio, rect.y() * ratio, rect.width() * ratio, rect.height() * ratio)
        painter = QPainter(self)
        painter.drawImage(QRectF(rect), self._image, source)
        if self._boxes:
            painter.setPen(QPen(BOX_COLOR, 1, Qt.PenStyle.DashLine))
            for box in self._box_rects():
                if box.intersects(rect):
                    painter.drawRect(box)
        painter.end()

    def _box_rects(self, margin: int = BOX_MARGIN) -> list[QRect]:
        unit = self._unit()
        cx, cy = self.width() / 2, self.height() / 2
        return [QRect(round(cx + u0 * unit) - margin, round(cy + v0 * unit) - margin,
                      round((u1 - u0) * unit) + 2 * margin, round((v1 - v0) * unit) + 2 * margin)
                for u0, v0, u1, v1 in self._boxes]

    def _repaint_boxes(self) -> None:
        for box in self._box_rects():
            self.update(box.adjusted(-1, -1, 1, 1))
