"""Expand the paths a user gives (files and folders) into the image files to read.

Folders are walked recursively in a stable order, the one file managers show (page2 before
page10, case aside), skipping hidden
entries and anything without an image extension (a folder of photos often
holds sidecar files). A file the user named explicitly is always attempted,
whatever its extension: decoding goes by content, and if it fails the user
gets the reason rather than a silent skip. A folder that cannot be looked into
(permission denied) is told to the caller's `on_error`, so it is reported too.
"""
from __future__ import annotations

import os
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

IMAGE_EXTENSIONS = frozenset({
    ".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".pgm", ".ppm", ".pbm",
})


def is_image_name(path: str | os.PathLike) -> bool:
    return Path(path).suffix.lower() in IMAGE_EXTENSIONS


_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
_LINE_BREAKING = ("Cc", "Zl", "Zp")   # control characters and the line and paragraph separators


def _escaped(char: str) -> str:
    if unicodedata.category(char) not in _LINE_BREAKING:
        return char
    return _NAMED.get(char) or (f"\\x{ord(char):02x}" if ord(char) < 256 else f"\\u{ord(char):04x}")


def display_name(path: str | os.PathLike) -> str:
    """The path as text any terminal, CSV or database accepts, on one line: bytes of a name that are not
    valid in the file system's encoding (a Linux name made elsewhere) are shown as \\xNN instead of
    crashing, and characters that break or control a line (a newline in a name) as \\n, \\xNN, \\uNNNN."""
    text = os.fsencode(path).decode(sys.getfilesystemencoding(), "backslashreplace")
    return text if text.isprintable() else "".join(map(_escaped, text))


def natural_key(name: str) -> tuple:
    """Sort key for names as a file manager lists them: numbers by value, letters case aside ("scan2"
    before "scan10", "b" before "C"); the name itself breaks ties, so the order is the same every time."""
    parts = re.split(r"(\d+)", name)   # text, number, text, ...: like parts always meet like
    return tuple(int(part) if i % 2 else part.casefold() for i, part in enumerate(parts)), name


def _hidden(name: str) -> bool:
    return name.startswith(".")


def unreadable_reason(error: OSError) -> str:
    return "permission denied" if isinstance(error, PermissionError) else f"cannot be read ({error.strerror or error})"


def iter_image_files(paths: Iterable[str | os.PathLike],
                     on_error: Callable[[Path, str], None] | None = None,
                     on_folder: Callable[[Path], None] | None = None) -> Iterator[Path]:
    """Files as given (even missing ones, so the caller reports them), folders expanded; no duplicates.

    on_error(folder, reason) is called for each folder that cannot be listed (permission denied), in
    walking order; without it such folders are skipped. A path that cannot even be looked at (inside
    such a folder) is yielded as a file, so reading it says why.

    The walk is lazy: files come as their folder is listed. on_folder(folder) is called for each
    folder as it is walked, before its files are yielded, so a caller can count folders or stop a
    long walk (by raising) even where a huge tree holds few image files.
    """
    seen: set[Path] = set()
    for given in paths:
        path = Path(given)
        found = _walk(path, on_error, on_folder) if _is_dir(path) else iter([path])
        for file in found:
            key = _key(file)
            if key not in seen:
                seen.add(key)
                yield file


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:   # PermissionError inside an unreadable folder: not a traceback, the reading reports it
        return False


def _key(file: Path) -> Path:
    try:
        return file.resolve() if file.exists() else file.absolute()
    except OSError:
        return file.absolute()


def _walk(folder: Path, on_error: Callable[[Path, str], None] | None = None,
          on_folder: Callable[[Path], None] | None = None) -> Iterator[Path]:
    def failed(error: OSError) -> None:
        if on_error is not None:
            on_error(Path(error.filename) if error.filename else folder, unreadable_reason(error))

    for root, dirs, files in os.walk(folder, onerror=failed):
        if on_folder is not None:
            on_folder(Path(root))
        dirs[:] = sorted((d for d in dirs if not _hidden(d)), key=natural_key)
        for name in sorted(files, key=natural_key):
            if not _hidden(name) and is_image_name(name):
                yield Path(root) / name
