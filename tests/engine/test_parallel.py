"""The process pool for big folders: same readings as one process, input order, bounded, cancellable, clean exit."""
import functools
import os
import time
from pathlib import Path

import numpy as np
import pytest

from digitdesk.engine.parallel import (CHUNK_FILES, CHUNKS_PER_WORKER, ModelUnavailable, ReadPool, WorkersFailed,
                                       read_files, worker_runner)
from digitdesk.engine.runner import ModelLoadError
from tests.gui.media import GlyphSource, number_image, save


@pytest.fixture(scope="module")
def scans(tmp_path_factory) -> list[str]:
    """30 files: numbers of 1-3 digits in several sizes, a blank page, a corrupt file and a missing one."""
    folder = tmp_path_factory.mktemp("scans")
    glyphs = GlyphSource(None)
    files = []
    for i in range(27):
        text = str(i * 37 % 1000)
        files.append(save(folder / f"{i:02d}.png", number_image(glyphs, text, size=40 + 13 * (i % 5), seed=i)))
    files.append(save(folder / "blank.png", np.full((90, 120, 3), 240, np.uint8)))
    (folder / "corrupt.png").write_bytes(files[0].read_bytes()[:150])
    files.append(folder / "corrupt.png")
    files.append(folder / "missing.png")
    return [str(f) for f in files]


def summary(results) -> list[tuple]:
    return [(Path(r.path).name, r.recognition.text if r.recognition else None, r.error) for r in results]


def alive(pid: int) -> bool:
    """Is this process still running (POSIX only: on Windows os.kill would end it)?"""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")   # Linux: a zombie only waits for its parent to collect it
    return not status.exists() or "zombie" not in status.read_text().lower()


# Runner factories run inside the worker processes, so they live at module level (picklable by name).
def recording_runner(folder: str):
    """The normal worker runner, leaving this worker's process id in `folder`."""
    Path(folder, f"worker-{os.getpid()}").touch()
    return worker_runner()


def missing_model_runner():
    raise ModelLoadError("model file not found: /nowhere/digit_cnn.tflite")


class CrashingRunner:
    """Ends its own process on the first model call; with `once`, only the first process to call does."""

    def __init__(self, marker: str | None):
        self.marker = marker
        self.inner = worker_runner()

    def classify(self, batch):
        if self.marker is None or not os.path.exists(self.marker):
            if self.marker is not None:
                Path(self.marker).touch()
            os._exit(3)
        return self.inner.classify(batch)


def crashing_runner(marker: str | None):
    return CrashingRunner(marker)


def test_two_processes_read_exactly_what_one_does_in_input_order(scans, real_runner):
    from digitdesk.engine.recognizer import Recognizer
    alone = list(read_files(scans, Recognizer(real_runner), jobs=1))
    pooled = list(read_files(scans, jobs=2))

    assert [r.path for r in pooled] == scans                       # every file once, in the order given
    assert summary(pooled) == summary(alone)
    by_name = {name: (text, error) for name, text, error in summary(pooled)}
    assert by_name["01.png"] == ("37", None) and by_name["blank.png"] == ("", None)
    assert by_name["corrupt.png"][1] and by_name["missing.png"][1] == "file not found"
    for one, other in zip(alone, pooled):                          # the same digits and confidences, not just text
        if one.recognition:
            assert [d.box for d in one.recognition.digits] == [d.box for d in other.recognition.digits]
            assert np.allclose([d.confidence for d in one.recognition.digits],
                               [d.confidence for d in other.recognition.digits], atol=1e-5)


def test_thumbnails_come_back_small_and_only_when_asked_for(scans):
    with ReadPool(2) as pool:
        plain = list(pool.read(scans[:10]))
        with_thumbnails = list(pool.read(scans[:10], thumbnail_side=32))
    assert all(r.thumbnail is None for r in plain)
    assert all(r.thumbnail is not None and max(r.thumbnail.shape[:2]) <= 32 for r in with_thumbnails)


def test_files_are_taken_lazily_so_memory_stays_flat(scans):
    taken = []

    def paths():
        for i in range(100_000):   # far more files than could sensibly be held at once
            taken.append(i)
            yield scans[i % 27]

    with ReadPool(2) as pool:
        results = pool.read(paths())
        next(results)
        in_flight_limit = 2 * CHUNKS_PER_WORKER * CHUNK_FILES
        assert len(taken) <= in_flight_limit + CHUNK_FILES
        for _ in range(200):
            next(results)
        assert len(taken) <= 201 + in_flight_limit + CHUNK_FILES
        results.close()


def test_cancel_stops_within_a_chunk_and_the_pool_reads_on_then_exits(scans, tmp_path):
    stop = {"after": 12}
    seen = []
    many = [scans[i % 27] for i in range(2_000)]
    with ReadPool(2, runner_factory=functools.partial(recording_runner, str(tmp_path))) as pool:
        started = time.monotonic()
        for result in pool.read(many, cancelled=lambda: len(seen) >= stop["after"]):
            seen.append(result)
        assert 12 <= len(seen) < 100 and time.monotonic() - started < 60
        again = list(pool.read(scans[:3]))                       # still usable after a cancel
        assert summary(again) == summary(read_files(scans[:3], jobs=2))[:3]
    workers = [int(p.name.split("-")[1]) for p in tmp_path.glob("worker-*")]
    assert len(workers) == 2
    if os.name != "posix":
        return   # no harmless way to probe a process id on Windows
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(pid) for pid in workers)                # close() let every worker exit


def test_a_model_that_cannot_load_in_the_workers_is_reported_in_words(scans):
    with ReadPool(2, runner_factory=missing_model_runner) as pool, pytest.raises(ModelUnavailable) as caught:
        list(pool.read(scans))
    assert str(caught.value) == "model file not found: /nowhere/digit_cnn.tflite"


def test_a_worker_that_dies_once_costs_nothing_but_a_retry(scans, tmp_path):
    marker = str(tmp_path / "crashed-once")
    with ReadPool(2, runner_factory=functools.partial(crashing_runner, marker)) as pool:
        results = list(pool.read(scans))
    assert Path(marker).exists()                                 # a worker did die
    assert summary(results) == summary(read_files(scans, jobs=2))


def test_workers_that_keep_dying_end_the_read_with_a_plain_message(scans):
    rows = []
    with ReadPool(2, runner_factory=functools.partial(crashing_runner, None)) as pool, \
            pytest.raises(WorkersFailed, match="keep stopping"):
        rows.extend(pool.read([scans[i % 27] for i in range(5_000)]))
    assert len(rows) < 200                                        # gave up early, not after 5,000 files
    assert all(r.error and "stopped unexpectedly" in r.error for r in rows)


def test_a_system_that_cannot_start_reading_processes_is_said_in_words(scans, monkeypatch):
    import errno

    import digitdesk.engine.parallel as parallel

    def no_semaphores(*args, **kwargs):
        raise OSError(errno.ENOSYS, "Function not implemented")

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", no_semaphores)
    with ReadPool(2) as pool, pytest.raises(WorkersFailed, match=r"could not be started \(Function not implemented\)"):
        list(pool.read(scans))


def test_worker_processes_read_with_a_snapshot_of_the_personal_profile(tmp_path, real_runner):
    """A 7 drawn like a flagged 1, taught once: the pool reads the folder as this process does with the profile."""
    from digitdesk.engine.personal import load_profile
    from digitdesk.engine.recognizer import Recognizer
    from digitdesk.engine.samples import SampleStore
    from tests.engine.images import FLAGGED_SEVEN, drawn

    first = Recognizer(real_runner).recognize(drawn(FLAGGED_SEVEN)).digits[0]
    if first.digit == 7:
        pytest.skip("the bundled model already reads this 7: nothing to teach")
    files = [str(save(tmp_path / f"{seed:02d}.png", drawn(FLAGGED_SEVEN, seed))) for seed in range(1, 13)]
    with SampleStore(tmp_path / "data") as store:
        store.add("ana", 7, first.input28, "draw")
        samples = store.samples("ana")
        alone = summary(read_files(files, Recognizer(real_runner, profile=load_profile(store, "ana", real_runner))))
    with ReadPool(2) as pool:
        pooled = summary(pool.read(files, samples=samples))
        plain = summary(pool.read(files))                   # the same workers, no profile: as before
    assert pooled == alone and [text for _, text, _ in pooled].count("7") >= 10
    assert [text for _, text, _ in plain].count("7") < [text for _, text, _ in pooled].count("7")


def test_a_profile_snapshot_is_written_again_only_when_the_samples_change():
    """Dropping folders one after another costs the workers nothing new; a correction in between counts."""
    from types import SimpleNamespace
    image = np.zeros((28, 28), np.uint8)
    taught = [SimpleNamespace(id=1, label=7, image=image)]
    pool = ReadPool(1)
    try:
        first = pool._snapshot_of(taught)
        assert first is not None and pool._snapshot_of(list(taught)) == first
        corrected = pool._snapshot_of([*taught, SimpleNamespace(id=2, label=1, image=image)])
        assert corrected not in (None, first) and os.path.exists(corrected)
        assert pool._snapshot_of([]) is None
    finally:
        pool.close()
    assert not os.path.exists(first)                      # the temporary folder goes with the pool
