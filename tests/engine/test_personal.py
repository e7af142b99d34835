"""Personal profiles: a correction changes the next reading of digits like it, and nothing else."""
import numpy as np
import pytest

from digitdesk.engine.personal import FeatureSpace, Guards, PersonalProfile, load_reference
from digitdesk.engine.recognizer import Recognizer
from tests.engine import images
from tests.engine.fake_runner import FakeRunner

GUARDS = Guards(radius=1.5)   # the fake's features are coarser than the model's: its digits lie further apart


@pytest.fixture(scope="module")
def runner():
    return FakeRunner()


@pytest.fixture(scope="module")
def space(runner):
    return FeatureSpace.fit(runner)


@pytest.fixture(scope="module")
def reference(runner):
    x, y = load_reference()
    p, f = runner.infer(x)
    return x, y, p, f


def misread(reference, label=None):
    """Indexes of check digits the fake model reads wrong (of one digit, if given)."""
    x, y, p, _ = reference
    wrong = p[:, :10].argmax(axis=1) != y
    return np.flatnonzero(wrong & ((y == label) if label is not None else True))


def nudged(image, seed=0):
    """The same drawing a little different: what the hand produces the next time."""
    noise = np.random.default_rng(seed).normal(0, 0.05, image.shape).astype(np.float32)
    return np.clip(image * 0.9 + noise, 0, 1)


def test_an_empty_profile_changes_nothing(runner, space, reference):
    x, _, p, f = reference
    np.testing.assert_array_equal(PersonalProfile(runner, space, GUARDS).apply(p, f, 0.5), p)


def test_a_correction_changes_the_next_reading_of_a_digit_like_it(runner, space, reference):
    x, y, p, _ = reference
    i = misread(reference)[0]
    again = nudged(x[i])
    before = runner.classify(again[None])[0, :10].argmax()
    assert before != y[i]                       # the model misreads this hand's digit, again and again
    profile = PersonalProfile(runner, space, GUARDS)
    profile.add(1, int(y[i]), x[i])
    after = profile.apply(*runner.infer(again[None]), 0.5)
    assert after[0, :10].argmax() == y[i]


def test_readings_out_of_a_samples_reach_are_left_exactly_as_they_were(runner, space, reference):
    x, y, p, f = reference
    profile = PersonalProfile(runner, space, GUARDS)
    i = misread(reference)[0]
    profile.add(1, int(y[i]), x[i])
    swayed = profile.apply(p, f, 0.5)
    distance = 1 - space.embed(f) @ space.embed(runner.infer(x[i:i + 1])[1])[0]
    reach = GUARDS.radius * space.scale
    far = distance >= reach
    assert far.sum() > 100 and (~far).sum() >= 1
    np.testing.assert_array_equal(swayed[far], p[far])                         # bit for bit
    assert not np.array_equal(swayed[~far], p[~far])
    towards = swayed[~far, y[i]] >= p[~far, y[i]]
    assert towards.all()                                                       # only ever towards the sample's digit


def test_a_refused_piece_right_on_a_taught_sample_reads_as_taught(runner, space, reference):
    """A style the model refuses (a long-flagged 1) reads as the user taught it, once taught."""
    x, y, p, f = reference
    profile = PersonalProfile(runner, space, GUARDS)
    profile.add(1, int(y[0]), x[0])
    refused = p[:1].copy()
    refused[0] = 0.001
    refused[0, 10] = 0.99                     # the model's verdict on this piece: not a digit
    rescued = profile.apply(refused, f[:1], not_digit_threshold=0.5)[0]
    assert rescued[10] < 0.5 and int(rescued[:10].argmax()) == int(y[0])


def test_a_refused_piece_not_close_to_any_sample_stays_refused_and_untouched(runner, space, reference):
    x, y, p, f = reference
    profile = PersonalProfile(runner, space, GUARDS)
    profile.add(1, int(y[0]), x[0])
    z = space.embed(f)
    far = int(np.argmin(z @ z[0]))            # the reference digit least like the taught one
    refused = p[far:far + 1].copy()
    refused[0] = 0.001
    refused[0, 10] = 0.99
    np.testing.assert_array_equal(profile.apply(refused, f[far:far + 1], not_digit_threshold=0.5), refused)


def test_a_refused_piece_only_near_a_sample_stays_refused(runner, space, reference):
    """A writer's letters often look like their digits: a sample must lie right by a refused piece
    (within half its reach) to make it a digit, not merely within reach."""
    x, y, p, f = reference
    z = space.embed(f)
    closeness = 1 - (1 - z @ z.T) / (GUARDS.radius * space.scale)    # 1 on a sample, 0 at its reach
    within_reach_not_near = (closeness > 0.25) & (closeness < GUARDS.rescue - 0.05)
    taught = int(np.flatnonzero(within_reach_not_near.any(axis=1))[0])
    near = np.flatnonzero(within_reach_not_near[taught])
    profile = PersonalProfile(runner, space, GUARDS)
    profile.add(1, int(y[taught]), x[taught])
    refused = np.full((len(near), 11), 0.001, np.float32)
    refused[:, int(y[taught])] = 0.29          # a digit the model half believes, the sample's own
    refused[:, 10] = 0.7                       # ...but it refuses the piece
    np.testing.assert_array_equal(profile.apply(refused, f[near], not_digit_threshold=0.5), refused)


def test_two_lookalike_digits_of_one_hand_split_the_ground_between_them(runner, space, reference):
    """Teaching a 7 right next to a taught 1 stops the 1 from pulling that 7's readings."""
    x, y, p, f = reference
    z = space.embed(f)
    ones, sevens = np.flatnonzero(y == 1), np.flatnonzero(y == 7)
    similarity = z[ones] @ z[sevens].T
    a, b = np.unravel_index(similarity.argmax(), similarity.shape)
    one, seven = ones[a], sevens[b]            # the 1 and the 7 that look most alike
    profile = PersonalProfile(runner, space, GUARDS)
    profile.add(1, 1, x[one])
    alone = profile.apply(p[seven:seven + 1], f[seven:seven + 1])[0]
    assert alone[1] > p[seven, 1]               # the 1 alone reaches the 7 ...
    profile.add(2, 7, x[seven])
    both = profile.apply(p[seven:seven + 1], f[seven:seven + 1])[0]
    assert both[1] / both[7] <= p[seven, 1] / p[seven, 7]   # ... not once the hand's 7 is known


def test_undoing_a_correction_restores_the_readings(runner, space, reference):
    x, y, p, f = reference
    profile = PersonalProfile(runner, space, GUARDS)
    i = misread(reference)[0]
    profile.add(10, int(y[i]), x[i])
    assert not np.array_equal(profile.apply(p, f), p)
    assert profile.remove(10) and not profile.remove(10)
    np.testing.assert_array_equal(profile.apply(p, f), p)
    assert len(profile) == 0


def test_the_check_says_what_the_profile_gains_on_its_own_samples(runner, space, reference):
    """A hand that writes one digit its own way, four times: each is read right thanks to the other three."""
    x, y, p, _ = reference
    i = misread(reference)[0]
    profile = PersonalProfile(runner, space, GUARDS)
    profile.add_many([(n, int(y[i]), nudged(x[i], seed=n)) for n in range(4)])
    check = profile.check(not_digit_threshold=0.5)
    assert check.samples == 4
    assert check.own_without == 0.0 and check.own_with == 1.0
    assert abs(check.others_without - (p[:, :10].argmax(1) == y).mean()) < 1e-9
    assert 0.0 <= check.others_with <= 1.0
    assert "Your samples: 100.0% with your profile, 0.0% without" in check.summary()


def test_a_big_profile_is_checked_a_block_at_a_time_with_the_same_figures(runner, space, reference, monkeypatch):
    """Thousands of imported samples are measured in blocks (memory grows with the samples, not their
    square); the figures the window shows must not depend on where the blocks fall."""
    import digitdesk.engine.personal as personal
    x, y, _, _ = reference
    samples = [(n, int(y[n % len(y)]), nudged(x[n % len(y)], seed=n)) for n in range(300)]

    def checked():
        profile = PersonalProfile(runner, space, GUARDS)
        profile.add_many(samples)
        state = profile._state
        # each sample's reach by its definition, all pairs at once: margin x its nearest other digit, at most radius
        other = np.where(state.labels[:, None] != state.labels[None, :], 1.0 - state.z @ state.z.T, np.inf)
        reach = np.minimum(GUARDS.radius * space.scale, GUARDS.margin * other.min(axis=1))
        np.testing.assert_allclose(state.inverse_radius, 1.0 / reach, rtol=1e-5)
        return profile.check(not_digit_threshold=0.5), state.inverse_radius, profile._leave_one_out(state, 0.5)

    whole, reach, own = checked()
    monkeypatch.setattr(personal, "BLOCK", 7)
    blocked, blocked_reach, blocked_own = checked()
    assert blocked == whole
    np.testing.assert_allclose(blocked_reach, reach, rtol=1e-5)   # every sample's reach, every reading
    np.testing.assert_allclose(blocked_own, own, atol=1e-5)


def test_samples_the_model_refuses_count_as_read_wrong_without_the_profile(runner, space):
    """A faint 1 the model refuses as "not a digit", taught four times: without the profile none of them
    is read (the app says "doesn't look like a digit"), though 1 is the likeliest of the ten digits."""
    faint = np.zeros((28, 28), np.float32)
    faint[6:22, 13:15] = 0.35
    p = runner.classify(faint[None])[0]
    assert p[10] >= 0.5 and p[:10].argmax() == 1           # refused, and 1 the best digit
    profile = PersonalProfile(runner, space, GUARDS)
    profile.add_many([(n, 1, np.roll(faint, n - 2, axis=1)) for n in range(4)])   # drawn a little apart
    assert profile.check(not_digit_threshold=0.5).own_without == 0.0


def test_one_sample_is_not_measured_as_a_profile_reading_nothing_right(runner, space, reference):
    """One correction of a misread digit would score "0 % with your profile, 0 % without": true, and alarming."""
    x, y, _, _ = reference
    i = misread(reference)[0]
    profile = PersonalProfile(runner, space, GUARDS)
    profile.add_many([(1, int(y[i]), x[i])])
    summary = profile.check(not_digit_threshold=0.5).summary()
    assert summary.startswith("1 sample so far") and "0%" not in summary.split(".")[0]


def test_an_empty_profile_checks_as_no_samples(runner, space):
    check = PersonalProfile(runner, space, GUARDS).check()
    assert check.samples == 0 and check.own_with is None and "No samples yet" in check.summary()


def test_the_recognizer_reads_with_the_profile_and_without_it_when_switched_off(runner, space):
    drawing = images.canvas_digit(4)
    plain = Recognizer(runner).recognize(drawing).digits[0]
    right = int(np.argsort(plain.probabilities)[-2])   # this hand's 4 means the model's second guess
    profile = PersonalProfile(runner, space, GUARDS)
    profile.add(1, right, plain.input28)
    recognizer = Recognizer(runner, profile=profile)
    assert recognizer.recognize(drawing).digits[0].digit == right
    profile.enabled = False
    reading = recognizer.recognize(drawing).digits[0]
    assert reading.digit == plain.digit
    np.testing.assert_array_equal(reading.probabilities, plain.probabilities)


def test_a_reading_the_model_is_sure_of_is_overruled_only_by_the_very_drawing_corrected(runner, space, reference):
    """Samples near a reading decide it only below the guards' ceiling (the model's top digit probability);
    above it, only a sample right on it (the user corrected this very drawing: closeness >= override)."""
    x, y, p, f = reference
    profile = PersonalProfile(runner, space, GUARDS)
    profile.add(1, 3, x[0])
    sure, unsure = np.full(11, 0.01, np.float32), np.full(11, 0.05, np.float32)
    sure[5] = 0.90                                 # the model: a 5, 91 % of the digit probability
    unsure[5] = 0.40                               # a 5, 47 %
    both = np.stack([sure, unsure])
    other = np.flatnonzero(y == y[0])[1]
    near = 0.7 * f[:1] + 0.3 * f[other:other + 1]  # near the sample of 3 (closeness ~0.8), not on it
    swayed = profile.apply(both, np.repeat(near, 2, axis=0), 0.5)
    np.testing.assert_array_equal(swayed[0], both[0])
    assert swayed[1, :10].argmax() == 3
    on_it = profile.apply(both, np.repeat(f[:1], 2, axis=0), 0.5)
    assert on_it[0, :10].argmax() == 3 and on_it[1, :10].argmax() == 3


def test_the_very_picture_corrected_reads_as_corrected_however_sure_the_model_is(runner, space, reference):
    """A bonus cannot outweigh a 99.999 % reading, so a sure 0 corrected to 5 stayed 0 (the status bar had
    said 'later readings use it'); the identical picture now reads as the user said, refused or not."""
    x, y, p, f = reference
    profile = PersonalProfile(runner, space, GUARDS)
    profile.add(1, 5, x[0])
    sure, refused = np.full(11, 1e-9, np.float32), np.full(11, 1e-9, np.float32)
    sure[0], refused[10] = 1.0, 1.0
    read = profile.apply(np.stack([sure, refused]), np.repeat(f[:1], 2, axis=0), 0.5)
    assert list(read.argmax(axis=1)) == [5, 5]
    profile.add(2, 6, x[0])                          # corrected again, differently: the newest word counts
    assert profile.apply(sure[None], f[:1], 0.5).argmax() == 6
    nearly = profile.apply(sure[None], nudged(f[:1], 3), 0.5)   # a different drawing: the guards decide
    assert nearly.argmax() == 0


def test_with_the_bundled_model_a_taught_hand_is_read_its_way_and_other_digits_are_not(real_runner):
    """A 7 drawn like a flagged 1, which the model reads as an unsure 1: one sample makes it a 7; clear
    digits of other kinds, drawn by the same hand, read as before."""
    drawn, seven = images.drawn, images.FLAGGED_SEVEN
    first = Recognizer(real_runner).recognize(drawn(seven)).digits[0]
    if first.digit == 7:
        pytest.skip(f"the bundled model reads this shape as {first.digit} ({first.confidence:.0%}): no lesson")
    space = FeatureSpace.fit(real_runner)
    assert space.scale > 0 and (space.reference_probabilities[:, :10].argmax(1) == space.reference_labels).mean() > 0.97
    profile = PersonalProfile(real_runner, space)
    profile.add(1, 7, first.input28)
    personal = Recognizer(real_runner, profile=profile)
    assert personal.recognize(drawn(seven, seed=1)).digits[0].digit == 7      # the next one, a little different
    for digit in (0, 3, 8):
        page = images.canvas_digit(digit, size=(400, 300), thickness=22)
        plain = Recognizer(real_runner).recognize(page).digits[0]
        np.testing.assert_array_equal(personal.recognize(page).digits[0].probabilities, plain.probabilities)


def test_the_bundled_model_measures_in_its_own_writers_space(real_runner):
    """The space shipped beside the model was fitted for this model: a model retrained without
    `python -m training.profile_space` would fall back to the check digits' PCA and lose what the
    profile gains (BENCHMARKS.md, "Personal profiles")."""
    assert FeatureSpace.fit(real_runner).kind == "training writers"


DAMAGE = ["garbage", "truncated", "a bit flipped", "an .npy", "integers", "NaN mean", "zero basis", "other model",
          "other size"]


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_or_foreign_space_file_falls_back_and_profiles_still_work(tmp_path, damage):
    """Whatever lies beside the model, a profile still reads its user's samples: the space file is
    only used when it is whole, sound and fitted for this very model."""
    import shutil

    from digitdesk.engine.personal import SPACE_SUFFIX
    from digitdesk.engine.runner import LiteRTRunner
    from digitdesk.paths import calibration_path, litert_model_path
    pytest.importorskip("ai_edge_litert", reason="the LiteRT runtime is not installed")
    model = tmp_path / litert_model_path().name
    shutil.copy(litert_model_path(), model)
    shutil.copy(calibration_path(), model.with_suffix(".json"))
    shipped = litert_model_path().with_name(litert_model_path().stem + SPACE_SUFFIX)
    target = model.with_name(model.stem + SPACE_SUFFIX)
    with np.load(shipped) as saved:
        arrays = dict(saved)
    if damage == "garbage":
        target.write_bytes(b"not a numpy file at all")
    elif damage == "truncated":
        target.write_bytes(shipped.read_bytes()[:5000])
    elif damage == "a bit flipped":      # in the first array's header: numpy's own parser fails on it
        data = bytearray(shipped.read_bytes())
        data[66] ^= 1 << 6
        target.write_bytes(bytes(data))
    elif damage == "an .npy":
        np.save(target.with_suffix(".npy"), arrays["basis"])
        target.with_suffix(".npy").rename(target)
    else:
        if damage == "integers":
            arrays = {k: v.astype(np.int32) for k, v in arrays.items()}
        elif damage == "NaN mean":
            arrays["mean"][0] = np.nan
        elif damage == "zero basis":
            arrays["basis"][:] = 0
        elif damage == "other model":
            arrays["fingerprint"] = np.random.default_rng(0).random(arrays["fingerprint"].shape, np.float32)
        else:
            arrays["basis"] = arrays["basis"][:, :64]
        np.savez(target, **arrays)
    runner = LiteRTRunner(model)
    space = FeatureSpace.fit(runner)
    assert space.kind == "check digits" and space.scale > 0
    x, y = load_reference()
    profile = PersonalProfile(runner, space)
    profile.add(1, (int(y[0]) + 1) % 10, x[0])        # the user says this very picture is another digit
    p, f = runner.infer(x[:1])
    assert profile.apply(p, f).argmax() == (int(y[0]) + 1) % 10
