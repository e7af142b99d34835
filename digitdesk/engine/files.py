"""Expand the paths a user gives (files and folders) into the image files to read.

Folders are walked recursively in a stable, sorted order, skipping hidden
entries and anything without an image extension (a folder of photos often
holds sidecar files). A file the user named explicitly is always attempted,
whatever its extension: decoding goes by content, and if it fails the user
gets the reason rather than a silent skip.
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

IMAGE_EXTENSIONS = frozenset({
    ".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".pgm", ".ppm", ".pbm",
})


def is_image_name(path: str | os.PathLike) -> bool:
    return Path(path).suffix.lower() in IMAGE_EXTENSIONS


def _hidden(name: str) -> bool:
    return name.startswith(".")


def iter_image_files(paths: Iterable[str | os.PathLike]) -> Iterator[Path]:
    """Files as given (even missing ones, so the caller reports them), folders expanded; no duplicates."""
    seen: set[Path] = set()
    for given in paths:
        path = Path(given)
        found = _walk(path) if path.is_dir() else iter([path])
        for file in found:
            key = file.resolve() if file.exists() else file.absolute()
            if key not in seen:
                seen.add(key)
                yield file


def _walk(folder: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not _hidden(d))
        for name in sorted(files):
            if not _hidden(name) and is_image_name(name):
                yield Path(root) / name
