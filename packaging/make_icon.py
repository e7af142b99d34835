"""Regenerate DigitDesk's icon: resources/icon.png (256 px), icon-<size>.png and icon.ico (Windows).

A rounded indigo-to-teal square holding a hand-drawn white 7 inside amber corner brackets: a digit
that has been found and read. Drawn at 1024 px and scaled down, so every size comes from one drawing.

    .venv/bin/python packaging/make_icon.py
"""
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from handwriting import DIGIT_STROKES, draw_strokes

MASTER = 1024
SIZES = (16, 24, 32, 48, 64, 128, 256)
TOP_LEFT, BOTTOM_RIGHT = np.array([57, 73, 171]), np.array([0, 137, 123])   # indigo 600 -> teal 600
AMBER = (255, 202, 40, 255)


def background(size: int) -> Image.Image:
    """Diagonal gradient clipped to a rounded square with a small transparent margin."""
    ramp = np.add.outer(np.arange(size), np.arange(size)) / (2 * size - 2)
    rgb = (TOP_LEFT + (BOTTOM_RIGHT - TOP_LEFT) * ramp[..., None]).astype(np.uint8)
    img = Image.fromarray(rgb, "RGB").convert("RGBA")
    mask = Image.new("L", (size, size), 0)
    inset = size * 0.04
    ImageDraw.Draw(mask).rounded_rectangle((inset, inset, size - inset, size - inset), radius=size * 0.2, fill=255)
    img.putalpha(mask)
    return img


def brackets(draw: ImageDraw.ImageDraw, size: int) -> None:
    """Four corner marks around the digit, like the boxes DigitDesk draws on a read image."""
    lo, hi, arm, width = size * 0.2, size * 0.8, size * 0.13, int(size * 0.035)
    for cx, dx in ((lo, 1), (hi, -1)):
        for cy, dy in ((lo, 1), (hi, -1)):
            draw.line([(cx + dx * arm, cy), (cx, cy), (cx, cy + dy * arm)], fill=AMBER, width=width, joint="curve")
            r = width / 2
            for x, y in ((cx + dx * arm, cy), (cx, cy + dy * arm), (cx, cy)):
                draw.ellipse((x - r, y - r, x + r, y + r), fill=AMBER)


def master() -> Image.Image:
    img = background(MASTER)
    brackets(ImageDraw.Draw(img), MASTER)
    # The digit gets a soft shadow so it stays readable on the lighter teal corner.
    ink = Image.new("L", (MASTER, MASTER), 0)
    box = (MASTER * 0.24, MASTER * 0.25, MASTER * 0.52, MASTER * 0.52)
    slanted = [[(x - 0.12 * (y - 0.5), y) for x, y in stroke] for stroke in DIGIT_STROKES[7]]
    draw_strokes(ImageDraw.Draw(ink), slanted, box, pen=MASTER * 0.085, ink=255)
    shadow = ink.filter(ImageFilter.GaussianBlur(MASTER * 0.012)).point(lambda v: v * 0.45)
    img.paste((20, 30, 60, 255), (int(MASTER * 0.012), int(MASTER * 0.018)), shadow)
    img.paste((255, 255, 255, 255), (0, 0), ink)
    return img


def main() -> None:
    out = Path(__file__).resolve().parents[1] / "resources"
    big = master()
    icons = {size: big.resize((size, size), Image.LANCZOS) for size in SIZES}
    icons[256].save(out / "icon.png", optimize=True)
    for size, icon in icons.items():
        if size != 256:
            icon.save(out / f"icon-{size}.png", optimize=True)
    icons[256].save(out / "icon.ico", sizes=[(s, s) for s in SIZES])
    print("resources/icon.png, icon-<size>.png, icon.ico")


if __name__ == "__main__":
    main()
