"""Handwriting: the app's side of personal profiles (corrections, undo, profiles), in the GUI thread.

Saving a correction is one SQLite transaction (a few ms); the model work it
causes (the sample's features, the profile's rebuild) waits for the next reading
in a reading thread (engine/live_profile.py). Every tab's reader shares the same
LiveProfile, so a correction made in one tab counts in all of them.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from digitdesk.data_dir import DEFAULT_PROFILE, data_dir
from digitdesk.engine.live_profile import LiveProfile
from digitdesk.engine.samples import SampleStore, SampleStoreError, profile_order, samples_text

PROFILE_KEY, ENABLED_KEY = "handwriting/profile", "handwriting/enabled"
UNDO_DEPTH = 50
SHORT_NAME = 24   # letters of a person's name shown in a label; the whole name goes in its tooltip
OUTSIDE_CHECK_MS = 2000   # how often the samples file is checked for changes made by another program


class ProfileWarmer(QObject):
    """Builds the profile (the model reads the check digits and the samples) in its own thread, so that
    neither the start-up nor the first correction of a session waits for it."""
    done = Signal()

    def __init__(self, live: LiveProfile):
        super().__init__()
        self._live = live

    @Slot()
    def run(self) -> None:
        try:
            self._live.ready()
        except Exception:  # noqa: BLE001 - no model: the readings say so; the profile waits for one
            pass
        self.done.emit()


class Handwriting(QObject):
    changed = Signal()       # samples, the chosen profile or the on/off switch changed
    undone = Signal(int)     # the sample id of a correction taken back (a tab may restore what it showed)
    message = Signal(str)    # what happened, for the status bar

    def __init__(self, store: SampleStore, settings=None, runner_factory: Callable[[], object] | None = None,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.store = store
        self.settings = settings
        name = str(settings.value(PROFILE_KEY, DEFAULT_PROFILE)) if settings is not None else DEFAULT_PROFILE
        enabled = settings is None or str(settings.value(ENABLED_KEY, "true")).lower() in ("true", "1")
        self._runner_factory = runner_factory   # None: the app's shared runner
        self.start_message: str | None = None    # for the status bar once the window shows
        name = self._chosen_at_start(name)
        self.live = LiveProfile(store, name, runner_factory, enabled=enabled)
        self._created = store.created(name)   # kept by a rename: finds this person renamed elsewhere
        self._undo: list[tuple[int, int, str]] = []   # (sample id, label, profile)
        self._warm_thread: QThread | None = None
        # Another DigitDesk window or the command line may change the samples file meanwhile: a sample
        # forgotten there must not go on swaying readings here, nor one taught there wait for a restart.
        self._outside_version = store.data_version()
        self._outside = QTimer(self)
        self._outside.timeout.connect(self.follow_outside_changes)
        self._outside.start(OUTSIDE_CHECK_MS)

    def _chosen_at_start(self, name: str) -> str:
        """Last run's person as the store spells it now; the default one, said, if they have gone since
        (unless the file could not be opened as it is: then nobody can tell, and the name stays)."""
        try:
            found = self.store.profile_named(name)
        except SampleStoreError:   # a settings file edited by hand
            found = DEFAULT_PROFILE
        if found != DEFAULT_PROFILE and found not in self.store.profiles() and self.store.notice is None:
            self.start_message = (f"The profile {name!r} is gone (renamed or forgotten by another program "
                                  "since the last run): reading with the default profile.")
            found = DEFAULT_PROFILE
        if found != name:
            self._remember(PROFILE_KEY, found)
        return found

    def follow_outside_changes(self) -> bool:
        """Reload the chosen profile if another program changed the samples file; True if it did. The
        person is known by when their profile was made, which a rename keeps: renamed there, they are
        followed here; removed there, the default person is read with."""
        version = self.store.data_version()
        if version is None or version == self._outside_version:
            return False
        self._outside_version = version
        name, now = self.profile_name, self.store.created(self.profile_name)
        changed_there = self._created not in (None, now)   # their profile is not the one this window knew
        renamed = self.store.find_created(self._created) if changed_there else None
        if renamed is not None:
            self._switch(renamed, old=name)
            self.message.emit(f"{name!r} was renamed to {renamed!r} by another program; reading with it.")
        elif changed_there:   # its samples forgotten there: nothing of it left to undo
            self._undo = [u for u in self._undo if u[2] != name]
            if now is None and name != DEFAULT_PROFILE:
                self._switch(DEFAULT_PROFILE)
                self.message.emit(f"{name!r} was removed by another program: reading with the default profile.")
            else:
                self.message.emit(f"The samples of {name!r} were forgotten or replaced by another program; "
                                  "reading with what it holds now.")
        if renamed is None and self.profile_name == name:   # the same person: rebuilt at the next reading
            self.live.switch(name)
            self._created = now
        self.changed.emit()
        return True

    def _switch(self, name: str, old: str | None = None) -> None:
        """Read with `name` from now on, and at the next start; `old`: the same person's former name."""
        if old is not None:
            self._undo = [(i, label, name if profile == old else profile) for i, label, profile in self._undo]
        self.live.switch(name)
        self._created = self.store.created(name)
        self._remember(PROFILE_KEY, name)

    @classmethod
    def open(cls, settings=None, app_location: str | None = None, **kwargs) -> Handwriting:
        """The store in the app-data folder ($DIGITDESK_DATA_DIR wins); problems end up in `notice`."""
        return cls(SampleStore(data_dir(app_location)), settings, **kwargs)

    @property
    def notice(self) -> str | None:
        """What went wrong opening the store (damaged file moved aside, read-only folder), or None."""
        return self.store.notice

    def close(self) -> None:
        self._outside.stop()
        self.shutdown()
        self.store.close()

    def warm_up(self) -> None:
        """Build the profile in the background (call once the model is loaded)."""
        if self._warm_thread is not None:
            return
        self._warm_thread = QThread()
        self._warm_thread.setObjectName("digitdesk-profile")
        worker = ProfileWarmer(self.live)
        worker.moveToThread(self._warm_thread)
        self._warm_thread.started.connect(worker.run)
        worker.done.connect(self._warm_thread.quit)
        self._warm_thread.finished.connect(worker.deleteLater)
        self._warmer = worker
        self._warm_thread.start()

    def shutdown(self) -> None:
        """Wait for the background build, if one runs (the window calls this when it closes)."""
        if self._warm_thread is not None and self._warm_thread.isRunning():
            self._warm_thread.quit()
            self._warm_thread.wait()

    # ---- reading ------------------------------------------------------------------------------
    def recognizer_loader(self):
        """For InferenceClient: the model's Recognizer reading with this profile (runs in the worker thread)."""
        from digitdesk.engine.recognizer import Recognizer
        from digitdesk.engine.runner import shared_runner
        return Recognizer((self._runner_factory or shared_runner)(), profile=self.live)

    # ---- the chosen profile ---------------------------------------------------------------------
    @property
    def profile_name(self) -> str:
        return self.live.name

    def whose(self) -> str:
        """'your' for the default person, else "Ana's" (a long name cut short): as labels name the handwriting."""
        name = self.profile_name
        if name == DEFAULT_PROFILE:
            return "your"
        return (name if len(name) <= SHORT_NAME else name[:SHORT_NAME - 1] + "…") + "'s"

    @property
    def profile_created(self) -> float | None:
        """When the chosen person's profile was made (None before their first sample)."""
        return self._created

    @property
    def enabled(self) -> bool:
        return self.live.enabled

    def set_enabled(self, on: bool) -> None:
        if on != self.live.enabled:
            self.live.enabled = bool(on)
            self._remember(ENABLED_KEY, "true" if on else "false")
            self.message.emit("Reading with your handwriting profile." if on else
                              "Reading without your handwriting profile.")
            self.changed.emit()

    def profiles(self) -> list[str]:
        """The store's profiles, the one chosen and the default person (always there to go back to)."""
        names = self.store.profiles()
        wanted = {self.profile_name, DEFAULT_PROFILE} - set(names)
        return sorted([*names, *wanted], key=profile_order) if wanted else names

    def use_profile(self, name: str, listed: bool = False) -> bool:
        """Switch to (and, if new, create) a profile; False with a message if the name is unusable.
        `listed`: picked from a list that may be out of date, so never made anew (renamed or removed by
        another program a moment ago: the list is refreshed and that is said)."""
        self.follow_outside_changes()
        if listed and name != DEFAULT_PROFILE and self.store.existing_profile(name) is None:
            self.message.emit(f"{name!r} is no longer there (renamed or removed by another program).")
            self.changed.emit()
            return False
        try:
            name = self.store.create_profile(name)
        except SampleStoreError as error:
            self.message.emit(str(error))
            return False
        if name != self.profile_name:
            self._switch(name)
            self.message.emit(f"Reading with the handwriting of {name!r}.")
            self.changed.emit()
        return True

    def rename_profile(self, new: str, asked: str | None = None) -> bool:
        """Give the chosen person another name (their samples and undo go with it); False, said, if refused.
        `asked`: the person the user was asking to rename."""
        if not self._still_chosen(asked, "Nothing renamed"):   # a rename or removal made elsewhere first
            return False
        old = self.profile_name
        try:
            new = self.store.rename_profile(old, new)
        except SampleStoreError as error:
            self.message.emit(str(error))
            return False
        if new != old:
            self._switch(new, old=old)
            self.message.emit(f"Renamed {old!r} to {new!r}.")
            self.changed.emit()
        return True

    def _still_chosen(self, asked: str | None, nothing: str = "Nothing deleted") -> bool:
        """False, said, when the person the user was asked about is no longer the one chosen (another
        program renamed or removed them while the question was open): nothing is done then."""
        self.follow_outside_changes()
        if asked is None or asked == self.profile_name:
            return True
        self.message.emit(f"{nothing}: {asked!r} was changed by another program meanwhile.")
        return False

    def remove_profile(self, only: list[int], asked: str | None = None) -> int:
        """Forget the chosen person's samples the user was shown and read as the default person again;
        someone else's samples added meanwhile keep the person listed. How many samples went. `asked`:
        the person the user confirmed for."""
        if not self._still_chosen(asked):
            return 0
        name = self.profile_name
        if name == DEFAULT_PROFILE:   # always there: whose a correction is until people are named
            return self.forget_profile(only)
        try:
            count = self.store.forget(name, only)
        except SampleStoreError as error:
            self.message.emit(str(error))
            return 0
        self._undo = [u for u in self._undo if u[2] != name]
        self._switch(DEFAULT_PROFILE)
        kept = name in self.store.profiles()
        stayed = " Samples added since you were asked keep it in the list." if kept else ""
        gone = f" and {samples_text(count)}" if count else ""
        self.message.emit(f"Removed {name!r}{gone}.{stayed}")
        self.changed.emit()
        return count

    def counts(self) -> list[int]:
        return self.store.counts(self.profile_name)

    def samples(self):
        return self.store.samples(self.profile_name)

    # ---- corrections ----------------------------------------------------------------------------
    def correct(self, input28: np.ndarray, label: int, source: str, read_as: int | None = None) -> int | None:
        """Save `input28` as a sample of `label` (a correction, or a confirmation when it was read as
        `label`); it counts from the next reading. Returns the sample id (the one saved before, if this
        picture was taught as this digit already), None if it could not be saved."""
        self.follow_outside_changes()   # renamed elsewhere a moment ago: to that person, not a new old name
        try:
            sample_id, added = self.store.add_new(self.profile_name, label, input28, source)
        except SampleStoreError as error:
            self.message.emit(str(error))
            return None
        if not added:   # kept once; Undo correction now takes back this one, the user's last
            self._undo = [u for u in self._undo if u[0] != sample_id] + [(sample_id, int(label), self.profile_name)]
            self.message.emit(f"Already taught: this picture is among the samples as a {label}.")
            return sample_id
        self.live.add(sample_id, label, input28)
        if self._created is None:   # the person's first sample made their profile: know them by it
            self._created = self.store.created(self.profile_name)
        self._undo = [*self._undo[-UNDO_DEPTH + 1:], (sample_id, int(label), self.profile_name)]
        kept = " for this session (it cannot be saved)" if self.store.read_only else ""
        what = f"Confirmed: it is a {label}" if read_as == label else f"Corrected: it is a {label}"
        if self.enabled:
            self.message.emit(f"{what}{kept}. Later readings use it; Undo correction takes it back.")
        else:   # saved, but promising a changed reading would be untrue while the profile is off
            self.message.emit(f"{what}{kept}. To read with it, turn on Handwriting > Use my handwriting.")
        self.changed.emit()
        return sample_id

    def can_undo(self) -> bool:
        return bool(self._undo)

    def undo(self) -> bool:
        """Take back the last correction."""
        if not self._undo:
            self.message.emit("No correction to undo.")
            return False
        sample_id, label, profile = self._undo.pop()
        try:
            deleted = self.store.delete(sample_id)
        except SampleStoreError as error:
            self.message.emit(str(error))
            return False
        if deleted and profile == self.profile_name:
            self.live.remove(sample_id)
        whose = "the" if profile == self.profile_name else f"{profile}'s"   # made before choosing another person
        self.message.emit(f"Undone: {whose} sample of {label} is gone." if deleted else
                          f"The correction to {label} was already gone (deleted or forgotten meanwhile).")
        self.undone.emit(sample_id)
        self.changed.emit()
        return True

    def delete_samples(self, sample_ids) -> int:
        deleted = 0
        try:
            for sample_id in sample_ids:
                if self.store.delete(sample_id):
                    self.live.remove(sample_id)
                    deleted += 1
        except SampleStoreError as error:
            self.message.emit(str(error))
        self._undo = [u for u in self._undo if u[0] not in set(sample_ids)]
        if deleted:
            self.message.emit(f"Deleted {samples_text(deleted)} of {self.profile_name!r}.")
            self.changed.emit()
        return deleted

    def forget_profile(self, only: list[int] | None = None, asked: str | None = None) -> int:
        """Delete every sample of the chosen profile (the profile itself stays), or `only` those the user
        was shown: any added since, by another window or `digitdesk teach`, are kept and said."""
        if not self._still_chosen(asked):
            return 0
        name = self.profile_name
        try:
            count = self.store.forget(name, only)
            self.store.create_profile(name)
            kept = sum(self.store.counts(name)) if only is not None else 0
        except SampleStoreError as error:
            self.message.emit(str(error))
            return 0
        self._undo = [u for u in self._undo if u[2] != name]
        self._switch(name)   # made again: a new `created` to know it by
        newer = f" {samples_text(kept)} added since you were asked stayed." if kept else ""
        self.message.emit(f"Forgot {samples_text(count)} of {name!r}.{newer}")
        self.changed.emit()
        return count

    # ---- files ------------------------------------------------------------------------------
    def export_archive(self, path: str) -> int:
        from digitdesk.engine.sample_files import write_archive
        return write_archive(self.samples(), path)

    def import_archive(self, path: str, looked_at: Callable[[int], None] | None = None,
                       stop: Callable[[], bool] | None = None,
                       profile: str | None = None,
                       created: float | None = None) -> tuple[int, int, int, list[str]] | None:
        """Add a zip's samples (PNGs in digit folders) to `profile` (the one chosen when the import began,
        else now): (added, already there, copies left out, problems). Any thread (gui/sample_import.py runs it off the
        GUI's), so it emits nothing: whoever called it says `changed` in the GUI thread. `looked_at(n)`
        after each picture; when `stop()` turns true, None and nothing added. `created`: that person's
        profile's, so a rename elsewhere meanwhile is followed."""
        profile = profile or self.profile_name
        from digitdesk.engine.sample_files import fresh_samples, from_archive
        problems: list[str] = []

        def pictures():
            for count, item in enumerate(from_archive(path), 1):
                if stop is not None and stop():
                    return
                if looked_at is not None:
                    looked_at(count)
                yield item
        fresh, copies, _ = fresh_samples(pictures(), lambda item: problems.append(f"{item.source}: {item.problem}"))
        if stop is not None and stop():
            return None
        new = [(item.label, item.image, f"import:{item.source}") for item in fresh]
        added = 0
        if new:   # those the profile holds, also any the command line added meanwhile, are left out as written
            try:
                profile = (self.store.find_created(created) if created is not None else None) or profile
                added = len(self.store.add_many(profile, new, new_only=True))
            except SampleStoreError as error:
                return 0, 0, 0, [str(error)]
            if profile == self.profile_name:
                self.live.switch(profile)
        return added, len(new) - added, copies, problems

    def _remember(self, key: str, value: str) -> None:
        if self.settings is not None:
            self.settings.set_value(key, value)
