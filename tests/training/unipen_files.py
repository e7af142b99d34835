"""Write a small UNIPEN-format folder so pipeline tests never need the real data."""
import gzip
import json
from pathlib import Path

from tests.engine.images import STROKES

LETTERS = {"A": [[(0.1, 1), (0.5, 0), (0.9, 1)], [(0.27, 0.6), (0.73, 0.6)]],
           "-": [[(0.0, 0.5), (1.0, 0.5)]],
           "k": [[(0.2, 0), (0.2, 1)], [(0.8, 0.3), (0.2, 0.7), (0.8, 1)]]}


def _record(label, writer, strokes, scale, **extra):
    pts = [[[int(x * scale), int(y * scale)] for x, y in stroke] for stroke in strokes]
    return {"label": label, "writer": writer, "contributor": writer.split("/")[0], "strokes": pts, **extra}


def write_unipen_dir(folder: Path, writers=("apa/w1", "apb/w2", "ced/w3", "ced/w4"), heldout=("ced/w3", "ced/w4")):
    """Every writer writes each digit and letter once, at a contributor-specific scale."""
    folder.mkdir(parents=True, exist_ok=True)
    digits, others = [], []
    for k, writer in enumerate(writers):
        scale = 20 + 80 * k
        digits += [_record(str(d), writer, STROKES[d], scale) for d in range(10)]
        others += [_record(c, writer, s, scale, category="upper") for c, s in LETTERS.items()]
    for name, records in (("digits.jsonl.gz", digits), ("letters_symbols.jsonl.gz", others)):
        with gzip.open(folder / name, "wt", encoding="utf-8") as fh:
            fh.writelines(json.dumps(r) + "\n" for r in records)
    (folder / "heldout_writers.txt").write_text("\n".join(heldout) + "\n")
    return folder
