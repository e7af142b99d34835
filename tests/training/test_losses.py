"""The energy-margin term acts on the two tails only: weak digits and digit-like negatives."""
import numpy as np
import pytest


def _losses(y, logits, weight=0.1):
    from training.losses import energy_margin_loss
    return np.asarray(energy_margin_loss(weight, -7.0, -4.0)(np.array(y), np.array(logits, np.float32)))


def _cross_entropy(y, logits):
    z = np.array(logits, np.float64)
    z -= z.max(axis=1, keepdims=True)
    return -(z[np.arange(len(y)), y] - np.log(np.exp(z).sum(axis=1)))


def _logits(digit_logit: float, not_digit: float) -> list[float]:
    """Ten digit logits (the 3 at digit_logit, the rest at 0) and the "not a digit" logit."""
    row = [0.0] * 11
    row[3], row[10] = digit_logit, not_digit
    return row


def test_sure_digits_and_clear_negatives_cost_the_cross_entropy_alone():
    y = [3, 10]
    logits = [_logits(12.0, 0.0), [-8.0] * 10 + [4.0]]   # energies about -12 and +5.7: inside both margins
    np.testing.assert_allclose(_losses(y, logits), _cross_entropy(y, logits), rtol=1e-5, atol=1e-6)


def test_a_weak_digit_and_a_digit_like_negative_pay_for_their_energy():
    weak_digit, digit_like = _logits(3.0, 0.0), _logits(9.0, 9.5)   # energies about -3.9 and -9.0
    y, logits = [3, 10], [weak_digit, digit_like]
    extra = _losses(y, logits) - _cross_entropy(y, logits)
    energy = -np.log(np.exp(np.array(logits)[:, :10]).sum(axis=1))
    assert extra == pytest.approx(0.1 * np.array([energy[0] + 7.0, -4.0 - energy[1]]) ** 2, rel=1e-4)
    assert (extra > 0.5).all()


def test_weight_zero_is_plain_cross_entropy():
    y, logits = [3, 10], [_logits(3.0, 0.0), _logits(9.0, 9.5)]
    np.testing.assert_allclose(_losses(y, logits, weight=0.0), _cross_entropy(y, logits), rtol=1e-5)
