"""The Draw tab's drawing on disk, so closing, a crash or a kill never loses it.

Strokes are stored as the canvas keeps them: a width and points (u, v, pressure)
in canvas units (relative to its centre, its shorter side = 1), so the drawing
comes back at any window size. The file is written beside itself and renamed
over the old one (os.replace is atomic), so a kill mid-write leaves the previous
drawing whole rather than half a file.
"""
from __future__ import annotations

import json
import math
import os
import time
from pathlib import Path

VERSION = 1
MAX_BYTES = 50_000_000   # far beyond any drawing; a bigger file is not one of ours

Stroke = tuple[float, list[tuple[float, float, float]]]   # (width, [(u, v, pressure), ...])


class DrawingFileError(ValueError):
    """The file exists but is not a drawing this version can read."""


def save(path: str | os.PathLike, strokes: list[Stroke]) -> None:
    """Write the strokes (replacing the file atomically); an empty drawing removes it. Raises OSError."""
    path = Path(path)
    if not strokes:
        path.unlink(missing_ok=True)
        return
    data = {"version": VERSION, "strokes": [{"width": float(width), "points": [list(map(float, p)) for p in points]}
                                            for width, points in strokes]}
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def load(path: str | os.PathLike) -> list[Stroke]:
    """The strokes kept in `path` ([] if there is no file). Raises DrawingFileError if it is not a drawing,
    OSError if it cannot be read."""
    path = Path(path)
    if not path.exists():
        return []
    if path.stat().st_size > MAX_BYTES:
        raise DrawingFileError(f"{path.name} is too large to be a drawing")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") != VERSION:
            raise DrawingFileError(f"{path.name} was written by another version of DigitDesk")
        strokes = [(float(s["width"]), [(float(u), float(v), float(p)) for u, v, p in s["points"]])
                   for s in data["strokes"]]
    except DrawingFileError:
        raise
    # not JSON, or not our layout; brackets nested past the parser's depth raise RecursionError
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
        raise DrawingFileError(f"{path.name} is damaged ({exc.__class__.__name__})") from exc
    if any(not points or not math.isfinite(width) or width <= 0
           or not all(math.isfinite(x) for point in points for x in point) for width, points in strokes):
        raise DrawingFileError(f"{path.name} holds a stroke that cannot be drawn")
    return strokes


def move_aside(path: str | os.PathLike) -> Path:
    """Rename a damaged file out of the way (kept, not deleted) and return its new name."""
    path = Path(path)
    aside = path.with_name(f"{path.stem}-damaged-{time.strftime('%Y%m%d-%H%M%S')}{path.suffix}")
    os.replace(path, aside)
    return aside
