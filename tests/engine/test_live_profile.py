"""The app's live profile: edits cost nothing until the next reading, which sees them all."""
import numpy as np
import pytest

from digitdesk.engine.live_profile import LiveProfile
from digitdesk.engine.personal import load_reference
from digitdesk.engine.samples import SampleStore
from tests.engine.fake_runner import FakeRunner


@pytest.fixture(scope="module")
def runner():
    return FakeRunner()   # counts its calls


@pytest.fixture(scope="module")
def misread(runner):
    """A check digit the stand-in model reads wrong, its right label, and the model's answer for it."""
    x, y = load_reference()
    p, f = runner.infer(x)
    i = int(np.flatnonzero(p[:, :10].argmax(axis=1) != y)[0])
    return x[i], int(y[i]), p[i:i + 1], f[i:i + 1]


def test_edits_wait_for_the_next_reading_which_sees_them(tmp_path, runner, misread):
    image, label, p, f = misread
    with SampleStore(tmp_path) as store:
        live = LiveProfile(store, "ana", lambda: runner)
        assert len(live) == 0
        np.testing.assert_array_equal(live.apply(p, f), p)      # nothing to apply: the model is not even run
        calls = runner.calls
        sample = store.add("ana", label, image, "draw")
        live.add(sample, label, image)
        assert runner.calls == calls and len(live) == 1         # the edit alone ran no model
        assert live.apply(p, f)[0, :10].argmax() == label        # the next reading uses it
        store.delete(sample)
        live.remove(sample)
        np.testing.assert_array_equal(live.apply(p, f), p)


def test_switching_person_reads_with_their_samples_and_off_reads_with_none(tmp_path, runner, misread):
    image, label, p, f = misread
    with SampleStore(tmp_path) as store:
        store.add("bob", label, image, "cli")
        live = LiveProfile(store, "ana", lambda: runner)
        np.testing.assert_array_equal(live.apply(p, f), p)
        live.switch("bob")
        assert len(live) == 1 and live.apply(p, f)[0, :10].argmax() == label
        live.enabled = False
        assert len(live) == 0
        np.testing.assert_array_equal(live.apply(p, f), p)
        live.enabled = True
        check = live.check()   # one sample: read without it, it is misread like without a profile
        assert check.samples == 1 and check.own_with == check.own_without == 0.0


def test_a_correction_saved_while_a_reload_is_queued_counts_once(tmp_path, runner, misread):
    """The first correction after picking a person reaches the profile twice: in the load and as an edit."""
    image, label, p, f = misread
    with SampleStore(tmp_path) as store:
        live = LiveProfile(store, "ana", lambda: runner)
        sample = store.add("ana", label, image, "draw")   # saved before the queued load runs
        live.add(sample, label, image)
        assert len(live.ready()) == 1 and len(live) == 1
        assert live.check().samples == 1


def test_an_edit_does_not_wait_while_a_reading_thread_builds_the_profile(tmp_path, misread):
    """Corrections are made in the GUI thread: building a profile (the model over every sample) must not
    hold them up, and the edit still counts from the next reading."""
    import threading

    image, label, p, f = misread
    started, release = threading.Event(), threading.Event()

    class Held(FakeRunner):
        def infer(self, batch):
            started.set()
            release.wait(10)
            return super().infer(batch)

    with SampleStore(tmp_path) as store:
        store.add("ana", label, image, "draw")
        live = LiveProfile(store, "ana", Held)
        reader = threading.Thread(target=live.ready)
        reader.start()
        assert started.wait(10)                     # the reading thread is inside the model
        done = threading.Event()
        editor = threading.Thread(target=lambda: (live.add(99, label, image), done.set()))
        editor.start()
        assert done.wait(2), "the edit waited for the profile to be built"
        release.set()
        reader.join(10)
        editor.join(10)
        assert len(live) == 2 and len(live.ready()) == 2


def test_a_profile_that_fails_to_build_keeps_its_queued_samples_for_the_next_reading(tmp_path, misread):
    """The queue was taken before the build: a model that failed once left the person with no samples."""
    image, label, p, f = misread
    attempts = []

    def flaky():
        attempts.append(1)
        if len(attempts) == 1:
            raise MemoryError("the model could not be loaded this time")
        return FakeRunner()

    with SampleStore(tmp_path) as store:
        for _ in range(3):
            store.add("ana", label, image, "draw")
        live = LiveProfile(store, "ana", flaky)
        with pytest.raises(MemoryError):
            live.ready()
        assert len(live.ready()) == 3 and len(live) == 3


def test_a_sample_removed_while_its_person_is_loading_never_makes_the_count_negative(tmp_path, misread):
    image, label, p, f = misread
    with SampleStore(tmp_path) as store:
        sample = store.add("ana", label, image, "draw")
        live = LiveProfile(store, "ana", lambda: FakeRunner())
        reading = store.samples

        def deleted_meanwhile(name):   # the GUI thread deletes it while the reading thread loads
            store.delete(sample)
            live.remove(sample)
            return reading(name)
        store.samples = deleted_meanwhile
        live.ready()
        assert len(live) == 0
