"""Typed results of recognition, shared by the API, the CLI and the GUI."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

EMPTY, OK, UNSURE = "empty", "ok", "unsure"


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
    digit: int                  # the best guess, 0-9
    confidence: float           # its probability
    probabilities: np.ndarray   # (10,) float32, sums to 1
    box: Box
    input28: np.ndarray         # (28, 28) float32 in [0, 1]: exactly what the model saw
    unsure: bool                # confidence below the unsure threshold

    def to_dict(self) -> dict:
        return {"digit": self.digit, "confidence": round(float(self.confidence), 6),
                "box": self.box.as_list(), "unsure": self.unsure}


@dataclass(frozen=True)
class Recognition:
    """Everything read from one image: its digits left to right."""
    digits: tuple[DigitReading, ...] = field(default_factory=tuple)

    @property
    def status(self) -> str:
        if not self.digits:
            return EMPTY
        return UNSURE if any(d.unsure for d in self.digits) else OK

    @property
    def text(self) -> str:
        return "".join(str(d.digit) for d in self.digits)

    @property
    def digit(self) -> int | None:
        return self.digits[0].digit if len(self.digits) == 1 else None

    @property
    def confidence(self) -> float:
        """The weakest digit's confidence: a number is only as sure as its least sure digit."""
        return min((float(d.confidence) for d in self.digits), default=0.0)

    @property
    def message(self) -> str:
        if self.status == EMPTY:
            return "Nothing to read"
        if self.status == UNSURE:
            return f"Unsure: best guess {self.text}"
        return self.text

    def to_dict(self) -> dict:
        first = self.digits[0].probabilities if self.digits else None
        return {
            "text": self.text,
            "digit": self.digit,
            "confidence": round(self.confidence, 6),
            "status": self.status,
            "probabilities": None if first is None else [round(float(p), 6) for p in first],
            "digits": [d.to_dict() for d in self.digits],
        }
