"""Typed results of recognition, shared by the API, the CLI and the GUI."""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

EMPTY, OK, UNSURE, NOT_DIGIT = "empty", "ok", "unsure", "not_digit"
NOT_DIGIT_MESSAGE = "That doesn't look like a digit"


@dataclass(frozen=True)
class Box:
    """A digit's bounding box in the input image's pixel coordinates."""
    x: int
    y: int
    w: int
    h: int

    def as_list(self) -> list[int]:
        return [self.x, self.y, self.w, self.h]


@dataclass(frozen=True)
class DigitReading:
    """One piece of ink: a digit, or (not_digit) something the model refuses to read as one."""
    digit: int                  # the best digit guess, 0-9 (even for a refused piece)
    confidence: float           # its probability; for a refused piece, the "not a digit" probability
    probabilities: np.ndarray   # (10,) float32: each digit's calibrated probability
    box: Box
    input28: np.ndarray         # (28, 28) float32 in [0, 1]: exactly what the model saw
    unsure: bool                # confidence below the unsure threshold, or unsure of its cut (below)
    not_digit: bool = False     # refused: left out of the text, marked in the views
    unsure_of_cut: bool = False  # sure of the digit, unsure only where its blob parts (or whether it does)
    corrected: bool = False      # the user said which digit it is: no model's confidence to show
    line: int = 0                # which line of writing it is on, from the top (a page of several numbers)

    def to_dict(self) -> dict:
        return {"digit": None if self.not_digit else self.digit, "confidence": round(float(self.confidence), 6),
                "box": self.box.as_list(), "unsure": self.unsure, "not_digit": self.not_digit, "line": self.line}


@dataclass(frozen=True)
class Recognition:
    """Everything read from one image: its pieces line by line from the top, each line left to right, digits
    and refused ones alike."""
    digits: tuple[DigitReading, ...] = field(default_factory=tuple)

    @property
    def accepted(self) -> tuple[DigitReading, ...]:
        """The pieces read as digits (the refused ones left out)."""
        return tuple(d for d in self.digits if not d.not_digit)

    @property
    def status(self) -> str:
        if not self.digits:
            return EMPTY
        if not self.accepted:
            return NOT_DIGIT
        return UNSURE if any(d.unsure for d in self.accepted) else OK

    @property
    def text(self) -> str:
        """The digits read; a page of several lines has a space between its lines' numbers ("12 345")."""
        text, line = "", None
        for d in self.accepted:
            text += ("" if line in (None, d.line) else " ") + str(d.digit)
            line = d.line
        return text

    @property
    def digit(self) -> int | None:
        accepted = self.accepted
        return accepted[0].digit if len(accepted) == 1 else None

    @property
    def confidence(self) -> float:
        """The weakest digit's confidence: a number is only as sure as its least sure digit
        (with nothing but refused pieces: how sure the refusal is)."""
        pieces = self.accepted or self.digits
        return min((float(d.confidence) for d in pieces), default=0.0)

    @property
    def unsure_only_of_cut(self) -> bool:
        """Unsure, but every digit in doubt is sure of itself: only where the digits part is in doubt."""
        return self.status == UNSURE and all(d.unsure_of_cut for d in self.accepted if d.unsure)

    def scaled(self, factor: float) -> Recognition:
        """The same reading with boxes `factor` times larger: in a file's own pixels when it was read reduced."""
        if factor == 1:
            return self
        def grown(box: Box) -> Box:
            return Box(*(int(round(v * factor)) for v in box.as_list()))
        return Recognition(tuple(replace(d, box=grown(d.box)) for d in self.digits))

    @property
    def marks_left_out(self) -> str:
        """'2 marks left out' when refused pieces sit beside the digits read ("" when none): the text
        alone hides them ('874960' read '8740', its touching '96' refused)."""
        refused = len(self.digits) - len(self.accepted) if self.accepted else 0
        return f"{refused} mark{'s' if refused > 1 else ''} left out" if refused else ""

    @property
    def remarks(self) -> list[str]:
        """What a one-line summary adds to the number and its confidence: its doubt, then marks
        left out. A bare "unsure" beside 99.8 % reads as a contradiction when only the cut is in doubt."""
        doubt = ("" if self.status != UNSURE else
                 "unsure where the digits part" if self.unsure_only_of_cut else "unsure")
        return [r for r in (doubt, self.marks_left_out) if r]

    @property
    def message(self) -> str:
        if self.status == EMPTY:
            return "Nothing to read"
        if self.status == NOT_DIGIT:
            return NOT_DIGIT_MESSAGE
        if self.status == UNSURE:
            if self.unsure_only_of_cut:
                return f"Unsure where the digits part: best guess {self.text}"
            return f"Unsure: best guess {self.text}"
        return self.text

    def to_dict(self) -> dict:
        shown = self.accepted or self.digits
        first = shown[0].probabilities if shown else None
        return {
            "text": self.text,
            "digit": self.digit,
            "confidence": round(self.confidence, 6),
            "status": self.status,
            "probabilities": None if first is None else [round(float(p), 6) for p in first],
            "digits": [d.to_dict() for d in self.digits],
        }
