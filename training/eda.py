"""Exploratory plots of the training data: python -m training.eda --data-dir DIR --out reports/eda.

Sample grid per class, class balance (train vs validation split), pixel
intensity histogram and a 2-D PCA projection coloured by class. Uses the
training set only; the test set is kept for the final report.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from training.data import load_mnist, stratified_split


def sample_grid(x, y, path: Path, per_class: int = 12, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    fig, axes = plt.subplots(10, per_class, figsize=(per_class * 0.8, 10 * 0.8))
    for digit in range(10):
        picks = rng.choice(np.flatnonzero(y == digit), per_class, replace=False)
        for ax, i in zip(axes[digit], picks):
            ax.imshow(x[i], cmap="gray_r")
            ax.axis("off")
    fig.suptitle("Random training samples, one row per digit")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def class_balance(y_train, y_val, path: Path) -> None:
    fig, ax = plt.subplots(figsize=(7, 4))
    digits = np.arange(10)
    tr = np.bincount(y_train, minlength=10) / len(y_train)
    va = np.bincount(y_val, minlength=10) / len(y_val)
    ax.bar(digits - 0.2, tr, 0.4, label=f"train (n={len(y_train)})")
    ax.bar(digits + 0.2, va, 0.4, label=f"validation (n={len(y_val)})")
    ax.set(xticks=digits, xlabel="digit", ylabel="share of images",
           title="Class balance (stratified split keeps the shares equal)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def pixel_histogram(x, path: Path) -> None:
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    counts = np.bincount(x.ravel(), minlength=256)
    axes[0].bar(np.arange(256), counts, width=1.0)
    axes[0].set(yscale="log", xlabel="pixel value (0 = background, 255 = ink)", ylabel="pixels (log)",
                title="Pixel intensity histogram")
    axes[1].imshow(x.mean(axis=0), cmap="magma")
    axes[1].set_title("Mean image: ink is centred in the 28x28 frame")
    axes[1].axis("off")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def pca_projection(x, y, path: Path, n: int = 6000, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    idx = rng.choice(len(x), min(n, len(x)), replace=False)
    data = x[idx].reshape(len(idx), -1).astype(np.float32) / 255.0
    data -= data.mean(axis=0)
    _, s, vt = np.linalg.svd(data, full_matrices=False)
    proj = data @ vt[:2].T
    explained = (s[:2] ** 2) / (s ** 2).sum()
    fig, ax = plt.subplots(figsize=(7, 6))
    sc = ax.scatter(proj[:, 0], proj[:, 1], c=y[idx], cmap="tab10", s=3, alpha=0.6)
    ax.legend(*sc.legend_elements(), title="digit", loc="best", fontsize=7, markerscale=1.5)
    ax.set(xlabel=f"PC 1 ({explained[0]:.1%} of variance)", ylabel=f"PC 2 ({explained[1]:.1%})",
           title=f"PCA projection of {len(idx)} training images")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None):
    p = argparse.ArgumentParser(description="EDA plots of the MNIST training data")
    p.add_argument("--data-dir")
    p.add_argument("--out", default="reports/eda")
    p.add_argument("--seed", type=int, default=42)
    args = p.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (x, y), _ = load_mnist(args.data_dir)
    split = stratified_split(x, y, seed=args.seed)
    sample_grid(x, y, out / "samples.png")
    class_balance(split.y_train, split.y_val, out / "class_balance.png")
    pixel_histogram(x, out / "pixel_histogram.png")
    pca_projection(x, y, out / "pca.png")
    print(f"EDA plots written to {out}/: " + ", ".join(sorted(f.name for f in out.glob("*.png"))))


if __name__ == "__main__":
    main()
