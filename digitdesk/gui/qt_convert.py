"""numpy <-> QImage conversions.

Every function returns memory it owns: QImage built over a numpy buffer would
dangle once the array is freed, and arrays viewing a QImage's bits would change
when Qt paints on it, so both directions copy.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap


def gray_to_qimage(gray: np.ndarray) -> QImage:
    """(H, W) uint8 -> Grayscale8 QImage (a copy)."""
    gray = np.ascontiguousarray(gray, dtype=np.uint8)
    if gray.ndim != 2:
        raise ValueError(f"expected a 2-D gray image, got shape {gray.shape}")
    h, w = gray.shape
    return QImage(gray.data, w, h, gray.strides[0], QImage.Format.Format_Grayscale8).copy()


def rgb_to_qimage(rgb: np.ndarray) -> QImage:
    """(H, W, 3) uint8 RGB -> RGB888 QImage (a copy)."""
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f"expected an (H, W, 3) RGB image, got shape {rgb.shape}")
    h, w, _ = rgb.shape
    return QImage(rgb.data, w, h, rgb.strides[0], QImage.Format.Format_RGB888).copy()


def float_to_qimage(values: np.ndarray) -> QImage:
    """(H, W) float in [0, 1] (e.g. a model input) -> Grayscale8 QImage."""
    return gray_to_qimage(np.clip(np.rint(np.asarray(values, dtype=np.float32) * 255.0), 0, 255).astype(np.uint8))


def model_input_pixmap(input28: np.ndarray, size: QSize, ratio: float = 1.0) -> QPixmap:
    """What the model saw (float in [0, 1], or a stored sample's uint8), `size` logical pixels at `ratio`
    device pixels each, nearest neighbour so its pixels stay visible (scaled up by Qt for a denser
    screen, it would be smoothed)."""
    image = gray_to_qimage(input28) if input28.dtype == np.uint8 else float_to_qimage(input28)
    pixmap = QPixmap.fromImage(image).scaled(
        size * ratio, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation)
    pixmap.setDevicePixelRatio(ratio)
    return pixmap


def array_to_qimage(image: np.ndarray) -> QImage:
    """Gray (H, W) or RGB (H, W, 3) uint8 -> QImage (a copy)."""
    return gray_to_qimage(image) if image.ndim == 2 else rgb_to_qimage(image)


def _rows(image: QImage, channels: int) -> np.ndarray:
    h, w = image.height(), image.width()
    buffer = np.frombuffer(image.constBits(), dtype=np.uint8, count=image.sizeInBytes())
    rows = buffer.reshape(h, image.bytesPerLine())[:, : w * channels]
    return rows.reshape(h, w, channels) if channels > 1 else rows


def qimage_to_gray(image: QImage) -> np.ndarray:
    """Any QImage -> (H, W) uint8 gray array (a copy)."""
    if image.isNull():
        raise ValueError("the image is empty")
    gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
    return _rows(gray, 1).copy()


def qimage_to_rgb(image: QImage) -> np.ndarray:
    """Any QImage -> (H, W, 3) uint8 RGB array (a copy); transparency is composited on white paper (on black
    under light ink, as a decoded file is)."""
    if image.isNull():
        raise ValueError("the image is empty")
    if image.hasAlphaChannel():
        from digitdesk.engine.decode import paper_under
        rgba = image.convertToFormat(QImage.Format.Format_RGBA8888)   # kept alive: _rows is a view of its bits
        grey = paper_under(_rows(rgba, 4))
        flat = QImage(image.size(), QImage.Format.Format_RGB888)
        flat.fill(QColor(grey, grey, grey))
        painter = QPainter(flat)
        painter.drawImage(0, 0, image)
        painter.end()
        image = flat
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    return _rows(rgb, 3).copy()
