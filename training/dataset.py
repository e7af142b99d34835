"""The v2 training, validation and report sets, built the same way by train and evaluate.

* train: MNIST training digits (minus a stratified validation tenth), UNIPEN pen
  digits of the training writers (each rendered twice with different pens), and
  "not a digit" examples (training writers' letters and symbols plus synthetic
  ones); with flag_ones / cross_sevens, also flagged copies of their plain 1s and
  crossed copies of their 7s (training/styles.py); with overlap_pairs, pairs of
  training digits whose boxes overlap, as "not a digit" (training/negatives.py).
* validation (early stopping, temperature, thresholds): the MNIST tenth, and the
  first half of UNIPEN's held-out writers (digits, letters, symbols) plus fresh
  synthetic negatives.
* report (only for the figures): the second half of the held-out writers, the
  kinds of character never trained on, and the MNIST test set (loaded by evaluate).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from training import calibrate, negatives, styles, unipen
from training.data import load_mnist, stratified_split

UNIPEN_RENDERS = 2        # pen widths per training writer's digit
TRAIN_LETTERS = 36000  # training writers' letters and symbols used as negatives (of 43,814)
SYNTHETIC_TRAIN = 9000
SYNTHETIC_VAL = 1500
VAL_LETTERS = 3000           # held-out letters in validation (all of them would swamp the digits)


@dataclass
class Labelled:
    x: np.ndarray   # (n, 28, 28) uint8, the model's input before /255
    y: np.ndarray   # (n,) int, 10 = not a digit
    source: np.ndarray  # (n,) str: where each example comes from, for per-source figures

    @staticmethod
    def join(*parts: Labelled) -> Labelled:
        return Labelled(np.concatenate([p.x for p in parts]), np.concatenate([p.y for p in parts]),
                        np.concatenate([p.source for p in parts]))

    def shuffled(self, rng: np.random.Generator) -> Labelled:
        order = rng.permutation(len(self.y))
        return Labelled(self.x[order], self.y[order], self.source[order])


def _tagged(x: np.ndarray, y, source: str) -> Labelled:
    y = np.full(len(x), y, np.int64) if np.isscalar(y) else np.asarray(y, np.int64)
    return Labelled(x.astype(np.uint8), y, np.full(len(x), source))


def _pen_digits(chars, rng, renders: int = 1) -> Labelled:
    parts = [unipen.render_all(chars, rng) for _ in range(renders)]
    labels = np.array([int(c.label) for c in chars] * renders, np.int64)
    return _tagged(np.concatenate(parts) if parts else np.zeros((0, 28, 28)), labels, "unipen")


@dataclass
class HeldOut:
    """UNIPEN held-out writers' characters, by half (see unipen.halves)."""
    digits: list
    others: list


def heldout(unipen_dir, half: int) -> HeldOut:
    writers = unipen.halves(unipen.heldout_writers(unipen_dir))[half]
    digits = [c for c in unipen.load(unipen_dir, unipen.DIGITS_FILE) if c.writer in writers]
    others = [c for c in unipen.load(unipen_dir, unipen.OTHERS_FILE) if c.writer in writers]
    return HeldOut(digits, others)


def build(mnist_dir=None, unipen_dir=None, seed: int = 42, val_fraction: float = 0.1,
          limit: int = 0, flag_ones: bool = False,
          n_letters: int = TRAIN_LETTERS, cross_sevens: bool = False,
          overlap_pairs: int = 0) -> tuple[Labelled, Labelled]:
    """(train, validation), shuffled; `limit` shrinks every part for smoke runs."""
    rng = np.random.default_rng(seed)
    unipen_dir = unipen_dir or unipen.default_unipen_dir()
    (x_mnist, y_mnist), _ = load_mnist(mnist_dir)  # the test set is not touched here
    if limit:
        x_mnist, y_mnist = x_mnist[:limit], y_mnist[:limit]
    split = stratified_split(x_mnist, y_mnist, val_fraction, seed)
    train = [_tagged(split.x_train, split.y_train, "mnist")]
    digits_trained = [train[0]]  # what overlapping pairs are made of
    val = [_tagged(split.x_val, split.y_val, "mnist")]
    n_synth, n_synth_val = SYNTHETIC_TRAIN, SYNTHETIC_VAL
    if limit:
        n_letters, n_synth, n_synth_val = limit // 4, limit // 8, limit // 20
    if unipen_dir is not None:
        held = unipen.heldout_writers(unipen_dir)
        pen_train, _ = unipen.split_by_writer(unipen.load(unipen_dir, unipen.DIGITS_FILE), held)
        others_train, _ = unipen.split_by_writer(unipen.load(unipen_dir, unipen.OTHERS_FILE), held)
        if limit:
            pen_train = pen_train[:limit // 2]
        train.append(_pen_digits(pen_train, rng, UNIPEN_RENDERS))
        digits_trained.append(train[-1])
        # style copies draw from their own generator: the other sets are the same with or without them
        style_rng = np.random.default_rng([seed, 1])
        if flag_ones:
            flagged = [styles.flagged(c, style_rng) for c in styles.plain_ones(pen_train)]
            train.append(_pen_digits(flagged, style_rng, UNIPEN_RENDERS))
        if cross_sevens:
            crossed = [styles.crossed(c, style_rng) for c in styles.sevens(pen_train)]
            train.append(_pen_digits(crossed, style_rng, UNIPEN_RENDERS))
        train.append(_tagged(negatives.letters(others_train, n_letters, rng), calibrate.NOT_DIGIT, "letters"))
        check = heldout(unipen_dir, 0)
        val.append(_pen_digits(check.digits[: limit or None], rng))
        val.append(_tagged(negatives.letters(check.others, limit or VAL_LETTERS, rng),
                           calibrate.NOT_DIGIT, "letters"))
    else:
        print("UNIPEN not found: training on MNIST and synthetic negatives only")
    train.append(_tagged(negatives.synthetic(n_synth, split.x_train, rng), calibrate.NOT_DIGIT, "synthetic"))
    val.append(_tagged(negatives.synthetic(n_synth_val, split.x_val, rng), calibrate.NOT_DIGIT, "synthetic"))
    if overlap_pairs:  # their own generator, like the style copies: every other set stays as without them
        pool = Labelled.join(*digits_trained)
        pairs = negatives.overlapping_pairs(limit // 8 if limit else overlap_pairs, pool.x, pool.y,
                                            np.random.default_rng([seed, 2]))
        train.append(_tagged(pairs, calibrate.NOT_DIGIT, "overlapping"))
    return Labelled.join(*train).shuffled(rng), Labelled.join(*val)
