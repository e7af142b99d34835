"""Temperature scaling, thresholds and the scores the model card reports."""
import numpy as np

from training import calibrate


def overconfident(n=4000, true_t=2.5, seed=0):
    """Logits whose honest temperature is true_t: labels drawn from softmax(logits / true_t)."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(0, 4, size=(n, 11))
    p = calibrate.softmax(logits, true_t)
    y = np.array([rng.choice(11, p=row) for row in p])
    return logits, y


def test_temperature_scaling_recovers_an_overconfident_models_temperature():
    logits, y = overconfident()
    t = calibrate.fit_temperature(logits, y)
    assert 2.2 < t < 2.8
    before = calibrate.softmax(logits)
    after = calibrate.softmax(logits, t)
    correct = before.argmax(1) == y
    assert calibrate.expected_calibration_error(after.max(1), correct) < \
        calibrate.expected_calibration_error(before.max(1), correct) / 2


def test_the_confidence_shown_for_digits_is_fitted_on_digits_not_on_letters():
    """Ambiguous letters would ask for a softer temperature; the digits' own is what the app shows."""
    digit_logits, digit_y = overconfident(true_t=1.2)
    keep = digit_y != calibrate.NOT_DIGIT
    letters = np.random.default_rng(1).normal(0, 4, size=(4000, 11))  # anything goes: say "not a digit"
    logits = np.concatenate([digit_logits[keep], letters])
    y = np.concatenate([digit_y[keep], np.full(len(letters), calibrate.NOT_DIGIT)])
    assert calibrate.fit_temperature(logits, y) > 2.0  # all rows: far too soft for the digits
    assert 1.0 < calibrate.calibrate(logits, y)["temperature"] < 1.4


def test_auroc_matches_pairwise_counting():
    rng = np.random.default_rng(1)
    pos, neg = rng.random(60), rng.random(80) * 0.8
    pairs = (pos[:, None] > neg[None, :]).mean() + 0.5 * (pos[:, None] == neg[None, :]).mean()
    assert abs(calibrate.auroc(pos, neg) - pairs) < 1e-12
    assert calibrate.auroc(np.ones(3), np.zeros(3)) == 1.0


def test_refusal_threshold_refuses_at_most_the_allowed_share_of_digits():
    scores = np.random.default_rng(2).beta(0.5, 8, size=5000)
    t = calibrate.not_digit_threshold(scores, refuse=0.01)
    assert (scores >= t).mean() <= 0.01 and t >= 0.5


def test_unsure_threshold_catches_the_asked_share_of_misreadings():
    rng = np.random.default_rng(3)
    confidence = np.concatenate([rng.uniform(0.9, 1, 900), rng.uniform(0.3, 0.95, 100)])
    correct = np.r_[np.ones(900, bool), np.zeros(100, bool)]
    t = calibrate.unsure_threshold(confidence, correct, catch=0.8)
    assert (confidence[~correct] < t).mean() >= 0.8


def test_decide_refuses_only_from_the_threshold():
    p = np.zeros((2, 11))
    p[0, 10], p[0, 3] = 0.6, 0.4
    p[1, 10], p[1, 7] = 0.45, 0.55
    assert calibrate.decide(p, 0.5).tolist() == [10, 7]
    assert calibrate.decide(p, 0.7).tolist() == [3, 7]
