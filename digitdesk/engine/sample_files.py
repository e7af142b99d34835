"""Handwriting samples in and out of files: digit folders, single images and zip archives.

A sample is one digit as the model sees it (28x28, ink bright on dark). Teaching
reads ordinary pictures (a scan, a photo, a drawing saved as PNG), prepares them
like any reading, and keeps only pictures holding exactly one digit: a picture
with none or several cannot say which digit the label belongs to. An archive
holds one PNG per sample in a folder named after its digit (`3/17.png`), exactly
the model's input, so export and import lose nothing; archives of ordinary
pictures in digit folders import too. Hidden entries (".DS_Store", "__MACOSX/" from
macOS zips) are passed over silently, like hidden files in folders.
"""
from __future__ import annotations

import io
import os
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from digitdesk.engine.files import is_image_name, iter_image_files, natural_key, unreadable_reason
from digitdesk.engine.whole_file import written_whole

MAX_ENTRIES = 100_000             # an archive claiming more is not a sample archive
MAX_ENTRY_BYTES = 20 * 1024 * 1024
_DIGIT_FOLDER = re.compile(r"^(?:.*/)?([0-9])/[^/]+$")
DIGIT_NAMES = frozenset(str(d) for d in range(10))


@dataclass(frozen=True)
class Found:
    """One picture looked at: a sample (image set) or the reason it was skipped (problem set)."""
    source: str                      # the file (or archive entry) it came from
    label: int | None
    image: np.ndarray | None = None  # (28, 28) uint8 model input
    problem: str | None = None


def model_input(picture) -> tuple[np.ndarray | None, str | None]:
    """(28x28 uint8 input, None) for a picture of exactly one digit, else (None, the reason)."""
    from digitdesk.engine.decode import ImageDecodeError
    from digitdesk.engine.recognizer import prepare_digits
    try:
        digits = prepare_digits(picture)
    except ImageDecodeError as error:
        return None, str(error)
    except (OSError, ValueError) as error:
        return None, f"cannot be read ({error})"
    if not digits:
        return None, "no digit found"
    if len(digits) > 1:
        return None, f"{len(digits)} digits found, a sample must be a single digit"
    return np.rint(np.clip(digits[0].input28, 0, 1) * 255).astype(np.uint8), None


def from_files(files: Iterable[str | os.PathLike], label: int) -> Iterator[Found]:
    """Samples of one digit from the given files (and image files inside given folders).

    A folder that cannot be listed comes as a Found with its problem (label None), in order.
    """
    unlisted: list[Found] = []
    for file in iter_image_files(files, lambda path, reason: unlisted.append(Found(str(path), None, problem=reason))):
        yield from unlisted
        unlisted.clear()
        image, problem = model_input(str(file))
        yield Found(str(file), label, image, problem)
    yield from unlisted


def from_digit_folders(folder: str | os.PathLike) -> Iterator[Found]:
    """Samples from `folder/0/...` to `folder/9/...` (each searched recursively).

    What the user may have expected to be taught is reported (label None) rather than passed
    over in silence: other subfolders (`seven/`, `10/`) and pictures lying in `folder` itself.
    """
    folder = Path(folder)
    try:
        entries = sorted(os.scandir(folder), key=lambda e: natural_key(e.name))
    except OSError as error:
        yield Found(str(folder), None, problem=unreadable_reason(error))
        return
    for entry in entries:
        if entry.name.startswith(".") or entry.name in DIGIT_NAMES:
            continue
        try:
            is_folder = entry.is_dir()
        except OSError:
            is_folder = False
        if is_folder:
            yield Found(entry.path, None, problem="not a digit folder (named 0 ... 9), skipped")
        elif is_image_name(entry.name):
            yield Found(entry.path, None, problem="not in a digit folder (0 ... 9), skipped")
    for label in range(10):
        sub = folder / str(label)
        if sub.is_dir():
            yield from from_files([sub], label)


def has_digit_folders(folder: str | os.PathLike) -> bool:
    return any((Path(folder) / str(d)).is_dir() for d in range(10))


def _hidden_entry(name: str) -> bool:
    """A dot file or folder anywhere in the entry's path, or macOS's resource-fork folder."""
    parts = name.split("/")
    return parts[0] == "__MACOSX" or any(part.startswith(".") and part not in (".", "..") for part in parts)


def _looks_like_model_input(pixels: np.ndarray) -> bool:
    """28x28 grey with a dark border: already what the model sees (an exported sample)."""
    if pixels.shape != (28, 28):
        return False
    border = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])
    return float(border.mean()) < 32 and int(pixels.max()) > 64


# What zipfile raises for a file it cannot read as a zip: ValueError (UnicodeDecodeError) for an entry name
# flagged UTF-8 that is not, NotImplementedError for a zip version or compression method it does not know.
_UNREADABLE_ZIP = (OSError, zipfile.BadZipFile, ValueError, NotImplementedError)


def from_archive(path: str | os.PathLike) -> Iterator[Found]:
    """Samples from a zip of pictures in digit folders (`3/anything.png`); other entries are reported."""
    from digitdesk.engine.decode import UnreadableImage, load_image
    try:
        archive = zipfile.ZipFile(path)
    except _UNREADABLE_ZIP as error:
        yield Found(str(path), None, problem=f"not a readable zip archive ({error})")
        return
    with archive:
        entries = [e for e in archive.infolist() if not e.is_dir() and not _hidden_entry(e.filename)]
        if len(entries) > MAX_ENTRIES:
            yield Found(str(path), None, problem=f"holds {len(entries)} files, more than a sample archive can")
            return
        for entry in entries:
            name = entry.filename
            match = _DIGIT_FOLDER.match(name)
            if not match or not is_image_name(name):
                yield Found(name, None, problem="not a picture in a digit folder (0-9), skipped")
                continue
            if entry.file_size > MAX_ENTRY_BYTES:
                yield Found(name, None, problem="too large for a picture of one digit")
                continue
            try:
                data = archive.read(entry)
            # RuntimeError: encrypted; zlib.error and EOFError: damaged or cut-off compressed data
            except (*_UNREADABLE_ZIP, RuntimeError, zlib.error, EOFError) as error:
                yield Found(name, int(match.group(1)), problem=f"cannot be read from the zip ({error})")
                continue
            try:   # the app's own decoding: its pixel limit, and every failure in plain words
                rgb = load_image(data)
            except UnreadableImage as error:
                yield Found(name, int(match.group(1)), problem=str(error))
                continue
            pixels = np.asarray(Image.fromarray(rgb).convert("L"), np.uint8)   # grey in, the same grey out
            if _looks_like_model_input(pixels):
                yield Found(name, int(match.group(1)), pixels.copy())
            else:
                image, problem = model_input(data)
                yield Found(name, int(match.group(1)), image, problem)


def fresh_samples(found: Iterable[Found],
                  on_problem: Callable[[Found], None]) -> tuple[list[Found], int, int]:
    """The samples among `found`, each picture once: (samples, repeats among them, pictures looked at).
    Those a profile holds already are left out as they are saved (SampleStore.add_many `new_only`, in
    the write transaction). A picture that is no sample goes to `on_problem` as it comes, so a long
    folder reports as it goes."""
    seen: set[tuple[int, bytes]] = set()
    fresh, repeated, pictures = [], 0, 0
    for item in found:
        pictures += item.label is not None
        if item.problem:
            on_problem(item)
            continue
        key = (item.label, item.image.tobytes())
        if key in seen:
            repeated += 1
            continue
        seen.add(key)
        fresh.append(item)
    return fresh, repeated, pictures


ARCHIVE_SUFFIX = "-handwriting.zip"   # what the app names an export: ana-handwriting.zip
_UNSAFE_IN_FILE_NAMES = re.compile(r'[\x00-\x1f/\\:*?"<>|]')


def archive_name(profile: str) -> str:
    """The file name an export of `profile` is offered under: the name with characters no file name may
    hold on some system (/ \\ : * ? " < > |) made dashes ('Ana/Ben' gives 'Ana-Ben-handwriting.zip'); a name
    of dots alone ('..') gives 'samples-handwriting.zip'."""
    safe = _UNSAFE_IN_FILE_NAMES.sub("-", profile).strip(" .-")   # no hidden file, no name read as an option
    return (safe or "samples") + ARCHIVE_SUFFIX


def profile_from_archive_name(path: str | os.PathLike) -> str:
    """The person an archive is imported for when nobody says: its name, less the suffix the app's own
    exports carry (ana-handwriting.zip and ana.zip both go to ana)."""
    name = Path(path).name
    if name.lower().endswith(ARCHIVE_SUFFIX) and len(name) > len(ARCHIVE_SUFFIX):
        return name[:-len(ARCHIVE_SUFFIX)]
    return Path(path).stem


def may_replace(path: str | os.PathLike) -> bool:
    """May an export write over `path`? Only a missing or empty file, or an earlier export (a zip holding
    nothing but pictures in digit folders): not a photo, notes, the samples file, nor another zip."""
    target = Path(path)
    if not target.is_file():   # missing; or a folder, pipe or device, which write_archive refuses in its words
        return True
    if target.stat().st_size == 0:
        return True
    try:
        with zipfile.ZipFile(target) as archive:
            names = [e.filename for e in archive.infolist() if not e.is_dir() and not _hidden_entry(e.filename)]
    except _UNREADABLE_ZIP:
        return False
    return all(_DIGIT_FOLDER.match(name) and is_image_name(name) for name in names)


def write_archive(samples: Iterable, path: str | os.PathLike) -> int:
    """Write samples (objects with .id, .label, .image) as `<digit>/<id>.png` in a zip; how many were written.

    Written to a temporary file first and renamed, so a failure never leaves half an archive. A
    symlink is followed (its target is replaced, the link stays); a folder, pipe or device is refused.
    """
    count = 0
    with written_whole(path) as partial, zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        for sample in samples:
            buffer = io.BytesIO()
            Image.fromarray(np.asarray(sample.image, np.uint8).reshape(28, 28), "L").save(buffer, "PNG")
            archive.writestr(f"{int(sample.label)}/{int(sample.id)}.png", buffer.getvalue())
            count += 1
    return count
