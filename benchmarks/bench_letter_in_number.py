"""A letter written between digits on the Draw tab: left out, warned about, or read as digits?

A lone letter is refused at the model's own bar; in a number a piece is refused
only from a stricter one, so that a sloppy digit is not dropped. This measures
what that costs: an "A" (three pen strokes: two legs and a bar) drawn between
digits, in every combination of digit size, gap and pen width below, read from
its strokes as the Draw tab reads it. No data needed. Prints a table, then one
JSON line last.

    .venv/bin/python benchmarks/bench_letter_in_number.py
"""
from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from digitdesk.engine.recognizer import Recognizer  # noqa: E402
from digitdesk.engine.stroke_groups import PenStroke  # noqa: E402

WIDTHS, HEIGHTS, GAPS, PENS = (80, 100, 130), (180, 220), (20, 50, 90), (8, 14, 22)   # px
NUMBERS = ("3A5", "1A7", "A4")

SHAPES = {   # strokes in a unit box, x right, y down
    "A": [[(0, 1), (.5, 0)], [(.5, 0), (1, 1)], [(.2, .55), (.8, .55)]],
    "1": [[(.3, .2), (.55, 0), (.55, 1)]],
    "3": [[(.1, .15), (.45, 0), (.8, .2), (.45, .5), (.85, .75), (.45, 1), (.05, .85)]],
    "4": [[(.7, 1), (.7, 0), (.05, .7), (.95, .7)]],
    "5": [[(.85, 0), (.2, 0), (.15, .45), (.6, .4), (.85, .7), (.5, 1), (.1, .9)]],
    "7": [[(.05, 0), (.95, 0), (.4, 1)]],
}


def _dense(points: np.ndarray, step: float = 4.0) -> np.ndarray:
    """A mouse's points along the polyline, about `step` px apart."""
    out = [points[0]]
    for a, b in zip(points[:-1], points[1:]):
        n = max(1, int(np.hypot(*(b - a)) / step))
        out += [a + (b - a) * k / n for k in range(1, n + 1)]
    return np.array(out)


def drawing(text: str, width: float, height: float, gap: float, pen: float) -> list[PenStroke]:
    strokes = []
    for i, char in enumerate(text):
        x0 = 50 + i * (width + gap)
        for stroke in SHAPES[char]:
            points = np.array([(x0 + u * width, 100 + v * height) for u, v in stroke], float)
            strokes.append(PenStroke(_dense(points), pen))
    return strokes


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()   # --help; no options
    recognizer = Recognizer()
    outcome = {"left out": 0, "unsure": 0, "silently read as digits": 0}
    for text, width, height, gap, pen in itertools.product(NUMBERS, WIDTHS, HEIGHTS, GAPS, PENS):
        reading = recognizer.recognize_strokes(drawing(text, width, height, gap, pen))
        if reading.text == text.replace("A", ""):
            outcome["left out"] += 1
        elif reading.status == "unsure":
            outcome["unsure"] += 1
        else:
            outcome["silently read as digits"] += 1
    total = sum(outcome.values())
    print(f"an 'A' between digits ({', '.join(NUMBERS)}), {total} drawings:")
    for name, count in outcome.items():
        print(f"  {name:25s} {count:4d}  {count / total:6.1%}")
    print(json.dumps({"drawings": total, **{k.replace(" ", "_"): round(v / total, 4) for k, v in outcome.items()}}))


if __name__ == "__main__":
    main()
