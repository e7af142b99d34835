"""Evaluate a trained model on the MNIST test set and write the report.

python -m training.evaluate --model models/digit_cnn.keras --data-dir DIR --out reports/

Writes metrics.json, confusion_matrix.png, classification_report.txt,
training_curves.png (from history.json beside it, if training left one),
mistakes.png and robustness.json (the proxy checks of training/robustness.py).
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

from training.data import load_mnist, normalise
from training.robustness import robustness_report


def parse_args(argv=None):
    p = argparse.ArgumentParser(description="Evaluate a DigitDesk model on the MNIST test set")
    p.add_argument("--model", default="models/digit_cnn.keras")
    p.add_argument("--data-dir", help="directory with the MNIST IDX files")
    p.add_argument("--out", default="reports")
    p.add_argument("--history", help="history.json from training (default: OUT/history.json)")
    p.add_argument("--skip-robustness", action="store_true")
    return p.parse_args(argv)


def predict_all(model, x: np.ndarray, batch: int = 1000) -> np.ndarray:
    return np.concatenate([model.predict_on_batch(normalise(x[i:i + batch])) for i in range(0, len(x), batch)])


def per_class_metrics(y_true: np.ndarray, y_pred: np.ndarray) -> dict:
    confusion = np.zeros((10, 10), dtype=int)
    np.add.at(confusion, (y_true, y_pred), 1)
    out = {}
    for c in range(10):
        tp = confusion[c, c]
        precision = tp / max(confusion[:, c].sum(), 1)
        recall = tp / max(confusion[c, :].sum(), 1)
        f1 = 2 * precision * recall / max(precision + recall, 1e-12)
        out[str(c)] = {"precision": float(precision), "recall": float(recall), "f1": float(f1),
                       "support": int(confusion[c, :].sum())}
    return {"per_class": out, "confusion": confusion}


def classification_report_text(per_class: dict, accuracy: float, n: int) -> str:
    lines = [f"{'class':>7} {'precision':>10} {'recall':>8} {'f1':>8} {'support':>8}"]
    for c, m in per_class.items():
        lines.append(f"{c:>7} {m['precision']:>10.4f} {m['recall']:>8.4f} {m['f1']:>8.4f} {m['support']:>8}")
    macro = {k: np.mean([m[k] for m in per_class.values()]) for k in ("precision", "recall", "f1")}
    lines.append("")
    lines.append(f"{'macro':>7} {macro['precision']:>10.4f} {macro['recall']:>8.4f} {macro['f1']:>8.4f} {n:>8}")
    lines.append(f"accuracy {accuracy:.4f} on {n} test images")
    return "\n".join(lines) + "\n"


def plot_confusion(confusion: np.ndarray, path: Path) -> None:
    fig, ax = plt.subplots(figsize=(7, 6))
    off = confusion.copy()
    np.fill_diagonal(off, 0)
    im = ax.imshow(off, cmap="Reds")
    for i in range(10):
        for j in range(10):
            ax.text(j, i, confusion[i, j], ha="center", va="center", fontsize=7,
                    color="black" if i != j else "tab:blue")
    ax.set(xticks=range(10), yticks=range(10), xlabel="predicted", ylabel="true",
           title="Confusion matrix (colour: errors only)")
    fig.colorbar(im, ax=ax, fraction=0.046)
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
    axes[0].set_ylim(max(0.9, min(history["accuracy"] + history["val_accuracy"])), 1.0)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_mistakes(x: np.ndarray, y: np.ndarray, probs: np.ndarray, path: Path, limit: int = 100) -> None:
    wrong = np.flatnonzero(probs.argmax(1) != y)[:limit]
    cols = 10
    rows = max(1, int(np.ceil(len(wrong) / cols)))
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 1.2, rows * 1.45))
    for ax in np.atleast_1d(axes).flat:
        ax.axis("off")
    for ax, i in zip(np.atleast_1d(axes).flat, wrong):
        pred = int(probs[i].argmax())
        ax.imshow(x[i], cmap="gray_r")
        ax.set_title(f"true {y[i]} → {pred}\n{probs[i, pred]:.0%}", fontsize=7, color="firebrick")
    fig.suptitle(f"All {len(wrong)} misclassified test digits" if len(wrong) < limit
                 else f"First {limit} misclassified test digits", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None):
    args = parse_args(argv)
    import keras

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    model = keras.saving.load_model(args.model, compile=False)
    _, (x_test, y_test) = load_mnist(args.data_dir)
    probs = predict_all(model, x_test)
    y_pred = probs.argmax(1)
    accuracy = float((y_pred == y_test).mean())
    m = per_class_metrics(y_test, y_pred)
    metrics = {
        "test_accuracy": accuracy,
        "n_test": int(len(y_test)),
        "n_errors": int((y_pred != y_test).sum()),
        "per_class": m["per_class"],
        "worst_class_recall": min((v["recall"], k) for k, v in m["per_class"].items()),
        "model": Path(args.model).name,
        "model_bytes": Path(args.model).stat().st_size,
        "parameters": int(model.count_params()),
    }
    training_info = Path(args.out) / "training.json"
    if training_info.exists():
        metrics["training"] = json.loads(training_info.read_text())
    if not args.skip_robustness:
        metrics["robustness"] = robustness_report(model, x_test, y_test)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=1))
    (out / "classification_report.txt").write_text(
        classification_report_text(m["per_class"], accuracy, len(y_test)))
    plot_confusion(m["confusion"], out / "confusion_matrix.png")
    plot_mistakes(x_test, y_test, probs, out / "mistakes.png")
    history = Path(args.history) if args.history else out / "history.json"
    if history.exists():
        if history.resolve() != (out / "history.json").resolve():
            shutil.copy(history, out / "history.json")
        plot_curves(json.loads(history.read_text()), out / "training_curves.png")
    else:
        print(f"no training history at {history}: training_curves.png not written")
    print(f"test accuracy {accuracy:.4%} ({metrics['n_errors']} errors in {len(y_test)})")
    if "robustness" in metrics:
        for kind, acc in metrics["robustness"].items():
            print(f"  robustness {kind:<14} {acc:.4%}")
    print(f"reports written to {out}/")


if __name__ == "__main__":
    main()
