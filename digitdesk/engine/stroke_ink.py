"""Pen strokes as an ink map, the way the Draw tab paints them (round caps, antialiased).

Shared by the app (reading a drawing stroke group by stroke group) and by
training (UNIPEN pen digits are rendered exactly as a drawing would be, then
prepared by the app's own to_mnist), so the model learns the input it gets.
"""
from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

SUBPIXEL_BITS = 4  # cv2 draws with 1/16-pixel precision, so thin strokes keep their shape


def stroke_bounds(strokes: Sequence[np.ndarray]) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1) of every point of the strokes (each an (n, 2) array of x, y)."""
    points = np.concatenate([np.asarray(s, dtype=np.float64).reshape(-1, 2) for s in strokes])
    x0, y0 = points.min(axis=0)
    x1, y1 = points.max(axis=0)
    return float(x0), float(y0), float(x1), float(y1)


def render_strokes(strokes: Sequence[np.ndarray], width: float | Sequence[float],
                   origin: tuple[float, float] | None = None,
                   shape: tuple[int, int] | None = None) -> np.ndarray:
    """Float32 ink in [0, 1] (bright on black) of the strokes drawn `width` pixels wide.

    Without `origin`/`shape` the map is just large enough for the ink; with them,
    pixel (0, 0) is the point `origin` and the map is `shape` (H, W).
    """
    strokes = [np.asarray(s, dtype=np.float64).reshape(-1, 2) for s in strokes if len(s)]
    widths = [float(width)] * len(strokes) if np.isscalar(width) else [float(w) for w in width]
    if not strokes:
        return np.zeros(shape or (1, 1), np.float32)
    if origin is None or shape is None:
        pad = max(widths) / 2 + 2
        x0, y0, x1, y1 = stroke_bounds(strokes)
        origin = (x0 - pad, y0 - pad)
        shape = (int(np.ceil(y1 - y0 + 2 * pad)) + 1, int(np.ceil(x1 - x0 + 2 * pad)) + 1)
    canvas = np.zeros(shape, np.uint8)
    scale = 1 << SUBPIXEL_BITS
    for points, w in zip(strokes, widths):
        fixed = np.rint((points - np.asarray(origin)) * scale).astype(np.int32)
        thickness = max(1, int(round(w)))
        if len(fixed) == 1 or np.all(fixed == fixed[0]):
            radius = max(1, thickness // 2) * scale
            cv2.circle(canvas, tuple(int(v) for v in fixed[0]), radius, 255, -1, cv2.LINE_AA, SUBPIXEL_BITS)
        else:
            cv2.polylines(canvas, [fixed.reshape(-1, 1, 2)], False, 255, thickness, cv2.LINE_AA, SUBPIXEL_BITS)
    return canvas.astype(np.float32) * (1 / 255)
