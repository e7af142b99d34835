"""`digitdesk --selftest`: prove that this DigitDesk (source, wheel or frozen bundle) reads digits.

Reads the drawings shipped in digitdesk.resources/samples, whose file names are the numbers drawn on
them (7.png, digit_7.png, 2026.png), through the same engine the app uses, and prints ONE JSON line.
Exit status 0 only if every sample was read correctly, so CI and a user can check a bundle with one
command. Never imports Qt: it has to work on a machine without a screen.
"""
from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

from digitdesk import __version__
from digitdesk.paths import samples_dir

ALL_CORRECT, MISREAD, CANNOT_RUN = 0, 1, 2
_NUMBER_AT_END = re.compile(r"(\d+)$")


def expected_text(path: Path) -> str | None:
    """The number a sample's file name promises: '7.png' and 'digit_7.png' -> '7'; None if it names none."""
    match = _NUMBER_AT_END.search(path.stem)
    return match.group(1) if match else None


def sample_files(folder: Path) -> list[Path]:
    """PNG samples in folder that name their number, in a stable order."""
    return sorted((p for p in Path(folder).glob("*.png") if expected_text(p) is not None),
                  key=lambda p: (len(expected_text(p)), p.name))


def run(folder: Path | None = None) -> dict:
    """Read every sample in folder (default: the built-in ones); the report main() prints.

    Raises RuntimeError with a message for the user when the test cannot run at all.
    """
    folder = Path(folder) if folder is not None else samples_dir()
    files = sample_files(folder)
    if not files:
        raise RuntimeError(f"no sample digits (named like 7.png) in {folder}")

    from digitdesk.engine.decode import ImageDecodeError, load_image
    from digitdesk.engine.recognizer import Recognizer
    from digitdesk.engine.runner import shared_runner

    images = []
    for path in files:
        try:
            images.append(load_image(path))
        except ImageDecodeError as error:
            raise RuntimeError(f"sample {path.name} cannot be read: {error}") from error
    started = time.perf_counter()
    runner = shared_runner()                       # model load + warm-up (+ TensorFlow import if Keras)
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    readings = Recognizer(runner).recognize_many(images)   # every digit of every sample in one batch
    inference_ms = (time.perf_counter() - started) * 1000

    samples = [{"file": path.name, "expected": expected_text(path), "got": reading.text,
                "confidence": round(reading.confidence, 4), "status": reading.status,
                "correct": reading.text == expected_text(path)}
               for path, reading in zip(files, readings)]
    return {"selftest": "digitdesk", "version": __version__, "frozen": bool(getattr(sys, "frozen", False)),
            "all_correct": all(s["correct"] for s in samples),
            "correct": sum(s["correct"] for s in samples), "total": len(samples),
            "runner": getattr(runner, "name", type(runner).__name__),
            "model_load_s": round(load_s, 3), "inference_ms": round(inference_ms, 1),
            "samples": samples}


def main(folder: Path | None = None) -> int:
    """Print the report as one JSON line; return the exit status (the CLI passes it to sys.exit)."""
    try:
        report = run(folder)
        status = ALL_CORRECT if report["all_correct"] else MISREAD
    except Exception as error:  # noqa: BLE001 - any failure to run is reported, as JSON, not as a traceback
        report = {"selftest": "digitdesk", "version": __version__, "all_correct": False,
                  "error": f"{type(error).__name__}: {error}"}
        status = CANNOT_RUN
    if sys.stdout is not None:  # None in a Windows GUI build started without a console: the status still tells
        print(json.dumps(report), flush=True)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
