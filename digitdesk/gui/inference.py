"""Recognition off the GUI thread: InferenceWorker (in a QThread) and InferenceClient (GUI side).

The worker imports TensorFlow and loads the model in its own thread, after the
window is on screen, so the app opens at once. Requests go through a one-slot
mailbox: a new drawing replaces any request the worker has not started yet, so a
user who keeps drawing never waits for stale predictions and the result never
lags behind the pen. A drawing from the Draw tab comes with its pen strokes,
and is then read by its strokes (digits grouped by stroke, not by touching ink).
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Protocol

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal, Slot

from digitdesk.engine.results import Recognition
from digitdesk.engine.stroke_groups import PenStroke

Strokes = tuple[PenStroke, ...]


class RecognizerLike(Protocol):
    def recognize(self, image) -> Recognition: ...

    def recognize_strokes(self, strokes: Sequence[PenStroke]) -> Recognition: ...


def load_default_recognizer() -> RecognizerLike:
    """The bundled model; runs in the worker thread, which is where TensorFlow gets imported."""
    from digitdesk.engine.recognizer import Recognizer
    from digitdesk.engine.runner import shared_runner
    return Recognizer(shared_runner())


def detached(recognition: Recognition) -> Recognition:
    """A copy whose arrays nobody else holds, safe to hand to another thread."""
    return Recognition(digits=tuple(
        replace(d, probabilities=np.array(d.probabilities, copy=True), input28=np.array(d.input28, copy=True))
        for d in recognition.digits))


def copied(strokes: Sequence[PenStroke]) -> Strokes:
    """Strokes whose point arrays nobody else holds, safe to hand to another thread."""
    return tuple(PenStroke(np.array(s.points, dtype=np.float64, copy=True), float(s.width)) for s in strokes)


class Mailbox:
    """Holds only the newest request; `latest` is the id whose result is still wanted."""

    def __init__(self):
        self._lock = threading.Lock()
        self._item: tuple[int, np.ndarray | None, Strokes | None] | None = None
        self._latest = 0

    def put(self, request_id: int, image: np.ndarray | None, strokes: Strokes | None = None) -> None:
        with self._lock:
            self._item = (request_id, image, strokes)
            self._latest = request_id

    def take(self) -> tuple[int, np.ndarray, Strokes | None] | None:
        with self._lock:
            item, self._item = self._item, None
            return item

    def drop(self, newer_than: int) -> None:
        """Forget the pending request and mark every id up to `newer_than` stale."""
        with self._lock:
            self._item = None
            self._latest = max(self._latest, newer_than)

    def is_latest(self, request_id: int) -> bool:
        with self._lock:
            return request_id == self._latest


class InferenceWorker(QObject):
    """Owns the recognizer; lives in the inference thread. Never raises into Qt: errors become signals."""

    modelLoading = Signal()
    modelReady = Signal(float)             # seconds spent importing TF + loading + warming up
    modelFailed = Signal(str)
    resultReady = Signal(int, object, float)   # request id, Recognition, inference ms
    failed = Signal(int, str)              # request id, message for the user

    def __init__(self, mailbox: Mailbox, load_recognizer: Callable[[], RecognizerLike]):
        super().__init__()
        self._mailbox = mailbox
        self._load_recognizer = load_recognizer
        self._recognizer: RecognizerLike | None = None
        self._load_error: str | None = None
        self._load_attempted = False

    @Slot()
    def load(self) -> None:
        self.modelLoading.emit()
        started = time.perf_counter()
        try:
            self._recognizer = self._load_recognizer()
        except Exception as error:  # noqa: BLE001 - any failure must reach the status bar, not Qt
            self._load_error = f"Could not load the model: {error}"
            self.modelFailed.emit(self._load_error)
        else:
            self.modelReady.emit(time.perf_counter() - started)
        self._load_attempted = True
        self.process_pending()   # a drawing made while the model was loading

    @Slot()
    def process_pending(self) -> None:
        """Run the newest request, if it is still wanted (an older wake-up finds the box empty)."""
        if not self._load_attempted:   # load() runs it when done
            return
        item = self._mailbox.take()
        if item is None:
            return
        request_id, image, strokes = item
        if not self._mailbox.is_latest(request_id):
            return
        if self._recognizer is None:
            self.failed.emit(request_id, self._load_error or "The model is not loaded")
            return
        started = time.perf_counter()
        try:
            if strokes is None:
                recognition = detached(self._recognizer.recognize(image))
            else:
                recognition = detached(self._recognizer.recognize_strokes(strokes))
        except Exception as error:  # noqa: BLE001
            self.failed.emit(request_id, f"Recognition failed: {error}")
            return
        self.resultReady.emit(request_id, recognition, (time.perf_counter() - started) * 1000.0)


class InferenceClient(QObject):
    """The GUI thread's handle on the worker: request(image) -> id; results arrive as signals."""

    modelLoading = Signal()
    modelReady = Signal(float)
    modelFailed = Signal(str)
    resultReady = Signal(int, object, float)
    failed = Signal(int, str)

    _wake = Signal()
    _load = Signal()

    def __init__(self, load_recognizer: Callable[[], RecognizerLike] = load_default_recognizer,
                 parent: QObject | None = None):
        super().__init__(parent)
        self._mailbox = Mailbox()
        self._next_id = 0
        self._last_delivered = 0
        self._state = "idle"   # idle -> loading -> ready | failed; "stopped" after shutdown
        self._thread = QThread()
        self._thread.setObjectName("digitdesk-inference")
        self._worker = InferenceWorker(self._mailbox, load_recognizer)
        self._worker.moveToThread(self._thread)
        self._thread.finished.connect(self._worker.deleteLater)
        self._load.connect(self._worker.load)
        self._wake.connect(self._worker.process_pending)
        self._worker.modelLoading.connect(self._on_loading)
        self._worker.modelReady.connect(self._on_ready)
        self._worker.modelFailed.connect(self._on_failed)
        self._worker.resultReady.connect(self._on_result)
        self._worker.failed.connect(self._on_error)

    @property
    def state(self) -> str:
        return self._state

    def start(self) -> None:
        """Start the thread and load the model there; call after the window is shown."""
        if self._state != "idle":
            return
        self._state = "loading"
        self._thread.start()
        self._load.emit()

    def request(self, image: np.ndarray | None, strokes: Sequence[PenStroke] | None = None) -> int:
        """Queue `image` (copied) for recognition, replacing any request not started yet.

        With `strokes` (the drawing's pen strokes, copied) the drawing is read by its strokes, and
        no image is needed: the Draw tab then renders none on the GUI thread while the pen moves.
        """
        self._next_id += 1
        request_id = self._next_id
        if self._state == "stopped":
            return request_id
        self._mailbox.put(request_id, None if image is None else np.array(image, copy=True),
                          None if strokes is None else copied(strokes))
        self._wake.emit()
        return request_id

    def cancel(self) -> None:
        """Results of requests made so far are no longer wanted."""
        self._mailbox.drop(self._next_id)
        self._last_delivered = max(self._last_delivered, self._next_id)

    def is_running(self) -> bool:
        return self._thread.isRunning()

    def shutdown(self) -> None:
        """Stop the thread and wait for it, also with a request or the model load in flight."""
        if self._state == "stopped":
            return
        self._state = "stopped"
        self.cancel()
        if self._thread.isRunning():
            self._thread.quit()
            self._thread.wait()

    # relays (run in the GUI thread: the worker's signals are queued across threads)
    @Slot()
    def _on_loading(self) -> None:
        self.modelLoading.emit()

    @Slot(float)
    def _on_ready(self, seconds: float) -> None:
        if self._state != "stopped":
            self._state = "ready"
        self.modelReady.emit(seconds)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        if self._state != "stopped":
            self._state = "failed"
        self.modelFailed.emit(message)

    @Slot(int, object, float)
    def _on_result(self, request_id: int, recognition: Recognition, ms: float) -> None:
        if request_id <= self._last_delivered:  # an older answer than one already shown
            return
        self._last_delivered = request_id
        self.resultReady.emit(request_id, recognition, ms)

    @Slot(int, str)
    def _on_error(self, request_id: int, message: str) -> None:
        if request_id <= self._last_delivered:
            return
        self._last_delivered = request_id
        self.failed.emit(request_id, message)
