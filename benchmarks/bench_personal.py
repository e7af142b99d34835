"""Personal profiles on writers the model never saw: their error with and without a profile.

Sources (report mode, the default):
* MNIST test grouped by writer (QMNIST writer ids; 297 writers, none in MNIST train);
* UNIPEN held-out writers, the half kept for reporting (training/unipen.halves), rendered
  and prepared like drawings in the app.
Per writer, k = 1 and 3 samples of each digit are taught (drawn at random, --seeds times)
and the writer's other digits read with the profile and without; and a stream: the
writer's digits in random order, where only the misreadings are corrected (each becomes a
sample), error counted on the second half. A reading refused as "not a digit" counts as an
error both ways (a profile un-refuses a piece only right beside one of its samples). Also:
MNIST test read through an empty profile (must be unchanged), UNIPEN writers' own letters and
symbols read with their k = 3 profiles (a profile must not make them pass for digits), and
timings: recognize on a canvas with no profile and with 1,000 samples, and how long a correction
takes to count.

--tune runs a grid of guards on tuning writers instead, never the reported ones: MNIST
train writers (taught from their training digits, read on the tenth held out of training,
which the model never saw) and the UNIPEN held-out half used for validation. --tune --oracle
shows, on those writers, the most any profile could fix: errors whose writer's nearest
taught sample has the right digit, and right readings it would contradict. --tune --refit
measures, on them, a refit of the last layer (the other adaptation issue 10 names) instead.

Per-image features are computed once with runner.infer; profiles are the app's
PersonalProfile, fed those same features through a caching runner.
Prints tables, then one JSON line last.

    .venv/bin/python benchmarks/bench_personal.py [--seeds 3] [--mnist-dir D] [--unipen-dir D]
        [--tune [--oracle | --refit]] [--space check]
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from digitdesk.engine.personal import FeatureSpace, Guards, PersonalProfile  # noqa: E402
from digitdesk.engine.recognizer import Recognizer  # noqa: E402
from digitdesk.engine.runner import KerasRunner, infer_images, load_runner  # noqa: E402
from training import unipen  # noqa: E402
from training.negatives import refusable  # noqa: E402
from training.data import default_data_dir, load_mnist_dir, qmnist_writers, stratified_split  # noqa: E402

DIGITS = 10


@dataclass
class Source:
    name: str
    images: np.ndarray      # (n, 28, 28) uint8, the model's input
    labels: np.ndarray      # (n,)
    writers: np.ndarray     # (n,) writer id per image
    teach: np.ndarray       # (n,) bool: may be taught
    read: np.ndarray        # (n,) bool: may be read and counted


def mnist_test(directory: Path) -> Source:
    _, (x, y) = load_mnist_dir(directory)
    every = np.ones(len(y), bool)
    return Source("MNIST test writers", x, y.astype(np.int64), qmnist_writers(directory, "test", len(y)), every, every)


def mnist_train_tuning(directory: Path) -> Source:
    (x, y), _ = load_mnist_dir(directory)
    held = np.zeros(len(y), bool)
    held[stratified_split(np.arange(len(y)), y).x_val] = True   # the tenth the model was not trained on
    return Source("MNIST train writers (tuning)", x, y.astype(np.int64), qmnist_writers(directory, "train", len(y)),
                  ~held, held)


def unipen_half(directory: Path, half: int, seed: int = 0) -> Source:
    chars = [c for c in unipen.load(directory) if c.writer in unipen.halves(unipen.heldout_writers(directory))[half]]
    x = unipen.render_all(chars, np.random.default_rng(seed))
    every = np.ones(len(chars), bool)
    name = ("UNIPEN held-out writers, validation half (tuning)", "UNIPEN held-out writers, report half")[half]
    return Source(name, x, np.array([int(c.label) for c in chars]), np.array([c.writer for c in chars]), every, every)


def unipen_letters(directory: Path, half: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The same writers' letters and symbols that should be refused (not the digits' look-alikes):
    (images, writer per image)."""
    writers = unipen.halves(unipen.heldout_writers(directory))[half]
    chars = [c for c in unipen.load(directory, unipen.OTHERS_FILE) if c.writer in writers and refusable(c)]
    return unipen.render_all(chars, np.random.default_rng(seed)), np.array([c.writer for c in chars])


class CachedRunner:
    """The runner's answers for images already seen, so profiles built over and over cost no model calls."""

    def __init__(self, runner, images: np.ndarray, probabilities: np.ndarray, features: np.ndarray):
        self.runner, self.calibration = runner, runner.calibration
        self.rows = {(img.astype(np.float32) / 255).tobytes(): i for i, img in enumerate(images)}
        self.probabilities, self.features = probabilities, features

    def infer(self, batch):
        batch = np.asarray(batch, np.float32).reshape(-1, 28, 28)
        rows = [self.rows.get(b.tobytes()) for b in batch]
        if None in rows:
            return self.runner.infer(batch)
        return self.probabilities[rows], self.features[rows]


def wrong(p: np.ndarray, labels: np.ndarray, not_digit: float) -> np.ndarray:
    """Misread: another digit, or refused as not a digit."""
    refused = p[:, DIGITS] >= not_digit if p.shape[1] > DIGITS else np.zeros(len(p), bool)
    return refused | (p[:, :DIGITS].argmax(axis=1) != labels)


def tally(per_writer: dict) -> dict:
    """Totals over writers from {writer: [read, errors without, errors with]}."""
    counts = np.array([v for v in per_writer.values() if v[0]], float).reshape(-1, 3)
    n, e0, e1 = counts.sum(axis=0)
    change = (counts[:, 2] - counts[:, 1]) / counts[:, 0]
    return {"writers": len(counts), "read": int(n), "errors_without": int(e0), "errors_with": int(e1),
            "error_without_pct": round(100 * e0 / n, 3), "error_with_pct": round(100 * e1 / n, 3),
            "error_cut_pct": round(100 * (1 - e1 / e0), 1) if e0 else None,
            "writers_better": int((change < 0).sum()), "writers_worse": int((change > 0).sum()),
            "writers_worse_over_1_in_100": int((change > 0.01).sum())}


def by_writer(source: Source):
    order = np.argsort(source.writers, kind="stable")
    writers, starts = np.unique(source.writers[order], return_index=True)
    return [order[a:b] for a, b in zip(starts, list(starts[1:]) + [len(order)])]


def draw_taught(source: Source, idx: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """k teachable samples of each digit among the writer's `idx` (fewer where the writer has fewer)."""
    pool = idx[source.teach[idx]]
    return np.concatenate([rng.permutation(pool[source.labels[pool] == d])[:k] for d in range(DIGITS)])


def taught_profile(source: Source, taught: np.ndarray, cached, space, guards) -> PersonalProfile:
    """A profile holding the writer's `taught` digits."""
    profile = PersonalProfile(cached, space, guards)
    profile.add_many((int(i), int(source.labels[i]), source.images[i]) for i in taught)
    return profile


def profile_reader(source: Source, cached, space, guards, not_digit):
    """taught samples -> a reader of (probabilities, features) as the app's profile sways them."""
    return lambda taught: (lambda p, f: taught_profile(source, taught, cached, space, guards).apply(p, f, not_digit))


def k_shot(source, P, F, cached, space, guards, k, seeds, not_digit, reader=None) -> dict:
    """`reader`: taught samples -> (probabilities, features) -> probabilities; the profile by default."""
    reader = reader or profile_reader(source, cached, space, guards, not_digit)
    per_writer = {}
    for w, idx in enumerate(by_writer(source)):
        totals = [0, 0, 0]
        for seed in range(seeds):
            taught = draw_taught(source, idx, k, np.random.default_rng([seed, w, k]))
            rest = np.setdiff1d(idx[source.read[idx]], taught)
            if not len(rest):
                continue
            swayed = reader(taught)(P[rest], F[rest])
            totals[0] += len(rest)
            totals[1] += int(wrong(P[rest], source.labels[rest], not_digit).sum())
            totals[2] += int(wrong(swayed, source.labels[rest], not_digit).sum())
        per_writer[w] = totals
    return tally(per_writer)


def stream(source, P, F, cached, space, guards, seeds, not_digit) -> dict:
    """Digits in random order; each misreading is corrected and becomes a sample; count the second half."""
    per_writer = {}
    for w, idx in enumerate(by_writer(source)):
        totals = [0, 0, 0]
        for seed in range(seeds):
            order = np.random.default_rng([seed, w, 99]).permutation(idx)
            profile = PersonalProfile(cached, space, guards)
            second_half = set(order[len(order) // 2:].tolist())
            for i in order:
                swayed = profile.apply(P[i:i + 1], F[i:i + 1], not_digit)
                missed = bool(wrong(swayed, source.labels[i:i + 1], not_digit)[0])
                if missed:
                    profile.add(int(i), int(source.labels[i]), source.images[i])
                if i in second_half and source.read[i]:
                    totals[0] += 1
                    totals[1] += int(wrong(P[i:i + 1], source.labels[i:i + 1], not_digit)[0])
                    totals[2] += int(missed)
        per_writer[w] = totals
    return tally(per_writer)


def own_letters(source, letters, cached, space, guards, seeds, not_digit, reader=None) -> dict:
    """Each writer's letters and symbols read with the writer's k = 3 profiles (the draws k_shot makes):
    how many stay refused with the profile and without."""
    reader = reader or profile_reader(source, cached, space, guards, not_digit)
    images, writer_of, LP, LF = letters
    counts = np.zeros(3, int)   # letters read, refused without, refused with
    writers_touched = set()
    for w, idx in enumerate(by_writer(source)):
        mine = np.flatnonzero(writer_of == source.writers[idx[0]])
        if not len(mine):
            continue
        for seed in range(seeds):
            read = reader(draw_taught(source, idx, 3, np.random.default_rng([seed, w, 3])))
            without = LP[mine, DIGITS] >= not_digit
            with_profile = read(LP[mine], LF[mine])[:, DIGITS] >= not_digit
            counts += len(mine), int(without.sum()), int(with_profile.sum())
            if (without & ~with_profile).any():
                writers_touched.add(w)
    n, r0, r1 = counts
    return {"letters_read": int(n), "refused_without_pct": round(float(100 * r0 / n), 2),
            "refused_with_pct": round(float(100 * r1 / n), 2), "unrefused_by_profile": int(r0 - r1),
            "writers_with_a_letter_unrefused": len(writers_touched)}


def evaluate(source, P, F, cached, space, guards, seeds, not_digit) -> dict:
    return {"k1": k_shot(source, P, F, cached, space, guards, 1, seeds, not_digit),
            "k3": k_shot(source, P, F, cached, space, guards, 3, seeds, not_digit),
            "stream": stream(source, P, F, cached, space, guards, seeds, not_digit)}


def nearest_neighbour_ceiling(source: Source, P: np.ndarray, F: np.ndarray, space, not_digit: float,
                              bars=(0.5, 0.7, 0.9, 0.99, 1.01), seed: int = 0) -> dict:
    """What any profile could gain at best, k = 3: per model-confidence bar, the errors whose nearest taught
    sample of the writer has the right digit (refusals aside) and the right readings it contradicts."""
    z, err = space.embed(F), wrong(P, source.labels, not_digit)
    confidence, refused = P[:, :DIGITS].max(axis=1), P[:, DIGITS] >= not_digit
    rng, rows = np.random.default_rng(seed), []
    for idx in by_writer(source):
        taught = draw_taught(source, idx, 3, rng)
        for i in idx[source.read[idx]]:
            pool = taught[taught != i]
            if len(pool):
                vote = source.labels[pool[np.argmax(z[pool] @ z[i])]]
                rows.append((err[i], vote == source.labels[i], vote == P[i, :DIGITS].argmax(), confidence[i],
                             refused[i]))
    r = np.array(rows, float).reshape(-1, 5)
    out = {"errors": int(r[:, 0].sum()), "errors_nearest_right": int((r[:, 0] * r[:, 1]).sum())}
    for bar in bars:
        reach = (r[:, 3] < bar) & (r[:, 4] == 0)
        out[f"below_{bar}"] = {"errors_fixable": int((reach & (r[:, 0] == 1) & (r[:, 1] == 1)).sum()),
                               "right_contradicted": int((reach & (r[:, 0] == 0) & (r[:, 2] == 0)).sum())}
    return out


def refit_reader(P: np.ndarray, F: np.ndarray, labels: np.ndarray, space, temperature: float, strength: float,
                 steps: int = 300):
    """The other adaptation issue 10 names, for comparison: a refit of the last layer in numpy. A reading's
    logits (log of its calibrated probabilities, times the temperature) plus z @ V + c, z its unit vector in
    the profile's space, V and c fitted to the taught samples' cross-entropy + strength / 2 * |V, c|^2 (Adam).
    Unlike the profile it moves every reading, near a sample or not."""
    def logits(p):
        return temperature * np.log(np.maximum(p, 1e-30))

    def softmax(z):
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def adapt(taught):
        z0, x, y = logits(P[taught]), np.hstack([space.embed(F[taught]), np.ones((len(taught), 1))]), \
            np.eye(P.shape[1])[labels[taught]]
        w, m, v = (np.zeros((x.shape[1], P.shape[1])) for _ in range(3))
        for t in range(1, steps + 1):
            g = x.T @ (softmax((z0 + x @ w) / temperature) - y) / (len(taught) * temperature) + strength * w
            m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g * g
            w -= 0.05 * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
        return lambda p, f: softmax((logits(p) + np.hstack([space.embed(f), np.ones((len(p), 1))]) @ w)
                                    / temperature)
    return adapt


REFIT_STRENGTHS = (1.0, 0.3, 0.1, 0.03, 0.01)


def tuning_cells(results: dict, own: dict) -> str:
    """One line of a tuning run: errors without -> with, writers worse / worse by over 1 in 100, per case;
    then the writers' own letters the adaptation let through."""
    cells = [f"{key} {r['errors_without']}->{r['errors_with']} w{r['writers_worse']}/{r['writers_worse_over_1_in_100']}"
             for res in results.values() for key, r in res.items()]
    return " | ".join(cells + [f"letters unrefused {own['unrefused_by_profile']}"])


def print_table(name: str, result: dict) -> None:
    print(f"\n{name}")
    print(f"  {'':8} {'writers':>7} {'read':>6} {'error without':>14} {'with':>7} {'cut':>6} "
          f"{'better':>6} {'worse':>5} {'worse>1%':>8}")
    for key, r in result.items():
        if key == "model_alone":
            continue
        cut = "n/a" if r["error_cut_pct"] is None else f"{r['error_cut_pct']:.0f}%"
        print(f"  {key:8} {r['writers']:7} {r['read']:6} {r['error_without_pct']:13.2f}% "
              f"{r['error_with_pct']:6.2f}% {cut:>6} {r['writers_better']:6} {r['writers_worse']:5} "
              f"{r['writers_worse_over_1_in_100']:8}")


def timings(runner, space, source: Source, calls: int = 300) -> dict:
    """recognize on a canvas with and without 1,000 samples; a correction until it counts."""
    from benchmarks.bench_inference import canvas_frame
    frame = canvas_frame()
    rng = np.random.default_rng(0)
    picked = rng.choice(len(source.labels), 1000, replace=False)
    profile = PersonalProfile(runner, space)
    start = time.perf_counter()
    profile.add_many((int(i), int(source.labels[i]), source.images[i]) for i in picked)
    load_s = time.perf_counter() - start
    plain, personal = Recognizer(runner), Recognizer(runner, profile=profile)

    def p50(fn, n: int = calls) -> float:
        for _ in range(20):  # warm caches
            fn()
        seconds = []
        for _ in range(n):
            t = time.perf_counter()
            fn()
            seconds.append(time.perf_counter() - t)
        return float(np.median(seconds) * 1000)

    # alternating rounds, so both see the same machine (its speed drifts within seconds)
    rounds = [(p50(lambda: plain.recognize(frame), calls // 5), p50(lambda: personal.recognize(frame), calls // 5))
              for _ in range(5)]
    without, with_profile = (float(np.median(r)) for r in zip(*rounds))
    reading = personal.recognize(frame).digits[0]
    ids = iter(range(10**6, 10**7))

    def correct_and_read():
        sample = next(ids)
        profile.add(sample, (reading.digit + 1) % DIGITS, reading.input28)
        personal.recognize(frame)
        profile.remove(sample)

    start = time.perf_counter()
    FeatureSpace.fit(runner, bundled=space.kind != "check digits")
    fit_s = time.perf_counter() - start
    return {"recognize_p50_ms_no_profile": round(without, 3), "recognize_p50_ms_1000_samples": round(with_profile, 3),
            "profile_cost_ratio": round(with_profile / without, 3),
            "correction_until_next_reading_p50_ms": round(p50(correct_and_read), 2),
            "load_1000_samples_s": round(load_s, 3), "feature_space_fit_s": round(fit_s, 3)}


TUNING_GRID = {"radius": (3.0, 5.0, 8.0), "weight": (10.0, 25.0), "power": (2.0,), "margin": (0.5, 0.8)}


def main(argv=None, runner=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mnist-dir", type=Path, default=default_data_dir())
    parser.add_argument("--unipen-dir", type=Path, default=unipen.default_unipen_dir())
    parser.add_argument("--seeds", type=int, default=3, help="random draws of the taught samples per writer")
    parser.add_argument("--tune", action="store_true", help="grid of guards on the tuning writers")
    parser.add_argument("--model", type=Path, help="a Keras model file to measure instead of the bundled model")
    parser.add_argument("--grid", type=json.loads, default=TUNING_GRID,
                        help='with --tune: the guards to try, as JSON, e.g. \'{"rescue": [0.2, 0.4]}\'')
    parser.add_argument("--oracle", action="store_true",
                        help="with --tune: the most a nearest taught sample could fix, by confidence bar")
    parser.add_argument("--space", choices=("model", "check"), default="model",
                        help="measure in the space shipped beside the model (default) or in the check digits' PCA")
    parser.add_argument("--refit", action="store_true",
                        help="with --tune: a refit of the last layer instead of the profile, at several strengths")
    args = parser.parse_args(argv)
    if (args.oracle or args.refit) and not args.tune:
        parser.error("--oracle and --refit measure the tuning writers: add --tune")
    if args.mnist_dir is None or args.unipen_dir is None:
        parser.error("MNIST or UNIPEN not found: pass --mnist-dir and --unipen-dir")
    runner = runner or (KerasRunner(args.model) if args.model else load_runner())
    not_digit = runner.calibration.not_digit_threshold
    space = FeatureSpace.fit(runner, bundled=args.space == "model")
    if args.tune:
        sources = [mnist_train_tuning(args.mnist_dir), unipen_half(args.unipen_dir, 0)]
    else:
        sources = [mnist_test(args.mnist_dir), unipen_half(args.unipen_dir, 1)]
    answers = [infer_images(runner, s.images) for s in sources]
    cached = [CachedRunner(runner, s.images, P, F) for s, (P, F) in zip(sources, answers)]
    report = {"model": Path(getattr(runner, "path", "?")).name, "runner": getattr(runner, "name", "?"),
              "seeds": args.seeds, "space": space.kind, "space_scale": round(space.scale, 4),
              "load": round(os.getloadavg()[0], 2)}
    if args.tune and args.oracle:
        for s, (P, F) in zip(sources, answers):
            report[s.name] = nearest_neighbour_ceiling(s, P, F, space, not_digit)
            print(s.name, report[s.name])
        print(json.dumps(report))
        return
    letter_images, letter_writers = unipen_letters(args.unipen_dir, 0 if args.tune else 1)
    letters = (letter_images, letter_writers, *infer_images(runner, letter_images))
    if args.tune and args.refit:
        temperature, rows = runner.calibration.temperature, []
        for strength in REFIT_STRENGTHS:
            readers = [refit_reader(P, F, s.labels, space, temperature, strength)
                       for s, (P, F) in zip(sources, answers)]
            results = {s.name: {f"k{k}": k_shot(s, P, F, None, space, None, k, args.seeds, not_digit, reader)
                                for k in (1, 3)} for s, (P, F), reader in zip(sources, answers, readers)}
            mine = own_letters(sources[1], letters, None, space, None, args.seeds, not_digit, readers[1])
            rows.append({"strength": strength, "results": results, "own_letters": mine})
            print(f"refit strength {strength}:", tuning_cells(results, mine), flush=True)
        report["refit"] = rows
        print(json.dumps(report))
        return
    if args.tune:
        rows = []
        for values in itertools.product(*args.grid.values()):
            guards = replace(Guards(), **dict(zip(args.grid, values)))
            results = {s.name: evaluate(s, P, F, c, space, guards, args.seeds, not_digit)
                       for s, (P, F), c in zip(sources, answers, cached)}
            mine = own_letters(sources[1], letters, cached[1], space, guards, args.seeds, not_digit)
            rows.append({"guards": guards.__dict__, "results": results, "own_letters": mine})
            print(dict(zip(args.grid, values)), tuning_cells(results, mine), flush=True)
        report["tuning"] = rows
        print(json.dumps(report))
        return
    for source, (P, F), c in zip(sources, answers, cached):
        result = evaluate(source, P, F, c, space, Guards(), args.seeds, not_digit)
        refused = P[:, DIGITS] >= not_digit
        misread = ~refused & (P[:, :DIGITS].argmax(axis=1) != source.labels)
        result["model_alone"] = {"digits": len(P), "refused": int(refused.sum()), "misread": int(misread.sum()),
                                 "unsure_below_ceiling": int((misread & (P[:, :DIGITS].max(axis=1) <
                                                                         Guards().ceiling)).sum())}
        print_table(f"{source.name}: {len(set(source.writers))} writers, {len(source.labels)} digits", result)
        print(f"  the model alone: {result['model_alone']} (a profile changes a refusal only right on a sample)")
        report[source.name] = result
    report["own_letters"] = own_letters(sources[1], letters, cached[1], space, Guards(), args.seeds, not_digit)
    print(f"\n{sources[1].name}: their own letters and symbols with their k = 3 profiles: {report['own_letters']}")
    P, F = answers[0]
    empty = PersonalProfile(cached[0], space).apply(P, F, not_digit)
    report["empty_profile_mnist_test"] = {"readings_changed": int((empty != P).any(axis=1).sum()),
                                          "max_probability_change": float(np.abs(empty - P).max())}
    print(f"\nMNIST test through an empty profile: {report['empty_profile_mnist_test']}")
    report["timings"] = timings(runner, space, sources[0])
    print(f"timings: {report['timings']}")
    report["guards"] = Guards().__dict__
    print(json.dumps(report))


if __name__ == "__main__":
    main()
