"""CSV export: one row per file, readable by spreadsheets and the csv module."""
import csv
import io

import numpy as np

from digitdesk.engine.export import COLUMNS, write_csv
from digitdesk.engine.results import Box, DigitReading, Recognition


def reading(digit: int, confidence: float) -> DigitReading:
    p = np.full(10, (1 - confidence) / 9, np.float32)
    p[digit] = confidence
    return DigitReading(digit, confidence, p, Box(0, 0, 10, 10), np.zeros((28, 28), np.float32), confidence < 0.6)


def test_rows_for_numbers_empty_pictures_and_errors(tmp_path):
    rows = [
        ("scans/forty-two.png", Recognition((reading(4, 0.991), reading(2, 0.97))), None),
        ("blank.png", Recognition(), None),
        ("notes, draft.png", None, "not an image file"),
    ]
    path = tmp_path / "out.csv"
    write_csv(rows, path)
    with open(path, newline="", encoding="utf-8") as stream:
        table = list(csv.reader(stream))
    assert table[0] == list(COLUMNS) == ["path", "text", "digits", "confidences", "error", "status"]
    assert table[1] == ["scans/forty-two.png", "42", "4 2", "0.9910 0.9700", "", "ok"]
    assert table[2] == ["blank.png", "", "", "", "", "empty"]        # told from a sure reading by its status
    assert table[3] == ["notes, draft.png", "", "", "", "not an image file", "error"]  # comma quoted, not split


def test_writes_to_an_open_stream():
    stream = io.StringIO()
    write_csv([("a.png", Recognition((reading(7, 0.5),)), None)], stream)
    assert stream.getvalue().splitlines() == ["path,text,digits,confidences,error,status", "a.png,7,7,0.5000,,unsure"]


def test_a_file_name_that_is_not_utf8_is_written_as_its_own_bytes(tmp_path):
    odd = "scans/bad\udcff.png"                 # os.fsdecode of a Linux name holding the byte 0xFF
    path = tmp_path / "out.csv"
    write_csv([("a.png", Recognition((reading(7, 0.9),)), None), (odd, None, "not an image file")], path)
    lines = path.read_bytes().splitlines()
    assert len(lines) == 3 and lines[2].startswith(b"scans/bad\xff.png,")


def test_a_failed_export_leaves_no_table_that_looks_complete(tmp_path):
    path = tmp_path / "out.csv"
    path.write_text("last week's table\n", encoding="utf-8")

    def rows():
        yield "a.png", Recognition((reading(7, 0.9),)), None
        raise OSError(28, "No space left on device")
    try:
        write_csv(rows(), path)
    except OSError:
        pass
    assert path.read_text(encoding="utf-8") == "last week's table\n"   # the old one, whole
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]          # no half-written file beside it
