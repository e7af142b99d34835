"""The profile the app reads with: one person's samples from the store, shared by every tab's reader.

Building a profile runs the model (the check digits, then every sample), so it
happens in the first reading thread that needs it, never in the GUI thread. Edits
(a correction saved, undone, another person picked) only queue up and cost the
GUI thread nothing, not even a wait while a reading thread builds the profile
(the queue has its own lock); the next reading applies them before it reads, so
a correction counts from the very next reading. Qt-free; thread-safe.
"""
from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np

from digitdesk.engine.personal import FeatureSpace, Guards, PersonalProfile, ProfileCheck


class LiveProfile:
    """A PersonalProfile that follows a SampleStore: `apply` for readers, edits for the GUI."""

    def __init__(self, store, name: str, runner_factory: Callable[[], object] | None = None,
                 guards: Guards | None = None, enabled: bool = True):
        self.store = store
        self.guards = guards or Guards()
        self.enabled = enabled
        self._runner_factory = runner_factory
        self._lock = threading.Lock()     # the queue of edits, name and count: held for microseconds
        self._work = threading.Lock()     # building the profile and applying edits: the model runs
        self._name = name
        self._count = sum(store.counts(name))
        self._pending: list[tuple] = [("load", name)]
        self._profile: PersonalProfile | None = None
        self._space: FeatureSpace | None = None

    @property
    def name(self) -> str:
        return self._name

    def __len__(self) -> int:
        """How many samples the profile holds (cheap: readers skip the profile while it is 0)."""
        return max(0, self._count) if self.enabled else 0

    # ---- edits (any thread; the GUI's) ------------------------------------------------------
    def add(self, sample_id: int, label: int, image: np.ndarray) -> None:
        with self._lock:
            self._pending.append(("add", int(sample_id), int(label), np.array(image, copy=True)))
            self._count += 1

    def remove(self, sample_id: int) -> None:
        with self._lock:
            self._pending.append(("remove", int(sample_id)))
            self._count = max(0, self._count - 1)

    def switch(self, name: str) -> None:
        """Read with another person's samples (or the same ones again, after a change in the store)."""
        with self._lock:
            self._name = name
            self._count = sum(self.store.counts(name))
            self._pending = [("load", name)]

    # ---- reading (the reading threads) ------------------------------------------------------
    def apply(self, probabilities: np.ndarray, features: np.ndarray,
              not_digit_threshold: float | None = None) -> np.ndarray:
        if not len(self):
            return np.array(probabilities, np.float32, copy=True)
        return self.ready().apply(probabilities, features, not_digit_threshold)

    def check(self, not_digit_threshold: float | None = None) -> ProfileCheck:
        """How the profile reads its own samples and other people's digits (runs the model: not the GUI thread)."""
        profile = self.ready()
        if not_digit_threshold is None:
            calibration = getattr(profile.runner, "calibration", None)
            not_digit_threshold = calibration.not_digit_threshold if calibration else None
        return profile.check(not_digit_threshold)

    def ready(self) -> PersonalProfile:
        """The up-to-date profile: built on first use, queued edits applied."""
        with self._work:
            if self._profile is None:   # before the queue is taken: a failed build loses no edit
                from digitdesk.engine.runner import shared_runner
                runner = (self._runner_factory or shared_runner)()
                self._space = self._space or FeatureSpace.fit(runner, dims=self.guards.dims)
                self._profile = PersonalProfile(runner, self._space, self.guards)
            with self._lock:
                pending, self._pending = self._pending, []
            for done, edit in enumerate(pending):
                try:
                    if edit[0] == "load":
                        self._profile.load(self.store.samples(edit[1]))
                    elif edit[0] == "add":
                        self._profile.add(*edit[1:])
                    else:
                        self._profile.remove(edit[1])
                except BaseException:   # the rest waits for the next reading, ahead of newer edits
                    with self._lock:
                        self._pending[:0] = pending[done:]
                    raise
            with self._lock:   # edits queued meanwhile keep their place in the count
                if not any(edit[0] == "load" for edit in self._pending):
                    self._count = max(0, len(self._profile) + sum(1 if edit[0] == "add" else -1
                                                                  for edit in self._pending))
            return self._profile
