"""Handwriting (the GUI's side of the samples): following changes another program makes to the file."""
import numpy as np

from digitdesk.engine.samples import SampleStore
from digitdesk.gui.handwriting import Handwriting
from digitdesk.gui.settings import AppSettings


def picture(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (28, 28), dtype=np.uint8)


def test_samples_forgotten_or_taught_by_another_program_count_here_without_a_restart(qtbot, tmp_path):
    other = SampleStore(tmp_path)   # another DigitDesk window, or `digitdesk teach` / `profile forget`
    hw = Handwriting(SampleStore(tmp_path))
    try:
        hw.correct(picture(1) / 255.0, 7, "draw")
        assert len(hw.live) == 1 and not hw.follow_outside_changes()   # its own corrections are no news
        other.add("default", 2, picture(2), "cli")
        with qtbot.waitSignal(hw.changed, timeout=10_000):   # checked every few seconds, on its own
            pass
        assert len(hw.live) == 2
        other.forget("default")
        qtbot.waitUntil(lambda: len(hw.live) == 0, timeout=10_000)   # a forgotten sample sways nothing here
    finally:
        other.close()
        hw.close()


def test_a_person_renamed_by_another_program_is_followed_and_their_next_correction_joins_them(qtbot, tmp_path):
    settings = AppSettings(tmp_path / "digitdesk.ini")
    other = SampleStore(tmp_path)
    hw = Handwriting(SampleStore(tmp_path), settings)
    said = []
    hw.message.connect(said.append)
    try:
        assert hw.use_profile("ana")
        hw.correct(picture(1) / 255.0, 7, "draw")
        other.rename_profile("ana", "Ana Lopez")      # `digitdesk profile rename ana "Ana Lopez"`
        qtbot.waitUntil(lambda: hw.profile_name == "Ana Lopez", timeout=10_000)
        assert said[-1] == "'ana' was renamed to 'Ana Lopez' by another program; reading with it."
        assert len(hw.live) == 1 and settings.value("handwriting/profile") == "Ana Lopez"
        hw.correct(picture(2) / 255.0, 1, "draw")
        assert other.profiles() == ["Ana Lopez"] and sum(other.counts("Ana Lopez")) == 2   # not split in two
        assert hw.undo() and len(hw.live) == 1
        other.forget("Ana Lopez")                     # `digitdesk profile forget "Ana Lopez"`
        qtbot.waitUntil(lambda: hw.profile_name == "default", timeout=10_000)
        assert said[-1] == "'Ana Lopez' was removed by another program: reading with the default profile."
        assert not hw.undo() and said[-1] == "No correction to undo."
    finally:
        other.close()
        hw.close()


def test_a_profile_gone_since_the_last_run_is_said_and_the_default_one_read_with(qtbot, tmp_path):
    settings = AppSettings(tmp_path / "digitdesk.ini")
    settings.set_value("handwriting/profile", "ana")   # chosen last time; renamed from the shell since
    with SampleStore(tmp_path) as store:
        store.add("Ana Lopez", 3, picture(3), "cli")
    hw = Handwriting(SampleStore(tmp_path), settings)
    try:
        assert hw.profile_name == "default" and hw.profiles() == ["Ana Lopez", "default"]   # no empty 'ana'
        assert hw.start_message.startswith("The profile 'ana' is gone")
        assert AppSettings(settings.path).value("handwriting/profile") == "default"
    finally:
        hw.close()


def test_undoing_a_correction_forgotten_elsewhere_says_so(qtbot, tmp_path):
    hw = Handwriting(SampleStore(tmp_path))
    said = []
    hw.message.connect(said.append)
    try:
        sample = hw.correct(picture(1) / 255.0, 3, "draw")
        hw.store.delete(sample)   # as `digitdesk profile forget` does, from its own connection
        assert hw.undo() and said[-1] == "The correction to 3 was already gone (deleted or forgotten meanwhile)."
    finally:
        hw.close()
