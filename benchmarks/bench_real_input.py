"""Does the app's preparation hold up on real-looking input? A proxy built from MNIST test digits.

Each MNIST test digit is turned into the kind of picture users give the app
(inverted to dark ink on paper, resized, thinned or thickened, put on
shaded paper, JPEG-compressed) and read through Recognizer exactly like a
dropped file. Accuracy counts a picture as right only when exactly its digit
is read, so segmentation slips count as errors. The model's own accuracy on the
untouched 28x28 digits is the ceiling. Also reports how the unsure threshold
splits right and wrong readings. Prints a table, then one JSON line last.

`--source unipen` does the same with real writers nobody trained on: the
report half of UNIPEN's held-out writers, each digit drawn once with a random
pen as evaluation draws it. `--keras FILE` reads with another Keras model
(e.g. version 1 from the history, which answers ten softmax probabilities) and
`--width-cut` cuts touching digits by width alone, as version 1 did: with both,
an earlier model is read as it was then, so a change in single digits can be
told apart between the model and the number reader.

    .venv/bin/python benchmarks/bench_real_input.py [--count 1000] [--mnist DIR]
        [--source mnist|unipen] [--keras FILE] [--width-cut]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.engine.images, training.data

from digitdesk.engine.recognizer import Recognizer  # noqa: E402
from digitdesk.engine.runner import load_runner  # noqa: E402
from tests.engine.images import jpeg, load_mnist_test, on_paper  # noqa: E402
from training.data import default_data_dir  # noqa: E402
from training.unipen import default_unipen_dir  # noqa: E402

HIGH_RES = 200  # px per digit for the "large" kinds (a phone photo of one digit)


def _ink_on_white(digit: np.ndarray, side: int, pad: float = 0.3) -> np.ndarray:
    """MNIST digit (bright on black) as dark ink on white, `side` px square, with a margin."""
    tile = cv2.resize(255 - digit, (side, side), interpolation=cv2.INTER_AREA if side < 28 else cv2.INTER_CUBIC)
    margin = max(2, int(side * pad))
    return cv2.copyMakeBorder(tile, margin, margin, margin, margin, cv2.BORDER_CONSTANT, value=255)


def _stroke(digit: np.ndarray, radius: int, thicken: bool) -> np.ndarray:
    """Thin (erode) or thicken (dilate) the ink at HIGH_RES, like a fine pen or a marker."""
    ink = 255 - _ink_on_white(digit, HIGH_RES)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    return 255 - (cv2.dilate(ink, kernel) if thicken else cv2.erode(ink, kernel))


KINDS = {
    "clean_28": lambda d, i: _ink_on_white(d, 28),
    "small_16": lambda d, i: _ink_on_white(d, 16),
    "bitmap_32": lambda d, i: np.where(_ink_on_white(d, 32) > 127, 255, 0).astype(np.uint8),
    "large_200": lambda d, i: _ink_on_white(d, HIGH_RES),
    "thin_pen_200": lambda d, i: _stroke(d, 6, thicken=False),
    "marker_200": lambda d, i: _stroke(d, 10, thicken=True),
    "grey_paper_jpeg_80": lambda d, i: jpeg(on_paper(_ink_on_white(d, 80), "grey", seed=i), 60),
    "gradient_paper_jpeg_120": lambda d, i: jpeg(on_paper(_ink_on_white(d, 120), "gradient", seed=i), 50),
    "shadow_paper_blur_120": lambda d, i: cv2.GaussianBlur(on_paper(_ink_on_white(d, 120), "shadow", seed=i),
                                                           (0, 0), 1.5),
    "ruled_paper_60": lambda d, i: on_paper(_ink_on_white(d, 60), "ruled", seed=i),
    "light_on_dark_100": lambda d, i: 255 - on_paper(_ink_on_white(d, 100), "white", seed=i),
}


def read_all(recognizer: Recognizer, pictures: list[np.ndarray], batch: int = 250):
    results = []
    for start in range(0, len(pictures), batch):
        results += recognizer.recognize_many(pictures[start:start + batch])
    return results


class EarlierModel:
    """A Keras model file with a single softmax output (version 1), as a runner: ten probabilities."""

    def __init__(self, model):
        self.model = model

    def classify(self, batch: np.ndarray) -> np.ndarray:
        batch = np.asarray(batch, np.float32).reshape(-1, 28, 28, 1)
        if not len(batch):
            return np.zeros((0, 10), np.float32)
        return np.asarray(self.model.predict_on_batch(batch), np.float32)


def keras_runner(path: Path):
    """Today's runner for a model answering [logits, features]; EarlierModel for one answering probabilities."""
    import keras

    from digitdesk.engine.runner import KerasRunner
    model = keras.saving.load_model(path, compile=False)
    return EarlierModel(model) if len(model.outputs) == 1 else KerasRunner(path)


def unipen_report_digits(directory: Path, count: int) -> tuple[np.ndarray, np.ndarray]:
    """`count` digits (all if 0) of the report half of UNIPEN's held-out writers, 28x28 as evaluation draws them."""
    from training import dataset, unipen
    rng = np.random.default_rng(0)
    chars = dataset.heldout(directory, 1).digits
    if count:
        chars = [chars[i] for i in sorted(rng.choice(len(chars), min(count, len(chars)), replace=False))]
    return unipen.render_all(chars, rng), np.array([int(c.label) for c in chars])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000, help="digits per kind (0: all of them)")
    parser.add_argument("--mnist", type=Path, default=None, help="folder with the MNIST IDX files")
    parser.add_argument("--source", choices=("mnist", "unipen"), default="mnist",
                        help="MNIST test digits, or UNIPEN held-out writers' (report half)")
    parser.add_argument("--keras", type=Path, default=None, help="read with this Keras model file instead")
    parser.add_argument("--width-cut", action="store_true", help="cut touching digits by width (version 1)")
    args = parser.parse_args()
    if args.source == "unipen":
        directory, hint = default_unipen_dir(), "set DIGITDESK_UNIPEN_DIR"
    else:
        directory, hint = args.mnist or default_data_dir(), "pass --mnist DIR or set DIGITDESK_MNIST_DIR"
    if directory is None or not Path(directory).is_dir():
        print(f"{args.source.upper()} not found: {hint}")
        print(json.dumps({"benchmark": "real_input", "skipped": f"{args.source.upper()} not available"}))
        return
    digits, labels = (unipen_report_digits(directory, args.count) if args.source == "unipen"
                      else load_mnist_test(Path(directory), args.count or None))
    runner = keras_runner(args.keras) if args.keras else load_runner()
    recognizer = Recognizer(runner, cut_by_model=not args.width_cut)
    threshold = recognizer.unsure_threshold
    ceiling = float((runner.classify(digits.astype(np.float32) / 255).argmax(1) == labels).mean())
    print(f"{len(digits)} {args.source} digits per kind; model alone on the 28x28 digits: {ceiling:.2%}")

    accuracy, confidences, correct = {}, [], []
    started = time.perf_counter()
    for kind, render in KINDS.items():
        results = read_all(recognizer, [render(d, i) for i, d in enumerate(digits)])
        right = [r.text == str(label) for r, label in zip(results, labels)]
        accuracy[kind] = float(np.mean(right))
        missed = sum(len(r.accepted) != 1 for r in results)
        refused = sum(r.status == "not_digit" for r in results)
        print(f"  {kind:26s} {accuracy[kind]:7.2%}   ({missed} pictures not read as exactly one digit, "
              f"{refused} refused)")
        for r, ok in zip(results, right):
            if r.accepted:
                confidences.append(r.confidence)
                correct.append(ok)
    confidences, correct = np.array(confidences), np.array(correct)
    overall = float(np.mean(list(accuracy.values())))
    unsure = {}
    for level in sorted({0.5, 0.6, 0.7, 0.8, 0.9, threshold}):
        flagged = confidences < level
        unsure[str(level)] = {
            "errors_flagged": round(float(flagged[~correct].mean()) if (~correct).any() else 0.0, 4),
            "correct_flagged": round(float(flagged[correct].mean()), 4),
            "accuracy_when_sure": round(float(correct[~flagged].mean()), 5),
        }
    chosen = unsure[str(threshold)]
    print(f"mean over kinds {overall:.2%}; worst {min(accuracy, key=accuracy.get)} "
          f"{min(accuracy.values()):.2%}  ({time.perf_counter() - started:.0f} s)")
    print(f"unsure threshold {threshold} (the model's calibration): flags {chosen['errors_flagged']:.0%} of errors and "
          f"{chosen['correct_flagged']:.2%} of right readings; sure readings are right "
          f"{chosen['accuracy_when_sure']:.2%} of the time")
    print(json.dumps({"benchmark": "real_input", "source": args.source, "digits_per_kind": int(len(digits)),
                      "model": str(args.keras.name) if args.keras else "bundled", "width_cut": args.width_cut,
                      "model_alone_28x28": round(ceiling, 4),
                      "accuracy": {k: round(v, 4) for k, v in accuracy.items()},
                      "mean_accuracy": round(overall, 4), "unsure_threshold": threshold,
                      "unsure_analysis": unsure}))


if __name__ == "__main__":
    main()
