"""Regenerate resources/check_digits.png: 1,000 other people's digits the personal profile is measured against.

The app measures on these digits the typical distance between two digits of one class
in the feature space personal profiles use, and checks that a profile does not spoil
reading other people's digits (digitdesk/engine/personal.py). Their mean features are
also the fingerprint that tells the shipped profile space (models/digit_cnn_space.npz)
is the model's: after regenerating this file, run `python -m training.profile_space`
again, or profiles fall back to a PCA of these digits. MNIST
cannot be shipped in bulk, so they are UNIPEN pen digits (CC BY 4.0, Guyon et al.
1994; the strokes are rendered and prepared exactly like a drawing in the app):
100 of each digit, taken round-robin over UNIPEN's training writers (never the
held-out writers the figures are reported on), each drawn with a random pen width.

One greyscale PNG, 50 digits a row, each 28x28 as the model sees it (ink bright);
digit d fills tiles d*100 ... d*100+99, row by row. A fixed seed makes it reproducible:

    .venv/bin/python packaging/make_check_digits.py [--unipen-dir DIR]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image, PngImagePlugin

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from training import unipen  # noqa: E402

PER_DIGIT = 100
COLUMNS = 50
SEED = 20260


def pick(chars: list, rng: np.random.Generator) -> list:
    """PER_DIGIT characters of each digit, one writer after another so that many hands are in."""
    chosen = []
    for digit in "0123456789":
        by_writer: dict[str, list] = {}
        for char in chars:
            if char.label == digit:
                by_writer.setdefault(char.writer, []).append(char)
        writers = sorted(by_writer)
        rng.shuffle(writers)
        for pool in by_writer.values():
            rng.shuffle(pool)
        picked, round_ = [], 0
        while len(picked) < PER_DIGIT:
            picked += [by_writer[w][round_] for w in writers if len(by_writer[w]) > round_]
            round_ += 1
        chosen += picked[:PER_DIGIT]
    return chosen


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unipen-dir", type=Path, default=unipen.default_unipen_dir())
    args = parser.parse_args(argv)
    if args.unipen_dir is None:
        parser.error(f"UNIPEN not found: pass --unipen-dir or set {unipen.ENV_VAR}")
    heldout = unipen.heldout_writers(args.unipen_dir)
    train, _ = unipen.split_by_writer(unipen.load(args.unipen_dir), heldout)
    rng = np.random.default_rng(SEED)
    chars = pick(train, rng)
    tiles = unipen.render_all(chars, rng)
    rows = len(tiles) // COLUMNS
    sheet = tiles.reshape(rows, COLUMNS, 28, 28).transpose(0, 2, 1, 3).reshape(rows * 28, COLUMNS * 28)
    info = PngImagePlugin.PngInfo()
    info.add_text("Source", "UNIPEN train_r01_v07 digits (training writers), Guyon et al. 1994, CC BY 4.0")
    info.add_text("Layout", f"{PER_DIGIT} per digit 0-9 in order, {COLUMNS} tiles of 28x28 a row")
    out = ROOT / "resources" / "check_digits.png"
    Image.fromarray(sheet, "L").save(out, optimize=True, pnginfo=info)
    print(f"{out.relative_to(ROOT)}: {len(tiles)} digits from {len({c.writer for c in chars})} writers, "
          f"{out.stat().st_size} bytes")


if __name__ == "__main__":
    main()
