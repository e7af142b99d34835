"""The Webcam tab: point a camera (or play a video file) at written digits and read them live.

Capture and recognition run in a CaptureWorker thread; this widget only shows
what arrives and acknowledges each frame, so frames are dropped, never queued,
when it can't keep up. The camera is released whenever the user can't see the
tab (Stop, another tab, closing the window).
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
from PySide6.QtCore import QThread, Qt, Signal, Slot
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFileDialog, QHBoxLayout, QLabel, QPushButton,
                               QVBoxLayout, QWidget)

from digitdesk.engine.results import Recognition
from digitdesk.gui.annotated_view import AnnotatedView
from digitdesk.gui.capture import Camera, CameraProbe, CaptureWorker, FrameReading, describe_source
from digitdesk.gui.colours import ERROR_TEXT, UNSURE_TEXT, colour_text

VIDEO_FILTER = "Videos (*.mp4 *.avi *.mov *.mkv *.webm *.m4v *.mjpg *.mjpeg);;All files (*)"
CHOOSE_VIDEO = "Video file…"
NO_CAMERA = "No camera found. To read digits from a recording instead, open a video file."
IDLE = "Press Start, then hold written digits in front of the camera."
GUIDE_KEY = "webcam/guide"


class WebcamTab(QWidget):
    snapshot = Signal(object)     # RGB uint8 frame (a copy) for the Images tab
    frameShown = Signal(object)   # FrameReading, after it is on screen
    stopped = Signal()            # the capture thread has finished and released its source

    def __init__(self, settings=None, parent=None):
        super().__init__(parent)
        self._settings = settings
        self._thread: QThread | None = None
        self._worker: CaptureWorker | None = None
        self._retired: list[CaptureWorker] = []   # stopped workers whose last signals are still queued
        self._probe_thread: QThread | None = None
        self._cameras_listed = False
        self._last: FrameReading | None = None
        self.profile = None   # a LiveProfile (engine/live_profile.py) the frames are read with

        self.source_combo = QComboBox()
        self.source_combo.setMinimumWidth(220)
        self.source_combo.setAccessibleName("Camera or video source")
        self.source_combo.addItem(CHOOSE_VIDEO, None)
        self.source_combo.activated.connect(self._on_source_activated)
        self.source_combo.currentIndexChanged.connect(self._remember_source)
        self._picked: int | str | None = None   # the last real source shown in the list
        self.start_button = QPushButton("Start")
        self.start_button.clicked.connect(self._toggle)
        self.freeze_button = QPushButton("Freeze")
        self.freeze_button.setCheckable(True)
        self.freeze_button.setEnabled(False)
        self.freeze_button.setToolTip("Hold the current frame and its reading")
        self.freeze_button.toggled.connect(self._on_freeze)
        self.snapshot_button = QPushButton("Snapshot")
        self.snapshot_button.setEnabled(False)
        self.snapshot_button.setToolTip("Add the current frame to the Images tab")
        self.snapshot_button.clicked.connect(self.take_snapshot)
        self.guide_check = QCheckBox("Guide")
        self.guide_check.setToolTip("Only read digits inside the rectangle in the middle of the picture")
        self.guide_check.setChecked(self._setting_bool(GUIDE_KEY))
        self.guide_check.toggled.connect(self._on_guide)
        self.loop_check = QCheckBox("Loop video")
        self.loop_check.setChecked(True)
        self.loop_check.setToolTip("Start a video file again when it ends")
        self.loop_check.toggled.connect(self._on_loop)
        self.full_speed_check = QCheckBox("Full speed")
        self.full_speed_check.setToolTip("Video files: read every frame as fast as possible instead of "
                                         "playing at the file's own frame rate")
        self.full_speed_check.toggled.connect(self._on_full_speed)

        controls = QHBoxLayout()
        source_label = QLabel("&Source")
        source_label.setBuddy(self.source_combo)   # Alt+S, and a screen reader names the list by it
        controls.addWidget(source_label)
        controls.addWidget(self.source_combo)
        for widget in (self.start_button, self.freeze_button, self.snapshot_button, self.guide_check,
                       self.loop_check, self.full_speed_check):
            controls.addWidget(widget)
        controls.addStretch(1)

        self.message_label = QLabel(IDLE)
        self.message_label.setWordWrap(True)
        self.video_button = QPushButton("Open a video file…")   # the action the messages above name
        self.video_button.setVisible(False)
        self.video_button.clicked.connect(self.choose_video)
        messages = QHBoxLayout()
        messages.addWidget(self.message_label, 1)
        messages.addWidget(self.video_button)

        self.view = AnnotatedView(placeholder="No picture yet")
        self.view.setAccessibleName("Camera picture with the digits found")
        self.reading_label = QLabel("")   # a dash once frames are read and none holds a digit
        font = self.reading_label.font()
        font.setPointSize(28)
        font.setBold(True)
        self.reading_label.setFont(font)
        # a label's accessible name is its text unless one is set: a screen reader says the number itself
        self.reading_label.setAccessibleDescription("Number read")
        self.reading_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # what the number alone does not say: a doubt about where its digits part (an orange number at
        # 100 % reads as a contradiction without it), marks left out of it
        self.remarks_label = QLabel("")
        self.remarks_label.setAccessibleDescription("About the number read")
        self.fps_label = QLabel("")
        self.fps_label.setAccessibleDescription("Frames per second")
        bottom = QHBoxLayout()
        bottom.setSpacing(14)
        bottom.addWidget(self.reading_label)
        bottom.addWidget(self.remarks_label, 1)
        bottom.addWidget(self.fps_label)

        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addLayout(messages)
        layout.addWidget(self.view, 1)
        layout.addLayout(bottom)

    # -- sources ----------------------------------------------------------------------------------
    def refresh_cameras(self) -> None:
        """List cameras in a short-lived thread (probing may open devices, which can be slow)."""
        if self._probe_thread is not None:
            return
        self._probe_thread = QThread()
        self._probe_thread.setObjectName("digitdesk-camera-probe")
        probe = CameraProbe()
        probe.moveToThread(self._probe_thread)
        self._probe_thread.started.connect(probe.run)
        probe.found.connect(self._on_cameras)
        self._probe = probe
        self._probe_thread.start()

    @Slot(object)
    def _on_cameras(self, cameras: list[Camera]) -> None:
        self._cameras_listed = True
        if self._probe_thread is not None:
            self._probe_thread.quit()
            self._probe_thread.wait()
            self._probe_thread = self._probe = None
        for i in reversed(range(self.source_combo.count())):
            if isinstance(self.source_combo.itemData(i), int):
                self.source_combo.removeItem(i)
        for position, camera in enumerate(cameras):
            self.source_combo.insertItem(position, camera.label, camera.index)
        self.source_combo.setCurrentIndex(0)
        if not cameras and not self.is_running():
            self._show_problem(NO_CAMERA)

    def current_source(self) -> int | str | None:
        return self.source_combo.currentData()

    def _select_video(self, path: str) -> None:
        index = self.source_combo.findData(path)
        if index < 0:
            index = self.source_combo.count() - 1     # just above "Video file…"
            self.source_combo.insertItem(index, Path(path).name, path)
            self.source_combo.setItemData(index, path, Qt.ItemDataRole.ToolTipRole)
        self.source_combo.setCurrentIndex(index)

    def choose_video(self) -> None:
        start = self._settings.last_dir if self._settings is not None else str(Path.home())
        path, _ = QFileDialog.getOpenFileName(self, "Read digits from a video", start, VIDEO_FILTER)
        if path:
            if self._settings is not None:
                self._settings.last_dir = str(Path(path).parent)
            self.open_video(path)

    def open_video(self, path: str | Path) -> None:
        """Use a video file as the source and start playing it."""
        self._select_video(str(path))
        self.start(str(path))

    def _remember_source(self, index: int) -> None:
        if self.source_combo.itemData(index) is not None:
            self._picked = self.source_combo.itemData(index)

    def _on_source_activated(self, index: int) -> None:
        if self.source_combo.itemData(index) is None:
            self.choose_video()
            if self.current_source() is None:   # dialog cancelled: show the source still in use again
                back = self._worker.source if self._worker is not None else self._picked
                if back is not None and self.source_combo.findData(back) >= 0:
                    self.source_combo.setCurrentIndex(self.source_combo.findData(back))
        elif self.is_running():
            self.start(self.source_combo.itemData(index))

    # -- start / stop -----------------------------------------------------------------------------
    def is_running(self) -> bool:
        return self._thread is not None

    def start(self, source: int | str | None = None) -> None:
        """Start reading from a camera index or a video file (default: the source picked in the list)."""
        source = self.current_source() if source is None else source
        if source is None:
            self.choose_video()
            return
        self._release()
        self._thread = QThread()
        self._thread.setObjectName("digitdesk-capture")
        from digitdesk.engine.recognizer import Recognizer   # the model itself loads in the capture thread
        worker = CaptureWorker(source, Recognizer(profile=self.profile), use_guide=self.guide_check.isChecked(),
                               loop_video=self.loop_check.isChecked(),
                               paced=not self.full_speed_check.isChecked())
        worker.moveToThread(self._thread)
        self._thread.started.connect(worker.run)
        worker.finished.connect(self._thread.quit)
        worker.frame.connect(self._on_frame)
        worker.status.connect(self._on_status)
        worker.failed.connect(self._on_failed)
        worker.ended.connect(self._on_ended)
        worker.finished.connect(self._on_worker_finished)
        self._worker = worker
        self.freeze_button.setChecked(False)
        self._forget_picture()   # the last source's frame stays no longer: it is not this one's
        self._set_message(f"Opening {describe_source(source)}…")
        self.video_button.setVisible(False)
        self.start_button.setText("Stop")
        self.freeze_button.setEnabled(True)
        self._thread.start()

    def stop(self, reason: str = "tab left") -> None:
        """Stop capturing (not at the user's request: another tab, a minimised window) and say so.

        The message replaces "Reading …", which would otherwise stay beside a Start button.
        """
        video = self._worker is not None and not self._worker.is_camera
        if self._release():
            again = "play the video from the beginning" if video else "resume"
            self._set_message(f"Stopped ({reason}). Press Start to {again}.")

    def _release(self) -> bool:
        """Stop capturing and release the camera or file (waits for the capture thread); True if it ran."""
        worker, thread = self._worker, self._thread
        self._worker, self._thread = None, None
        if worker is not None:
            worker.stop()
            self._retired.append(worker)   # alive until its queued `finished` is handled (see there)
        if thread is not None:
            thread.quit()
            thread.wait()   # the objects go with their last Python reference, now that the thread is done
            self.stopped.emit()
        self.start_button.setText("Start")
        self.freeze_button.setEnabled(False)
        self.fps_label.setText("")
        return thread is not None

    def shutdown(self) -> None:
        """Stop everything this tab started (the window calls this on close)."""
        self._release()
        if self._probe_thread is not None:
            self._probe_thread.quit()
            self._probe_thread.wait()
            self._probe_thread = self._probe = None

    def _toggle(self) -> None:
        if self.is_running():
            self._release()
            self._set_message("Stopped.")
        else:
            self.start()

    # -- worker signals ---------------------------------------------------------------------------
    def _from_current(self) -> bool:
        return self._worker is not None and self.sender() is self._worker

    @Slot(object)
    def _on_frame(self, reading: FrameReading) -> None:
        if not self._from_current():
            return
        if not self.freeze_button.isChecked():
            self._show(reading)
            self.fps_label.setText(f"{reading.fps:.1f} fps")
            self.snapshot_button.setEnabled(True)
            self.frameShown.emit(reading)
        self._worker.frame_shown()

    def _show(self, reading: FrameReading) -> None:
        """A frame and its reading on screen: the picture with its boxes, the number and what it leaves out."""
        self._last = reading
        self.view.set_image(reading.rgb, reading.recognition, reading.guide)
        rec = reading.recognition
        colours = UNSURE_TEXT if rec.status == "unsure" else None
        self.reading_label.setText(rec.text or "–")
        colour_text(self.reading_label, colours)
        self.remarks_label.setText("; ".join(rec.remarks).capitalize())
        colour_text(self.remarks_label, colours)

    def show_corrected(self, recognition: Recognition) -> None:
        """A digit of the frozen frame was corrected: show it so at once, as the other tabs do (a running
        camera's next frame is read with the correction anyway)."""
        if self.freeze_button.isChecked() and self._last is not None:
            self._show(replace(self._last, recognition=recognition))

    @Slot(str)
    def _on_status(self, text: str) -> None:
        if self._from_current():
            self._set_message(text)

    @Slot(str)
    def _on_failed(self, text: str) -> None:
        if self._from_current():
            self._show_problem(text)

    @Slot(str)
    def _on_ended(self, text: str) -> None:
        if self._from_current():
            self._set_message(text + " Press Start to play it again.")

    @Slot()
    def _on_worker_finished(self) -> None:
        """A stopped worker is kept until now: were it freed earlier, a new worker could take its
        address and sender() would mistake this stale signal for the new worker's, stopping it."""
        self._retired = [w for w in self._retired if w is not self.sender()]
        if self._from_current():
            self._release()   # the worker ended on its own (end of video, failure): its message stays

    # -- controls ---------------------------------------------------------------------------------
    def _on_guide(self, on: bool) -> None:
        if self._worker is not None:
            self._worker.set_guide(on)
        if self._settings is not None:
            self._settings.set_value(GUIDE_KEY, bool(on))

    def _on_loop(self, on: bool) -> None:
        """Applies to the video already playing: the capture loop reads this flag when the file ends."""
        if self._worker is not None:
            self._worker.set_loop(on)

    def _on_full_speed(self, on: bool) -> None:
        """Applies to the video already playing: the capture loop reads this flag every frame."""
        if self._worker is not None:
            self._worker.set_paced(not on)

    def _on_freeze(self, frozen: bool) -> None:
        if self._worker is not None:
            self._worker.set_paused(frozen)
        self.freeze_button.setText("Resume" if frozen else "Freeze")
        if frozen:   # no frames while it holds one: a rate would be a stale number
            self.fps_label.setText("frozen")

    def _forget_picture(self) -> None:
        """No frame on screen, nor its reading, until the new source sends one (Snapshot waits too)."""
        self._last = None
        self.view.clear()
        self.reading_label.setText("")
        colour_text(self.reading_label, None)
        self.remarks_label.setText("")
        self.snapshot_button.setEnabled(False)

    def take_snapshot(self) -> np.ndarray | None:
        """Send the frame on screen (the guide's inside, when the guide is on) to the Images tab."""
        if self._last is None:
            return None
        frame, guide = self._last.rgb, self._last.guide
        if guide is not None:
            frame = frame[guide.y:guide.y + guide.h, guide.x:guide.x + guide.w]
        still = np.array(frame, copy=True)
        self.snapshot.emit(still)
        self._set_message("Snapshot (inside the guide) added to the Images tab." if guide is not None
                          else "Snapshot added to the Images tab.")
        return still

    # -- messages and visibility --------------------------------------------------------------------
    def _set_message(self, text: str) -> None:
        self.message_label.setText(text)
        colour_text(self.message_label, None)

    def _show_problem(self, text: str) -> None:
        self.message_label.setText(text)
        colour_text(self.message_label, ERROR_TEXT)
        self.video_button.setVisible(True)

    def _setting_bool(self, key: str) -> bool:
        if self._settings is None:
            return False
        return str(self._settings.value(key, False)).lower() in ("true", "1")

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._cameras_listed:
            self.refresh_cameras()

    def hideEvent(self, event) -> None:
        """Another tab, or a minimised window: release the camera (nobody is watching)."""
        self.stop("window minimised" if self.window().isMinimized() else "tab left")
        super().hideEvent(event)

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)
