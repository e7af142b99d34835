"""Proxy checks for real handwriting: MNIST test digits re-rendered the ways real input differs.

Thin scans and thick marker strokes (erode/dilate at 4x resolution), small
postal scans (downscaled to 16x16 and back), binarised bitmaps, and a
32x32 bitmap round trip. Only the model's share of robustness: the app's
preparation of raw images is measured by benchmarks/bench_real_input.py.
"""
from __future__ import annotations

import cv2
import numpy as np

from training.data import normalise

UPSCALE = 4


def _morph(img: np.ndarray, radius: int, thicken: bool) -> np.ndarray:
    big = cv2.resize(img, None, fx=UPSCALE, fy=UPSCALE, interpolation=cv2.INTER_CUBIC)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    big = cv2.dilate(big, kernel) if thicken else cv2.erode(big, kernel)
    return cv2.resize(big, (28, 28), interpolation=cv2.INTER_AREA)


def _roundtrip(img: np.ndarray, side: int) -> np.ndarray:
    small = cv2.resize(img, (side, side), interpolation=cv2.INTER_AREA)
    return cv2.resize(small, (28, 28), interpolation=cv2.INTER_LINEAR)


VARIANTS = {
    "original": lambda im: im,
    "thin": lambda im: _morph(im, 2, thicken=False),
    "thick": lambda im: _morph(im, 3, thicken=True),
    "very_thick": lambda im: _morph(im, 5, thicken=True),
    "downscaled_16": lambda im: _roundtrip(im, 16),
    "bitmap_32": lambda im: np.where(_roundtrip(im, 32) > 127, 255, 0).astype(np.uint8),
    "binarised": lambda im: np.where(im > 127, 255, 0).astype(np.uint8),
}


def variant_images(x: np.ndarray, kind: str) -> np.ndarray:
    fn = VARIANTS[kind]
    return np.stack([fn(im) for im in x]).astype(np.uint8)


def robustness_report(model, x: np.ndarray, y: np.ndarray, batch: int = 1000) -> dict[str, float]:
    """Accuracy of the model on each re-rendered variant of (x, y)."""
    report = {}
    for kind in VARIANTS:
        xv = variant_images(x, kind)
        probs = np.concatenate([model.predict_on_batch(normalise(xv[i:i + batch]))
                                for i in range(0, len(xv), batch)])
        report[kind] = float((probs.argmax(1) == y).mean())
    return report
