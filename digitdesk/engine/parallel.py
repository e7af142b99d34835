"""Read many image files on every core: a pool of worker processes, results in input order.

One process reads a folder at ~180 scans a second and leaves the other cores idle:
decoding and preparing an image is Python and OpenCV work that threads would
serialise. Each worker process loads its own model runner once (LiteRT with one
interpreter thread: the processes are the parallelism) and reads small chunks of
files; only results, and thumbnails if asked for, travel back. At most a few
chunks per worker are in flight, so memory stays flat however many files there
are, and results come back in the order of the input however the work is shared.

A personal profile travels as a snapshot of its samples: the pool writes them
to a small file when they differ from the last snapshot's, each task names the
file, and a worker builds the profile from it once (reading its samples through
its own model) and keeps it while the name stays the same. Workers never open
the sample store.

Cancelling (the caller's `cancelled()`, Ctrl+C, leaving the loop) drops the
chunks not yet started and waits for the running ones, a fraction of a second;
worker processes ignore Ctrl+C, so only this side decides, and `close()` ends
them without killing anything. `read_chunk` is also the one-process path
(`--jobs 1`): same decoding, same messages.

Start method: spawn on Windows and macOS (their default; a frozen app needs
multiprocessing.freeze_support() in its entry point). On Linux, fork where
nothing but the main thread runs (the command line: workers start in
milliseconds with everything imported), else a fork server, because forking a
process that runs other threads (Qt's, a loaded model's) can deadlock the
child; the fork server imports the engine once, so its workers start quickly too.
"""
from __future__ import annotations

import itertools
import multiprocessing
import multiprocessing.connection
import os
import shutil
import signal
import sys
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

import numpy as np

from digitdesk.engine.decode import UnreadableImage, load_image_scaled
from digitdesk.engine.results import Recognition
from digitdesk.engine.thumbnail import thumbnail

CHUNK_FILES = 8        # files per task: amortises the trip to a worker, keeps cancelling prompt
CHUNKS_PER_WORKER = 3  # tasks in flight per worker: enough that none waits, few enough to keep memory flat
POLL_SECONDS = 0.1     # how often a wait for results checks whether the caller has cancelled
# What the Linux fork server imports once, so each worker starts with it in memory.
PRELOAD = [__name__, "digitdesk.engine.recognizer", "ai_edge_litert.interpreter"]
MAX_BREAKS_IN_A_ROW = 3  # fresh worker processes dying this often without a result: give up
WORKER_DIED = "could not be read: the reading process stopped unexpectedly (out of memory?)"


@dataclass(frozen=True)
class FileResult:
    """One file's outcome: exactly one of recognition / error is set."""
    path: str
    recognition: Recognition | None
    error: str | None
    thumbnail: np.ndarray | None = None   # (h, w, 3) uint8 when asked for and the file could be decoded
    scale: float = 1.0   # the file's pixels per pixel read (a big photo is read reduced; the boxes are in those)

    def in_file_pixels(self) -> Recognition | None:
        """The recognition with its boxes in the file's own pixels (for the command line's output)."""
        return self.recognition.scaled(self.scale) if self.recognition is not None else None


def available_cores() -> int:
    """The cores this process may use (its CPU affinity where the OS has one)."""
    counter = getattr(os, "process_cpu_count", None)   # Python 3.13+
    if counter is not None:
        return max(1, counter() or 1)
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def start_method() -> str:
    """How to start workers from this process now: see the module's docstring."""
    if not sys.platform.startswith("linux"):
        return "spawn"
    return "fork" if _fork_is_safe() else "forkserver"


# Libraries whose native threads may be mid-work when a fork copies them (numpy's and OpenCV's
# thread pools are made safe to fork by the libraries themselves).
THREADED_LIBRARIES = ("PySide6", "ai_edge_litert", "tensorflow")


def _fork_is_safe() -> bool:
    """No other Python thread and no library with its own worker threads loaded (the command line)."""
    return threading.active_count() == 1 and not any(name in sys.modules for name in THREADED_LIBRARIES)


def reason(error: BaseException) -> str:
    """Why a file could not be read, in words for its row (never a traceback)."""
    if isinstance(error, UnreadableImage):   # decoding or preparing: already in words
        return str(error)
    if isinstance(error, MemoryError):
        return "not enough memory to read this image"
    if isinstance(error, OSError):
        return f"could not read the file: {error.strerror or error}"
    return f"could not be read: {error}"


def read_chunk(paths: list[str], recognizer, thumbnail_side: int | None = None) -> list[FileResult]:
    """Decode each file, then read all decoded images in one model call (image by image if that fails)."""
    decoded: list[tuple[str, np.ndarray | None, str | None, float]] = []   # path, image, error, scale
    for path in paths:
        try:
            image, scale = load_image_scaled(path)
            decoded.append((path, image, None, scale))
        except Exception as error:   # noqa: BLE001 - a bad file costs only its own row
            decoded.append((path, None, reason(error), 1.0))
    images = [image for _, image, _, _ in decoded if image is not None]
    try:
        readings: list[Recognition | BaseException] = list(recognizer.recognize_many(images)) if images else []
    except Exception:   # noqa: BLE001 - one odd image must not sink its neighbours
        readings = [_read_alone(image, recognizer) for image in images]
    results, next_reading = [], iter(readings)
    for path, image, error, scale in decoded:
        if image is None:
            results.append(FileResult(path, None, error))
            continue
        small = thumbnail(image, thumbnail_side) if thumbnail_side else None
        reading = next(next_reading)
        if isinstance(reading, BaseException):
            results.append(FileResult(path, None, reason(reading), small))
        else:
            results.append(FileResult(path, reading, None, small, scale))
    return results


def _read_alone(image: np.ndarray, recognizer) -> Recognition | BaseException:
    try:
        return recognizer.recognize(image)
    except Exception as error:   # noqa: BLE001
        return error


def chunks(items: Iterable[str], size: int) -> Iterator[list[str]]:
    """Consecutive lists of `size` items (the last may be shorter), taken lazily."""
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


# ---- worker processes ------------------------------------------------------------------------
def worker_runner():
    """The runner a worker process loads once: LiteRT on one thread, else what load_runner() picks."""
    from digitdesk.engine import runner
    if (os.environ.get("DIGITDESK_RUNNER") or "auto").lower() != "keras":
        try:
            return runner.LiteRTRunner(threads=1)
        except (ImportError, runner.ModelLoadError):
            if (os.environ.get("DIGITDESK_RUNNER") or "").lower() == "litert":
                raise
    return runner.load_runner()


_worker_recognizer = None
_worker_error: str | None = None
_worker_space = None                     # the personal profiles' feature space, fitted once per worker
_worker_profile: tuple[str, object] | None = None   # (snapshot file, PersonalProfile)


def _start_worker(runner_factory: Callable[[], object]) -> None:
    """Pool initializer: Ctrl+C is the parent's to handle, SIGTERM ends a worker (a forked one would keep the
    command line's way of stopping); exit with the parent; one OpenCV thread; the model."""
    global _worker_recognizer, _worker_error
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _exit_with_parent()
    import cv2
    cv2.setNumThreads(1)
    from digitdesk.engine.recognizer import Recognizer
    try:
        _worker_recognizer = Recognizer(runner_factory())
    except Exception as error:   # noqa: BLE001 - reported with the first chunk, in words
        _worker_error = str(error) or type(error).__name__


def _exit_with_parent() -> None:
    """End this worker as soon as the process that owns the pool is gone, however it ended.

    A killed parent never shuts its pool down, and idle workers would wait for
    work forever (they hold their own queue's ends), keeping the fork server
    alive too. The parent's sentinel (a pipe or process handle) says when.
    """
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(0)

    threading.Thread(target=watch, name="digitdesk-parent-watch", daemon=True).start()


def _read_in_worker(paths: list[str], thumbnail_side: int | None, profile_file: str | None = None) -> list[FileResult]:
    if _worker_recognizer is None:
        raise ModelUnavailable(_worker_error or "the model could not be loaded")
    _worker_recognizer.profile = _profile_from(profile_file)
    return read_chunk(paths, _worker_recognizer, thumbnail_side)


def _profile_from(snapshot: str | None):
    """The PersonalProfile of a snapshot file (see write_snapshot), built once per file in this worker."""
    global _worker_space, _worker_profile
    if snapshot is None:
        return None
    if _worker_profile is None or _worker_profile[0] != snapshot:
        from digitdesk.engine.personal import FeatureSpace, PersonalProfile
        runner = _worker_recognizer.runner
        _worker_space = _worker_space or FeatureSpace.fit(runner)
        profile = PersonalProfile(runner, _worker_space)
        with np.load(snapshot) as saved:
            profile.add_many(zip(saved["ids"].tolist(), saved["labels"].tolist(), saved["images"]))
        _worker_profile = (snapshot, profile)
    return _worker_profile[1]


def write_snapshot(samples, folder: str) -> str | None:
    """A personal profile's samples (objects with .id, .label, .image) in a new file in `folder`; None if none."""
    samples = list(samples)
    if not samples:
        return None
    handle, path = tempfile.mkstemp(suffix=".npz", prefix="profile-", dir=folder)
    with os.fdopen(handle, "wb") as fh:
        np.savez(fh, ids=np.array([s.id for s in samples], np.int64),
                 labels=np.array([s.label for s in samples], np.int64),
                 images=np.stack([np.asarray(s.image, np.uint8).reshape(28, 28) for s in samples]))
    return path


class ModelUnavailable(RuntimeError):
    """A worker process could not load the model; str(error) says why."""


class WorkersFailed(RuntimeError):
    """Worker processes could not be started or kept dying; str(error) says so in words."""


class ReadPool:
    """Worker processes that read image files; reusable for several `read` calls, then `close()`.

    Processes start on the first read, not here. Use it as a context manager, or
    call close() when done (the app does on exit): it waits for running chunks
    and lets the processes exit.
    """

    def __init__(self, jobs: int | None = None, runner_factory: Callable[[], object] = worker_runner,
                 method: str | None = None):
        self.jobs = max(1, jobs or available_cores())
        self._runner_factory = runner_factory
        self._method = method   # None: decided when the processes start
        self._executor: ProcessPoolExecutor | None = None
        self._snapshots: str | None = None   # a temporary folder for profile snapshots, removed on close
        self._snapshot: tuple[tuple, str | None] = ((), None)   # (the samples' ids and labels, its file)

    def __enter__(self) -> ReadPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            method = self._method or start_method()
            context = multiprocessing.get_context(method)
            if method == "forkserver":
                context.set_forkserver_preload(PRELOAD)
            try:   # no usable shared memory or semaphores (some containers and sandboxes): said in words
                self._executor = ProcessPoolExecutor(self.jobs, mp_context=context, initializer=_start_worker,
                                                     initargs=(self._runner_factory,))
            except (OSError, ImportError, NotImplementedError) as error:
                raise WorkersFailed(f"the reading processes could not be started "
                                    f"({getattr(error, 'strerror', None) or error})") from error
        return self._executor

    def close(self) -> None:
        """Drop queued chunks, wait for the running ones, let the processes exit.

        Interrupted while it waits (a second Ctrl+C: big photos can keep a chunk busy for seconds), it
        ends the processes at once and lets the interrupt through: left mid-shutdown, they blocked the
        interpreter's exit for ever."""
        executor, self._executor = self._executor, None
        try:
            if executor is not None:
                executor.shutdown(wait=True, cancel_futures=True)
        except KeyboardInterrupt:
            _end_at_once(executor)
            raise
        finally:
            if self._snapshots is not None:
                shutil.rmtree(self._snapshots, ignore_errors=True)
                self._snapshots = None
                self._snapshot = ((), None)

    def read(self, paths: Iterable[str], chunk_size: int = CHUNK_FILES, thumbnail_side: int | None = None,
             cancelled: Callable[[], bool] | None = None, samples=None) -> Iterator[FileResult]:
        """FileResults in the order of `paths`, as soon as each is ready (paths are taken lazily).

        `samples` (objects with .id, .label, .image): a personal profile to read with,
        as it is now; None or empty reads with the model alone.

        Stops early, without error, when `cancelled()` turns true. A worker that
        dies (a decoder crash, the OS out of memory) costs the chunks in flight
        one retry on fresh processes; a chunk that fails twice gets rows saying
        so. Raises ModelUnavailable if the workers cannot load the model, and
        WorkersFailed if fresh processes keep dying before reading anything.
        """
        cancelled = cancelled or (lambda: False)
        profile = self._snapshot_of(list(samples or []))
        pending = chunks((str(p) for p in paths), chunk_size)
        window: deque[_Task] = deque()   # in input order
        limit = self.jobs * CHUNKS_PER_WORKER
        breaks = 0   # since a worker last read a chunk
        try:
            while True:
                while len(window) < limit and (chunk := next(pending, None)) is not None:
                    window.append(_Task(chunk, self._submit(chunk, thumbnail_side, profile), profile))
                if not window:
                    return
                task = window[0]
                while not wait([task.future], timeout=POLL_SECONDS, return_when=FIRST_COMPLETED).done:
                    if cancelled():
                        return
                if cancelled():
                    return
                try:
                    results = task.future.result()
                except BrokenProcessPool:
                    breaks += 1
                    if breaks > MAX_BREAKS_IN_A_ROW:
                        raise WorkersFailed("the reading processes keep stopping before they read anything") \
                            from None
                    self._restart(window, thumbnail_side)
                    continue
                if not task.given_up:
                    breaks = 0
                window.popleft()
                yield from results
        finally:
            for task in window:
                task.future.cancel()

    def _snapshot_of(self, samples: list) -> str | None:
        """The snapshot file of these samples: the last one if they are the same (a sample's image never
        changes under its id), so the workers keep the profile they built; None for no samples."""
        key = tuple((s.id, s.label) for s in samples)
        if key != self._snapshot[0]:
            if samples and self._snapshots is None:
                self._snapshots = tempfile.mkdtemp(prefix="digitdesk-profile-")
            self._snapshot = (key, write_snapshot(samples, self._snapshots) if samples else None)
        return self._snapshot[1]

    def _submit(self, chunk: list[str], thumbnail_side: int | None, profile: str | None) -> Future:
        return self._pool().submit(_read_in_worker, chunk, thumbnail_side, profile)

    def _restart(self, window: deque[_Task], thumbnail_side: int | None) -> None:
        """After a worker died: fresh processes; unfinished chunks get one more try, then rows saying why."""
        broken, self._executor = self._executor, None
        if broken is not None:
            broken.shutdown(wait=True, cancel_futures=True)
        for task in window:
            future = task.future
            if future.done() and not future.cancelled() and future.exception() is None:
                continue   # finished before the break: keep its results
            if task.retried:
                task.future, task.given_up = Future(), True
                task.future.set_result([FileResult(p, None, WORKER_DIED) for p in task.paths])
            else:
                task.future, task.retried = self._submit(task.paths, thumbnail_side, task.profile), True


def _end_at_once(executor: ProcessPoolExecutor) -> None:
    """Stop the pool's processes now (SIGTERM: they ignore Ctrl+C), for a user who asked twice."""
    processes = list((getattr(executor, "_processes", None) or {}).values())
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(2)
    executor.shutdown(wait=False, cancel_futures=True)


@dataclass
class _Task:
    """A chunk of files on its way through the pool."""
    paths: list[str]
    future: Future
    profile: str | None = None   # the profile snapshot it is read with
    retried: bool = False
    given_up: bool = False   # its rows say the process died: no worker read it


def read_files(paths: Iterable[str], recognizer=None, jobs: int = 1, chunk_size: int | None = None,
               thumbnail_side: int | None = None, cancelled: Callable[[], bool] | None = None,
               pool: ReadPool | None = None, samples=None) -> Iterator[FileResult]:
    """Read files in order: in this process with `recognizer` when jobs == 1 and no pool is given, else in a pool
    (reading with the personal profile of `samples`, if given; in this process the recognizer's profile counts).

    A pool made here is closed when the iteration ends (finished, cancelled,
    interrupted or abandoned).
    """
    cancelled = cancelled or (lambda: False)
    if pool is None and jobs <= 1:
        if recognizer is None:
            from digitdesk.engine.recognizer import Recognizer
            recognizer = Recognizer()
        for chunk in chunks((str(p) for p in paths), chunk_size or 64):
            if cancelled():
                return
            yield from read_chunk(chunk, recognizer, thumbnail_side)
        return
    owned = pool is None
    pool = pool or ReadPool(jobs)
    try:
        yield from pool.read(paths, chunk_size or CHUNK_FILES, thumbnail_side, cancelled, samples)
    finally:
        if owned:
            pool.close()
