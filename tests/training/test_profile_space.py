"""The profile space: one writer's drawings of one digit close together, different digits apart."""
import numpy as np

from training.profile_space import writer_space


def nearest_is_same_digit(z, labels, writers):
    """Share of drawings whose nearest other drawing by the same writer is of the same digit."""
    z = z / np.linalg.norm(z, axis=1, keepdims=True)
    similarity = z @ z.T
    np.fill_diagonal(similarity, -np.inf)
    similarity[writers[:, None] != writers[None, :]] = -np.inf
    return float((labels[similarity.argmax(axis=1)] == labels).mean())


def test_a_writers_own_digit_is_nearer_than_their_other_digits_once_the_noise_is_whitened():
    """Features where a big nuisance (how hard the pen pressed, say) varies within every writer's
    digit and a small signal tells the digits apart: measured raw, the nuisance decides who is near;
    in the fitted space the digit does."""
    rng = np.random.default_rng(0)
    writers = np.repeat(np.arange(40), 20)
    labels = np.tile(np.repeat(np.arange(2), 10), 40)
    style = rng.normal(0, 1, (40, 2, 6))[writers, labels]     # each writer draws each digit their way
    digit = np.where(labels[:, None] == 1, 1.0, -1.0) * np.eye(6)[0]
    nuisance = rng.normal(0, 8, (len(labels), 6)) * np.array([0, 1, 1, 0, 0, 0])
    x = 10 + digit + 0.3 * style + nuisance + rng.normal(0, 0.1, (len(labels), 6))
    groups = np.char.add(np.char.add(writers.astype(str), "/"), labels.astype(str))
    mean, basis = writer_space(x, groups, dims=4)
    assert mean.shape == (6,) and basis.shape == (6, 4)
    raw = nearest_is_same_digit(x - x.mean(axis=0), labels, writers)
    fitted = nearest_is_same_digit((x - mean) @ basis, labels, writers)
    assert raw < 0.8 and fitted > 0.95
