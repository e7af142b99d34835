"""Synthetic test pictures: handwriting-like digits on the kinds of paper users photograph.

Digits are polylines in a unit box (x right, y down), drawn with antialiased
round-capped strokes, so tests control stroke width, size, polarity and paper.
"""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

# Each digit: a list of strokes; each stroke a list of (x, y) points in [0, 1].
STROKES: dict[int, list[list[tuple[float, float]]]] = {
    0: [[(0.5 + 0.42 * np.cos(t), 0.5 + 0.47 * np.sin(t)) for t in np.linspace(0, 2 * np.pi, 40)]],
    1: [[(0.35, 0.2), (0.6, 0.03), (0.55, 0.97)]],
    2: [[(0.12, 0.28), (0.3, 0.06), (0.62, 0.04), (0.84, 0.22), (0.74, 0.48), (0.12, 0.95), (0.92, 0.95)]],
    3: [[(0.15, 0.12), (0.5, 0.02), (0.82, 0.16), (0.76, 0.38), (0.42, 0.48), (0.82, 0.6),
         (0.84, 0.85), (0.5, 0.98), (0.12, 0.86)]],
    4: [[(0.58, 0.03), (0.08, 0.66), (0.92, 0.66)], [(0.68, 0.3), (0.66, 0.97)]],
    5: [[(0.85, 0.04), (0.28, 0.04)],
        [(0.28, 0.04), (0.22, 0.46), (0.55, 0.38), (0.84, 0.58), (0.8, 0.86), (0.5, 0.98), (0.14, 0.88)]],
    6: [[(0.72, 0.03), (0.38, 0.3), (0.2, 0.65), (0.3, 0.93), (0.62, 0.96), (0.8, 0.74),
         (0.62, 0.54), (0.3, 0.6)]],
    7: [[(0.08, 0.06), (0.92, 0.06), (0.42, 0.97)]],
    8: [[(0.5 + 0.3 * np.cos(t), 0.27 + 0.24 * np.sin(t)) for t in np.linspace(0, 2 * np.pi, 30)],
        [(0.5 + 0.38 * np.cos(t), 0.74 + 0.24 * np.sin(t)) for t in np.linspace(0, 2 * np.pi, 30)]],
    9: [[(0.5 + 0.3 * np.cos(t), 0.3 + 0.26 * np.sin(t)) for t in np.linspace(0, 2 * np.pi, 30)],
        [(0.8, 0.3), (0.72, 0.97)]],
}


def draw_digit(canvas: np.ndarray, digit: int, box: tuple[int, int, int, int], thickness: int,
               color: int = 0, detach: float = 0.0) -> np.ndarray:
    """Draw `digit` into box (x, y, w, h) of a grey canvas, in place.

    detach > 0 moves every stroke after the first up by that share of the box
    height, so multi-stroke digits (4, 5) come apart like hasty handwriting.
    """
    x, y, w, h = box
    for i, stroke in enumerate(STROKES[digit]):
        lift = detach * h if i > 0 else 0.0
        points = np.array([[x + px * w, y + py * h - lift] for px, py in stroke], np.float64)
        cv2.polylines(canvas, [np.rint(points * 16).astype(np.int32)], False, color, thickness,
                      cv2.LINE_AA, shift=4)
    return canvas


def canvas_digit(digit: int, size: tuple[int, int] = (700, 1000), box=None, thickness: int = 24) -> np.ndarray:
    """What the drawing canvas hands over: black antialiased strokes on pure white."""
    canvas = np.full(size, 255, np.uint8)
    h, w = size
    box = box or (w // 2 - int(h * 0.3), int(h * 0.15), int(h * 0.55), int(h * 0.7))
    return draw_digit(canvas, digit, box, thickness)


FLAGGED_SEVEN = [(0.05, 0.35), (0.65, 0.1), (0.6, 0.9)]   # a 7 drawn like a flagged 1: the model is unsure


def drawn(points, seed: int = 0) -> np.ndarray:
    """One stroke through `points` (0-1 box) on a 300x400 page, a little different for every seed."""
    rng = np.random.default_rng(seed)
    page = np.full((400, 300), 255, np.uint8)
    jitter = rng.normal(0, 0.01, (len(points), 2))
    xy = np.array([(40 + (x + dx) * 220, 30 + (y + dy) * 340) for (x, y), (dx, dy) in zip(points, jitter)])
    cv2.polylines(page, [xy.astype(np.int32)], False, 0, 22, cv2.LINE_AA)
    return page


def number_image(text: str, digit_height: int = 120, thickness: int = 12, gap: float = 0.35,
                 margin: int = 40) -> np.ndarray:
    """A row of digits, dark on white, like a number written on a form."""
    width = int(digit_height * 0.6)
    step = int(width * (1 + gap))
    canvas = np.full((digit_height + 2 * margin, margin * 2 + step * len(text)), 255, np.uint8)
    for i, char in enumerate(text):
        draw_digit(canvas, int(char), (margin + i * step, margin, width, digit_height), thickness)
    return canvas


def digit_boxes(text: str, digit_height: int = 120, gap: float = 0.35, margin: int = 40):
    """The boxes number_image() draws into, for checking segmentation."""
    width = int(digit_height * 0.6)
    step = int(width * (1 + gap))
    return [(margin + i * step, margin, width, digit_height) for i in range(len(text))]


# --- paper --------------------------------------------------------------------------------

def paper(shape: tuple[int, int], kind: str, seed: int = 0) -> np.ndarray:
    """Backgrounds as float32 grey levels 0-255."""
    h, w = shape
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    if kind == "white":
        page = np.full(shape, 250.0, np.float32)
    elif kind == "grey":
        page = np.full(shape, 165.0, np.float32)
    elif kind == "gradient":  # lamp on one side
        page = 250.0 - 120.0 * (xx / w) * (0.6 + 0.4 * yy / h)
    elif kind == "shadow":  # a soft shadow over the lower-left
        shade = 1.0 / (1.0 + np.exp(-((xx / w - 0.55) * 8 + (yy / h - 0.5) * -5)))
        page = 95.0 + 145.0 * shade
    elif kind == "ruled":
        page = np.full(shape, 245.0, np.float32)
        spacing = max(12, h // 6)
        for row in range(spacing // 2, h, spacing):
            page[row:row + 2, :] = 175.0  # light blue-grey lines
    else:
        raise ValueError(kind)
    return (page + rng.normal(0, 3.0, shape)).astype(np.float32)


def on_paper(ink_gray: np.ndarray, kind: str, ink_level: float = 35.0, seed: int = 0) -> np.ndarray:
    """Put a dark-on-white drawing (uint8) onto paper: darkness multiplies like real ink."""
    page = paper(ink_gray.shape, kind, seed)
    coverage = 1.0 - ink_gray.astype(np.float32) / 255.0
    image = page * (1.0 - coverage) + np.minimum(page, ink_level) * coverage
    return np.clip(np.rint(image), 0, 255).astype(np.uint8)


def jpeg(image: np.ndarray, quality: int = 60) -> np.ndarray:
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return cv2.imdecode(data, cv2.IMREAD_UNCHANGED)


def blur(image: np.ndarray, sigma: float = 2.0) -> np.ndarray:
    return cv2.GaussianBlur(image, (0, 0), sigma)


# --- MNIST ---------------------------------------------------------------------------------

def load_mnist_test(directory: Path, count: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The first `count` MNIST test images (uint8, ink bright) and labels, via the training loader."""
    from training.data import FILES, IMAGE_MAGIC, LABEL_MAGIC, read_idx

    def find(stem: str) -> Path:
        packed = Path(directory) / (stem + ".gz")
        return packed if packed.exists() else Path(directory) / stem
    x = read_idx(find(FILES["test_images"]), IMAGE_MAGIC)
    y = read_idx(find(FILES["test_labels"]), LABEL_MAGIC)
    return x[:count].copy(), y[:count].copy()


def mnist_on_paper(digits: np.ndarray, height: int, kind: str = "white", seed: int = 0) -> np.ndarray:
    """MNIST digits (bright on black) side by side, inverted to dark ink, at `height` px per digit."""
    tiles = [cv2.resize(255 - d, (height, height), interpolation=cv2.INTER_CUBIC) for d in digits]
    margin = height // 3
    row = np.full((height + 2 * margin, margin + len(tiles) * height + margin), 255, np.uint8)
    for i, tile in enumerate(tiles):
        row[margin:margin + height, margin + i * height:margin + (i + 1) * height] = tile
    return on_paper(row, kind, seed=seed)


def ink_aspect(digit: np.ndarray) -> float:
    """Width over height of a 28x28 MNIST digit's ink."""
    _, _, w, h = cv2.boundingRect((digit > 127).astype(np.uint8))
    return w / h


def slanted_ones_and_twos(mnist_dir, n_ones: int, n_twos: int):
    """'1's slanted to 0.4-0.5 of their height and '2's no wider than tall: pairs that used to be mis-cut."""
    digits, labels = load_mnist_test(mnist_dir, count=1000)
    ones = [d for d, label in zip(digits, labels) if label == 1 and 0.4 <= ink_aspect(d) < 0.5][:n_ones]
    twos = [d for d, label in zip(digits, labels) if label == 2 and ink_aspect(d) <= 1.0][:n_twos]
    return ones, twos
