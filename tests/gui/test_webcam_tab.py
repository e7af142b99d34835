"""The Webcam tab on generated videos of digits on paper (this machine has no camera)."""
import glob

import numpy as np
import pytest

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog

from digitdesk.gui import capture
from digitdesk.gui.webcam_tab import CHOOSE_VIDEO, NO_CAMERA, WebcamTab
from tests.gui.media import DigitVideo

TIMEOUT_MS = 120_000


def started(qtbot, tab, source) -> list:
    """Start `source` and wait for its first frame on screen; the list keeps collecting the frames shown."""
    shown = []
    tab.frameShown.connect(shown.append)
    tab.start(source)
    qtbot.waitUntil(lambda: bool(shown), timeout=TIMEOUT_MS)
    return shown


@pytest.fixture
def tab(qtbot):
    tab = WebcamTab(None)
    qtbot.addWidget(tab)
    tab.resize(900, 640)
    yield tab
    tab.shutdown()


@pytest.fixture
def clip(glyphs, tmp_path):
    video = DigitVideo(glyphs, "305482", seed=4)
    return video.write(tmp_path / "desk.avi", frames=90), video.text


def test_digits_on_paper_are_read_in_most_frames_of_a_video(qtbot, tab, clip):
    path, text = clip
    shown = []
    tab.frameShown.connect(shown.append)
    tab.full_speed_check.setChecked(True)      # every frame, as fast as they are read
    tab.start(str(path))
    qtbot.waitUntil(lambda: len(shown) >= 60, timeout=TIMEOUT_MS)
    tab.stop()

    correct = sum(r.recognition.text == text for r in shown)
    assert correct / len(shown) >= 0.9, f"read {correct}/{len(shown)} frames as {text}"
    last = shown[-1]
    assert tab.view.recognition.text == last.recognition.text
    assert len(tab.view.recognition.digits) == len(last.recognition.digits)
    assert tab.reading_label.text() in {r.recognition.text for r in shown}
    assert tab.fps_label.text() == ""        # cleared once stopped


def test_a_camera_that_does_not_exist_shows_a_message_and_offers_a_video_file(qtbot, tab):
    tab.start(97)
    qtbot.waitUntil(lambda: not tab.is_running(), timeout=TIMEOUT_MS)

    assert "camera 97" in tab.message_label.text()
    assert "open a video file" in tab.message_label.text()
    assert tab.video_button.text() == "Open a video file…"
    assert not tab.video_button.isHidden()
    assert tab.source_combo.findText(CHOOSE_VIDEO) >= 0
    assert tab.start_button.text() == "Start"


@pytest.mark.skipif(bool(glob.glob("/dev/video*")), reason="this machine has a camera")
def test_without_any_camera_the_tab_says_so_and_offers_only_a_video_file(qtbot, tab):
    tab.refresh_cameras()
    qtbot.waitUntil(lambda: tab.message_label.text() == NO_CAMERA, timeout=10_000)
    assert [tab.source_combo.itemText(i) for i in range(tab.source_combo.count())] == [CHOOSE_VIDEO]
    assert not tab.video_button.isHidden()


class UnpluggedCamera:
    """A camera that delivers a few frames, then read() fails as when its cable is pulled."""

    def __init__(self, frames):
        self._frames = list(frames)
        self.released = False

    def isOpened(self):
        return not self.released

    def read(self):
        return (True, self._frames.pop(0)) if self._frames else (False, None)

    def get(self, prop):
        return 0.0

    def release(self):
        self.released = True


def test_a_camera_unplugged_mid_stream_is_reported_and_a_video_file_offered(qtbot, tab, glyphs, monkeypatch):
    video = DigitVideo(glyphs, "17", seed=5)
    camera = UnpluggedCamera(video.frame(k) for k in range(5))
    monkeypatch.setattr(capture, "open_capture", lambda source: camera)
    shown = []
    tab.frameShown.connect(shown.append)

    tab.start(0)
    qtbot.waitUntil(lambda: not tab.is_running(), timeout=TIMEOUT_MS)

    assert shown                                           # it worked until the cable came out
    assert "stopped sending frames" in tab.message_label.text()
    assert not tab.video_button.isHidden()
    assert camera.released


def test_stop_and_switching_away_release_the_video_and_finish_the_thread(qtbot, tab, clip):
    path, _ = clip
    shown = started(qtbot, tab, str(path))
    thread, worker = tab._thread, tab._worker

    tab.stop()
    assert thread.isFinished() and worker._capture is None
    assert not tab.is_running() and tab.start_button.text() == "Start"

    tab.show()
    qtbot.waitExposed(tab)
    tab.start(str(path))
    qtbot.waitUntil(lambda: len(shown) > 1, timeout=TIMEOUT_MS)
    thread = tab._thread
    tab.hide()                                             # what switching to another tab does
    assert thread.isFinished() and not tab.is_running()


def test_snapshot_sends_a_copy_of_the_frame_and_the_guide_limits_it(qtbot, tab, clip):
    path, text = clip
    stills, shown = [], []
    tab.snapshot.connect(stills.append)
    tab.frameShown.connect(shown.append)
    tab.start(str(path))
    qtbot.waitUntil(lambda: bool(shown), timeout=TIMEOUT_MS)
    tab.freeze_button.click()                              # hold the picture
    frozen = shown[-1]
    assert tab.fps_label.text() == "frozen"                # not the last rate, as if frames still came

    still = tab.take_snapshot()
    assert len(stills) == 1 and np.array_equal(stills[0], frozen.rgb)
    assert not np.shares_memory(stills[0], frozen.rgb)

    tab.freeze_button.click()
    tab.guide_check.setChecked(True)
    qtbot.waitUntil(lambda: shown[-1].guide is not None, timeout=TIMEOUT_MS)
    guide = shown[-1].guide
    tab.take_snapshot()
    assert stills[1].shape == (guide.h, guide.w, 3)
    assert still is not None


def test_a_video_that_ends_without_looping_says_so(qtbot, tab, glyphs, tmp_path):
    path = DigitVideo(glyphs, "8", seed=6).write(tmp_path / "short.avi", frames=8)
    tab.loop_check.setChecked(False)
    tab.full_speed_check.setChecked(True)
    tab.start(str(path))
    qtbot.waitUntil(lambda: not tab.is_running(), timeout=TIMEOUT_MS)
    assert tab.message_label.text().startswith("End of short.avi")


def frames_within(qtbot, shown: list, ms: int) -> int:
    """How many frames reach the screen in the next ms milliseconds."""
    before = len(shown)
    qtbot.wait(ms)
    return len(shown) - before


def test_loop_video_turned_off_while_playing_ends_the_video(qtbot, tab, glyphs, tmp_path):
    path = DigitVideo(glyphs, "8", seed=6).write(tmp_path / "short.avi", frames=8)
    started(qtbot, tab, str(path))   # looping, at the file's own speed

    tab.loop_check.setChecked(False)
    qtbot.waitUntil(lambda: not tab.is_running(), timeout=15_000)
    assert tab.message_label.text().startswith("End of short.avi")


def test_full_speed_switched_while_playing_changes_the_pace_both_ways(qtbot, tab, glyphs, tmp_path):
    path = DigitVideo(glyphs, "61", seed=7).write(tmp_path / "slow.avi", frames=40, fps=2.0)
    shown = []
    tab.frameShown.connect(shown.append)
    tab.start(str(path))
    qtbot.waitUntil(lambda: len(shown) >= 2, timeout=TIMEOUT_MS)
    assert frames_within(qtbot, shown, 1500) <= 5          # the file's 2 frames a second

    tab.full_speed_check.setChecked(True)
    assert frames_within(qtbot, shown, 1500) >= 10         # as fast as frames are read

    tab.full_speed_check.setChecked(False)
    qtbot.wait(100)
    assert 1 <= frames_within(qtbot, shown, 1500) <= 5     # back to the file's pace, without a pause
    assert tab.is_running()


def test_leaving_the_tab_says_capture_stopped_instead_of_reading(qtbot, tab, clip):
    path, _ = clip
    tab.show()
    qtbot.waitExposed(tab)
    tab.start(str(path))
    qtbot.waitUntil(lambda: tab.message_label.text() == "Reading desk.avi", timeout=TIMEOUT_MS)

    tab.hide()                                             # what switching to another tab does
    assert tab.start_button.text() == "Start"
    assert tab.message_label.text() == "Stopped (tab left). Press Start to play the video from the beginning."

    tab.show()
    tab.start(str(path))
    qtbot.waitUntil(lambda: tab.message_label.text() == "Reading desk.avi", timeout=TIMEOUT_MS)
    tab.start_button.click()                               # the user's own Stop: plain "Stopped."
    assert tab.message_label.text() == "Stopped."


class EndlessCamera(UnpluggedCamera):
    """A camera that keeps sending the same few frames."""

    def read(self):
        self._frames.append(self._frames.pop(0))
        return True, self._frames[0].copy()


def test_cancelling_the_video_dialog_leaves_the_running_camera_selected(qtbot, tab, glyphs, monkeypatch):
    video = DigitVideo(glyphs, "29", seed=8)
    monkeypatch.setattr(capture, "list_cameras", lambda: [capture.Camera(0, "Camera 0 (desk)")])
    monkeypatch.setattr(capture, "open_capture", lambda source: EndlessCamera(video.frame(k) for k in range(3)))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: ("", ""))
    shown = []
    tab.frameShown.connect(shown.append)
    tab.refresh_cameras()
    qtbot.waitUntil(lambda: tab.source_combo.count() == 2, timeout=10_000)
    tab.start()
    qtbot.waitUntil(lambda: bool(shown), timeout=TIMEOUT_MS)

    assert tab.source_combo.currentIndex() == tab.source_combo.findText(CHOOSE_VIDEO) - 1
    QTest.keyClick(tab.source_combo, Qt.Key.Key_Down)      # the user picks "Video file…", cancels the dialog

    assert tab.source_combo.currentText() == "Camera 0 (desk)"
    assert tab.current_source() == 0 and tab.is_running()
    count = len(shown)
    qtbot.waitUntil(lambda: len(shown) > count, timeout=10_000)                  # still reading the camera
    tab.start_button.click()                                                     # Stop...
    tab.start_button.click()                                                     # ...and Start: the camera
    qtbot.waitUntil(lambda: tab.message_label.text() == "Reading camera 0", timeout=TIMEOUT_MS)
    assert tab.is_running()


def test_restarting_on_another_source_keeps_the_new_one_running(qtbot, tab, glyphs, monkeypatch):
    video = DigitVideo(glyphs, "29", seed=8)
    monkeypatch.setattr(capture, "open_capture", lambda source: EndlessCamera(video.frame(k) for k in range(3)))
    shown = started(qtbot, tab, 0)
    for camera in (1, 2, 3, 4, 5, 6, 7, 8) * 3:   # the user switches cameras in the list, quickly
        tab.start(camera)
    count = len(shown)
    qtbot.waitUntil(lambda: len(shown) > count + 3, timeout=10_000)
    assert tab.is_running() and tab.start_button.text() == "Stop"
    assert tab.message_label.text() == "Reading camera 8"


def test_the_snapshot_message_says_what_was_added_and_reading_goes_on(qtbot, tab, clip):
    path, _ = clip
    shown = started(qtbot, tab, str(path))

    tab.snapshot_button.click()
    assert tab.message_label.text() == "Snapshot added to the Images tab."
    tab.guide_check.setChecked(True)
    qtbot.waitUntil(lambda: shown[-1].guide is not None, timeout=TIMEOUT_MS)
    tab.snapshot_button.click()
    assert tab.message_label.text() == "Snapshot (inside the guide) added to the Images tab."
    count = len(shown)
    qtbot.waitUntil(lambda: len(shown) > count, timeout=10_000)                  # the video still plays
    assert tab.is_running() and tab.start_button.text() == "Stop"


def test_beside_the_number_the_tab_says_what_it_left_out(qtbot, tab, glyphs, tmp_path):
    path = DigitVideo(glyphs, "305", seed=1, mark=True).write(tmp_path / "mark.avi", frames=30)
    shown = started(qtbot, tab, str(path))
    tab.stop()

    last = shown[-1].recognition
    assert last.text == "305"          # the '#' after the number is not read as a digit...
    assert tab.remarks_label.text() == "1 mark left out"    # ...and the tab says it saw it
    assert tab.reading_label.text() == "305"
    # a screen reader says the number and the remark themselves, not only what the labels are for
    assert QAccessible.queryAccessibleInterface(tab.reading_label).text(QAccessible.Text.Name) == "305"
    assert QAccessible.queryAccessibleInterface(tab.remarks_label).text(QAccessible.Text.Name) == "1 mark left out"


def test_a_video_that_cannot_be_played_does_not_leave_the_last_ones_picture_to_snapshot(qtbot, tab, clip, tmp_path):
    path, text = clip
    started(qtbot, tab, str(path))
    assert tab.snapshot_button.isEnabled() and tab.reading_label.text()
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40)   # a video's header, then noise
    tab.open_video(str(broken))
    qtbot.waitUntil(lambda: not tab.is_running(), timeout=TIMEOUT_MS)
    assert "broken.mp4" in tab.message_label.text()
    assert tab.view.recognition.digits == () and tab.reading_label.text() == ""   # not the last video's "305482"
    assert not tab.snapshot_button.isEnabled() and tab.take_snapshot() is None
