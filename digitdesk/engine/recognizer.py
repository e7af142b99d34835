"""Read the digits in a picture: decode, prepare like MNIST, segment, classify in one batch."""
from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from dataclasses import replace

import numpy as np

from digitdesk.engine.calibration import DIGITS, Calibration
from digitdesk.engine.decode import load_image
from digitdesk.engine.prepare import Page, to_mnist
from digitdesk.engine.results import DigitReading, Recognition
from digitdesk.engine.runner import ModelRunner, shared_runner
from digitdesk.engine.segment import segment, segment_lines
from digitdesk.engine.split import (Blob, PreparedDigit, blob, is_refused, may_hold_several,
                                   near_pair, refusal_bar, second_look, weak_bar)


def as_image(image):
    """Paths and bytes are decoded (ImageDecodeError on failure); arrays and PIL images pass through."""
    if isinstance(image, (str, os.PathLike, bytes, bytearray, memoryview)):
        return load_image(image)
    return image


def prepare_digits(image) -> list[PreparedDigit]:
    """Every digit in the picture, line by line, each left to right, as model input; no model needed
    (touching digits are cut by width, the recognizer's model-scored cut needs the model)."""
    page = Page(as_image(image))
    return [PreparedDigit(digit.box, to_mnist(digit.ink)) for digit in segment(page)]


def prepare_blobs(image) -> list[Blob]:
    """Every blob in the picture, line by line, each left to right (see prepare_blob_lines)."""
    return [b for line in prepare_blob_lines(image) for b in line]


def prepare_blob_lines(image) -> list[list[Blob]]:
    """The picture's blobs by line of writing, with candidate cuts for blobs that may be several digits
    (judged by the line's other digits, see split.may_hold_several)."""
    lines = []
    for digits in segment_lines(Page(as_image(image)), cut_touching=False):
        sizes = [(d.box.w, d.box.h) for d in digits]
        lines.append([blob(d.ink, d.box, may_hold_several(i, sizes)) for i, d in enumerate(digits)])
    return lines


class Recognizer:
    """Reads digits with a ModelRunner (the shared runner unless given one).

    The thresholds come from the runner's calibration (fitted on validation
    writers, see models/README.md) unless given: below `unsure_threshold` a
    digit is flagged unsure; from `not_digit_threshold` of "not a digit"
    probability a piece is refused (in a number, from split.IN_NUMBER_REFUSE,
    and shown unsure below it).
    """

    def __init__(self, runner: ModelRunner | None = None, unsure_threshold: float | None = None,
                 not_digit_threshold: float | None = None, cut_by_model: bool = True, profile=None):
        self._runner = runner
        self.profile = profile  # a PersonalProfile (engine/personal.py), applied after the model; or None
        self.cut_by_model = cut_by_model  # False: touching digits cut by width alone (version 1)
        self._unsure_threshold = unsure_threshold
        self._not_digit_threshold = not_digit_threshold

    def _calibration(self) -> Calibration:
        return getattr(self.runner, "calibration", None) or Calibration()

    @property
    def unsure_threshold(self) -> float:
        if self._unsure_threshold is None:
            return self._calibration().unsure_threshold
        return self._unsure_threshold

    @property
    def not_digit_threshold(self) -> float:
        if self._not_digit_threshold is None:
            return self._calibration().not_digit_threshold
        return self._not_digit_threshold

    @property
    def runner(self) -> ModelRunner:
        if self._runner is None:
            self._runner = shared_runner()  # loads TensorFlow on first use
        return self._runner

    def _classify(self, batch: np.ndarray) -> np.ndarray:
        """The model's probabilities, swayed by the personal profile when one is set and on."""
        profile = self.profile
        if profile is None or not profile.enabled or not len(profile):
            return np.asarray(self.runner.classify(batch), dtype=np.float32)
        probabilities, features = self.runner.infer(batch)
        return profile.apply(probabilities, features, self.not_digit_threshold)

    def recognize(self, image) -> Recognition:
        """image: ndarray (grey or RGB/RGBA), PIL image, path or encoded bytes."""
        return self.recognize_many([image])[0]

    def recognize_many(self, images: Iterable) -> list[Recognition]:
        """Several pictures, all their digits (and candidate cuts) classified in one model call.

        Each line of writing is read as a number of its own (its neighbours, its digits' width),
        then a picture's lines are put back together, top to bottom."""
        if self.cut_by_model:
            pictures = [prepare_blob_lines(image) for image in images]
        else:
            pictures = [[[Blob((digit,)) for digit in prepare_digits(image)]] for image in images]
        numbers = iter(self._read([line for lines in pictures for line in lines]))
        return [_joined([next(numbers) for _ in lines]) for lines in pictures]

    def _read(self, pictures: list[list[Blob]], weak_looks: bool = True) -> list[Recognition]:
        """All candidates of all pictures through the model in one call, then each blob's best reading.

        `weak_looks`: blobs read weakly get a second look (pictures; a drawing's strokes already say
        where its digits part)."""
        blobs = [b for picture in pictures for b in picture]
        rows = self._rows(blobs)
        picture_of = [p for p, picture in enumerate(pictures) for _ in picture]
        in_number = [len(picture) > 1 for picture in pictures for _ in picture]  # beside other blobs
        merged_away = self._look_again(blobs, rows, picture_of, in_number, weak_looks)
        results, k = [], 0
        for picture in pictures:
            readings = []
            for i in range(k, k + len(picture)):
                if i in merged_away:
                    continue
                chosen, doubtful = blobs[i].choice(rows[i], self.not_digit_threshold, in_number=in_number[i])
                read = [self._reading(blobs[i].candidates[c], rows[i][c], in_number[i]) for c in chosen]
                readings += [replace(d, unsure=True, unsure_of_cut=not d.unsure) if doubtful and not d.not_digit
                             else d for d in read]
            k += len(picture)
            results.append(Recognition(tuple(readings)))
        return results

    def _look_again(self, blobs: list[Blob], rows: list[np.ndarray], picture_of: list[int],
                    in_number: list[bool], weak_looks: bool = True) -> set[int]:
        """A second look, in one more model call, only when the model refused something.

        A blob refused whole is judged with a neighbour whose ink nearly touches it
        (split.near_pair: the bar and the stem of a 4 as two blobs) and kept merged
        when that is at least split.MERGE_SURE a digit; else it is cut with a lower width gate,
        or with more candidate cuts if it had some (split.second_look), as is a blob kept whole
        and read weakly (alone, no digit more likely than not, or below 85 % when as wide as two
        touching digits: a lone '15' read as a 5 at 69 %; in a number, below 90 %: split.weak_bar).
        Neighbouring pen groups, read alone so far, are read merged too when one of them was refused
        (Blob.regroup). Replaces blobs and rows in place; returns the blobs merged into their left neighbour.
        """
        whole = [self._kept_whole(b, r, in_number[i]) for i, (b, r) in enumerate(zip(blobs, rows))]
        refused = [w is not None and self._refused(w) for w in whole]
        looks = {i: cut for i, b in enumerate(blobs) if refused[i] and (cut := second_look(b)) is not None}
        weak = [weak_looks and w is not None and not refused[i]
                and float(np.max(w[:DIGITS])) < weak_bar(in_number[i], blobs[i].wide)
                for i, w in enumerate(whole)]
        looks |= {i: cut for i, b in enumerate(blobs) if weak[i] and (cut := second_look(b, weak=True)) is not None}
        looks |= {i: b.regroup() for i, (b, r) in enumerate(zip(blobs, rows))
                  if b.regroup is not None and any(self._refused(row) for row in r)}
        pairs = {i: pair for i in range(len(blobs) - 1)
                 if (refused[i] or refused[i + 1]) and picture_of[i] == picture_of[i + 1]
                 and (pair := near_pair(blobs[i], blobs[i + 1])) is not None}
        answers = self._rows(list(looks.values()) + list(pairs.values()))
        look_rows = dict(zip(looks, answers))
        merged_away: set[int] = set()
        for (i, pair), r in zip(pairs.items(), answers[len(looks):]):
            if i not in merged_away and pair.choice(r, self.not_digit_threshold, in_number=True)[0] == [1]:
                blobs[i], rows[i] = pair, r
                merged_away.add(i + 1)
                looks.pop(i, None)
                looks.pop(i + 1, None)
        for i, look in looks.items():
            blobs[i], rows[i] = look, look_rows[i]
        return merged_away

    def _kept_whole(self, blob: Blob, rows: np.ndarray, in_number: bool) -> np.ndarray | None:
        """The blob's row as one piece if it is read as one (no cuts, or none chosen), else None (also for
        pen groups, whose strokes say where digits part)."""
        if blob.lattice is None:
            return rows[0]
        if blob.source is None:
            return None
        whole = blob.lattice.whole
        return rows[whole] if blob.choice(rows, self.not_digit_threshold, in_number=in_number)[0] == [whole] else None

    def _rows(self, blobs: list[Blob]) -> list[np.ndarray]:
        """Each blob's candidates' probabilities, all blobs in one model call."""
        inputs = [c.input28 for b in blobs for c in b.candidates]
        if not inputs:
            return [np.zeros((0, DIGITS + 1), np.float32) for _ in blobs]
        probabilities = self._classify(np.stack(inputs))
        ends = np.cumsum([len(b.candidates) for b in blobs])
        return np.split(probabilities, ends[:-1])

    def _refused(self, probabilities: np.ndarray) -> bool:
        return is_refused(probabilities, self.not_digit_threshold)

    def recognize_strokes(self, strokes) -> Recognition:
        """A drawing read from its pen strokes (PenStrokes in pixels, in drawing order), one model call.

        Strokes are grouped into digits first, so digits drawn apart stay apart
        even where their ink touches; a stroke running through several digits is
        cut where the model reads the pieces best, like touching digits in a picture.
        Boxes are in the strokes' pixels.
        """
        from digitdesk.engine.stroke_digits import prepare_stroke_blob_lines
        return _joined(self._read(prepare_stroke_blob_lines(strokes), weak_looks=False))

    def _reading(self, digit: PreparedDigit, probabilities: np.ndarray, in_number: bool = False) -> DigitReading:
        p = np.clip(probabilities.astype(np.float32), 0.0, None)
        p = p / max(float(p.sum()), 1e-12)
        digits = p[:DIGITS]
        best = int(np.argmax(digits))
        doubted = self._refused(p)
        not_digit = is_refused(p, refusal_bar(self.not_digit_threshold, in_number))
        confidence = float(p[DIGITS]) if not_digit else float(digits[best])
        return DigitReading(digit=best, confidence=confidence, probabilities=digits.copy(), box=digit.box,
                            input28=digit.input28,
                            unsure=not not_digit and (doubted or confidence < self.unsure_threshold),
                            not_digit=not_digit)


_default: Recognizer | None = None
_default_lock = threading.Lock()


def _joined(lines: list[Recognition]) -> Recognition:
    """A picture's lines, each read as a number of its own, as one recognition (each digit knows its line)."""
    return Recognition(tuple(replace(d, line=k) for k, line in enumerate(lines) for d in line.digits))


def recognize(image) -> Recognition:
    """Read the digits in one picture with the bundled model (loaded on first call)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Recognizer()
    return _default.recognize(image)
