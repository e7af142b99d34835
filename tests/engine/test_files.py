"""Which files a batch of paths and folders expands to."""
import os
import sys
from pathlib import Path

import pytest

from digitdesk.engine.files import display_name, iter_image_files


def touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")
    return path


def test_folders_are_walked_recursively_in_sorted_order(tmp_path):
    for name in ["b.png", "a.JPG", "sub/c.tiff", "sub/deeper/d.webp", "z.gif"]:
        touch(tmp_path / name)
    found = [p.relative_to(tmp_path).as_posix() for p in iter_image_files([tmp_path])]
    assert found == ["a.JPG", "b.png", "z.gif", "sub/c.tiff", "sub/deeper/d.webp"]


def test_a_folder_of_numbered_scans_is_read_in_the_order_a_file_manager_shows(tmp_path):
    for name in ["page10.png", "page2.png", "Page1.png", "page1.png", "page02.png", "cover.png",
                 "ch10/a.png", "ch9/a.png"]:
        touch(tmp_path / name)
    found = [p.relative_to(tmp_path).as_posix() for p in iter_image_files([tmp_path])]
    assert found == ["cover.png", "Page1.png", "page1.png", "page02.png", "page2.png", "page10.png",
                     "ch9/a.png", "ch10/a.png"]


def test_folders_skip_hidden_entries_and_non_images(tmp_path):
    touch(tmp_path / "keep.png")
    touch(tmp_path / ".hidden.png")
    touch(tmp_path / ".cache" / "thumb.png")
    touch(tmp_path / "notes.txt")
    touch(tmp_path / "README")
    touch(tmp_path / "photo.jpg.xmp")
    assert [p.name for p in iter_image_files([tmp_path])] == ["keep.png"]


def test_named_files_are_always_attempted_even_odd_or_missing_ones(tmp_path):
    odd = touch(tmp_path / "scan.dat")
    hidden = touch(tmp_path / ".secret.png")
    missing = tmp_path / "gone.png"
    assert list(iter_image_files([odd, hidden, missing])) == [odd, hidden, missing]


def test_order_is_kept_and_duplicates_dropped(tmp_path):
    first = touch(tmp_path / "one" / "x.png")
    second = touch(tmp_path / "two.png")
    found = list(iter_image_files([second, tmp_path / "one", first, str(second)]))
    assert found == [second, first]


def test_accepts_strings(tmp_path):
    touch(tmp_path / "a.png")
    assert [p.name for p in iter_image_files([str(tmp_path)])] == ["a.png"]


@pytest.fixture
def locked(tmp_path, monkeypatch):
    """tmp/locked cannot be listed or looked into (simulated: root, which may run the tests, ignores chmod 000)."""
    locked = touch(tmp_path / "locked" / "x.png").parent
    real_scandir, real_stat = os.scandir, os.stat

    def scandir(path="."):
        if Path(os.fsdecode(path)) == locked:
            raise PermissionError(13, "Permission denied", os.fsdecode(path))
        return real_scandir(path)

    def stat(path, *args, **kwargs):
        if isinstance(path, (str, os.PathLike)) and Path(os.fsdecode(path)).parent == locked:
            raise PermissionError(13, "Permission denied", os.fsdecode(path))
        return real_stat(path, *args, **kwargs)
    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os, "stat", stat)
    return locked


def test_a_folder_that_cannot_be_listed_is_told_not_skipped_in_silence(tmp_path, locked):
    touch(tmp_path / "a.png")
    touch(tmp_path / "m" / "b.png")
    told = []
    found = [p.name for p in iter_image_files([tmp_path], lambda folder, why: told.append((folder, why)))]
    assert found == ["a.png", "b.png"] and told == [(locked, "permission denied")]


def test_a_path_inside_a_folder_that_cannot_be_read_is_yielded_for_its_reading_to_explain(locked):
    assert list(iter_image_files([locked / "x.png"])) == [locked / "x.png"]    # no PermissionError traceback


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux file names are bytes, not always UTF-8")
def test_display_name_shows_bytes_that_are_not_utf8_as_escapes():
    assert display_name(os.fsdecode(b"caf\xe9.png")) == "caf\\xe9.png"
    assert display_name("café.png") == "café.png"


def test_display_name_keeps_a_name_on_one_line_whatever_breaks_lines_in_it():
    assert display_name("new\nline\t\x1b.png") == "new\\nline\\t\\x1b.png"
    assert display_name("a\x85b\u2028c\u2029d.png") == "a\\x85b\\u2028c\\u2029d.png"
    assert len((display_name("a\u2028b.png") + ": 3").splitlines()) == 1
