"""Write recognition results as CSV: one row per file, for spreadsheets and scripts."""
from __future__ import annotations

import csv
import os
from collections.abc import Iterable
from typing import IO

from digitdesk.engine.results import Recognition
from digitdesk.engine.whole_file import written_whole

# status last, so scripts reading the first five by position go on working
COLUMNS = ("path", "text", "digits", "confidences", "error", "status")

Row = tuple[str | os.PathLike, Recognition | None, str | None]


def csv_fields(path, recognition: Recognition | None, error: str | None) -> list[str]:
    """One row's cells: digits and confidences space-separated, line by line, left to right ("-": not a
    digit, its confidence how sure the refusal is); status as the window and `--json` say it (ok, unsure,
    empty, not_digit, or error), so an unsure reading or a blank picture is told from a sure one."""
    digits = recognition.digits if recognition is not None else ()
    status = "error" if error else recognition.status if recognition is not None else "empty"
    return [
        str(path),
        recognition.text if recognition is not None else "",
        " ".join("-" if d.not_digit else str(d.digit) for d in digits),
        " ".join(f"{float(d.confidence):.4f}" for d in digits),
        error or "",
        status,
    ]


def write_csv(rows: Iterable[Row], path: str | os.PathLike | IO[str]) -> None:
    """Write rows of (path, Recognition or None, error or None) to a file path or an open text stream.

    A path is written whole or not at all (a failure leaves no table that looks complete); surrogateescape:
    a file name that is not valid UTF-8 goes in as its own bytes, as `digitdesk predict --csv` writes it."""
    if hasattr(path, "write"):
        _write(rows, path)
        return
    with written_whole(path) as partial, \
            open(partial, "w", newline="", encoding="utf-8", errors="surrogateescape") as stream:
        _write(rows, stream)


def _write(rows: Iterable[Row], stream: IO[str]) -> None:
    writer = CsvRows(stream)
    for row in rows:
        writer.write(*row)


class CsvRows:
    """Writes the header now and each row when it comes, so a long run never holds all its rows."""

    def __init__(self, stream: IO[str]):
        self._writer = csv.writer(stream)
        self._writer.writerow(COLUMNS)

    def write(self, path, recognition: Recognition | None, error: str | None) -> None:
        self._writer.writerow(csv_fields(path, recognition, error))
