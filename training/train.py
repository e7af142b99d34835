"""Train the bundled CNN: python -m training.train --data-dir DIR [--unipen-dir DIR].

Linear on purpose: build the sets (MNIST, UNIPEN pen digits of the training
writers, "not a digit" examples; training/dataset.py), augment, fit with early
stopping and a learning-rate schedule, keep the best-validation weights (an
exponential moving average of them: it smooths the last epochs' noise), fit
the temperature and thresholds on validation, save the model (logits and
features, no optimizer) and its calibration beside it.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
import tensorflow as tf

from training import calibrate, dataset
from training.losses import energy_margin_loss
from training.augment import augment_batch
from training.data import normalise
from training.model import build_model, save_for_inference, with_features


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", help="directory with the four MNIST IDX files "
                   "(default: $DIGITDESK_MNIST_DIR, ../shared/data/mnist, else Keras download)")
    p.add_argument("--unipen-dir", help="UNIPEN folder (default: $DIGITDESK_UNIPEN_DIR or ../shared/data/unipen)")
    p.add_argument("--model-out", default="models/digit_cnn.keras")
    p.add_argument("--reports", default="reports", help="where history.json and training.json go")
    p.add_argument("--epochs", type=int, default=15)
    p.add_argument("--patience", type=int, default=4, help="early-stopping patience (epochs)")
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--lr-decay", type=float, default=0.85, help="learning rate *= this each epoch")
    p.add_argument("--val-fraction", type=float, default=0.1)
    p.add_argument("--width", type=int, default=32, help="filters in the first block")
    p.add_argument("--dropout", type=float, default=0.4, help="dropout after each block and before the logits")
    p.add_argument("--limit", type=int, default=0, help="use only about N images of each source (smoke runs)")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--flag-ones", action="store_true",
                   help="also train on flagged copies of plain 1s (tried, not the bundled model's recipe)")
    p.add_argument("--cross-sevens", action="store_true",
                   help="also train on crossed copies of 7s (tried, not the bundled model's recipe)")
    p.add_argument("--overlap-pairs", type=int, default=0,
                   help="also train on this many pairs of digits whose boxes overlap, as 'not a digit' "
                        "(tried, not the bundled model's recipe)")
    p.add_argument("--ema", type=float, default=0.999,
                   help="validate and keep an exponential moving average of the weights with this momentum "
                        "per step (Polyak averaging: a time constant of about one epoch); 0: the raw weights")
    p.add_argument("--init", help="start from this saved model's weights (fine-tuning) instead of random ones")
    p.add_argument("--letters", type=int, default=dataset.TRAIN_LETTERS,
                   help="training writers' letters and symbols used as negatives")
    p.add_argument("--energy", type=float, default=0.0,
                   help="weight of an energy-margin term on the digit logits (outlier exposure; tried, "
                        "not the bundled model's recipe); 0: cross-entropy alone")
    p.add_argument("--energy-margins", type=float, nargs=2, default=(-7.0, -4.0), metavar=("IN", "OUT"),
                   help="digits' energy is pushed below IN, negatives' above OUT")
    p.add_argument("--verbose", type=int, default=2, help="Keras fit verbosity (2: a line per epoch)")
    return p.parse_args(argv)


def make_dataset(x, y, batch_size, seed, augment):
    ds = tf.data.Dataset.from_tensor_slices((x, y))
    if augment:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size)
    if augment:
        ds = ds.map(augment_batch, num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)


def main(argv=None):
    args = parse_args(argv)
    keras.utils.set_random_seed(args.seed)
    start = time.perf_counter()
    train, val = dataset.build(args.data_dir, args.unipen_dir, args.seed, args.val_fraction, args.limit,
                               args.flag_ones, args.letters, args.cross_sevens,
                               args.overlap_pairs)
    counts = {str(s): int(n) for s, n in zip(*np.unique(train.source, return_counts=True))}
    print(f"train {len(train.y)} {counts}  validation {len(val.y)}  "
          f"(built in {time.perf_counter() - start:.0f} s, seed {args.seed})")

    train_ds = make_dataset(normalise(train.x), train.y, args.batch_size, args.seed, True)
    val_ds = make_dataset(normalise(val.x), val.y, 512, args.seed, False)

    model = build_model(dropout=args.dropout, width=args.width)
    if args.init:  # the saved file answers [logits, features] with the same layers in the same order
        model.set_weights(keras.saving.load_model(args.init, compile=False).get_weights())
    model.compile(optimizer=keras.optimizers.Adam(args.lr, use_ema=args.ema > 0, ema_momentum=args.ema or 0.99),
                  loss=(energy_margin_loss(args.energy, *args.energy_margins) if args.energy else
                        keras.losses.SparseCategoricalCrossentropy(from_logits=True)),
                  metrics=["accuracy"])
    print(f"model: {model.count_params():,} parameters")
    # With --ema the averaged weights are swapped in before validation and stay in at each epoch's end, so
    # early stopping judges and keeps them; batch-norm statistics stay those of the trained weights.
    callbacks = [keras.callbacks.SwapEMAWeights(swap_on_epoch=True)] if args.ema else []
    callbacks += [
        keras.callbacks.LearningRateScheduler(lambda epoch: args.lr * args.lr_decay ** epoch),
        keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=args.patience,
                                      restore_best_weights=True, verbose=1),
    ]
    start = time.perf_counter()
    history = model.fit(train_ds, validation_data=val_ds, epochs=args.epochs,
                        callbacks=callbacks, verbose=args.verbose,
                        shuffle=False)  # the dataset reshuffles itself every epoch
    seconds = time.perf_counter() - start

    out = Path(args.model_out)
    out.parent.mkdir(parents=True, exist_ok=True)
    save_for_inference(with_features(model), out)
    calibration = calibrate.write(with_features(model), val, out.with_suffix(".json"))
    print(f"calibration on validation: {calibration}")
    reports = Path(args.reports)
    reports.mkdir(parents=True, exist_ok=True)
    hist = {k: [float(v) for v in vals] for k, vals in history.history.items()}
    (reports / "history.json").write_text(json.dumps(hist, indent=1))
    best = int(np.argmax(hist["val_accuracy"]))
    info = {
        "epochs_run": len(hist["loss"]), "best_epoch": best + 1,
        "best_val_accuracy": hist["val_accuracy"][best], "training_seconds": round(seconds, 1),
        "n_train": int(len(train.y)), "n_val": int(len(val.y)), "train_sources": counts,
        "calibration": calibration,
        "parameters": int(model.count_params()), "args": vars(args),
        "versions": {"python": platform.python_version(), "tensorflow": tf.__version__,
                     "keras": keras.__version__, "numpy": np.__version__},
        "cpu_count": os.cpu_count(),
    }
    (reports / "training.json").write_text(json.dumps(info, indent=1))
    print(f"best validation accuracy {info['best_val_accuracy']:.4f} at epoch {best + 1}; "
          f"trained in {seconds / 60:.1f} min")
    print(f"model written to {out}  ({out.stat().st_size / 1e6:.2f} MB)")
    print(f"history written to {reports / 'history.json'}")


if __name__ == "__main__":
    main()
