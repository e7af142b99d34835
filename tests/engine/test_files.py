"""Which files a batch of paths and folders expands to."""
from pathlib import Path

from digitdesk.engine.files import iter_image_files


def touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")
    return path


def test_folders_are_walked_recursively_in_sorted_order(tmp_path):
    for name in ["b.png", "a.JPG", "sub/c.tiff", "sub/deeper/d.webp", "z.gif"]:
        touch(tmp_path / name)
    found = [p.relative_to(tmp_path).as_posix() for p in iter_image_files([tmp_path])]
    assert found == ["a.JPG", "b.png", "z.gif", "sub/c.tiff", "sub/deeper/d.webp"]


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
