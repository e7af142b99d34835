"""Test images and videos of handwritten digits on paper, and a gallery of broken or odd files.

Digits are MNIST test samples (white ink on black, inverted onto paper) when the
IDX files are available, else pen-like font renders; pages get uneven lighting and
noise so recognition is exercised the way a scan or a webcam would.
"""
from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from training.data import FILES, IMAGE_MAGIC, LABEL_MAGIC, read_idx

PAPER = np.array([236, 231, 218], dtype=np.float32)   # off-white, slightly warm
INK = np.array([28, 30, 62], dtype=np.float32)        # blue-black ballpoint


def _idx(directory: Path, stem: str) -> Path:
    for name in (stem + ".gz", stem):
        if (directory / name).exists():
            return directory / name
    raise FileNotFoundError(f"{stem}(.gz) not in {directory}")


def in_one_piece(glyph: np.ndarray, level: int = 128) -> bool:
    """True if the digit's ink is one connected stroke (no pen lift, no broken line)."""
    count, _ = cv2.connectedComponents((glyph > level).astype(np.uint8))
    return count == 2   # background + one stroke


def mnist_glyphs(mnist_path: Path, per_digit: int = 200) -> dict[int, list[np.ndarray]]:
    """Test-set images by label (28x28 uint8, white ink on black), in file order.

    Only digits written in one connected stroke are used: these files test the
    app around the engine (decoding, threads, boxes), not how the segmenter
    copes with a pen lifted mid-digit, which the engine's own tests cover.
    """
    images = read_idx(_idx(Path(mnist_path), FILES["test_images"]), IMAGE_MAGIC)
    labels = read_idx(_idx(Path(mnist_path), FILES["test_labels"]), LABEL_MAGIC)
    by_digit = {}
    for d in range(10):
        samples = (g for g in images[labels == d] if in_one_piece(g))
        by_digit[d] = [g for _, g in zip(range(per_digit), samples)]
    return by_digit


def stroke_glyph(digit: int) -> np.ndarray:
    """A pen-like render of a digit (OpenCV's script font), framed like MNIST: 20x20 box in 28x28."""
    canvas = np.zeros((160, 160), np.uint8)
    cv2.putText(canvas, str(digit), (30, 130), cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, 4.0, 255, 10, cv2.LINE_AA)
    ys, xs = np.nonzero(canvas)
    crop = canvas[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    scale = 20.0 / max(crop.shape)
    crop = cv2.resize(crop, (max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale))),
                      interpolation=cv2.INTER_AREA)
    glyph = np.zeros((28, 28), np.uint8)
    y, x = (28 - crop.shape[0]) // 2, (28 - crop.shape[1]) // 2
    glyph[y:y + crop.shape[0], x:x + crop.shape[1]] = crop
    return glyph


class GlyphSource:
    """Hands out glyph images for digits: MNIST samples (varied handwriting) or stroke renders."""

    def __init__(self, mnist_path: Path | None = None):
        self._mnist = mnist_glyphs(mnist_path) if mnist_path else None
        self._next = {d: 0 for d in range(10)}

    @property
    def handwritten(self) -> bool:
        return self._mnist is not None

    def glyph(self, digit: int) -> np.ndarray:
        if self._mnist is None:
            return stroke_glyph(digit)
        samples = self._mnist[digit]
        i = self._next[digit]
        self._next[digit] = (i + 1) % len(samples)
        return samples[i]


def lighting(height: int, width: int, rng: np.random.Generator, strength: float = 0.22) -> np.ndarray:
    """A smooth brightness field (1 ± strength): a desk lamp on one side, shade on the other."""
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    cx, cy = rng.uniform(0, width), rng.uniform(0, height)
    dist = np.hypot(xx - cx, yy - cy) / np.hypot(width, height)
    return (1.0 + strength / 2 - strength * dist * 1.6).clip(1 - strength, 1 + strength / 2)[..., None]


def paper(height: int, width: int, rng: np.random.Generator) -> np.ndarray:
    """Float RGB paper with a lamp-like gradient."""
    return np.broadcast_to(PAPER, (height, width, 3)) * lighting(height, width, rng)


def ink_onto(page: np.ndarray, glyph: np.ndarray, x: int, y: int, size: int) -> None:
    """Write a (white-on-black) glyph as dark ink into a float RGB page, its 28x28 frame scaled to size."""
    alpha = cv2.resize(glyph, (size, size), interpolation=cv2.INTER_CUBIC).astype(np.float32) / 255.0
    alpha = alpha.clip(0, 1)[..., None]
    region = page[y:y + size, x:x + size]
    region[:] = region * (1 - alpha) + INK * alpha


def hash_onto(page: np.ndarray, x: int, y: int, size: int) -> None:
    """Write a hand-drawn-looking '#' as dark ink into a float RGB page, in a size x size square at (x, y)."""
    mask = np.zeros((size, size), np.float32)
    pen = max(2, size // 13)
    for k in (size // 4, size // 2):
        cv2.line(mask, (k + size // 8, size // 16), (k, size - size // 16), 1.0, pen, cv2.LINE_AA)
        cv2.line(mask, (0, k + size // 8), (size - size // 8, k + size // 16), 1.0, pen, cv2.LINE_AA)
    alpha = mask[..., None]
    region = page[y:y + size, x:x + size]
    region[:] = region * (1 - alpha) + INK * alpha


def finish(page: np.ndarray, rng: np.random.Generator, noise: float = 5.0) -> np.ndarray:
    return (page + rng.normal(0, noise, page.shape)).clip(0, 255).astype(np.uint8)


def number_image(glyphs: GlyphSource, text: str, size: int = 64, seed: int = 0,
                 margin: int = 24) -> np.ndarray:
    """An RGB photo-like image of digits written left to right on paper."""
    rng = np.random.default_rng(seed)
    step = int(size * 0.8)
    width, height = 2 * margin + step * (len(text) - 1) + size, 2 * margin + size
    page = np.array(paper(height, width, rng))
    for i, ch in enumerate(text):
        ink_onto(page, glyphs.glyph(int(ch)), margin + i * step, margin, size)
    return finish(page, rng)


def save(path: Path, rgb: np.ndarray, **params) -> Path:
    Image.fromarray(rgb).save(path, **params)
    return path


class DigitVideo:
    """A webcam-like clip: a sheet with one written number that jitters and drifts under changing light."""

    def __init__(self, glyphs: GlyphSource, text: str = "305482", size: tuple[int, int] = (640, 480),
                 digit_size: int = 64, seed: int = 0, mark: bool = False):
        self.text = text
        self.size = size
        self._rng = np.random.default_rng(seed)
        width, height = size
        step = int(digit_size * 0.85)
        margin = int(digit_size * 0.75)     # the sheet's edges stay clear of the writing
        sheet_w = step * (len(text) - 1) + digit_size + 2 * margin + (step + digit_size // 5) * mark
        sheet_h = digit_size + 2 * margin
        sheet = np.array(paper(sheet_h, sheet_w, self._rng))
        for i, ch in enumerate(text):
            ink_onto(sheet, glyphs.glyph(int(ch)), margin + i * step, margin, digit_size)
        if mark:   # a '#' after the number: not a digit, left out of the text
            hash_onto(sheet, margin + len(text) * step + digit_size // 5, margin, digit_size)
        self._sheet = sheet
        self._origin = ((width - sheet_w) // 2, (height - sheet_h) // 2)
        self._desk = np.array(paper(height, width, self._rng))

    def frame(self, k: int) -> np.ndarray:
        """Frame k as BGR uint8 (what cv2 reads from a camera)."""
        width, height = self.size
        page = self._desk.copy()
        dx = int(round(18 * np.sin(k / 23.0) + self._rng.integers(-2, 3)))
        dy = int(round(10 * np.sin(k / 31.0) + self._rng.integers(-2, 3)))
        x0, y0 = self._origin[0] + dx, self._origin[1] + dy
        sh, sw = self._sheet.shape[:2]
        page[y0:y0 + sh, x0:x0 + sw] = self._sheet
        flicker = 1.0 + 0.06 * np.sin(k / 7.0)
        rgb = finish(page * flicker * lighting(height, width, self._rng, 0.12), self._rng, 6.0)
        return cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)

    def write(self, path: Path, frames: int, fps: float = 30.0) -> Path:
        """Write the clip (MJPG in .avi: decodable by every OpenCV build)."""
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, self.size)
        if not writer.isOpened():
            raise RuntimeError("OpenCV cannot write MJPG video here")
        try:
            for k in range(frames):
                writer.write(self.frame(k))
        finally:
            writer.release()
        return path


# -- broken and odd files --------------------------------------------------------------------------

def _png_bytes(rgb: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="PNG")
    return buffer.getvalue()


def _jpeg_bytes(rgb: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="JPEG", quality=92)
    return buffer.getvalue()


def bomb_png(width: int = 60000, height: int = 60000) -> bytes:
    """A tiny PNG whose header announces billions of pixels (a decompression bomb)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 1024)) + chunk(b"IEND", b""))


def write_odd_files(folder: Path, glyphs: GlyphSource) -> dict[str, str]:
    """Valid but unusual images, each showing a number: {file name: the number}."""
    folder.mkdir(parents=True, exist_ok=True)
    made = {}

    def page(text: str, seed: int) -> np.ndarray:
        return number_image(glyphs, text, seed=seed)

    Image.fromarray(page("38", 1)).convert("CMYK").save(folder / "cmyk.jpg", quality=95)
    made["cmyk.jpg"] = "38"

    gray16 = (page("52", 2)[..., 0].astype(np.uint16) * 257)
    Image.fromarray(gray16).save(folder / "sixteen-bit.png")   # mode I;16
    made["sixteen-bit.png"] = "52"

    # palette image whose background index is transparent: composited on white it reads as ink on paper
    ink = np.zeros((92, 170), np.uint8)
    ink_onto_mask(ink, glyphs, "61")
    pal = Image.fromarray(np.where(ink > 127, 1, 0).astype(np.uint8), mode="P")
    pal.putpalette([255, 0, 0, 20, 20, 60] + [0, 0, 0] * 254)   # background red, but transparent
    pal.save(folder / "palette-transparent.png", transparency=0)
    made["palette-transparent.png"] = "61"

    rgba = np.zeros((92, 170, 4), np.uint8)
    ink2 = np.zeros((92, 170), np.uint8)
    ink_onto_mask(ink2, glyphs, "74")
    rgba[..., :3] = 25
    rgba[..., 3] = ink2                                          # dark ink, transparent elsewhere
    Image.fromarray(rgba, mode="RGBA").save(folder / "rgba.png")
    made["rgba.png"] = "74"

    upright = Image.fromarray(page("29", 3))
    stored = upright.transpose(Image.Transpose.ROTATE_90)        # as a phone held sideways stores it
    exif = Image.Exif()
    exif[0x0112] = 6                                             # Orientation: rotate 90 CW to display
    stored.save(folder / "exif-rotated.jpg", exif=exif, quality=95)
    made["exif-rotated.jpg"] = "29"

    first = Image.fromarray(page("47", 4))
    second = Image.fromarray(page("11", 5))
    first.save(folder / "animated.gif", save_all=True, append_images=[second], duration=200, loop=0)
    made["animated.gif"] = "47"

    (folder / "really-a-png.jpg").write_bytes(_png_bytes(page("83", 6)))
    made["really-a-png.jpg"] = "83"
    return made


def ink_onto_mask(mask: np.ndarray, glyphs: GlyphSource, text: str, size: int = 64) -> None:
    """Draw a number's ink coverage (0-255) into a 2-D mask, 14 px margins."""
    for i, ch in enumerate(text):
        g = cv2.resize(glyphs.glyph(int(ch)), (size, size), interpolation=cv2.INTER_CUBIC)
        x = 14 + i * int(size * 0.8)
        mask[14:14 + size, x:x + size] = np.maximum(mask[14:14 + size, x:x + size], g)


def write_bad_files(folder: Path, glyphs: GlyphSource) -> list[str]:
    """Files that cannot be read as images (each must get its own reason): their names."""
    folder.mkdir(parents=True, exist_ok=True)
    png = _png_bytes(number_image(glyphs, "90", seed=7))
    jpeg = _jpeg_bytes(number_image(glyphs, "90", seed=8))
    (folder / "truncated.png").write_bytes(png[: len(png) // 2])
    (folder / "truncated.jpg").write_bytes(jpeg[: len(jpeg) // 3])
    (folder / "empty.png").write_bytes(b"")
    (folder / "notes.png").write_text("shopping list: milk, eggs\n", encoding="utf-8")
    (folder / "bomb.png").write_bytes(bomb_png())
    return ["truncated.png", "truncated.jpg", "empty.png", "notes.png", "bomb.png"]
