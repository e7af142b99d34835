"""Whole numbers as people write them: one writer's digits side by side, read exactly or not.

Numbers of 2-6 digits are composed from ONE writer's real digits: each scaled to
a common height (+-10 %), its bottom jittered a little, the gap to the previous
digit's box drawn from normal(0.18, 0.12) x height and floored at -0.08 x height,
so boxes overlap and ink sometimes touches. Sources:

* mnist_scan / mnist_photo: MNIST test digits grouped by writer (QMNIST writer
  ids; none of them trained on), dark ink on light paper as a scan, or on
  unevenly lit paper, blurred and JPEG-compressed as a photo; read as images.
  With --tune, from MNIST's training writers' held-out tenth instead (the
  validation digits, never trained on), so settings are never chosen on MNIST test.
* unipen_image: UNIPEN digits of held-out writers (never trained on) drawn with
  a pen as an image; read as an image.
* unipen_canvas: the same kind of numbers replayed on the app's Draw tab with
  QTest mouse events (offscreen Qt) and read the way the app reads the canvas
  (strokes grouped into digits); the same drawings are also read by the image
  method (unipen_canvas_image) for comparison.
* unipen_letters: the guard against reading letters as numbers: lone letters and
  symbols of the held-out writers (the kinds that do not pass for digits) drawn
  as images; the share refused (nothing read) is reported.

Reports exact-number accuracy, right-count accuracy and per-digit accuracy
(1 - edit distance / digits), by length; how often the app warns (a digit shown
unsure or a piece marked "not a digit") on the numbers it reads wrong and on the
ones it reads right; and the p50 time to read a 6-digit drawing. Prints a table,
then one JSON line last.

    .venv/bin/python benchmarks/bench_numbers.py [--n 500] [--seed 0]
        [--sources mnist_scan,mnist_photo,unipen_image,unipen_canvas,unipen_letters]
        [--writers all|validation|report] [--tune] [--perfect-cuts]
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.engine.images, training.*
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")          # the canvas replay needs no screen

from digitdesk.engine.results import UNSURE, Recognition  # noqa: E402
from digitdesk.engine.stroke_digits import prepare_stroke_blobs  # noqa: E402
from digitdesk.engine.stroke_groups import PenStroke  # noqa: E402
from digitdesk.engine.stroke_ink import render_strokes, stroke_bounds  # noqa: E402
from tests.engine.images import jpeg, load_mnist_test, on_paper  # noqa: E402
from training.data import default_data_dir, load_mnist_dir, stratified_split  # noqa: E402
from training.negatives import refusable  # noqa: E402
from training.unipen import OTHERS_FILE, PenChar, default_unipen_dir, halves, heldout_writers, load  # noqa: E402

SOURCES = ("mnist_scan", "mnist_photo", "unipen_image", "unipen_canvas", "unipen_letters")
LENGTHS = range(2, 7)
SIZE_SPREAD = 0.10              # each digit's height within +-10 % of the number's
JITTER = 0.04                   # sd of each digit's bottom, share of the height
GAP_MEAN, GAP_SD, GAP_FLOOR = 0.18, 0.12, -0.08
MAX_ASPECT = 1.6                # a digit wider than this (a scribble, a box of several) is fitted by width
PEN = (0.06, 0.14)              # pen width, share of the height (canvas pens of 4-60 px)
MNIST_HEIGHT = (36, 72)         # px per digit on a scan or photo
PEN_HEIGHT = (48, 96)           # px per digit in UNIPEN images
CANVAS_HEIGHT = 140             # px per digit on the canvas, less when the number would not fit
QMNIST_TEST = "qmnist-test-labels.tsv.gz"
QMNIST_TRAIN = "qmnist-train-labels.tsv.gz"


@dataclass
class Number:
    text: str
    image: np.ndarray | None = None          # dark ink on light paper (image sources)
    strokes: list[PenStroke] | None = None   # pen sources, in drawing order, pixels
    parts: list[int] | None = None           # pen sources: how many of the strokes each digit has
    pieces: list[np.ndarray] | None = None   # MNIST sources with --perfect-cuts: each digit alone on the page


@dataclass(frozen=True)
class Reading:
    """What the app shows for a number: its text, and whether it warns that the text may be wrong."""
    text: str
    warned: bool

    @classmethod
    def of(cls, recognition: Recognition) -> Reading:
        return cls(recognition.text,
                   recognition.status == UNSURE or any(piece.not_digit for piece in recognition.digits))


# ---- composition ------------------------------------------------------------------------------

def layout(widths: Sequence[Callable[[float], float]], height: float, rng: np.random.Generator):
    """Ink boxes (x0, y0, w, h) of the digits, left to right; widths[i](h) is digit i's width at height h."""
    boxes, x = [], 0.0
    for width_at in widths:
        h = height * rng.uniform(1 - SIZE_SPREAD, 1 + SIZE_SPREAD)
        w = width_at(h)
        bottom = rng.normal(0.0, JITTER) * height
        boxes.append((x, bottom - h, w, h))
        x += w + max(rng.normal(GAP_MEAN, GAP_SD), GAP_FLOOR) * height
    return boxes


def mnist_number(digits: Sequence[np.ndarray], text: str, rng: np.random.Generator, photo: bool,
                 alone: bool = False) -> Number:
    """One writer's MNIST digits on a scan or photo; `alone` also renders each digit by itself on the
    same page (Number.pieces: the pictures a reader with perfect cuts would see)."""
    crops = []
    for digit in digits:
        x, y, w, h = cv2.boundingRect((digit > 0).astype(np.uint8))
        crops.append(digit[y:y + h, x:x + w].astype(np.float32) / 255)
    height = rng.uniform(*MNIST_HEIGHT)
    fits = [lambda h, c=c: min(c.shape[1] / c.shape[0], MAX_ASPECT) * h for c in crops]
    boxes = layout(fits, height, rng)
    margin = int(height * 0.6)
    x_min, y_min = min(b[0] for b in boxes), min(b[1] for b in boxes)
    x_max, y_max = max(b[0] + b[2] for b in boxes), max(b[1] + b[3] for b in boxes)
    shape = (int(y_max - y_min) + 2 * margin + 2, int(x_max - x_min) + 2 * margin + 2)
    layers = []
    for crop, (x, y, w, h) in zip(crops, boxes):
        w, h = max(1, int(round(w))), max(1, int(round(h)))
        tile = cv2.resize(crop, (w, h), interpolation=cv2.INTER_LINEAR)
        left, top = int(round(x - x_min)) + margin, int(round(y - y_min)) + margin
        layer = np.zeros(shape, np.float32)
        region = layer[top:top + h, left:left + w]
        region[...] = tile[:region.shape[0], :region.shape[1]]
        layers.append(layer)
    seed = int(rng.integers(1 << 30))
    if photo:  # drawn in the order the page is made, so the numbers are the same with or without `alone`
        kind, level = str(rng.choice(["gradient", "shadow"])), rng.uniform(25, 60)
        sigma, quality = rng.uniform(0.5, 1.2), int(rng.integers(45, 80))
    else:
        kind, level = "white", rng.uniform(20, 70)

    def page(ink: np.ndarray) -> np.ndarray:
        gray = np.rint(255 * (1 - np.clip(ink, 0, 1))).astype(np.uint8)
        image = on_paper(gray, kind, ink_level=level, seed=seed)
        return jpeg(cv2.GaussianBlur(image, (0, 0), sigma), quality) if photo else image

    pieces = [page(layer) for layer in layers] if alone else None
    return Number(text, page(np.maximum.reduce(layers)), pieces=pieces)


def pen_number(chars: Sequence[PenChar], rng: np.random.Generator, height: float,
               max_width: float | None = None, origin: tuple[float, float] = (0.0, 0.0)) -> Number:
    """Strokes of the characters laid out as one number; scaled down to fit max_width if given."""
    pen = rng.uniform(*PEN) * height
    shapes = []
    for char in chars:
        x0, y0, x1, y1 = stroke_bounds(char.strokes)
        shapes.append(([s - np.float32([x0, y0]) for s in char.strokes], max(x1 - x0, 1e-6), max(y1 - y0, 1e-6)))

    def scale(shape, h):  # points scale giving ink (pen included) `h` tall, or MAX_ASPECT wide
        _, w0, h0 = shape
        return max(h - pen, 1.0) / max(h0, w0 / MAX_ASPECT)

    widths = [lambda h, s=s: s[1] * scale(s, h) + pen for s in shapes]
    boxes = layout(widths, height, rng)
    strokes = []
    for shape, (x, y, _, h) in zip(shapes, boxes):
        k = scale(shape, h)
        for s in shape[0]:
            strokes.append(PenStroke(s.astype(np.float64) * k + np.array([x + pen / 2, y + pen / 2]), pen))
    x_min = min(b[0] for b in boxes)
    x_max = max(b[0] + b[2] for b in boxes)
    y_min = min(b[1] for b in boxes)
    fit = min(1.0, max_width / (x_max - x_min)) if max_width else 1.0
    shift = np.array([x_min, y_min])
    strokes = [PenStroke((s.points - shift) * fit + np.asarray(origin), s.width * fit) for s in strokes]
    return Number("".join(c.label for c in chars), strokes=strokes, parts=[len(c.strokes) for c in chars])


def pen_image(number: Number, rng: np.random.Generator, margin: float | None = None) -> np.ndarray:
    """The strokes drawn as an image: dark pen ink on white paper, with a margin (half the height)."""
    strokes = number.strokes
    x0, y0, x1, y1 = stroke_bounds([s.points for s in strokes])
    margin = (y1 - y0) * 0.5 if margin is None else margin
    ink = render_strokes([s.points for s in strokes], [s.width for s in strokes],
                         origin=(x0 - margin, y0 - margin),
                         shape=(int(y1 - y0 + 2 * margin), int(x1 - x0 + 2 * margin)))
    gray = np.rint(255 * (1 - ink)).astype(np.uint8)
    return on_paper(gray, "white", ink_level=rng.uniform(20, 60), seed=int(rng.integers(1 << 30)))


# ---- data ---------------------------------------------------------------------------------------

def mnist_writers(directory: Path, indices=range(10_000), labels_file: str = QMNIST_TEST) -> dict[int, list[int]]:
    """`indices` (of the set `labels_file` describes) per QMNIST writer, writers with enough digits only."""
    with gzip.open(directory / labels_file, "rt") as fh:
        writer_of = [int(line.split()[2]) for _, line in zip(range(max(indices) + 1), fh)]
    writers = defaultdict(list)
    for index in indices:
        writers[writer_of[index]].append(int(index))
    return {w: ids for w, ids in writers.items() if len(ids) >= max(LENGTHS)}


WRITERS = ("all", "validation", "report")


def writers_of(directory: Path, which: str = "all") -> frozenset[str]:
    """UNIPEN's held-out writers (never trained on): all, or the half that validates the model (and tunes
    settings here), or the half kept for reporting (training/unipen.halves)."""
    heldout = heldout_writers(directory)
    return heldout if which == "all" else halves(heldout)[WRITERS.index(which) - 1]


def unipen_writers(directory: Path, which: str = "all") -> dict[str, list[PenChar]]:
    """Held-out writers' digits only: nobody the model could have been trained on."""
    heldout = writers_of(directory, which)
    writers = defaultdict(list)
    for char in load(directory):
        if char.writer in heldout and char.label.isdigit():
            writers[char.writer].append(char)
    return {w: chars for w, chars in writers.items() if len(chars) >= max(LENGTHS)}


def unipen_letters(directory: Path, n: int, rng: np.random.Generator, which: str = "all") -> list[Number]:
    """n lone letters and symbols of held-out writers (not the look-alikes of digits), drawn as images."""
    heldout = writers_of(directory, which)
    pool = [c for c in load(directory, OTHERS_FILE) if c.writer in heldout and refusable(c)]
    letters = []
    for i in rng.choice(len(pool), size=min(n, len(pool)), replace=False):
        height = rng.uniform(*PEN_HEIGHT)
        letter = pen_number([pool[i]], rng, height)
        letter.text = pool[i].label
        letter.image = pen_image(letter, rng, margin=0.5 * height)   # a dash is flat: margins by the pen's scale
        letters.append(letter)
    return letters


def pick(pool: dict, rng: np.random.Generator) -> tuple[list, int]:
    """One writer's samples for a number of random length (2-6), without repeating a sample."""
    writer = sorted(pool)[int(rng.integers(len(pool)))]
    length = int(rng.integers(LENGTHS.start, LENGTHS.stop))
    chosen = rng.choice(len(pool[writer]), size=length, replace=False)
    return [pool[writer][i] for i in chosen], length


# ---- scoring --------------------------------------------------------------------------------------

def edit_distance(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (ca != cb))
    return row[-1]


def score(pairs: list[tuple[str, Reading]]) -> dict:
    """Exact, right-count and per-digit accuracy of (truth, reading) pairs, overall and by length, and the
    share of wrong readings the app warns about (not silently wrong) and of right ones (false alarms)."""
    def summary(chosen):
        digits = sum(len(t) for t, _ in chosen)
        wrong = [r.warned for t, r in chosen if r.text != t]
        right = [r.warned for t, r in chosen if r.text == t]
        return {"numbers": len(chosen),
                "exact": round(float(np.mean([t == r.text for t, r in chosen])), 4),
                "count": round(float(np.mean([len(t) == len(r.text) for t, r in chosen])), 4),
                "digit": round(1 - sum(edit_distance(t, r.text) for t, r in chosen) / digits, 4),
                "wrong_warned": round(float(np.mean(wrong)), 4) if wrong else None,
                "right_warned": round(float(np.mean(right)), 4) if right else None}
    result = summary(pairs)
    result["by_length"] = {str(n): summary([p for p in pairs if len(p[0]) == n])
                           for n in LENGTHS if any(len(p[0]) == n for p in pairs)}
    return result


# ---- sources -------------------------------------------------------------------------------------

def read_images(numbers: list[Number], recognizer, batch: int = 50) -> list[Reading]:
    readings = []
    for start in range(0, len(numbers), batch):
        readings += map(Reading.of, recognizer.recognize_many([n.image for n in numbers[start:start + batch]]))
    return readings


def read_perfectly_cut(numbers: list[Number], recognizer, rng: np.random.Generator) -> list[Reading]:
    """Each number read as its digits alone, a picture each: what a reader with perfect cuts would say.

    MNIST numbers bring their pieces (Number.pieces, on the number's own page); pen numbers are drawn
    digit by digit with the same pens, scale and paper as their own picture (`rng` makes the paper).
    Only the cutting differs; a digit refused or read as two makes the number wrong, as in the real reading.
    """
    readings = []
    for number in numbers:
        images = number.pieces if number.pieces is not None else _pen_pieces(number, rng)
        digits = [Reading.of(r) for r in recognizer.recognize_many(images)]
        readings.append(Reading("".join(d.text for d in digits), any(d.warned for d in digits)))
    return readings


def score_images(source: str, numbers: list[Number], recognizer,
                 perfect_cuts: np.random.Generator | None = None, lone_digits: bool = False) -> dict:
    """The source's scores as the app reads its pictures and, given `perfect_cuts` (the generator of the
    pen pieces' paper), as their digits read alone (SOURCE_perfect_cuts); with `lone_digits`, what becomes
    of each MNIST digit photographed or scanned alone on its number's page (SOURCE_lone_digits)."""
    results = {source: score([(n.text, r) for n, r in zip(numbers, read_images(numbers, recognizer))])}
    if perfect_cuts is not None:
        readings = read_perfectly_cut(numbers, recognizer, perfect_cuts)
        results[source + "_perfect_cuts"] = score([(n.text, r) for n, r in zip(numbers, readings)])
    if lone_digits and numbers and numbers[0].pieces is not None:
        results[source + "_lone_digits"] = score_lone_digits(numbers, recognizer)
    return results


def score_lone_digits(numbers: list[Number], recognizer) -> dict:
    """Each digit alone on its page: read right, taken for a blank page, given an extra mark, refused or misread."""
    outcomes = []
    for number in numbers:
        for label, reading in zip(number.text, recognizer.recognize_many(number.pieces)):
            outcomes.append("right" if reading.text == label and len(reading.digits) == 1 else
                            "blank" if not reading.digits else "mark" if len(reading.digits) > 1 else
                            "refused" if reading.digits[0].not_digit else "misread")
    return {"digits": len(outcomes), **{k: round(outcomes.count(k) / max(1, len(outcomes)), 4)
                                        for k in ("right", "blank", "mark", "refused", "misread")}}


def _pen_pieces(number: Number, rng: np.random.Generator) -> list[np.ndarray]:
    x0, y0, x1, y1 = stroke_bounds([s.points for s in number.strokes])
    ends = np.cumsum(number.parts)
    pieces = [Number(label, strokes=number.strokes[end - count:end])
              for label, count, end in zip(number.text, number.parts, ends)]
    return [pen_image(piece, rng, margin=(y1 - y0) * 0.5) for piece in pieces]


def mnist_numbers(directory: Path, n: int, rng: np.random.Generator, photo: bool,
                  tune: bool = False, alone: bool = False) -> list[Number]:
    """Numbers of MNIST test writers, or (tune) of the training writers' held-out tenth."""
    if tune:
        (digits, labels), _ = load_mnist_dir(directory)
        held = stratified_split(np.arange(len(labels)), labels).x_val
        pool = mnist_writers(directory, held, QMNIST_TRAIN)
    else:
        digits, labels = load_mnist_test(directory)
        pool = mnist_writers(directory)
    numbers = []
    for _ in range(n):
        ids, _ = pick(pool, rng)
        numbers.append(mnist_number([digits[i] for i in ids], "".join(str(labels[i]) for i in ids), rng, photo,
                                    alone))
    return numbers


def unipen_numbers(pool: dict[str, list[PenChar]], n: int, rng: np.random.Generator, **placement) -> list[Number]:
    numbers = []
    for _ in range(n):
        chars, _ = pick(pool, rng)
        numbers.append(pen_number(chars, rng, placement.get("height") or rng.uniform(*PEN_HEIGHT),
                                  placement.get("max_width"), placement.get("origin", (0.0, 0.0))))
    return numbers


class CanvasReplay:
    """The app's main window, offscreen: numbers are drawn on the Draw tab with QTest mouse events."""

    def __init__(self):
        from PySide6.QtWidgets import QApplication

        from digitdesk.gui.inference import InferenceClient
        from digitdesk.gui.main_window import MainWindow
        from digitdesk.gui.settings import AppSettings

        self.app = QApplication.instance() or QApplication([])
        self._settings_dir = tempfile.TemporaryDirectory(prefix="bench-numbers-")   # the user's settings stay
        self.client = InferenceClient()
        self.window = MainWindow(AppSettings(Path(self._settings_dir.name) / "digitdesk.ini"), self.client)
        self.window.resize(1000, 640)
        self.window.show()
        self._wait(lambda: self.window.canvas.height() > 300)
        ready = []
        self.client.modelReady.connect(lambda seconds: ready.append(seconds))
        self.client.start()
        self._wait(lambda: bool(ready), 120)
        self.canvas = self.window.canvas

    def _wait(self, condition, seconds: float = 30.0) -> None:
        deadline = time.monotonic() + seconds
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError("the app did not answer in time")
            self.app.processEvents()
            time.sleep(0.001)

    def placement(self) -> dict:
        width, height = self.canvas.width(), self.canvas.height()
        return {"height": min(CANVAS_HEIGHT, 0.6 * height), "max_width": 0.9 * width,
                "origin": (0.05 * width, 0.5 * height - 0.5 * min(CANVAS_HEIGHT, 0.6 * height))}

    def draw(self, number: Number) -> None:
        from PySide6.QtCore import QPoint, Qt
        from PySide6.QtTest import QTest

        self.canvas.clear()
        for stroke in number.strokes:
            self.window.pen_slider.setValue(int(round(stroke.width)))
            points = [QPoint(int(round(x)), int(round(y))) for x, y in stroke.points]
            QTest.mousePress(self.canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, points[0])
            for point in points[1:]:
                QTest.mouseMove(self.canvas, point)
            QTest.mouseRelease(self.canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, points[-1])

    def read(self):
        """Press Predict and wait for the answer to that request: what the app shows."""
        answers = []
        handler = lambda request_id, recognition, ms: answers.append((request_id, recognition))  # noqa: E731
        self.client.resultReady.connect(handler)
        try:
            asked = self.window.predict()
            self._wait(lambda: any(request_id >= asked for request_id, _ in answers))
        finally:
            self.client.resultReady.disconnect(handler)
        return answers[-1][1]

    def close(self) -> None:
        self.window.close()
        self._settings_dir.cleanup()


def p50_ms(function, *args, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function(*args)
        times.append((time.perf_counter() - started) * 1000)
    return float(np.median(times))


# ---- main ---------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500, help="numbers per source")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sources", default=",".join(SOURCES), help="comma-separated: " + ", ".join(SOURCES))
    parser.add_argument("--mnist", type=Path, default=None, help="folder with MNIST and the QMNIST labels")
    parser.add_argument("--unipen", type=Path, default=None, help="folder with the UNIPEN files")
    parser.add_argument("--cut", choices=("model", "width"), default="model",
                        help="touching digits in images: cut where the model reads the pieces best (default), "
                             "or by the width of the picture's other digits (version 1)")
    parser.add_argument("--writers", choices=WRITERS, default="all",
                        help="UNIPEN's held-out writers to compose from: all (default), the validation half or the "
                             "report half")
    parser.add_argument("--perfect-cuts", action="store_true",
                        help="also read the image sources' numbers as their digits drawn alone, each on the "
                             "same page (SOURCE_perfect_cuts): how far the cutting, not the model, falls short")
    parser.add_argument("--lone-digits", action="store_true",
                        help="also read each MNIST number's digits alone, each on the number's own page "
                             "(SOURCE_lone_digits): how often a lone digit is taken for a blank page or gets a mark")
    parser.add_argument("--tune", action="store_true",
                        help="choose settings: UNIPEN's validation writers, MNIST training writers' held-out "
                             "tenth (never MNIST test)")
    args = parser.parse_args()
    sources = [s.strip() for s in args.sources.split(",") if s.strip()]
    if args.tune:
        args.writers = "validation"
    unknown = set(sources) - set(SOURCES)
    if unknown:
        parser.error(f"unknown source(s): {', '.join(sorted(unknown))}; choose from {', '.join(SOURCES)}")

    from digitdesk.engine.recognizer import Recognizer
    from digitdesk.engine.runner import shared_runner

    recognizer = Recognizer(shared_runner(), cut_by_model=args.cut == "model")
    mnist = args.mnist or default_data_dir()
    unipen = args.unipen or default_unipen_dir()
    results, skipped, timing = {}, {}, {}
    started = time.perf_counter()
    for source in sources:
        rng = np.random.default_rng([args.seed, SOURCES.index(source)])
        # perfect cuts draw from their own stream: the figures of the real reading stay as without the flag
        cuts_rng = np.random.default_rng([args.seed, len(SOURCES)]) if args.perfect_cuts else None
        if source.startswith("mnist"):
            if mnist is None or not (Path(mnist) / (QMNIST_TRAIN if args.tune else QMNIST_TEST)).is_file():
                skipped[source] = "MNIST with QMNIST writer ids not found (--mnist or DIGITDESK_MNIST_DIR)"
                continue
            numbers = mnist_numbers(Path(mnist), args.n, rng, photo=source == "mnist_photo", tune=args.tune,
                                    alone=args.perfect_cuts or args.lone_digits)
            results.update(score_images(source, numbers, recognizer, cuts_rng, args.lone_digits))
            continue
        if unipen is None or not (Path(unipen) / "heldout_writers.txt").is_file():
            skipped[source] = "UNIPEN not found (--unipen or DIGITDESK_UNIPEN_DIR)"
            continue
        if source == "unipen_letters":
            letters = unipen_letters(Path(unipen), args.n, rng, args.writers)
            readings = read_images(letters, recognizer)
            results[source] = {"letters": len(letters),
                               "refused": round(float(np.mean([r.text == "" for r in readings])), 4)}
            continue
        pool = unipen_writers(Path(unipen), args.writers)
        if source == "unipen_image":
            numbers = unipen_numbers(pool, args.n, rng)
            for number in numbers:
                number.image = pen_image(number, rng)
            results.update(score_images(source, numbers, recognizer, cuts_rng))
            continue
        replay = CanvasReplay()
        try:
            by_strokes, by_image, ms_strokes, ms_image, ms_prepare = [], [], [], [], []
            for number in unipen_numbers(pool, args.n, rng, **replay.placement()):
                replay.draw(number)
                shown = replay.read()
                image, strokes = replay.canvas.to_array(), replay.canvas.pen_strokes()
                by_strokes.append((number.text, Reading.of(shown)))
                by_image.append((number.text, Reading.of(recognizer.recognize(image))))
                if len(number.text) == 6:
                    ms_strokes.append(p50_ms(recognizer.recognize_strokes, strokes))
                    ms_prepare.append(p50_ms(prepare_stroke_blobs, strokes))
                    ms_image.append(p50_ms(recognizer.recognize, image))
        finally:
            replay.close()
        results["unipen_canvas"] = score(by_strokes)
        results["unipen_canvas_image"] = score(by_image)
        if ms_strokes:
            timing = {"six_digit_drawings": len(ms_strokes),
                      "strokes_p50_ms": round(statistics.median(ms_strokes), 3),
                      "strokes_without_model_p50_ms": round(statistics.median(ms_prepare), 3),
                      "image_method_p50_ms": round(statistics.median(ms_image), 3)}

    print(f"{args.n} numbers per source, seed {args.seed}, {time.perf_counter() - started:.0f} s, "
          f"runner {type(recognizer.runner).__name__}, load {os.getloadavg()[0]:.2f}")
    print(f"{'source':22s} {'exact':>7s} {'count':>7s} {'digit':>7s}   exact by length 2..6"
          "                 warned: wrong / right")
    for source, r in results.items():
        if "blank" in r:
            print(f"{source:22s} {r['digits']} digits alone: {r['right']:.1%} read right, {r['blank']:.1%} blank, "
                  f"{r['mark']:.1%} with a mark, {r['refused']:.1%} refused, {r['misread']:.1%} misread")
            continue
        if "refused" in r:
            print(f"{source:22s} {r['letters']} lone letters and symbols, {r['refused']:.1%} refused")
            continue
        by_length = " ".join(f"{r['by_length'][k]['exact']:6.1%}" for k in r["by_length"])
        warned = " / ".join("-" if r[k] is None else f"{r[k]:.1%}" for k in ("wrong_warned", "right_warned"))
        print(f"{source:22s} {r['exact']:7.1%} {r['count']:7.1%} {r['digit']:7.1%}   {by_length}   {warned}")
    for source, reason in skipped.items():
        print(f"{source:22s} skipped: {reason}")
    if timing:
        print(f"6-digit drawing read in {timing['strokes_p50_ms']:.2f} ms p50 from strokes "
              f"({timing['strokes_without_model_p50_ms']:.2f} ms of it before the model call), "
              f"{timing['image_method_p50_ms']:.2f} ms by the image method ({timing['six_digit_drawings']} drawings)")
    print(json.dumps({"benchmark": "numbers", "n": args.n, "seed": args.seed, "writers": args.writers,
                      "results": results, "skipped": skipped, "timing": timing, "load": round(os.getloadavg()[0], 2)}))


if __name__ == "__main__":
    main()
