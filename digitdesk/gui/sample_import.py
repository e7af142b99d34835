"""Importing a zip of samples off the GUI thread: 4,000 pictures take seconds to decode and prepare,
and a window that stops repainting for that long looks hung (and may be killed, losing the import)."""
from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Signal, Slot

PROGRESS_EVERY = 50   # pictures between two progress reports


class ImportWorker(QObject):
    """Runs Handwriting.import_archive in its thread (moveToThread); the store is thread-safe."""
    progress = Signal(int)    # pictures looked at so far
    done = Signal(object)     # (added, already there, copies left out, problems), or None when stopped: nothing added

    def __init__(self, handwriting, path: str, profile: str, created: float | None = None):
        super().__init__()
        self._handwriting = handwriting
        self._path = path
        self._profile, self._created = profile, created   # the person chosen when it began: theirs
        self._stop = threading.Event()

    def stop(self) -> None:
        """Any thread: give up before anything is written (the import is all or nothing)."""
        self._stop.set()

    @Slot()
    def run(self) -> None:
        def looked_at(count: int) -> None:
            if count % PROGRESS_EVERY == 0:
                self.progress.emit(count)
        try:
            result = self._handwriting.import_archive(self._path, looked_at=looked_at, stop=self._stop.is_set,
                                                      profile=self._profile, created=self._created)
        except Exception as error:   # whatever happens, say done: else the window stays "importing" for good
            result = (0, 0, 0, [f"{self._path}: could not be imported ({error})"])
        self.done.emit(result)
