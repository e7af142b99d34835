"""Evaluate a trained model and write the report.

python -m training.evaluate --model models/digit_cnn.tflite --data-dir DIR [--unipen-dir DIR] --out reports/

The model is the LiteRT file the app runs (`make evaluate`) or a Keras file (--model x.keras).

Figures per source, each on people the model never trained on: the MNIST test
set (297 writers disjoint from MNIST's training writers) and the report half of
UNIPEN's held-out writers (digits, letters and symbols; training/dataset.py),
plus kinds of character never trained on from any writer and fresh synthetic
junk. Decisions use the calibration stored beside the model (temperature,
refusal and unsure thresholds), exactly as the app applies them.

Writes metrics.json, classification_report.txt, confusion_matrix.png (with the
"not a digit" row and column), reliability.png, rejection_roc.png,
training_curves.png (from history.json), mistakes.png and the robustness proxies.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from training import calibrate, dataset, negatives, unipen
from training.calibrate import NOT_DIGIT
from training.data import load_mnist, normalise
from training.robustness import robustness_report

LABELS = calibrate.CLASSES


def parse_args(argv=None):
    p = argparse.ArgumentParser(description="Evaluate a DigitDesk model on writers it never saw")
    p.add_argument("--model", default="models/digit_cnn.tflite", help="a .tflite or .keras file")
    p.add_argument("--data-dir", help="directory with the MNIST IDX files")
    p.add_argument("--unipen-dir", help="UNIPEN folder (default: $DIGITDESK_UNIPEN_DIR or ../shared/data/unipen)")
    p.add_argument("--out", default="reports")
    p.add_argument("--history", help="history.json from training (default: OUT/history.json)")
    p.add_argument("--skip-robustness", action="store_true")
    p.add_argument("--seed", type=int, default=7, help="seed of the pen widths and synthetic junk")
    return p.parse_args(argv)


class Scorer:
    """The model plus its calibration: logits -> calibrated probabilities and decisions.

    A model without a calibration file (version 1: ten softmax outputs) is
    scored as it is, refusing nothing, so old and new can be compared.
    """

    def __init__(self, model_file: str | os.PathLike):
        info = Path(model_file).with_suffix(".json")
        self.calibration = json.loads(info.read_text()) if info.exists() else None
        if Path(model_file).suffix == ".tflite":  # the file the app runs (int8 weights)
            from digitdesk.engine.runner import LiteRTRunner
            self.model, self._logits = None, LiteRTRunner(model_file).logits
        else:
            import keras
            self.model = keras.saving.load_model(model_file, compile=False)
            self._logits = self._keras_logits

    def _keras_logits(self, x: np.ndarray) -> np.ndarray:
        out = self.model.predict_on_batch(x)
        return np.asarray(out[0] if isinstance(out, (list, tuple)) else out)

    @property
    def parameters(self) -> int | None:
        return int(self.model.count_params()) if self.model is not None else None

    def probabilities(self, x: np.ndarray, batch: int = 1000) -> np.ndarray:
        """(n, 11) calibrated probabilities of uint8 (n, 28, 28) images."""
        outs = []
        for i in range(0, len(x), batch):
            logits = self._logits(normalise(x[i:i + batch]))
            if self.calibration is None:  # version 1: probabilities over ten digits
                outs.append(np.concatenate([logits, np.zeros((len(logits), 1))], axis=1))
            else:
                outs.append(calibrate.softmax(logits, self.calibration["temperature"]))
        return np.concatenate(outs) if outs else np.zeros((0, 11))

    def not_digit_score(self, p: np.ndarray) -> np.ndarray:
        """How strongly each row says "not a digit" (version 1: one minus its top probability)."""
        return p[:, NOT_DIGIT] if self.calibration is not None else 1.0 - p[:, :NOT_DIGIT].max(axis=1)

    def decide(self, p: np.ndarray) -> np.ndarray:
        refuse_at = self.calibration["not_digit_threshold"] if self.calibration else 2.0
        return calibrate.decide(p, refuse_at)

    def predict_on_batch(self, x: np.ndarray) -> np.ndarray:
        """Keras-like entry for the robustness proxies: a one-hot row of each decision."""
        images = np.rint(np.asarray(x)[..., 0] * 255).astype(np.uint8)
        return np.eye(11)[self.decide(self.probabilities(images))]


def digit_figures(scorer: Scorer, x: np.ndarray, y: np.ndarray) -> dict:
    """Accuracy (a refused digit counts as wrong), refusal rate and calibration error on real digits."""
    p = scorer.probabilities(x)
    decision = scorer.decide(p)
    confidence = p[np.arange(len(y)), p[:, :NOT_DIGIT].argmax(1)]
    correct = decision == y
    return {"n": int(len(y)), "accuracy": float(correct.mean()), "errors": int((~correct).sum()),
            "refused": float((decision == NOT_DIGIT).mean()),
            "ece": calibrate.expected_calibration_error(confidence, correct),
            "reliability": calibrate.reliability(confidence, correct),
            "_p": p, "_decision": decision}


def refusal_figures(scorer: Scorer, x: np.ndarray) -> dict:
    p = scorer.probabilities(x)
    return {"n": int(len(x)), "refused": float((scorer.decide(p) == NOT_DIGIT).mean()) if len(x) else None,
            "_p": p}


def per_class_metrics(y_true: np.ndarray, y_pred: np.ndarray, classes: int = 11) -> dict:
    confusion = np.zeros((classes, classes), dtype=int)
    np.add.at(confusion, (y_true, y_pred), 1)
    out = {}
    for c in range(classes):
        if confusion[c, :].sum() == 0 and confusion[:, c].sum() == 0:
            continue
        tp = confusion[c, c]
        precision = tp / max(confusion[:, c].sum(), 1)
        recall = tp / max(confusion[c, :].sum(), 1)
        f1 = 2 * precision * recall / max(precision + recall, 1e-12)
        out[LABELS[c]] = {"precision": float(precision), "recall": float(recall), "f1": float(f1),
                          "support": int(confusion[c, :].sum())}
    return {"per_class": out, "confusion": confusion}


def classification_report_text(per_class: dict, title: str) -> str:
    lines = [title, f"{'class':>12} {'precision':>10} {'recall':>8} {'f1':>8} {'support':>8}"]
    for c, m in per_class.items():
        lines.append(f"{c:>12} {m['precision']:>10.4f} {m['recall']:>8.4f} {m['f1']:>8.4f} {m['support']:>8}")
    return "\n".join(lines) + "\n"


def plot_confusion(confusion: np.ndarray, path: Path, title: str) -> None:
    n = len(confusion)
    fig, ax = plt.subplots(figsize=(8, 7))
    off = confusion.copy()
    np.fill_diagonal(off, 0)
    im = ax.imshow(off, cmap="Reds")
    for i in range(n):
        for j in range(n):
            ax.text(j, i, confusion[i, j], ha="center", va="center", fontsize=6,
                    color="black" if i != j else "tab:blue")
    ticks = [str(d) for d in range(10)] + ["not\ndigit"]
    ax.set(xticks=range(n), yticks=range(n), xticklabels=ticks[:n], yticklabels=ticks[:n],
           xlabel="predicted", ylabel="true", title=title)
    fig.colorbar(im, ax=ax, fraction=0.046)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_reliability(curves: dict[str, list[dict]], path: Path) -> None:
    fig, ax = plt.subplots(figsize=(5.5, 5))
    ax.plot([0, 1], [0, 1], "--", color="grey", label="perfect calibration")
    for name, bins in curves.items():
        pts = [(b["confidence"], b["accuracy"]) for b in bins if b["count"] >= 10]
        if pts:
            ax.plot(*zip(*pts), "o-", label=name)
    ax.set(xlabel="confidence of the reading", ylabel="share read right", xlim=(0, 1), ylim=(0, 1.02),
           title="Reliability (calibrated, writers never trained on)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def roc_points(pos: np.ndarray, neg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    thresholds = np.unique(np.concatenate([pos, neg, [0.0, 1.0 + 1e-9]]))[::-1]
    tpr = np.array([(pos >= t).mean() for t in thresholds])
    fpr = np.array([(neg >= t).mean() for t in thresholds])
    return fpr, tpr


def plot_roc(digit_scores: np.ndarray, negative_sets: dict[str, np.ndarray], path: Path) -> None:
    fig, ax = plt.subplots(figsize=(5.5, 5))
    for name, scores in negative_sets.items():
        if len(scores):
            fpr, tpr = roc_points(scores, digit_scores)
            ax.plot(fpr, tpr, label=f"{name} (AUROC {calibrate.auroc(scores, digit_scores):.3f})")
    ax.set(xscale="log", xlim=(1e-4, 1), ylim=(0, 1.01), xlabel="real digits refused (log)",
           ylabel="non-digits refused", title="Refusing what is not a digit")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_curves(history: dict, path: Path) -> None:
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    epochs = np.arange(1, len(history["loss"]) + 1)
    for ax, key in zip(axes, ("accuracy", "loss")):
        ax.plot(epochs, history[key], "o-", label="train (augmented)")
        ax.plot(epochs, history[f"val_{key}"], "o-", label="validation")
        ax.set(xlabel="epoch", ylabel=key, title=key.capitalize())
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_mistakes(sets: list[tuple[str, np.ndarray, np.ndarray, np.ndarray, np.ndarray]], path: Path,
                  limit: int = 60) -> None:
    """The first misread digits of each source: (name, images, truth, decision, probabilities)."""
    picked = []
    for name, x, y, decision, p in sets:
        for i in np.flatnonzero(decision != y)[:limit]:
            picked.append((name, x[i], y[i], decision[i], p[i, decision[i]]))
    cols = 12
    rows = max(1, int(np.ceil(len(picked) / cols)))
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 1.1, rows * 1.4))
    for ax in np.atleast_1d(axes).flat:
        ax.axis("off")
    for ax, (name, image, truth, guess, prob) in zip(np.atleast_1d(axes).flat, picked):
        ax.imshow(image, cmap="gray_r")
        ax.set_title(f"{name}\n{truth} → {LABELS[guess].replace('not a digit', 'none')} {prob:.0%}",
                     fontsize=6, color="firebrick")
    fig.suptitle("Misread digits (first of each source)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def public(figures: dict) -> dict:
    return {k: v for k, v in figures.items() if not k.startswith("_")}


def main(argv=None):
    args = parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(args.seed)
    scorer = Scorer(args.model)
    _, (x_test, y_test) = load_mnist(args.data_dir)

    mnist = digit_figures(scorer, x_test, y_test.astype(np.int64))
    sources = {"mnist_test": mnist}
    negative_scores: dict[str, np.ndarray] = {}
    mistakes = [("MNIST", x_test, y_test, mnist["_decision"], mnist["_p"])]
    confusion_sets = [(y_test.astype(np.int64), mnist["_decision"])]

    unipen_dir = args.unipen_dir or unipen.default_unipen_dir()
    if unipen_dir is not None:
        report = dataset.heldout(unipen_dir, 1)
        x_pen = unipen.render_all(report.digits, rng)
        y_pen = np.array([int(c.label) for c in report.digits], np.int64)
        pen = sources["unipen_heldout_digits"] = digit_figures(scorer, x_pen, y_pen)
        mistakes.append(("UNIPEN", x_pen, y_pen, pen["_decision"], pen["_p"]))
        confusion_sets.append((y_pen, pen["_decision"]))
        seen = [c for c in report.others if negatives.refusable(c)]
        letters = sources["unipen_heldout_letters_symbols"] = refusal_figures(scorer, unipen.render_all(seen, rng))
        negative_scores["letters and symbols"] = scorer.not_digit_score(letters["_p"])
        confusion_sets.append((np.full(len(seen), NOT_DIGIT), scorer.decide(letters["_p"])))
        everyone = unipen.heldout_writers(unipen_dir)
        unseen = [c for c in unipen.load(unipen_dir, unipen.OTHERS_FILE)
                  if c.writer in everyone and c.label in negatives.UNSEEN_KINDS]
        kinds = sources["unseen_kinds"] = refusal_figures(scorer, unipen.render_all(unseen, rng))
        kinds["kinds"] = "".join(sorted(negatives.UNSEEN_KINDS))
        negative_scores["kinds never trained on"] = scorer.not_digit_score(kinds["_p"])
    junk = sources["synthetic_junk"] = refusal_figures(scorer, negatives.synthetic(2000, x_test, rng))
    negative_scores["scribbles, dashes, blobs, merged digits"] = scorer.not_digit_score(junk["_p"])

    digit_scores = np.concatenate([scorer.not_digit_score(s["_p"]) for s in sources.values() if "_decision" in s])
    auroc = {name: calibrate.auroc(scores, digit_scores) for name, scores in negative_scores.items() if len(scores)}
    y_all = np.concatenate([y for y, _ in confusion_sets])
    d_all = np.concatenate([d for _, d in confusion_sets])
    m = per_class_metrics(y_all, d_all)
    metrics = {
        "test_accuracy": mnist["accuracy"],
        "n_test": mnist["n"],
        "n_errors": mnist["errors"],
        "sources": {k: public(v) for k, v in sources.items()},
        "auroc_not_digit": auroc,
        "calibration": scorer.calibration,
        "per_class": m["per_class"],
        "model": Path(args.model).name,
        "model_bytes": Path(args.model).stat().st_size,
        "parameters": scorer.parameters,  # None for a LiteRT file
    }
    training_info = out / "training.json"
    if training_info.exists():
        metrics["training"] = json.loads(training_info.read_text())
    if not args.skip_robustness:
        metrics["robustness"] = robustness_report(scorer, x_test, y_test)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=1))
    (out / "classification_report.txt").write_text(classification_report_text(
        m["per_class"], "MNIST test + UNIPEN held-out writers (report half), digits and refusals"))
    plot_confusion(m["confusion"], out / "confusion_matrix.png",
                   "Confusion (MNIST test + UNIPEN held-out; colour: errors only)")
    plot_reliability({k: v["reliability"] for k, v in metrics["sources"].items() if "reliability" in v},
                     out / "reliability.png")
    plot_roc(digit_scores, negative_scores, out / "rejection_roc.png")
    plot_mistakes(mistakes, out / "mistakes.png")
    history = Path(args.history) if args.history else out / "history.json"
    if history.exists():
        if history.resolve() != (out / "history.json").resolve():
            shutil.copy(history, out / "history.json")
        plot_curves(json.loads(history.read_text()), out / "training_curves.png")
    else:
        print(f"no training history at {history}: training_curves.png not written")
    for name, figures in metrics["sources"].items():
        shown = {k: (round(v, 4) if isinstance(v, float) else v) for k, v in figures.items() if k != "reliability"}
        print(f"{name:<32} {shown}")
    for name, value in auroc.items():
        print(f"AUROC not-a-digit vs real digits, {name}: {value:.4f}")
    print(f"reports written to {out}/")


if __name__ == "__main__":
    main()
