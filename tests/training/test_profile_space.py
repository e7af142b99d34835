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


def test_the_space_whitens_one_writers_scatter_and_keeps_the_widest_directions_first():
    rng = np.random.default_rng(1)
    x = rng.normal(0, 1, (600, 8)) * np.arange(1, 9)
    groups = np.repeat(np.arange(60), 10).astype(str)
    mean, basis = writer_space(x, groups, dims=5, ridge=0.1)
    sums = np.zeros((60, 8))
    np.add.at(sums, groups.astype(int), x)
    within = x - (sums / 10)[groups.astype(int)]
    scatter = within.T @ within / len(x)
    ridged = scatter + 0.1 * np.trace(scatter) / 8 * np.eye(8)
    np.testing.assert_allclose(basis.T @ ridged @ basis, np.eye(5), atol=1e-4)   # whitened, unit spread
    spread = np.var((x - mean) @ basis, axis=0)
    assert np.all(np.diff(spread) <= 1e-9)                                       # widest first


def write_qmnist(directory, writers):
    import gzip
    with gzip.open(directory / "qmnist-train-labels.tsv.gz", "wt") as fh:
        fh.writelines(f"0\t0\t{w}\t0\t0\t0\t0\t0\n" for w in writers)


def test_only_training_writers_digits_are_used_never_a_held_out_writer_or_the_validation_tenth(tmp_path):
    from tests.training.idx import write_mnist_dir
    from tests.training.unipen_files import write_unipen_dir
    from training.data import load_mnist_dir, stratified_split
    from training.profile_space import training_writers
    mnist = write_mnist_dir(tmp_path / "mnist", n_train=200)
    write_qmnist(mnist, range(1000, 1200))                   # a writer id per MNIST digit: 1000 + its index
    pen = write_unipen_dir(tmp_path / "unipen")
    images, labels, writers, notes = training_writers(mnist, pen)
    (x, y), _ = load_mnist_dir(mnist)
    held_out = {f"mnist{1000 + i}" for i in stratified_split(np.arange(len(y)), y).x_val}
    assert notes == [] and held_out and not held_out & set(writers)
    assert {w for w in writers if w.startswith("unipen:")} == {"unipen:apa/w1", "unipen:apb/w2"}
    assert len(images) == len(labels) == len(writers) == 180 + 20


def test_without_qmnist_or_unipen_it_says_what_it_left_out_and_removes_a_stale_space(tmp_path, capsys):
    from tests.training.idx import write_mnist_dir
    from training.profile_space import main, training_writers
    mnist = write_mnist_dir(tmp_path / "mnist", n_train=50)          # plain MNIST: no writer ids
    images, _, _, notes = training_writers(mnist, None)
    assert len(images) == 0 and [n.split(":")[0] for n in notes] == ["MNIST left out", "UNIPEN left out"]
    model = tmp_path / "m.tflite"
    stale = tmp_path / "m_space.npz"
    stale.write_bytes(b"fitted for the model before")
    main(["--model", str(model), "--data-dir", str(mnist), "--unipen-dir", str(tmp_path / "none")])
    assert not stale.exists() and "no profile space written" in capsys.readouterr().out
