"""Reads many image files (or pasted images) in a worker thread, chunk by chunk, cancellably.

Decoding photos and running the model take long enough that a folder of a
thousand files would freeze the window, so the BatchReader lives in its own
QThread. A big folder is read on every core by a pool of worker processes
(engine/parallel.py), started on the first big folder and kept until the panel
closes; a few files are read right here, where starting processes would cost
more than it saves. Either way a bad file only costs its own row, results come
in the order of the files, and only a small thumbnail of each image crosses to
the UI: the panel re-decodes the selected file for display instead of holding
every full photo in memory.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot

from digitdesk.engine.parallel import ReadPool, available_cores, reason
from digitdesk.engine.results import Recognition
from digitdesk.engine.thumbnail import fit_within
from digitdesk.engine.thumbnail import thumbnail as _thumbnail
from digitdesk.gui.inference import detached

THUMBNAIL_SIDE = 64          # pixels, the list's icon size
CHUNK_IMAGES = 16            # images per batched model call (in this thread)
CHUNK_PIXELS = 12_000_000    # ...or fewer, so a chunk of big photos stays small in memory
PASTED_MAX_SIDE = 1024       # pasted/snapshot images are kept (for display) at most this big
POOL_MIN_FILES = 64          # folders with fewer files are read in this thread
LIST_CHECK_EVERY = 256       # while listing a folder, look at the cancel flag every this many files (and folder)
LIST_REPORT_SECONDS = 0.2    # ...and report the running count at most this often


class _Cancelled(Exception):
    """Raised out of a folder walk to stop it when its job is cancelled."""


@dataclass(frozen=True)
class BatchItem:
    """The outcome for one file or pasted image; exactly one of recognition/error is set."""
    job: int
    name: str                       # what the list shows
    path: str | None                # None for pasted images and webcam snapshots
    thumbnail: np.ndarray | None    # (h, w, 3) uint8, longest side <= THUMBNAIL_SIDE
    recognition: Recognition | None
    error: str | None
    image: np.ndarray | None = None  # kept only for items without a file to re-read


def thumbnail(rgb: np.ndarray, side: int = THUMBNAIL_SIDE) -> np.ndarray:
    """A small copy of an image for the list (always a new array)."""
    return _thumbnail(rgb, side)


class BatchReader(QObject):
    """Worker: `read_files(job, paths)` and `read_image(job, array, name)` run in its thread, queued.

    `new_job()` and `cancel()` are called from the UI thread; cancelling stops the
    running job at the next file (or chunk of files, in the pool; or, while a
    dropped folder is still being listed, within a few hundred files or at the
    next folder) and skips every job issued before the call. `looking` reports
    the running count while a folder is listed. `close()` ends the worker
    processes: call it once the thread has stopped. jobs: processes for big folders (default: one per
    core; 1 never starts any).
    """
    looking = Signal(int, int, int)         # job, image files found so far, folders looked in (while listing)
    started = Signal(int, int)              # job, number of files found
    item = Signal(object)                   # BatchItem
    progress = Signal(int, int)             # done, total (of the running job)
    finished = Signal(int, int, int, bool)  # job, done, total, cancelled

    def __init__(self, recognizer=None, jobs: int | None = None):
        super().__init__()
        self._recognizer = recognizer
        self.profile = None   # a LiveProfile (engine/live_profile.py) to read with, set before the first reading
        self._lock = threading.Lock()
        self._issued = 0
        self._cancel_through = 0
        self.jobs = max(1, jobs if jobs is not None else available_cores())
        self._pool: ReadPool | None = None
        self.pool_used = False   # whether any folder went to the worker processes (for tests and status)

    # -- UI thread ----------------------------------------------------------------------------
    def new_job(self) -> int:
        with self._lock:
            self._issued += 1
            return self._issued

    def cancel(self) -> None:
        with self._lock:
            self._cancel_through = self._issued

    def cancelled(self, job: int) -> bool:
        with self._lock:
            return job <= self._cancel_through

    def close(self) -> None:
        """Let the worker processes finish their chunk and exit (after the thread has stopped)."""
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    # -- worker thread ------------------------------------------------------------------------
    def _recognizer_ready(self):
        if self._recognizer is None:
            from digitdesk.engine.recognizer import Recognizer
            self._recognizer = Recognizer(profile=self.profile)
        return self._recognizer

    def _recognize(self, images: list[np.ndarray]) -> list[Recognition | Exception]:
        """One batched call; if it fails, image by image so one odd image can't sink the chunk."""
        recognizer = self._recognizer_ready()
        try:
            return [detached(r) for r in recognizer.recognize_many(images)]
        except Exception:
            results = []
            for image in images:
                try:
                    results.append(detached(recognizer.recognize(image)))
                except Exception as exc:
                    results.append(exc)
            return results

    def _emit_chunk(self, job: int, chunk: list[tuple[str, np.ndarray | None, str | None]], done: int,
                    total: int) -> int:
        """Read a chunk's decoded images, report every file in order, and return the new count of finished files."""
        results = iter(self._recognize([image for _, image, _ in chunk if image is not None]))
        for path, image, error in chunk:
            name = Path(path).name
            if image is None:
                self.item.emit(BatchItem(job, name, path, None, None, error))
                continue
            result = next(results)
            if isinstance(result, Exception):
                self.item.emit(BatchItem(job, name, path, thumbnail(image), None, reason(result)))
            else:
                self.item.emit(BatchItem(job, name, path, thumbnail(image), result, None))
        done += len(chunk)
        self.progress.emit(done, total)
        return done

    def _list_files(self, job: int, paths: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
        """Every image file under the paths, in order, and the folders that could not be opened (with
        why, e.g. "permission denied"); raises _Cancelled soon after the job is cancelled.

        A huge tree (a home folder, a network share) takes long to walk, so the cancel flag is
        looked at on every folder and every LIST_CHECK_EVERY files, and `looking` reports the
        running count a few times a second.
        """
        from digitdesk.engine.files import iter_image_files
        files: list[str] = []
        unlisted: list[tuple[str, str]] = []
        folders = 0
        reported = time.monotonic()

        def check() -> None:
            nonlocal reported
            if self.cancelled(job):
                raise _Cancelled
            now = time.monotonic()
            if now - reported >= LIST_REPORT_SECONDS:
                reported = now
                self.looking.emit(job, len(files), folders)

        def on_folder(_folder: Path) -> None:
            nonlocal folders
            folders += 1
            check()

        def on_error(folder: Path, why: str) -> None:
            unlisted.append((str(folder), f"could not open this folder: {why}"))

        for path in iter_image_files(paths, on_error=on_error, on_folder=on_folder):
            files.append(str(path))
            if len(files) % LIST_CHECK_EVERY == 0:
                check()
        return files, unlisted

    @Slot(int, object)
    def read_files(self, job: int, paths: list[str]) -> None:
        """Expand folders, then decode and read every image file, reporting each one."""
        from digitdesk.engine.decode import load_image
        if self.cancelled(job):
            self.finished.emit(job, 0, 0, True)
            return
        try:
            files, unlisted = self._list_files(job, paths)
        except _Cancelled:
            self.finished.emit(job, 0, 0, True)
            return
        except Exception as exc:   # e.g. an unreadable folder: say so, keep the app running
            self.started.emit(job, 1)
            self.item.emit(BatchItem(job, ", ".join(Path(p).name for p in paths), None, None, None,
                                     f"Could not list these files: {exc}"))
            self.progress.emit(1, 1)
            self.finished.emit(job, 1, 1, False)
            return
        total, done, chunk, pixels = len(files) + len(unlisted), 0, [], 0
        self.started.emit(job, total)
        for folder, why in unlisted:   # said first, as a row each, as the command line prints them
            self.item.emit(BatchItem(job, Path(folder).name, folder, None, None, why))
            done += 1
        if unlisted:
            self.progress.emit(done, total)
        if self.jobs > 1 and len(files) >= POOL_MIN_FILES:
            self._read_in_pool(job, files, done, total)
            return
        for path in files:
            if self.cancelled(job):
                break
            try:
                image, error = load_image(path), None
                pixels += image.shape[0] * image.shape[1]
            except Exception as exc:
                image, error = None, reason(exc)
            chunk.append((path, image, error))
            if len(chunk) >= CHUNK_IMAGES or pixels >= CHUNK_PIXELS:
                done = self._emit_chunk(job, chunk, done, total)
                chunk, pixels = [], 0
        if chunk:   # already decoded: finish them even when cancelled
            done = self._emit_chunk(job, chunk, done, total)
        self.finished.emit(job, done, total, done < total)

    def _read_in_pool(self, job: int, files: list[str], done: int, total: int) -> None:
        """Every file through the worker processes, reported in order as it comes back (`done` of `total`
        rows already reported)."""
        if self._pool is None:
            self._pool = ReadPool(self.jobs)
        self.pool_used = True
        start = done
        try:
            profile = self.profile   # the workers get its samples as they are now (on or off)
            samples = profile.store.samples(profile.name) if profile is not None and len(profile) else None
            for result in self._pool.read(files, thumbnail_side=THUMBNAIL_SIDE, cancelled=lambda: self.cancelled(job),
                                          samples=samples):
                self.item.emit(BatchItem(job, Path(result.path).name, result.path, result.thumbnail,
                                         result.recognition, result.error))
                done += 1
                self.progress.emit(done, total)
        except Exception as exc:   # noqa: BLE001 - the model or the processes failed: say so, keep the app
            self.close()
            message = f"Could not read these files: {exc}"
            for path in files[done - start:]:
                self.item.emit(BatchItem(job, Path(path).name, path, None, None, message))
                done += 1
            self.progress.emit(done, total)
        self.finished.emit(job, done, total, done < total)

    @Slot(int, object, str)
    def read_image(self, job: int, image: np.ndarray, name: str) -> None:
        """Read one in-memory image (pasted, dropped from another app, a webcam snapshot)."""
        self.started.emit(job, 1)
        if self.cancelled(job):
            self.finished.emit(job, 0, 1, True)
            return
        kept = np.array(fit_within(image, PASTED_MAX_SIDE), copy=True)
        result = self._recognize([kept])[0]
        if isinstance(result, Exception):
            self.item.emit(BatchItem(job, name, None, thumbnail(kept), None, reason(result), kept))
        else:
            self.item.emit(BatchItem(job, name, None, thumbnail(kept), result, None, kept))
        self.progress.emit(1, 1)
        self.finished.emit(job, 1, 1, False)
