"""The Draw tab's drawing on disk: it comes back whole, and a damaged file is refused, not half-read."""
import json
import os

import pytest

from digitdesk.engine import drawing_file

STROKES = [(0.05, [(-0.2, -0.3, 1.0), (-0.2, 0.3, 0.8)]), (0.04, [(0.1, -0.3, 1.0), (0.3, -0.3, 1.0), (0.1, 0.3, 0.5)])]


def test_strokes_come_back_as_they_were_written(tmp_path):
    path = tmp_path / "drawing.json"
    drawing_file.save(path, STROKES)
    assert drawing_file.load(path) == STROKES


def test_no_file_is_an_empty_drawing_and_an_empty_drawing_leaves_no_file(tmp_path):
    path = tmp_path / "drawing.json"
    assert drawing_file.load(path) == []
    drawing_file.save(path, STROKES)
    drawing_file.save(path, [])
    assert not path.exists()


@pytest.mark.parametrize("content", [
    b"", b"{", b"\x89PNG\r\n\x1a\n" + bytes(100), b"[1, 2]", b'{"version": 1}',
    json.dumps({"version": 99, "strokes": []}).encode(),
    json.dumps({"version": 1, "strokes": [{"width": 0.05, "points": [[0, 0]]}]}).encode(),
    json.dumps({"version": 1, "strokes": [{"width": "NaN", "points": [[0, 0, 1]]}]}).encode(),
    json.dumps({"version": 1, "strokes": [{"width": 0.05, "points": []}]}).encode(),
    b'{"version": 1, "strokes": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
], ids=["empty", "truncated", "an image", "a list", "no strokes", "newer version", "two numbers a point",
        "not a number", "no points", "brackets nested deeper than the parser goes"])
def test_a_damaged_file_is_refused_with_a_reason(tmp_path, content):
    path = tmp_path / "drawing.json"
    path.write_bytes(content)
    with pytest.raises(drawing_file.DrawingFileError, match="drawing.json"):
        drawing_file.load(path)


def test_a_huge_file_is_not_read(tmp_path, monkeypatch):
    path = tmp_path / "drawing.json"
    drawing_file.save(path, STROKES)
    monkeypatch.setattr(drawing_file, "MAX_BYTES", 10)
    with pytest.raises(drawing_file.DrawingFileError, match="too large"):
        drawing_file.load(path)


def test_a_write_that_fails_leaves_the_previous_drawing_whole(tmp_path, monkeypatch):
    path = tmp_path / "drawing.json"
    drawing_file.save(path, STROKES)

    def killed(*_args):
        raise OSError("no space left on device")
    monkeypatch.setattr(drawing_file.os, "replace", killed)
    with pytest.raises(OSError):
        drawing_file.save(path, STROKES[:1])
    assert drawing_file.load(path) == STROKES
    assert os.listdir(tmp_path) == ["drawing.json"]   # no temporary file left behind


def test_a_damaged_file_is_moved_aside_not_deleted(tmp_path):
    path = tmp_path / "drawing.json"
    path.write_bytes(b"{")
    aside = drawing_file.move_aside(path)
    assert not path.exists() and aside.read_bytes() == b"{" and aside.parent == tmp_path
