"""The capture worker's per-frame reading and its frame pacing, on generated frames and videos."""
import cv2
import numpy as np
import pytest
from PySide6.QtCore import QThread

from digitdesk.gui.capture import CaptureWorker, guide_rect, read_frame
from tests.gui.media import DigitVideo, finish, ink_onto, paper

TIMEOUT_MS = 120_000


@pytest.fixture(scope="module")
def recognizer():
    from digitdesk.engine.recognizer import Recognizer
    return Recognizer()


def test_boxes_are_in_full_frame_pixels_when_a_big_frame_is_downscaled_for_reading(recognizer, glyphs):
    video = DigitVideo(glyphs, "4170", size=(1280, 960), digit_size=128, seed=3)
    bgr = video.frame(0)

    rgb, recognition, guide = read_frame(recognizer, bgr)

    assert guide is None and rgb.shape == (960, 1280, 3)
    assert np.array_equal(rgb, cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    assert recognition.text == "4170"
    ink = rgb.min(axis=2) < 110
    for d in recognition.digits:
        assert d.box.h > 70                     # a 128 px glyph is ~90 px tall at full size, ~45 if not mapped
        assert ink[d.box.y:d.box.y + d.box.h, d.box.x:d.box.x + d.box.w].mean() > 0.05


def test_with_the_guide_on_only_digits_inside_the_rectangle_are_read(recognizer, glyphs):
    rng = np.random.default_rng(0)
    page = np.array(paper(480, 640, rng))
    ink_onto(page, glyphs.glyph(7), 20, 20, 70)                  # in a corner, outside the guide
    ink_onto(page, glyphs.glyph(3), 250, 205, 70)                # the middle, inside it
    ink_onto(page, glyphs.glyph(4), 320, 205, 70)
    bgr = cv2.cvtColor(finish(page, rng), cv2.COLOR_RGB2BGR)

    _, everything, _ = read_frame(recognizer, bgr, use_guide=False)
    _, guided, guide = read_frame(recognizer, bgr, use_guide=True)

    assert everything.text == "734"
    assert guided.text == "34"
    assert guide == guide_rect(640, 480)
    for d in guided.digits:
        b = d.box
        assert guide.x <= b.x and b.x + b.w <= guide.x + guide.w
        assert guide.y <= b.y and b.y + b.h <= guide.y + guide.h


def run_worker(qtbot, worker: CaptureWorker):
    thread = QThread()
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    worker.finished.connect(thread.quit)
    thread.start()
    return thread


def test_a_busy_ui_gets_no_new_frame_until_it_showed_the_last_one(qtbot, glyphs, tmp_path):
    video = DigitVideo(glyphs, "25", seed=1).write(tmp_path / "clip.avi", frames=30)
    worker = CaptureWorker(str(video), paced=True, loop_video=True)
    frames = []
    worker.frame.connect(frames.append)
    thread = run_worker(qtbot, worker)
    try:
        qtbot.waitUntil(lambda: bool(frames), timeout=TIMEOUT_MS)
        qtbot.wait(800)                          # ~24 more frames were read while the UI "painted"
        assert len(frames) == 1
        worker.frame_shown()
        qtbot.waitUntil(lambda: len(frames) == 2, timeout=5000)
    finally:
        worker.stop()
        thread.quit()
        thread.wait()
    assert thread.isFinished()


def test_unpaced_video_reads_every_frame_then_reports_its_end(qtbot, glyphs, tmp_path):
    video = DigitVideo(glyphs, "903", seed=2).write(tmp_path / "clip.avi", frames=12)
    worker = CaptureWorker(str(video), paced=False, loop_video=False)
    frames, ended = [], []
    worker.frame.connect(lambda reading: (frames.append(reading), worker.frame_shown()))
    worker.ended.connect(ended.append)
    thread = run_worker(qtbot, worker)
    qtbot.waitUntil(thread.isFinished, timeout=TIMEOUT_MS)

    assert len(frames) == 12
    assert ended == ["End of clip.avi."]
    assert sum(f.recognition.text == "903" for f in frames) >= 11
    assert frames[-1].fps > 0


def test_a_file_that_is_not_a_video_fails_with_a_reason(qtbot, tmp_path):
    bogus = tmp_path / "holiday.mp4"
    bogus.write_text("not a video", encoding="utf-8")
    worker = CaptureWorker(str(bogus))
    failures = []
    worker.failed.connect(failures.append)
    thread = run_worker(qtbot, worker)
    qtbot.waitUntil(thread.isFinished, timeout=TIMEOUT_MS)
    assert len(failures) == 1 and "holiday.mp4" in failures[0]


def test_a_looping_video_deleted_while_it_plays_fails_with_a_reason(qtbot, glyphs, tmp_path):
    """It used to reopen the missing file without pause for ever, the tab frozen on its last frame."""
    video = DigitVideo(glyphs, "7", seed=3).write(tmp_path / "clip.avi", frames=5)
    worker = CaptureWorker(str(video), paced=False, loop_video=True)
    frames, failures = [], []

    def shown(reading):
        frames.append(reading)
        if len(frames) == 2:
            video.unlink()        # deleted (or its drive unplugged) mid-loop
        worker.frame_shown()

    worker.frame.connect(shown)
    worker.failed.connect(failures.append)
    thread = run_worker(qtbot, worker)
    try:
        qtbot.waitUntil(thread.isFinished, timeout=30_000)
    finally:
        worker.stop()
        thread.quit()
        thread.wait()
    assert len(failures) == 1 and "clip.avi can no longer be read" in failures[0]
