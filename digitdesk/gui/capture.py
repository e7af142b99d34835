"""Camera and video capture in its own thread: read a frame, read its digits, hand both to the UI.

``cv2.VideoCapture.read()`` blocks, and reading a frame's digits takes tens of
milliseconds, so both run in a worker QThread. The UI acknowledges each frame
it has shown; until it does, live frames are dropped rather than queued, so the
preview shows the latest frame and never lags behind the camera.

``read_frame`` is the per-frame work (colour conversion, optional guide crop,
downscale, one batched recognition, boxes mapped back to the frame); the
worker and ``benchmarks/bench_webcam.py`` share it.
"""
from __future__ import annotations

import glob
import re
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np
from PySide6.QtCore import QObject, Signal, Slot

from digitdesk.engine.results import Box, Recognition
from digitdesk.gui.inference import detached

GUIDE_FRACTION = (0.6, 0.4)   # guide rectangle: share of the frame's width and height, centred
RECOGNITION_MAX_SIDE = 640    # larger frames are downscaled before segmentation (speed)
PREFERRED_SIZE = (640, 480)   # asked of cameras; they may choose otherwise
PROBE_INDICES = range(4)      # camera indices tried where /dev/video* can't be listed
MAX_FAILED_READS = 15         # consecutive failed reads before a camera counts as disconnected
DEFAULT_VIDEO_FPS = 30.0


@dataclass(frozen=True)
class Camera:
    index: int
    label: str


@dataclass(frozen=True)
class FrameReading:
    """One processed frame as the UI receives it (all arrays are the worker's own copies)."""
    rgb: np.ndarray            # (H, W, 3) uint8, the whole frame
    recognition: Recognition   # boxes in the whole frame's pixel coordinates
    guide: Box | None          # the guide rectangle, when only its inside was read
    fps: float                 # frames read per second, recently


def guide_rect(width: int, height: int) -> Box:
    """The centred rectangle the user holds digits inside when the guide is on."""
    w, h = int(width * GUIDE_FRACTION[0]), int(height * GUIDE_FRACTION[1])
    return Box((width - w) // 2, (height - h) // 2, w, h)


def _moved(recognition: Recognition, scale: float, dx: int, dy: int) -> Recognition:
    """Boxes read in a crop/downscale, expressed in the original frame's pixels."""
    if scale == 1.0 and dx == 0 and dy == 0:
        return recognition
    digits = []
    for d in recognition.digits:
        b = d.box
        box = Box(int(round(b.x / scale)) + dx, int(round(b.y / scale)) + dy,
                  max(1, int(round(b.w / scale))), max(1, int(round(b.h / scale))))
        digits.append(replace(d, box=box))
    return Recognition(digits=tuple(digits))


def read_frame(recognizer, bgr: np.ndarray, use_guide: bool = False,
               max_side: int = RECOGNITION_MAX_SIDE) -> tuple[np.ndarray, Recognition, Box | None]:
    """Read the digits of one BGR camera frame: (RGB frame, recognition in frame coordinates, guide)."""
    rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    height, width = rgb.shape[:2]
    guide = guide_rect(width, height) if use_guide else None
    region = rgb[guide.y:guide.y + guide.h, guide.x:guide.x + guide.w] if guide else rgb
    scale = min(1.0, max_side / max(region.shape[:2]))
    if scale < 1.0:
        size = (max(1, round(region.shape[1] * scale)), max(1, round(region.shape[0] * scale)))
        region = cv2.resize(region, size, interpolation=cv2.INTER_AREA)
    recognition = detached(recognizer.recognize(region))
    return rgb, _moved(recognition, scale, guide.x if guide else 0, guide.y if guide else 0), guide


def _device_label(index: int) -> str:
    name_file = Path(f"/sys/class/video4linux/video{index}/name")
    try:
        name = name_file.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        name = ""
    return f"Camera {index}" + (f" ({name})" if name else "")


def list_cameras() -> list[Camera]:
    """Cameras this machine offers. On Linux /dev/video* is listed (no device is opened);
    elsewhere indices 0..3 are opened briefly, so call this from a worker thread."""
    if sys.platform.startswith("linux"):
        indices = sorted(int(m.group(1)) for p in glob.glob("/dev/video*")
                         if (m := re.fullmatch(r"/dev/video(\d+)", p)))
        return [Camera(i, _device_label(i)) for i in indices]
    found = []
    for index in PROBE_INDICES:
        capture = cv2.VideoCapture(index)
        try:
            if capture.isOpened():
                found.append(Camera(index, f"Camera {index}"))
        finally:
            capture.release()
    return found


class CameraProbe(QObject):
    """Lists cameras off the UI thread (probing can take a second per index on some systems)."""
    found = Signal(object)   # list[Camera]

    @Slot()
    def run(self) -> None:
        try:
            cameras = list_cameras()
        except Exception:   # a broken driver must not take the tab down: just offer no camera
            cameras = []
        self.found.emit(cameras)


def open_capture(source: int | str) -> cv2.VideoCapture:
    """A cv2 capture for a camera index (asking for 640x480) or a video file path."""
    if isinstance(source, int):
        capture = cv2.VideoCapture(source)
        if capture.isOpened():
            capture.set(cv2.CAP_PROP_FRAME_WIDTH, PREFERRED_SIZE[0])
            capture.set(cv2.CAP_PROP_FRAME_HEIGHT, PREFERRED_SIZE[1])
        return capture
    return cv2.VideoCapture(str(source))


def describe_source(source: int | str) -> str:
    return f"camera {source}" if isinstance(source, int) else Path(source).name


class CaptureWorker(QObject):
    """Reads frames from a camera index or a video file until stopped; lives in its own QThread.

    ``stop``, ``set_guide``, ``set_loop``, ``set_paced`` and ``frame_shown`` are called from
    the UI thread while ``run`` loops, so they only set flags (Events, or plain attributes
    the loop reads afresh each frame).
    """
    frame = Signal(object)     # FrameReading
    status = Signal(str)       # "Reading camera 0" once the first frame has been read
    failed = Signal(str)       # could not open, or the camera stopped sending frames
    ended = Signal(str)        # a video file reached its end (and looping is off)
    finished = Signal()        # the loop returned and the capture is released

    def __init__(self, source: int | str, recognizer=None, *, use_guide: bool = False,
                 loop_video: bool = True, paced: bool = True):
        super().__init__()
        self.source = source
        self.is_camera = isinstance(source, int)
        self._recognizer = recognizer
        self._use_guide = use_guide
        self.loop_video = loop_video
        self.paced = paced            # video files: play at the file's frame rate, else as fast as read
        self._stop = threading.Event()
        self._shown = threading.Event()
        self._shown.set()
        self._paused = threading.Event()
        self._times: deque[float] = deque(maxlen=30)
        self._capture = None

    # -- called from the UI thread -------------------------------------------------------------
    def stop(self) -> None:
        self._stop.set()
        self._shown.set()

    def set_guide(self, on: bool) -> None:
        self._use_guide = bool(on)

    def set_loop(self, on: bool) -> None:
        """Loop the video or not, from the next time it reaches its end."""
        self.loop_video = bool(on)

    def set_paced(self, on: bool) -> None:
        """Play at the file's frame rate (True) or read every frame as fast as possible, from the next frame."""
        self.paced = bool(on)

    def frame_shown(self) -> None:
        """The UI has displayed the last frame: the next one may be read and sent."""
        self._shown.set()

    def set_paused(self, paused: bool) -> None:
        """Freeze: stop reading digits (a camera is still drained so unfreezing shows the present)."""
        if paused:
            self._paused.set()
        else:
            self._paused.clear()

    # -- the capture thread ----------------------------------------------------------------------
    def _open(self):
        return open_capture(self.source)

    def _recognizer_ready(self):
        if self._recognizer is None:
            from digitdesk.engine.recognizer import Recognizer
            self._recognizer = Recognizer()
        return self._recognizer

    def _fps(self) -> float:
        self._times.append(time.perf_counter())
        if len(self._times) < 2:
            return 0.0
        return (len(self._times) - 1) / max(1e-6, self._times[-1] - self._times[0])

    def _open_failure(self) -> str:
        if self.is_camera:
            return (f"Could not open camera {self.source}: it is missing, in use by another program, "
                    "or not allowed. To read digits from a recording instead, open a video file.")
        return (f"Could not open {Path(self.source).name}: not a video this app can play. "
                "Try an MP4, AVI or MJPEG file.")

    @Slot()
    def run(self) -> None:
        self._capture = None
        try:
            self._capture = self._open()
            if not self._capture.isOpened():
                self.failed.emit(self._open_failure())
                return
            self._loop()
        except Exception as exc:   # no crash: the tab shows the reason and offers another source
            self.failed.emit(f"Capture stopped: {exc}")
        finally:
            if self._capture is not None:
                self._capture.release()
                self._capture = None
            self.finished.emit()

    def _loop(self) -> None:
        capture = self._capture
        recognizer = self._recognizer_ready()
        fps = capture.get(cv2.CAP_PROP_FPS) if not self.is_camera else 0.0
        interval = 1.0 / (fps if 1.0 <= fps <= 240.0 else DEFAULT_VIDEO_FPS)
        start, index, failures, frames_read, sent = time.perf_counter(), 0, 0, 0, 0
        pass_read = 0   # frames read since the file was last opened: a reopened file that gives none is gone
        was_paced = self.paced
        while not self._stop.is_set():
            ok, bgr = capture.read()
            if not ok or bgr is None:
                if self.is_camera:
                    failures += 1
                    if failures >= MAX_FAILED_READS:
                        self.failed.emit(f"Camera {self.source} stopped sending frames (unplugged?). "
                                         "Start it again, or open a video file instead.")
                        return
                    self._stop.wait(0.02)
                    continue
                if frames_read == 0:
                    self.failed.emit(f"{Path(self.source).name} holds no frame this app can decode.")
                    return
                if not self.loop_video:
                    self.ended.emit(f"End of {Path(self.source).name}.")
                    return
                capture.release()
                capture = self._capture = self._open()
                if pass_read == 0 or not capture.isOpened():   # deleted, moved or its drive unplugged
                    self.failed.emit(f"{Path(self.source).name} can no longer be read (moved or deleted?). "
                                     "Choose it again, or another source.")
                    return
                start, index, pass_read = time.perf_counter(), 0, 0
                continue
            failures = 0
            frames_read += 1
            pass_read += 1
            if self._paused.is_set():
                if not self.is_camera:   # a video waits where it is; its clock restarts on resume
                    while self._paused.is_set() and not self._stop.wait(0.05):
                        pass
                    start = time.perf_counter() - index * interval
                continue
            paced = self.paced
            if paced and not was_paced:   # back from full speed: the file's clock restarts at this frame
                start = time.perf_counter() - index * interval
            was_paced = paced
            due = start + index * interval
            index += 1
            if not self.is_camera and paced:
                late = time.perf_counter() - due
                if late < 0:
                    if self._stop.wait(-late):
                        break
                elif late > interval:
                    continue          # behind the file's clock: drop, the next frame is more current
            if not self._shown.is_set():
                if self.is_camera or paced:
                    continue          # the UI is still busy with the last frame: latest wins
                while not self._shown.wait(0.05) and not self._stop.is_set():
                    pass
                if self._stop.is_set():
                    break
            rgb, recognition, guide = read_frame(recognizer, bgr, self._use_guide)
            self._shown.clear()
            self.frame.emit(FrameReading(rgb, recognition, guide, self._fps()))
            sent += 1
            if sent == 1:   # the model is loaded and frames flow: say so once
                self.status.emit(f"Reading {describe_source(self.source)}")
