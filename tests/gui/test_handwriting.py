"""Handwriting (the GUI's side of the samples): following changes another program makes to the file."""
import numpy as np
import pytest

from digitdesk.engine.samples import SampleStore
from digitdesk.gui.handwriting import Handwriting
from digitdesk.gui.settings import AppSettings


def picture(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (28, 28), dtype=np.uint8)


@pytest.fixture
def listened(qtbot, tmp_path):
    """A Handwriting on a fresh store, and every message it says (closed after the test)."""
    hw = Handwriting(SampleStore(tmp_path))
    said = []
    hw.message.connect(said.append)
    yield hw, said
    hw.close()


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


def test_undoing_a_correction_forgotten_elsewhere_says_so(listened):
    hw, said = listened
    sample = hw.correct(picture(1) / 255.0, 3, "draw")
    hw.store.delete(sample)   # as `digitdesk profile forget` does, from its own connection
    assert hw.undo() and said[-1] == "The correction to 3 was already gone (deleted or forgotten meanwhile)."


@pytest.fixture
def two_programs(tmp_path):
    """This window's Handwriting, another program's store on the same samples file, and what the window said."""
    hw, other, said = Handwriting(SampleStore(tmp_path), AppSettings(tmp_path / "digitdesk.ini")), \
        SampleStore(tmp_path), []
    hw.message.connect(said.append)
    yield hw, other, said
    other.close()
    hw.close()


def test_what_the_user_does_right_after_a_rename_elsewhere_goes_to_the_renamed_person(qtbot, two_programs):
    hw, other, said = two_programs
    hw.use_profile("ann")
    hw.correct(picture(1) / 255.0, 7, "draw")
    other.rename_profile("ann", "Anna")          # a moment ago, before the window's next check
    hw.correct(picture(2) / 255.0, 1, "draw")    # not to a new, second 'ann'
    assert other.profiles() == ["Anna"] and sum(other.counts("Anna")) == 2 and hw.profile_name == "Anna"
    other.rename_profile("Anna", "Annabel")
    assert hw.rename_profile("Annie")            # the person renamed again, not an empty new one
    assert other.profiles() == ["Annie"] and sum(other.counts("Annie")) == 2
    hw.forget_profile()                          # made again, emptied ...
    other.rename_profile("Annie", "Anne")        # ... and renamed elsewhere: still followed
    qtbot.waitUntil(lambda: hw.profile_name == "Anne", timeout=10_000)


def test_a_question_answered_after_the_person_changed_elsewhere_deletes_nothing(qtbot, two_programs):
    hw, other, said = two_programs
    hw.use_profile("ann")
    shown = [hw.correct(picture(1) / 255.0, 7, "draw")]
    other.rename_profile("ann", "Anna")          # while "Remove 'ann'?" was open
    assert hw.remove_profile(shown, asked="ann") == 0 and sum(other.counts("Anna")) == 1
    assert said[-1] == "Nothing deleted: 'ann' was changed by another program meanwhile."


def test_the_default_person_cannot_be_renamed_onto_someone_else_nor_shadowed_by_its_capitalised_name(two_programs):
    hw, other, said = two_programs
    other.add("Ben", 4, picture(4), "cli")
    assert not hw.rename_profile("ben") and hw.profile_name == "default"   # no sample yet, Ben stays Ben's
    assert hw.use_profile("Default") and hw.profile_name == "default"
    assert other.profiles() == ["Ben", "default"]


def test_last_runs_person_in_another_letter_case_is_chosen_again_without_a_word(tmp_path):
    settings = AppSettings(tmp_path / "digitdesk.ini")
    settings.set_value("handwriting/profile", "ben")
    with SampleStore(tmp_path) as store:
        store.add("Ben", 3, picture(3), "cli")
    hw = Handwriting(SampleStore(tmp_path), settings)
    try:
        assert hw.profile_name == "Ben" and hw.start_message is None
    finally:
        hw.close()


def test_a_rename_confirmed_after_the_person_went_elsewhere_renames_nobody(qtbot, two_programs):
    hw, other, said = two_programs
    hw.correct(picture(1) / 255.0, 7, "draw")          # the default person's sample
    hw.use_profile("ben")
    hw.correct(picture(2) / 255.0, 2, "draw")
    other.forget("ben")                                # while "New name for 'ben'" was open
    assert not hw.rename_profile("Benjamin", asked="ben")
    assert said[-1] == "Nothing renamed: 'ben' was changed by another program meanwhile."
    assert other.profiles() == ["default"] and sum(other.counts("default")) == 1   # default left alone
    assert not hw.use_profile("ben", listed=True)     # picked from a list shown before: not made anew
    assert said[-1] == "'ben' is no longer there (renamed or removed by another program)."
    assert other.profiles() == ["default"] and hw.profile_name == "default"


def test_an_import_goes_to_its_person_even_when_renamed_elsewhere_meanwhile(tmp_path, two_programs):
    import zipfile

    import cv2
    hw, other, _ = two_programs
    hw.use_profile("ben")
    hw.correct(picture(1) / 255.0, 7, "draw")
    archive = tmp_path / "mine.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("3/a.png", cv2.imencode(".png", picture(3))[1].tobytes())
    started_for = (hw.profile_name, hw.profile_created)   # as the window takes them when it starts
    other.rename_profile("ben", "Benjamin")               # while the zip is being read
    added, _, _, _ = hw.import_archive(str(archive), profile=started_for[0], created=started_for[1])
    assert added == 1 and other.profiles() == ["Benjamin"] and sum(other.counts("Benjamin")) == 2


def test_the_same_correction_made_twice_is_one_sample_and_the_second_says_so(listened):
    """Confirming a 3 twice (F2, 3, F2, 3) must not count it twice, nor let it vouch for itself in the
    check of the profile's own samples; Undo then takes back that 3, the user's last correction, not the
    one before it. The same picture as another digit is a new answer, kept."""
    hw, said = listened
    first = hw.correct(picture(1) / 255.0, 3, "draw", read_as=3)
    hw.correct(picture(2) / 255.0, 7, "draw")
    assert hw.correct(picture(1) / 255.0, 3, "draw", read_as=3) == first   # shown as corrected again
    assert said[-1] == "Already taught: this picture is among the samples as a 3."
    assert hw.store.counts("default")[3] == 1 and len(hw.live) == 2
    assert hw.undo() and said[-1] == "Undone: the sample of 3 is gone."
    assert hw.store.counts("default")[3] == 0 and hw.store.counts("default")[7] == 1
    assert hw.undo() and hw.store.counts("default")[7] == 0 and not hw.can_undo()
    hw.correct(picture(1) / 255.0, 3, "draw")
    assert hw.correct(picture(1) / 255.0, 5, "draw") is not None       # changed their mind: a 5 after all
    assert hw.store.counts("default")[5] == 1 and hw.store.counts("default")[3] == 1


def test_undoing_a_correction_made_for_another_person_says_whose_it_was(listened):
    hw, said = listened
    hw.correct(picture(1) / 255.0, 9, "draw")
    hw.use_profile("Ana")
    assert hw.undo() and said[-1] == "Undone: default's sample of 9 is gone."
    hw.correct(picture(2) / 255.0, 4, "draw")
    assert hw.undo() and said[-1] == "Undone: the sample of 4 is gone."
