"""BatchReader in its own thread: per-file results, thumbnails, progress, cancel."""
import os
import time

import numpy as np
import pytest
from PySide6.QtCore import QObject, QThread, Signal

import digitdesk.engine.files as files_module
from digitdesk.gui.batch_reader import PASTED_MAX_SIDE, POOL_MIN_FILES, THUMBNAIL_SIDE, BatchReader
from tests.gui.media import number_image, save

TIMEOUT_MS = 120_000


class Client(QObject):
    """Plays the panel's part: sends work through queued signals and records what comes back."""
    read_files = Signal(int, object)
    read_image = Signal(int, object, str)

    def __init__(self, reader: BatchReader):
        super().__init__()
        self.items, self.progress, self.finished, self.looking = [], [], [], []
        reader.looking.connect(lambda job, found, folders: self.looking.append((found, folders)))
        reader.item.connect(self.items.append)
        reader.progress.connect(lambda done, total: self.progress.append((done, total)))
        reader.finished.connect(lambda *args: self.finished.append(args))
        self.read_files.connect(reader.read_files)
        self.read_image.connect(reader.read_image)


def started_reader(jobs: int | None = None):
    thread = QThread()
    reader = BatchReader(jobs=jobs)
    reader.moveToThread(thread)
    thread.start()
    return thread, reader


def stop(thread: QThread, reader: BatchReader) -> None:
    reader.cancel()
    thread.quit()
    thread.wait()
    reader.close()


@pytest.fixture
def reader(qtbot):
    thread, reader = started_reader()
    yield reader
    stop(thread, reader)


def slow_listing(monkeypatch, per_file: float = 0.001, per_folder: float = 0.0) -> None:
    """Make walking a folder as slow as on a network share: each file and folder takes a while to list."""
    walk = files_module._walk

    def slow_walk(folder, on_error=None, on_folder=None):
        def entered(path):
            time.sleep(per_folder)
            if on_folder is not None:
                on_folder(path)
        for path in walk(folder, on_error, entered):
            time.sleep(per_file)
            yield path
    monkeypatch.setattr(files_module, "_walk", slow_walk)


def empty_pngs(folder, count: int, per_folder: int = 500):
    """`count` empty .png files in sub-folders: enough to list for seconds once listing is slowed down."""
    for i in range(count):
        sub = folder / f"part{i // per_folder:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"{i:05d}.png").touch()
    return folder


def read_folder(qtbot, reader: BatchReader, folder) -> Client:
    client = Client(reader)
    client.read_files.emit(reader.new_job(), [str(folder)])
    qtbot.waitUntil(lambda: bool(client.finished), timeout=TIMEOUT_MS)
    return client


def test_each_file_gets_a_result_or_its_reason_with_a_small_thumbnail(qtbot, reader, glyphs, tmp_path):
    big = number_image(glyphs, "58", size=400, margin=200)
    save(tmp_path / "a-big.png", big)
    save(tmp_path / "b-small.jpg", number_image(glyphs, "3", seed=1))
    (tmp_path / "c-broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 40)
    client = Client(reader)

    job = reader.new_job()
    client.read_files.emit(job, [str(tmp_path)])
    qtbot.waitUntil(lambda: bool(client.finished), timeout=TIMEOUT_MS)

    assert client.finished == [(job, 3, 3, False)]
    items = {item.name: item for item in client.items}
    assert items["a-big.png"].recognition.text == "58"
    assert items["b-small.jpg"].recognition.text == "3"
    assert items["c-broken.png"].recognition is None and items["c-broken.png"].error
    assert max(items["a-big.png"].thumbnail.shape[:2]) == THUMBNAIL_SIDE
    assert all(i.image is None for i in client.items)     # no full-size pixels cross for files
    assert client.progress[-1] == (3, 3)


def test_cancel_stops_the_running_job_between_files_and_skips_queued_ones(qtbot, reader, glyphs, tmp_path):
    path = save(tmp_path / "one.png", number_image(glyphs, "1", size=40))
    many = tmp_path / "many"
    many.mkdir()
    for i in range(3000):
        os.link(path, many / f"{i:04d}.png")
    client = Client(reader)
    running, queued = reader.new_job(), reader.new_job()
    client.read_files.emit(running, [str(many)])
    client.read_files.emit(queued, [str(path)])
    qtbot.waitUntil(lambda: bool(client.items), timeout=TIMEOUT_MS)
    reader.cancel()
    qtbot.waitUntil(lambda: len(client.finished) == 2, timeout=TIMEOUT_MS)

    (job1, done1, total1, cancelled1), (job2, done2, _, cancelled2) = client.finished
    assert (job1, total1, cancelled1) == (running, 3000, True) and done1 < 3000
    assert (job2, done2, cancelled2) == (queued, 0, True)

    later = reader.new_job()                   # a job issued after the cancel runs normally
    client.read_files.emit(later, [str(path)])
    qtbot.waitUntil(lambda: len(client.finished) == 3, timeout=TIMEOUT_MS)
    assert client.finished[-1] == (later, 1, 1, False)


def test_a_pasted_image_is_bounded_in_size_and_its_boxes_match_the_kept_copy(qtbot, reader, glyphs):
    huge = number_image(glyphs, "64", size=900, margin=300)
    client = Client(reader)
    client.read_image.emit(reader.new_job(), huge, "Pasted image 1")
    qtbot.waitUntil(lambda: bool(client.finished), timeout=TIMEOUT_MS)

    item = client.items[0]
    assert item.recognition.text == "64"
    assert max(item.image.shape[:2]) == PASTED_MAX_SIDE
    h, w = item.image.shape[:2]
    for d in item.recognition.digits:
        assert 0 <= d.box.x and d.box.x + d.box.w <= w and 0 <= d.box.y and d.box.y + d.box.h <= h
    ink = item.image.min(axis=2) < 128
    for d in item.recognition.digits:
        assert ink[d.box.y:d.box.y + d.box.h, d.box.x:d.box.x + d.box.w].mean() > 0.05   # the box holds ink
    assert not np.shares_memory(item.image, huge)


def test_a_big_folder_goes_to_the_process_pool_and_reads_as_in_one_thread(qtbot, glyphs, tmp_path):
    digits = [i * 7 % 10 for i in range(POOL_MIN_FILES + 6)]
    for i, d in enumerate(digits):
        save(tmp_path / f"{i:03d}.png", number_image(glyphs, str(d), size=40, margin=10, seed=i))
    (tmp_path / "050-broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 40)
    readers = {jobs: started_reader(jobs) for jobs in (1, 2)}
    try:
        clients = {jobs: read_folder(qtbot, reader, tmp_path) for jobs, (_, reader) in readers.items()}
    finally:
        for thread, reader in readers.values():
            stop(thread, reader)

    assert readers[2][1].pool_used and not readers[1][1].pool_used
    pooled, alone = clients[2], clients[1]
    total = len(digits) + 1
    assert pooled.finished[0][1:] == (total, total, False) and pooled.progress[-1] == (total, total)
    names = [item.name for item in pooled.items]
    assert names == sorted(names)                                        # in file order
    assert [(i.name, i.recognition and i.recognition.text, i.error) for i in pooled.items] == \
        [(i.name, i.recognition and i.recognition.text, i.error) for i in alone.items]
    broken = next(i for i in pooled.items if i.name == "050-broken.png")
    assert broken.error and broken.thumbnail is None
    good = [i for i in pooled.items if i.recognition]
    assert all(i.thumbnail is not None and max(i.thumbnail.shape[:2]) <= THUMBNAIL_SIDE for i in good)
    correct = sum(i.recognition.text == str(digits[int(i.name[:3])]) for i in good)
    assert correct >= len(digits) - 3


def test_cancel_acts_at_once_while_a_huge_folder_is_still_being_listed(qtbot, monkeypatch, tmp_path):
    slow_listing(monkeypatch, per_file=0.001)          # 4,000 files: about 4 s to list
    tree = empty_pngs(tmp_path / "tree", 4000)
    thread, reader = started_reader(jobs=1)
    try:
        client = Client(reader)
        job = reader.new_job()
        client.read_files.emit(job, [str(tree)])
        qtbot.waitUntil(lambda: bool(client.looking), timeout=5_000)   # a running count while looking
        assert 0 < client.looking[-1][0] < 4000
        assert [found for found, _ in client.looking] == sorted(found for found, _ in client.looking)

        asked = time.monotonic()
        reader.cancel()
        qtbot.waitUntil(lambda: bool(client.finished), timeout=10_000)
        assert time.monotonic() - asked < 1.0
        assert client.finished == [(job, 0, 0, True)] and client.items == []
    finally:
        stop(thread, reader)


def test_a_tree_of_folders_without_images_can_be_cancelled_and_the_thread_stops_promptly(qtbot, monkeypatch,
                                                                                         tmp_path):
    slow_listing(monkeypatch, per_file=0.0, per_folder=0.01)   # 400 folders, no images: about 4 s
    for i in range(400):
        (tmp_path / f"{i:03d}").mkdir()
        (tmp_path / f"{i:03d}" / "notes.txt").write_text("no pictures here", encoding="utf-8")
    thread, reader = started_reader(jobs=1)
    try:
        client = Client(reader)
        client.read_files.emit(reader.new_job(), [str(tmp_path)])
        qtbot.waitUntil(lambda: bool(client.looking), timeout=5_000)
        found, folders = client.looking[-1]
        assert found == 0 and folders > 1                  # the count moves even without any image

        asked = time.monotonic()
        stop(thread, reader)             # what closing the window does: cancel, quit, wait for the thread
        assert time.monotonic() - asked < 1.0
        assert not thread.isRunning()
    finally:
        stop(thread, reader)


def test_a_slowly_listed_folder_is_still_read_in_file_order(qtbot, monkeypatch, glyphs, tmp_path):
    slow_listing(monkeypatch, per_file=0.0005, per_folder=0.01)
    for i, digit in enumerate("3141592"):
        (tmp_path / f"{i % 3}").mkdir(exist_ok=True)
        save(tmp_path / f"{i % 3}" / f"{i:02d}.png", number_image(glyphs, digit, size=40, seed=i))
    thread, reader = started_reader(jobs=1)
    try:
        client = read_folder(qtbot, reader, tmp_path)
    finally:
        stop(thread, reader)
    assert client.finished[0][1:] == (7, 7, False)
    assert [i.name for i in client.items] == ["00.png", "03.png", "06.png", "01.png", "04.png", "02.png", "05.png"]
    assert all(i.recognition is not None for i in client.items)
