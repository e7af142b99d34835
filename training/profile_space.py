"""Fit the feature space personal profiles measure in: python -m training.profile_space.

A profile sways a reading towards the user's samples close to it, so "close" should mean "the same
person's same digit", not "any two drawings that look alike". This fits that space on the training
writers (MNIST's training writers, by QMNIST writer id, and UNIPEN's training writers; never a
held-out one): the model's penultimate features are whitened by the scatter of one writer's
drawings of one digit, then the directions along which all the digits spread most are kept.
Against a plain PCA of other people's digits it fixes more of a writer's errors on tuning writers
with none made worse (BENCHMARKS.md, "Personal profiles"). The result goes beside the model
(models/digit_cnn_space.npz) with a fingerprint of the model's features, so a retrained model
never uses a stale space (digitdesk/engine/personal.py falls back to the PCA). `make train`
refits it after the model. MNIST's writers come from QMNIST's extended labels
(qmnist-train-labels.tsv.gz beside the IDX files); without them, or without UNIPEN, the space is
fitted on the writers there are, and with neither no file is written (a stale one is removed).
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from training import unipen
from training.data import default_data_dir, load_mnist_dir, qmnist_labels, qmnist_writers, stratified_split

DIMS = 128
RIDGE = 0.1   # share of the mean within-writer variance added before whitening: unseen writers vary more


def writer_space(features: np.ndarray, groups: np.ndarray, dims: int = DIMS,
                 ridge: float = RIDGE) -> tuple[np.ndarray, np.ndarray]:
    """(mean, basis (features, dims)): whiten the scatter within each group (one writer's one digit),
    then keep the `dims` directions of largest total spread."""
    x = np.asarray(features, np.float64)
    mean = x.mean(axis=0)
    group_ids, index, counts = np.unique(groups, return_inverse=True, return_counts=True)
    sums = np.zeros((len(group_ids), x.shape[1]))
    np.add.at(sums, index, x)
    within = (x - (sums / counts[:, None])[index])[counts[index] > 1]   # a lone drawing has no scatter
    values, vectors = np.linalg.eigh(within.T @ within / len(within))
    del within
    whiten = vectors / np.sqrt(np.maximum(values, 0) + ridge * values.mean())
    centred = x - mean
    spread, directions = np.linalg.eigh(whiten.T @ (centred.T @ centred / len(x)) @ whiten)
    keep = np.argsort(spread)[::-1][:dims]
    return mean.astype(np.float32), (whiten @ directions[:, keep]).astype(np.float32)


def training_writers(mnist_dir: Path | None, unipen_dir: Path | None, split_seed: int = 42,
                     val_fraction: float = 0.1, seed: int = 5):
    """(images (n, 28, 28) uint8, labels, writer ids as strings, notes): the digits the model was trained
    on, from the sources that name their writers (MNIST only with QMNIST's labels beside it); the notes
    say what was left out and why."""
    parts, notes = [], []
    if mnist_dir is not None and qmnist_labels(mnist_dir, "train").is_file():
        (x, y), _ = load_mnist_dir(mnist_dir)
        trained = stratified_split(np.arange(len(y)), y, val_fraction, split_seed).x_train   # never the tenth
        writers = qmnist_writers(mnist_dir, "train", len(y))
        parts.append((x[trained], y[trained], [f"mnist{w}" for w in writers[trained]]))
    elif mnist_dir is not None:
        notes.append(f"MNIST left out: {qmnist_labels(mnist_dir, 'train').name} (QMNIST's writer ids) "
                     f"is not in {mnist_dir}")
    if unipen_dir is not None and Path(unipen_dir).is_dir():
        chars, _ = unipen.split_by_writer(unipen.load(unipen_dir), unipen.heldout_writers(unipen_dir))
        parts.append((unipen.render_all(chars, np.random.default_rng(seed)), [int(c.label) for c in chars],
                      [f"unipen:{c.writer}" for c in chars]))
    else:
        notes.append(f"UNIPEN left out: no UNIPEN folder{f' at {unipen_dir}' if unipen_dir else ''}")
    if not parts:
        return np.zeros((0, 28, 28), np.uint8), np.zeros(0, np.int64), np.zeros(0, str), notes
    return (np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]).astype(np.int64),
            np.concatenate([p[2] for p in parts]), notes)


def main(argv=None):
    from digitdesk.engine.personal import SPACE_SUFFIX, load_reference
    from digitdesk.engine.runner import LiteRTRunner, infer_images
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", type=Path, default=Path("models/digit_cnn.tflite"))
    p.add_argument("--data-dir", type=Path, default=default_data_dir())
    p.add_argument("--unipen-dir", type=Path, default=unipen.default_unipen_dir())
    p.add_argument("--seed", type=int, default=42, help="as given to training.train: which MNIST tenth it held out")
    p.add_argument("--val-fraction", type=float, default=0.1, help="as given to training.train")
    args = p.parse_args(argv)
    out = args.model.with_name(args.model.stem + SPACE_SUFFIX)
    images, labels, writers, notes = training_writers(args.data_dir, args.unipen_dir, args.seed, args.val_fraction)
    for note in notes:
        print(note)
    if len(set(writers)) < 2:   # no writers to learn "the same hand" from: the app's PCA it is
        out.unlink(missing_ok=True)
        print(f"no profile space written (and none left beside {args.model.name}): profiles will measure in "
              "a PCA of the check digits")
        return
    runner = LiteRTRunner(args.model)
    _, features = infer_images(runner, images)
    mean, basis = writer_space(features, np.char.add(np.char.add(writers, "/"), labels.astype(str)))
    _, reference_features = runner.infer(load_reference()[0])
    np.savez(out, mean=mean, basis=basis.astype(np.float16), fingerprint=reference_features.mean(axis=0))
    print(f"profile space written to {out}: {len(images)} digits of {len(set(writers))} writers, "
          f"{basis.shape[1]} dimensions")


if __name__ == "__main__":
    main()
