"""Regenerate resources/samples/: the drawings `digitdesk --selftest` must read correctly.

Each file is named after the number drawn on it (0.png ... 9.png, 2026.png). Drawn from the strokes
in handwriting.py with a fixed seed, so running this again gives the same files.

    .venv/bin/python packaging/make_samples.py
"""
from pathlib import Path

from handwriting import render_number

SAMPLES = [str(d) for d in range(10)] + ["2026"]


def main() -> None:
    out = Path(__file__).resolve().parents[1] / "resources" / "samples"
    out.mkdir(parents=True, exist_ok=True)
    for seed, text in enumerate(SAMPLES):
        render_number(text, seed=100 + seed).save(out / f"{text}.png", optimize=True)
        print(out.name + "/" + f"{text}.png")


if __name__ == "__main__":
    main()
