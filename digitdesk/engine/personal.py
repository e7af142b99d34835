"""Personal profiles: a user's own samples sway the readings that look like them, in plain numpy.

The model answers its penultimate features beside its probabilities (runner.infer).
A profile keeps its samples' features in a small feature space (128 dimensions, unit
length), so a reading costs two small matrix products (~0.1 ms with 1,000 samples) and
works in the LiteRT bundle without TensorFlow. The space ships beside the model
(digit_cnn_space.npz, training/profile_space.py): fitted on the training writers so that
one person's drawings of one digit lie close together. A model without one (a stand-in
in tests, a retrained model whose space was not refitted) gets a PCA of 1,000 other
people's digits (resources/check_digits.png) instead.

A reading's digit probabilities get a log-probability bonus from every sample
close to it: weight * (1 - distance / radius) ** power for the sample's digit.
The guards, tuned on writers the figures are not reported on
(benchmarks/bench_personal.py --tune):
* a sample reaches only readings within `radius` times the typical distance
  between two digits of one class (measured on the check digits, so it follows
  the model), and never beyond `margin` times its distance to the profile's
  nearest sample of another digit: two look-alike digits of one hand split the
  ground between them instead of one taking the other's readings;
* readings the model is at least `ceiling` (50 %) sure of (top digit probability)
  are left alone unless a sample lies right on them (closeness >= `override`,
  0.95: the drawing the user corrected, or one drawn the same way). On writers the
  figures are not reported on, the harm was samples overruling likely, right
  readings (1/7, 4/9); with model versions 3 and 4, a ceiling of 60 % or more still
  made one to four tuning writers worse, 50 % none;
* readings further away than that are returned bit for bit unchanged, and
  pieces refused as "not a digit" are touched only when a sample lies within
  `rescue` of the reach (closeness 1 - d/r >= 0.6): a style the model refuses, like a long-flagged
  European 1, reads as the user taught it, while the writer's letters, which often lie near their
  digits, stay refused (in the check digits' PCA: at 0.2, 1.2 % of tuning writers' letters were let
  through by their own profiles, at 0.5, 0.3 %; in the training writers' space 0.5 let 0.42 % through,
  0.6 0.25 %: the smallest rescue within 0.3 points; the PCA, now only a fallback, keeps the stricter 0.6).
A profile is checked on its own samples (each one read with all the others) and
on the check digits (other people's), with and without it: `check()`.
"""
from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from digitdesk.paths import resource_path

DIGITS = 10
REFERENCE_FILE = "check_digits.png"
REFERENCE_COLUMNS = 50
SPACE_SUFFIX = "_space.npz"   # beside the model file: digit_cnn.tflite -> digit_cnn_space.npz
SAME_MODEL = 0.999            # cosine between the check digits' mean features now and when the space was fitted
BLOCK = 1024                  # rows of a samples-by-samples matrix at a time: 40 MB for 10,000 samples, not 400


@dataclass(frozen=True)
class Guards:
    dims: int = 128        # feature space size (the shipped space's; else the PCA's)
    radius: float = 8.0    # reach, in typical same-digit distances
    weight: float = 15.0   # bonus, in log-probability, of a sample right on the reading
    power: float = 2.0     # how fast the bonus falls off with distance
    margin: float = 0.6    # reach at most this share of the way to the profile's nearest other digit
    ceiling: float = 0.5   # readings the model is this sure of (top digit probability) are left alone
    rescue: float = 0.6    # a refused piece is swayed only by a sample this close (share of the reach, 1 - d/r)
    override: float = 0.95  # ... and a reading above the ceiling only by one this close: the drawing corrected
    exact: float = 0.9999  # features this alike (cosine) are the very picture the user corrected: its label wins


def load_reference() -> tuple[np.ndarray, np.ndarray]:
    """The bundled check digits: ((n, 28, 28) float32 in [0, 1], (n,) labels)."""
    from PIL import Image
    with Image.open(resource_path(REFERENCE_FILE)) as sheet:
        pixels = np.asarray(sheet.convert("L"), np.uint8)
    rows = pixels.shape[0] // 28
    tiles = pixels.reshape(rows, 28, REFERENCE_COLUMNS, 28).transpose(0, 2, 1, 3).reshape(-1, 28, 28)
    per_digit = len(tiles) // DIGITS
    return tiles.astype(np.float32) / 255.0, np.repeat(np.arange(DIGITS), per_digit)


def same_digit_scale(z: np.ndarray, labels: np.ndarray) -> float:
    """Median distance from a digit to the nearest other digit of its class (unit vectors, 1 - cosine)."""
    similarity = z @ z.T
    np.fill_diagonal(similarity, -np.inf)
    same = labels[:, None] == labels[None, :]
    nearest = np.where(same, similarity, -np.inf).max(axis=1)
    return float(np.median(1.0 - nearest[np.isfinite(nearest)]))


class FeatureSpace:
    """Where profiles measure distances: the model's own space if it ships one, else the check digits' PCA."""
    kind = "check digits"

    def __init__(self, mean: np.ndarray, basis: np.ndarray, reference_probabilities: np.ndarray,
                 reference_features: np.ndarray, reference_labels: np.ndarray):
        self.mean = np.asarray(mean, np.float32)
        self.basis = np.asarray(basis, np.float32)                 # (features, dims)
        self.reference_probabilities = np.asarray(reference_probabilities, np.float32)
        self.reference_labels = np.asarray(reference_labels, np.int64)
        self.reference_z = self.embed(reference_features)
        self.scale = same_digit_scale(self.reference_z, self.reference_labels)

    @classmethod
    def fit(cls, runner, images: np.ndarray | None = None, labels: np.ndarray | None = None,
            dims: int = Guards.dims, bundled: bool = True) -> FeatureSpace:
        """Run the check digits through the model; measure in the space shipped beside the model if it is
        this model's (and `bundled`), else in a PCA of their features. Given images are always a PCA
        of theirs (the shipped space is recognised by the check digits' features)."""
        reference = images is None   # the shipped space's fingerprint is the check digits' features
        if reference:
            images, labels = load_reference()
        probabilities, features = runner.infer(np.asarray(images, np.float32))
        features = np.asarray(features, np.float32)
        shipped = bundled_space(runner, features, dims) if bundled and reference else None
        if shipped is not None:
            space = cls(*shipped, probabilities, features, labels)
            lengths = np.linalg.norm(space.reference_z, axis=1)
            if np.all(np.abs(lengths - 1) < 1e-3) and np.isfinite(space.scale) and space.scale > 0:
                space.kind = "training writers"
                return space   # else a degenerate basis (every digit in one spot): the PCA below
        mean = features.mean(axis=0)
        centred = features - mean
        # PCA through the small Gram matrix (n x n, n = 1,000) rather than the 2,048 x 2,048 covariance
        values, vectors = np.linalg.eigh(centred @ centred.T)
        keep = np.argsort(values)[::-1][:min(dims, len(features) - 1)]
        basis = centred.T @ (vectors[:, keep] / np.sqrt(np.maximum(values[keep], 1e-12)))
        return cls(mean, basis, probabilities, features, labels)

    def embed(self, features: np.ndarray) -> np.ndarray:
        """Model features (n, 2048) -> unit vectors (n, dims), float32."""
        z = (np.asarray(features, np.float32) - self.mean) @ self.basis
        return z / np.maximum(np.linalg.norm(z, axis=1, keepdims=True), 1e-12)


def bundled_space(runner, reference_features: np.ndarray, dims: int) -> tuple[np.ndarray, np.ndarray] | None:
    """(mean, basis) from the space file beside the runner's model, or None: no such file, a damaged
    one, another size, or one fitted for another model (the check digits' features moved)."""
    model = getattr(runner, "path", None)
    if model is None:
        return None
    try:   # the file is optional: whatever is wrong with it, profiles measure in the PCA instead
        with open(Path(model).with_name(Path(model).stem + SPACE_SUFFIX), "rb") as fh, \
                np.load(fh, allow_pickle=False) as saved:
            arrays = [saved[k] for k in ("mean", "basis", "fingerprint")]
            if any(a.dtype.kind != "f" for a in arrays):
                return None
            mean, basis, fingerprint = (np.asarray(a, np.float32) for a in arrays)
    except Exception:   # noqa: BLE001 - numpy and zipfile raise a dozen kinds on a damaged file
        return None
    size = reference_features.shape[1]
    if mean.shape != (size,) or basis.shape != (size, dims) or fingerprint.shape != (size,) \
            or not all(np.isfinite(a).all() for a in (mean, basis, fingerprint)):
        return None
    now = reference_features.mean(axis=0)
    cosine = float(now @ fingerprint / max(np.linalg.norm(now) * np.linalg.norm(fingerprint), 1e-12))
    return (mean, basis) if cosine >= SAME_MODEL else None


FEW_TO_MEASURE = 3   # samples before "your samples: x % with, y % without" means anything


@dataclass(frozen=True)
class ProfileCheck:
    """Accuracies (0-1) with and without the profile; None where there is nothing to measure."""
    samples: int
    own_with: float | None       # the profile's samples, each read with all the other samples
    own_without: float | None    # the same samples read by the model alone
    others_with: float           # the check digits (other people's), read with the profile
    others_without: float

    def summary(self) -> str:
        if self.own_with is None:
            return "No samples yet: correct a reading to teach DigitDesk your handwriting."
        others = (f"Other people's digits, as a check: {self.others_with:.1%} read right with it, "
                  f"{self.others_without:.1%} without.")
        if self.samples < FEW_TO_MEASURE:   # each sample is read with the others: one or two say nothing yet
            return (f"{self.samples} sample{'s' if self.samples > 1 else ''} so far. With {FEW_TO_MEASURE} or "
                    f"more, this shows how well your profile reads your own digits. {others}")
        # a decimal, as for the check: 12 misread of 2,996 is 99.6 %, not "100 %"
        return (f"Your samples: {self.own_with:.1%} with your profile, {self.own_without:.1%} without "
                f"(each read with the others). {others}")


@dataclass(frozen=True)
class _State:
    """An immutable snapshot: readers take one reference, writers swap in a new one."""
    ids: np.ndarray            # (m,) int64 sample ids
    labels: np.ndarray         # (m,) int64
    z: np.ndarray              # (m, dims) float32 unit vectors
    probabilities: np.ndarray  # (m, classes) the model's reading of each sample, for check()
    inverse_radius: np.ndarray  # (m,) float32
    onehot: np.ndarray         # (m, 10) float32, the labels one-hot (built once: ~12 us a reading otherwise)


class PersonalProfile:
    """One person's samples, ready to sway readings; safe to read from one thread while another edits."""

    def __init__(self, runner, space: FeatureSpace | None = None, guards: Guards = Guards()):
        self.runner = runner
        self.guards = guards
        self.space = space or FeatureSpace.fit(runner, dims=guards.dims)
        self.enabled = True
        self._lock = threading.Lock()
        self._state = self._build(np.zeros(0, np.int64), np.zeros(0, np.int64),
                                  np.zeros((0, self.space.basis.shape[1]), np.float32),
                                  np.zeros((0, DIGITS), np.float32))

    # ---- editing ------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._state.ids)

    @property
    def labels(self) -> np.ndarray:
        return self._state.labels.copy()

    def add(self, sample_id: int, label: int, image: np.ndarray) -> None:
        """One more sample (e.g. a correction just saved): it counts from the next reading on."""
        self.add_many([(sample_id, label, image)])

    def add_many(self, items: Iterable[tuple[int, int, np.ndarray]]) -> None:
        """Samples the profile does not hold yet: one the store already handed over in a load is not
        counted twice (a correction saved while a reload was queued reaches the profile both ways)."""
        held, fresh = set(self._state.ids.tolist()), []
        for item in items:
            if int(item[0]) not in held:
                held.add(int(item[0]))
                fresh.append(item)
        items = fresh
        if not items:
            return
        images = np.stack([_as_float(image) for _, _, image in items])
        probabilities, features = self.runner.infer(images)
        z = self.space.embed(features)
        with self._lock:
            s = self._state
            self._state = self._build(np.concatenate([s.ids, [int(i) for i, _, _ in items]]).astype(np.int64),
                                      np.concatenate([s.labels, [int(y) for _, y, _ in items]]).astype(np.int64),
                                      np.concatenate([s.z, z]),
                                      _concat_rows(s.probabilities, np.asarray(probabilities, np.float32)))

    def load(self, samples: Iterable) -> None:
        """Replace everything with these samples (objects with .id, .label, .image, e.g. store Samples)."""
        with self._lock:
            self._state = self._build(self._state.ids[:0], self._state.labels[:0], self._state.z[:0],
                                      self._state.probabilities[:0])
        self.add_many([(s.id, s.label, s.image) for s in samples])

    def remove(self, sample_id: int) -> bool:
        """Forget one sample (an undone correction); False if the profile did not hold it."""
        with self._lock:
            s = self._state
            keep = s.ids != int(sample_id)
            if keep.all():
                return False
            self._state = self._build(s.ids[keep], s.labels[keep], s.z[keep], s.probabilities[keep])
            return True

    def clear(self) -> None:
        self.load([])

    def _build(self, ids, labels, z, probabilities) -> _State:
        radius = self.guards.radius * self.space.scale
        radii = np.full(len(ids), radius, np.float32)
        if len(ids) > 1:
            _, other, _ = _two_nearest_other_digits(z, labels)
            radii = np.minimum(radii, self.guards.margin * other).astype(np.float32)
        return _State(ids, labels, z.astype(np.float32), probabilities,
                      (1.0 / np.maximum(radii, 1e-6)).astype(np.float32),
                      np.eye(DIGITS, dtype=np.float32)[labels])

    # ---- reading ------------------------------------------------------------------------
    def apply(self, probabilities: np.ndarray, features: np.ndarray,
              not_digit_threshold: float | None = None) -> np.ndarray:
        """The model's probabilities (n, 10 or 11) swayed by the samples close to each reading (a copy)."""
        state = self._state
        if not self.enabled or not len(state.ids) or not len(probabilities):
            return np.array(probabilities, np.float32, copy=True)
        z = self.space.embed(features)
        similarity = z @ state.z.T
        closeness = 1.0 - (1.0 - similarity) * state.inverse_radius
        p = self._sway(probabilities, closeness, state.onehot, not_digit_threshold)
        exact = similarity.max(axis=1) >= self.guards.exact
        if exact.any():   # the user said what this very picture is: however sure the model, that is the reading
            newest = similarity.shape[1] - 1 - np.argmax(similarity[exact][:, ::-1], axis=1)   # if said twice
            p[exact] = 0.0
            p[exact, state.labels[newest]] = 1.0
        return p

    def _sway(self, probabilities, closeness: np.ndarray, onehot: np.ndarray, not_digit_threshold) -> np.ndarray:
        """closeness (n, m): 1 - distance / radius per reading and sample (<= 0: out of reach)."""
        p = np.array(probabilities, np.float32, copy=True)
        nearest = closeness.max(axis=1) if closeness.size else np.full(len(p), -np.inf, np.float32)
        swayed = nearest > 0       # a sample within reach
        if self.guards.ceiling < 1.0:
            digits = p[:, :DIGITS]
            below = digits.max(axis=1) < self.guards.ceiling * np.maximum(digits.sum(axis=1), 1e-12)
            swayed &= below | (nearest >= self.guards.override)
        rescued = np.zeros(len(p), bool)
        if p.shape[1] > DIGITS and not_digit_threshold is not None:
            refused = p[:, DIGITS] >= not_digit_threshold
            rescued = refused & (nearest >= self.guards.rescue)
            swayed &= ~refused     # other refused pieces stay refused, untouched
        if not (swayed.any() or rescued.any()):
            return p               # the usual reading: sure, or nothing of yours near it
        bonus = (np.maximum(closeness, 0.0) ** self.guards.power) @ onehot * np.float32(self.guards.weight)
        if rescued.any():          # the user's own sample right there: "not a digit" competes with the bonus
            logits = np.log(np.maximum(p[rescued], 1e-30))
            logits[:, :DIGITS] += bonus[rescued]
            e = np.exp(logits - logits.max(axis=1, keepdims=True))
            p[rescued] = e / e.sum(axis=1, keepdims=True)
        if not swayed.any():
            return p
        digits = p[swayed, :DIGITS]
        mass = digits.sum(axis=1, keepdims=True)          # the "not a digit" share stays as it was
        logits = np.log(np.maximum(digits, 1e-30)) + bonus[swayed]
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        p[swayed, :DIGITS] = e / e.sum(axis=1, keepdims=True) * mass
        return p

    # ---- checking -----------------------------------------------------------------------
    def check(self, not_digit_threshold: float | None = None) -> ProfileCheck:
        """How the profile reads its own samples (leave-one-out) and other people's digits."""
        s, space = self._state, self.space
        others_without = _accuracy(space.reference_probabilities, space.reference_labels, not_digit_threshold)
        if not len(s.ids):
            return ProfileCheck(0, None, None, others_without, others_without)
        closeness = 1.0 - (1.0 - space.reference_z @ s.z.T) * s.inverse_radius
        others = self._sway(space.reference_probabilities, closeness, s.onehot, not_digit_threshold)
        own = self._leave_one_out(s, not_digit_threshold)
        return ProfileCheck(len(s.ids), _accuracy(own, s.labels, not_digit_threshold),
                            _accuracy(s.probabilities, s.labels, not_digit_threshold),
                            _accuracy(others, space.reference_labels, not_digit_threshold), others_without)

    def _leave_one_out(self, s: _State, not_digit_threshold) -> np.ndarray:
        """Each sample read by the profile without it: every other sample's reach measured as if the reader
        were gone. A block of readers at a time."""
        m = len(s.ids)
        radius = np.float32(self.guards.radius * self.space.scale)
        if m > 2:
            nearest_of, first, second = _two_nearest_other_digits(s.z, s.labels)
        own = np.empty_like(s.probabilities)
        for start in range(0, m, BLOCK):
            rows = np.arange(start, min(start + BLOCK, m))
            distance = 1.0 - s.z[rows] @ s.z.T
            reach = np.full(distance.shape, radius, np.float32)
            if m > 2:   # reach[i, j]: sample j's reach in the profile without sample i
                nearest = np.where(nearest_of[None, :] == rows[:, None], second[None, :], first[None, :])
                reach = np.minimum(reach, self.guards.margin * nearest)
            closeness = 1.0 - distance / np.maximum(reach, 1e-6)
            closeness[np.arange(len(rows)), rows] = 0.0
            own[rows] = self._sway(s.probabilities[rows], closeness, s.onehot, not_digit_threshold)
        return own


def _two_nearest_other_digits(z: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per sample, its nearest sample of another digit and the distances to the nearest and the second
    nearest (inf where there is none). A block of rows at a time: memory grows with the samples, not
    their square (a profile of 10,000 imported samples)."""
    m = len(labels)
    index = np.zeros(m, np.int64)
    first, second = np.full(m, np.inf, np.float32), np.full(m, np.inf, np.float32)
    for start in range(0, m, BLOCK):
        rows = slice(start, min(start + BLOCK, m))
        distance = 1.0 - z[rows] @ z.T
        distance[labels[rows, None] == labels[None, :]] = np.inf
        two = np.argpartition(distance, 1, axis=1)[:, :2] if m > 1 else np.zeros((len(distance), 1), np.int64)
        near = np.take_along_axis(distance, two, axis=1)
        index[rows], first[rows] = two[:, 0], near[:, 0]
        if m > 1:
            second[rows] = near[:, 1]
    return index, first, second


def _as_float(image: np.ndarray) -> np.ndarray:
    image = np.asarray(image)
    if image.dtype == np.uint8:
        return image.astype(np.float32).reshape(28, 28) / 255.0
    return image.astype(np.float32).reshape(28, 28)


def _concat_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if len(a) and a.shape[1] != b.shape[1]:
        raise ValueError("the model changed while the profile was in use")
    return np.concatenate([a.reshape(-1, b.shape[1]), b])


def _accuracy(probabilities: np.ndarray, labels: np.ndarray, not_digit_threshold: float | None = None) -> float:
    """Share read as their label; a piece refused as "not a digit" is read wrong (as the app shows it)."""
    probabilities = np.asarray(probabilities)
    right = probabilities[:, :DIGITS].argmax(axis=1) == labels
    if not_digit_threshold is not None and probabilities.shape[1] > DIGITS:
        right &= probabilities[:, DIGITS] < not_digit_threshold
    return float(right.mean()) if len(labels) else 1.0


def load_profile(store, name: str, runner, space: FeatureSpace | None = None,
                 guards: Guards = Guards()) -> PersonalProfile:
    """The named profile of a SampleStore, ready to read with (an empty one if it holds no samples)."""
    profile = PersonalProfile(runner, space, guards)
    profile.load(store.samples(name))
    return profile
