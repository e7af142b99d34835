"""Confidence you can trust: temperature scaling and the two thresholds, fitted on validation.

* Temperature (Guo et al. 2017): one scalar T dividing the logits, chosen to
  minimise the negative log-likelihood of the validation *digits*; it changes
  no decision, only how sure the probabilities say the model is. The app shows
  a digit's probability as its confidence, and letters and scribbles (often
  ambiguous, and many) pulled T up to 1.16 against 1.05 on digits alone, leaving
  that confidence too modest: calibration error on the validation digits
  0.64 % (MNIST) and 1.06 % (UNIPEN) against 0.45 % and 0.84 %.
* Refusal: a piece is "not a digit" when that class's calibrated probability
  reaches NOT_DIGIT_THRESHOLD, set so that at most REFUSE_DIGITS of the
  validation digits are refused.
* Unsure: a digit reading whose probability is below UNSURE_THRESHOLD is
  flagged; the threshold is the lowest that flags at least CATCH_ERRORS of the
  validation misreadings.
All numpy, so the app applies the same maths without TensorFlow.

    python -m training.calibrate [--model models/digit_cnn.keras]   # refit an existing model's file
"""
from __future__ import annotations

import numpy as np

NOT_DIGIT = 10           # the class index of "not a digit", after the ten digits
CLASSES = [str(d) for d in range(10)] + ["not a digit"]
# Measured on validation (MNIST tenth + UNIPEN validation writers): refusing 0.5 % of digits
# refuses 96 % of letters, 0.25 % still 93 %; a user loses more from a refused digit than
# from a letter read as a digit and flagged, so digits come first.
REFUSE_DIGITS = 0.0025  # share of real validation digits allowed to be refused
# Catching 80 % of misreadings flagged 5.5 % of right readings as unsure, 70 % about 2.3 %:
# past that the flag mostly cries wolf.
CATCH_ERRORS = 0.70     # share of validation misreadings the unsure flag must catch


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    z = np.asarray(logits, np.float64) / temperature
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def nll(logits: np.ndarray, y: np.ndarray, temperature: float) -> float:
    p = softmax(logits, temperature)
    return float(-np.mean(np.log(np.clip(p[np.arange(len(y)), y], 1e-12, None))))


def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """Golden-section search of the NLL over T in [0.25, 8] (it is unimodal in log T)."""
    lo, hi = np.log(0.25), np.log(8.0)
    ratio = (np.sqrt(5) - 1) / 2
    for _ in range(60):
        a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
        if nll(logits, y, np.exp(a)) < nll(logits, y, np.exp(b)):
            hi = b
        else:
            lo = a
    return float(np.exp((lo + hi) / 2))


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = 15) -> float:
    """Guo et al.'s ECE: the bin-weighted gap between confidence and accuracy."""
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1]), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        inside = which == b
        if inside.any():
            total += inside.mean() * abs(correct[inside].mean() - confidence[inside].mean())
    return float(total)


def reliability(confidence: np.ndarray, correct: np.ndarray, bins: int = 15) -> list[dict]:
    """Per bin: mean confidence, accuracy and count (the reliability diagram's bars)."""
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1]), 0, bins - 1)
    return [{"low": float(edges[b]), "high": float(edges[b + 1]), "count": int((which == b).sum()),
             "confidence": float(confidence[which == b].mean()) if (which == b).any() else None,
             "accuracy": float(correct[which == b].mean()) if (which == b).any() else None}
            for b in range(bins)]


def auroc(positive_scores: np.ndarray, negative_scores: np.ndarray) -> float:
    """P(score of a positive > score of a negative), ties counted half (Mann-Whitney)."""
    scores = np.concatenate([positive_scores, negative_scores])
    order = scores.argsort(kind="mergesort")
    ranks = np.empty(len(scores), np.float64)
    sorted_scores = scores[order]
    _, first, counts = np.unique(sorted_scores, return_index=True, return_counts=True)
    mean_rank = first + (counts + 1) / 2.0
    ranks[order] = np.repeat(mean_rank, counts)
    n_pos, n_neg = len(positive_scores), len(negative_scores)
    return float((ranks[:n_pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def not_digit_threshold(p_not_digit_of_digits: np.ndarray, refuse: float = REFUSE_DIGITS) -> float:
    """The lowest threshold that refuses at most `refuse` of the real digits (never below 0.5)."""
    return float(max(0.5, np.quantile(p_not_digit_of_digits, 1.0 - refuse)))


def unsure_threshold(confidence: np.ndarray, correct: np.ndarray, catch: float = CATCH_ERRORS) -> float:
    """The lowest confidence threshold that flags at least `catch` of the misreadings."""
    wrong = np.sort(confidence[~correct])
    if len(wrong) == 0:
        return 0.5
    return float(np.clip(wrong[int(np.ceil(catch * len(wrong))) - 1] + 1e-6, 0.5, 0.99))


def decide(probabilities: np.ndarray, refuse_at: float) -> np.ndarray:
    """Predicted class per row: NOT_DIGIT where its probability reaches refuse_at, else the best digit."""
    best_digit = probabilities[:, :NOT_DIGIT].argmax(axis=1)
    return np.where(probabilities[:, NOT_DIGIT] >= refuse_at, NOT_DIGIT, best_digit)


def calibrate(logits: np.ndarray, y: np.ndarray) -> dict:
    """Everything the app needs to turn logits into trustworthy readings, from validation logits."""
    is_digit = y != NOT_DIGIT
    temperature = fit_temperature(logits[is_digit], y[is_digit])
    p = softmax(logits, temperature)
    refuse_at = not_digit_threshold(p[is_digit, NOT_DIGIT])
    kept = is_digit & (p[:, NOT_DIGIT] < refuse_at)
    digit_p = p[kept, :NOT_DIGIT]  # a reading's confidence: the calibrated probability of its digit
    correct = digit_p.argmax(axis=1) == y[kept]
    return {"temperature": round(temperature, 4), "not_digit_threshold": round(refuse_at, 4),
            "unsure_threshold": round(unsure_threshold(digit_p.max(axis=1), correct), 4)}


def main(argv=None):
    """Refit the calibration of a trained model on the validation set and write it beside the model."""
    import argparse
    import json
    from pathlib import Path

    import keras

    from training import dataset
    p = argparse.ArgumentParser(description="Fit temperature and thresholds of a model on validation")
    p.add_argument("--model", default="models/digit_cnn.keras")
    p.add_argument("--data-dir", help="directory with the MNIST IDX files")
    p.add_argument("--unipen-dir", help="UNIPEN folder")
    p.add_argument("--seed", type=int, default=42, help="the seed training used (it fixes the validation set)")
    args = p.parse_args(argv)
    model = keras.saving.load_model(args.model, compile=False)
    _, val = dataset.build(args.data_dir, args.unipen_dir, args.seed)
    print(json.dumps(write(model, val, Path(args.model).with_suffix(".json"))))


def write(model, val, path) -> dict:
    """Calibrate `model` on the validation set `val` and write the JSON the app reads; returns it."""
    import json

    from training.data import normalise
    logits = np.concatenate([np.asarray(model.predict_on_batch(normalise(val.x[i:i + 1024]))[0])
                             for i in range(0, len(val.y), 1024)])
    info = {"classes": CLASSES, **calibrate(logits, val.y)}
    path.write_text(json.dumps(info, indent=1) + "\n")
    return info


if __name__ == "__main__":
    main()
