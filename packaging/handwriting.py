"""Hand-drawn digit strokes and a pen that renders them, shared by make_samples.py and make_icon.py.

The built-in self-test samples must look like what a person draws on the canvas (round pen, uneven
pressure, a slant), not like MNIST scans: MNIST is never shipped with DigitDesk. Each digit is a few
strokes of control points in a unit box (x right, y down); a stroke is smoothed with a Catmull-Rom
spline, so a sharp corner (the elbow of a 7) is where one stroke ends and the next begins.
"""
from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw

Point = tuple[float, float]

DIGIT_STROKES: dict[int, list[list[Point]]] = {
    0: [[(0.52, 0.10), (0.30, 0.20), (0.22, 0.50), (0.30, 0.82), (0.52, 0.92),
         (0.72, 0.80), (0.78, 0.48), (0.70, 0.18), (0.50, 0.10), (0.42, 0.14)]],
    1: [[(0.40, 0.22), (0.56, 0.08)], [(0.56, 0.08), (0.54, 0.50), (0.52, 0.92)]],
    2: [[(0.22, 0.30), (0.34, 0.14), (0.56, 0.09), (0.74, 0.20), (0.72, 0.40),
         (0.48, 0.64), (0.22, 0.88)], [(0.22, 0.88), (0.52, 0.86), (0.84, 0.88)]],
    3: [[(0.22, 0.18), (0.46, 0.08), (0.72, 0.16), (0.70, 0.36), (0.46, 0.47)],
        [(0.46, 0.47), (0.72, 0.56), (0.76, 0.78), (0.54, 0.92), (0.30, 0.88), (0.20, 0.78)]],
    4: [[(0.58, 0.08), (0.38, 0.36), (0.16, 0.62)], [(0.16, 0.62), (0.50, 0.62), (0.86, 0.60)],
        [(0.66, 0.32), (0.65, 0.62), (0.64, 0.94)]],
    5: [[(0.76, 0.12), (0.52, 0.11), (0.30, 0.12)], [(0.30, 0.12), (0.27, 0.30), (0.25, 0.46)],
        [(0.25, 0.46), (0.46, 0.40), (0.70, 0.50), (0.76, 0.72), (0.60, 0.90), (0.38, 0.92), (0.20, 0.82)]],
    6: [[(0.68, 0.08), (0.46, 0.24), (0.30, 0.46), (0.24, 0.70), (0.36, 0.90), (0.58, 0.90),
         (0.72, 0.74), (0.66, 0.56), (0.46, 0.52), (0.28, 0.64)]],
    7: [[(0.18, 0.14), (0.50, 0.12), (0.82, 0.13)], [(0.82, 0.13), (0.62, 0.48), (0.44, 0.92)]],
    8: [[(0.70, 0.20), (0.52, 0.09), (0.32, 0.16), (0.32, 0.34), (0.52, 0.48), (0.72, 0.62),
         (0.72, 0.84), (0.50, 0.93), (0.28, 0.84), (0.30, 0.64), (0.52, 0.48), (0.68, 0.36), (0.70, 0.20)]],
    9: [[(0.72, 0.26), (0.56, 0.10), (0.34, 0.14), (0.26, 0.32), (0.40, 0.48), (0.62, 0.44), (0.72, 0.26)],
        [(0.72, 0.26), (0.70, 0.60), (0.64, 0.94)]],
}


def catmull_rom(points: list[Point], steps: int = 24) -> np.ndarray:
    """A smooth curve through every control point (end points repeated so the curve reaches them)."""
    p = np.asarray([points[0], *points, points[-1]], dtype=np.float64)
    out = [p[1]]
    for i in range(1, len(p) - 2):
        p0, p1, p2, p3 = p[i - 1], p[i], p[i + 1], p[i + 2]
        for t in np.linspace(0, 1, steps, endpoint=False)[1:]:
            t2, t3 = t * t, t * t * t
            out.append(0.5 * (2 * p1 + (-p0 + p2) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t2
                              + (-p0 + 3 * p1 - 3 * p2 + p3) * t3))
        out.append(p2)
    return np.asarray(out)


def hand_transform(rng: np.random.Generator, slant: float = 0.12, wobble: float = 0.012):
    """One writer's hand for one digit: a slant, a small tilt and a little tremor on every point."""
    shear = slant + rng.uniform(-0.06, 0.06)
    angle = math.radians(rng.uniform(-4, 4))
    cos, sin = math.cos(angle), math.sin(angle)
    tremor: dict[Point, tuple[float, float]] = {}  # a point shared by two strokes moves once, so joints meet

    def apply(points: list[Point]) -> list[Point]:
        moved = []
        for point in points:
            dx, dy = tremor.setdefault(point, (rng.normal(0, wobble), rng.normal(0, wobble)))
            x, y = point[0] - 0.5, point[1] - 0.5
            x = x - shear * y
            x, y = cos * x - sin * y, sin * x + cos * y
            moved.append((x + 0.5 + dx, y + 0.5 + dy))
        return moved
    return apply


def draw_strokes(draw: ImageDraw.ImageDraw, strokes: list[list[Point]], box: tuple[float, float, float, float],
                 pen: float, ink, rng: np.random.Generator | None = None) -> None:
    """Draw strokes scaled into box=(left, top, width, height) with a round pen of varying pressure."""
    left, top, width, height = box
    for stroke in strokes:
        curve = catmull_rom(stroke)
        xy = np.column_stack([left + curve[:, 0] * width, top + curve[:, 1] * height])
        # Resample evenly so the dabs of the round pen overlap into a continuous line.
        seg = np.hypot(*np.diff(xy, axis=0).T)
        dist = np.concatenate([[0.0], np.cumsum(seg)])
        n = max(2, int(dist[-1] / (pen * 0.12)))
        s = np.linspace(0, dist[-1], n)
        xs, ys = np.interp(s, dist, xy[:, 0]), np.interp(s, dist, xy[:, 1])
        phase = rng.uniform(0, math.tau) if rng is not None else 0.0
        for k, (x, y) in enumerate(zip(xs, ys)):
            # Pressure: a little lighter at the start and end of a stroke, with a slow swell in between.
            u = k / (n - 1)
            pressure = 0.82 + 0.18 * math.sin(math.pi * u) + 0.06 * math.sin(6 * u + phase)
            r = pen * pressure / 2
            draw.ellipse((x - r, y - r, x + r, y + r), fill=ink)


def render_number(text: str, seed: int, cell: int = 280, pen: float = 20.0, supersample: int = 4) -> Image.Image:
    """Dark ink on white, one canvas-sized cell per digit, as if written on DigitDesk's drawing canvas."""
    rng = np.random.default_rng(seed)
    s = supersample
    gap = int(cell * 0.15) if len(text) > 1 else 0
    width = len(text) * cell + (len(text) - 1) * gap
    img = Image.new("L", (width * s, cell * s), 255)
    draw = ImageDraw.Draw(img)
    margin = cell * 0.16
    for i, ch in enumerate(text):
        hand = hand_transform(rng)
        strokes = [hand(stroke) for stroke in DIGIT_STROKES[int(ch)]]
        x0 = i * (cell + gap) + margin + rng.uniform(-6, 6)
        y0 = margin + rng.uniform(-6, 6)
        size = cell - 2 * margin
        draw_strokes(draw, strokes, (x0 * s, y0 * s, size * s, size * s), pen * s, ink=22, rng=rng)
    return img.resize((width, cell), Image.LANCZOS)
