"""Small copies of images for lists: made where the full image is (a worker process), so only they travel."""
from __future__ import annotations

import cv2
import numpy as np


def fit_within(rgb: np.ndarray, side: int) -> np.ndarray:
    """The image scaled down (never up) so its longest side is at most `side`."""
    h, w = rgb.shape[:2]
    scale = side / max(h, w)
    if scale >= 1.0:
        return rgb
    return cv2.resize(rgb, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)


def thumbnail(rgb: np.ndarray, side: int) -> np.ndarray:
    """A small copy of an image (always a new array)."""
    return fit_within(rgb, side).copy()
