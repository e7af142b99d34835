"""`digitdesk teach`, `digitdesk profile ...` and `predict --profile`: the app's store, from the shell."""
import json
import zipfile

import numpy as np
import pytest
from PIL import Image

from digitdesk.cli import main
from digitdesk.engine.recognizer import prepare_digits
from digitdesk.engine.samples import DB_FILE, SampleStore
from tests.engine import images
from tests.engine.fake_runner import FakeRunner


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    monkeypatch.setenv("DIGITDESK_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def fake_model(monkeypatch):
    import digitdesk.engine.runner as runner_module
    runner = FakeRunner()
    monkeypatch.setattr(runner_module, "shared_runner", lambda: runner)
    return runner


def save(path, picture):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(picture).save(path)
    return path


def digit_folders(root):
    """root/0/a.png ... root/9/a.png, plus a picture of two digits and an empty page among them."""
    for d in range(10):
        save(root / str(d) / "a.png", images.canvas_digit(d, size=(200, 200), thickness=12))
    save(root / "4" / "two.png", images.number_image("12"))
    save(root / "5" / "blank.png", np.full((100, 100), 255, np.uint8))
    return root


def test_teach_reads_digit_folders_and_skips_pictures_without_exactly_one_digit(data_dir, tmp_path, capsys):
    code = main(["teach", "--profile", "ana", str(digit_folders(tmp_path / "mine"))])
    out, err = capsys.readouterr()
    assert code == 1                                     # something was skipped
    assert "Taught 10 samples to profile 'ana', 2 skipped" in out
    assert "two.png: 2 digits found" in err and "blank.png: no digit found" in err
    with SampleStore(data_dir) as store:
        assert store.counts("ana") == [1] * 10
        assert all(s.source.endswith("a.png") for s in store.samples("ana"))
    assert main(["profile", "list"]) == 0
    assert "ana: 10 samples (0:1 1:1 2:1 3:1 4:1 5:1 6:1 7:1 8:1 9:1)" in capsys.readouterr().out


def test_teaching_the_same_pictures_twice_keeps_one_copy(data_dir, tmp_path, capsys):
    files = [str(save(tmp_path / f"seven{k}.png", images.canvas_digit(7, size=(200, 200), thickness=t)))
             for k, t in enumerate((10, 16))]
    assert main(["teach", "--label", "7", *files]) == 0
    assert main(["teach", "--label", "7", *files]) == 0
    assert "Taught 0 samples to profile 'default', 2 already there" in capsys.readouterr().out
    with SampleStore(data_dir) as store:
        assert store.counts("default")[7] == 2


@pytest.mark.parametrize("make, message", [
    (lambda p: save(p / "x.png", images.canvas_digit(3)), "is a file: give its digit with --label D"),
    (lambda p: (p / "empty").mkdir() or p / "empty", "has no digit folders"),
    (lambda p: p / "missing", "does not exist"),
])
def test_teach_explains_a_path_it_cannot_use(data_dir, tmp_path, capsys, make, message):
    assert main(["teach", str(make(tmp_path))]) == 2
    assert message in capsys.readouterr().err
    assert not (data_dir / DB_FILE).exists() or SampleStore(data_dir).profiles() == []


def test_export_forget_and_import_give_back_the_same_samples(data_dir, tmp_path, capsys):
    main(["teach", "--profile", "ana", str(digit_folders(tmp_path / "mine"))])
    with SampleStore(data_dir) as store:
        before = sorted((s.label, s.image.tobytes()) for s in store.samples("ana"))
    archive = tmp_path / "ana-backup.zip"
    assert main(["profile", "export", "ana", str(archive)]) == 0
    with zipfile.ZipFile(archive) as z:
        names = z.namelist()
        assert len(names) == 10 and all(n.split("/")[0] == n[0] and n.endswith(".png") for n in names)
    assert main(["profile", "forget", "ana"]) == 0
    assert "Forgot profile 'ana' and its 10 samples" in capsys.readouterr().out
    assert main(["profile", "import", str(archive)]) == 0          # named after the archive ...
    assert main(["profile", "import", str(archive), "--profile", "ana"]) == 0   # ... or as asked
    with SampleStore(data_dir) as store:
        assert store.profiles() == ["ana", "ana-backup"]
        for name in ("ana", "ana-backup"):
            assert sorted((s.label, s.image.tobytes()) for s in store.samples(name)) == before   # lossless


def test_import_reports_what_is_not_a_sample_and_takes_the_rest(data_dir, tmp_path, capsys):
    archive = tmp_path / "mixed.zip"
    scan = tmp_path / "scan.png"
    save(scan, images.canvas_digit(2, size=(300, 300), thickness=16))
    with zipfile.ZipFile(archive, "w") as z:
        z.write(scan, "2/scan.png")                        # an ordinary picture: prepared like a reading
        z.writestr("notes.txt", "hello")
        z.writestr("3/broken.png", b"not a png")
    assert main(["profile", "import", str(archive)]) == 1
    out, err = capsys.readouterr()
    assert "notes.txt: not a picture in a digit folder" in err and "3/broken.png: cannot be read" in err
    assert "Imported 1 samples to profile 'mixed', 2 skipped" in out


def test_profile_commands_name_the_profiles_there_are(data_dir, capsys):
    with SampleStore(data_dir) as store:
        store.add("ana", 1, np.zeros((28, 28), np.uint8), "draw")
    for command in (["profile", "forget", "bob"], ["profile", "export", "bob", "x.zip"], ["profile", "check", "bob"]):
        assert main(command) == 1
        assert "no profile named 'bob' (profiles: ana)" in capsys.readouterr().err


def test_predict_reads_with_a_profile_only_when_asked(data_dir, tmp_path, capsys, fake_model):
    picture = save(tmp_path / "mine.png", images.canvas_digit(4, size=(300, 300), thickness=16))
    assert main(["predict", "--json", str(picture)]) == 0
    record = json.loads(capsys.readouterr().out)
    plain = record["digit"]
    mine = int(np.argsort(record["probabilities"])[-2])    # this hand's "4" means the model's second guess
    assert main(["teach", "--profile", "ana", "--label", str(mine), str(picture)]) == 0
    capsys.readouterr()
    assert main(["predict", "--json", "--profile", "ana", str(picture)]) == 0
    assert json.loads(capsys.readouterr().out)["digit"] == mine
    assert main(["predict", "--json", str(picture)]) == 0   # without --profile: as before
    assert json.loads(capsys.readouterr().out)["digit"] == plain
    assert main(["predict", "--profile", "bob", str(picture)]) == 1
    assert "no profile named 'bob'" in capsys.readouterr().err


def test_profile_check_says_what_the_profile_gains(data_dir, tmp_path, capsys, fake_model):
    picture = images.canvas_digit(4, size=(300, 300), thickness=16)
    plain = int(fake_model.classify(prepare_digits(picture)[0].input28[None])[0, :10].argmax())
    files = [str(save(tmp_path / f"{t}.png", images.canvas_digit(4, size=(300, 300), thickness=t)))
             for t in (14, 16, 18)]
    assert main(["teach", "--profile", "ana", "--label", str((plain + 3) % 10), *files]) == 0
    capsys.readouterr()
    assert main(["profile", "check", "ana"]) == 0
    assert "ana: Your samples: 100% with your profile, 0% without." in capsys.readouterr().out


def test_a_damaged_store_is_reported_and_the_command_carries_on(data_dir, tmp_path, capsys):
    data_dir.mkdir()
    (data_dir / DB_FILE).write_bytes(b"garbage" * 100)
    files = [str(save(tmp_path / "one.png", images.canvas_digit(1, size=(200, 200), thickness=12)))]
    assert main(["teach", "--label", "1", *files]) == 0
    out, err = capsys.readouterr()
    assert "damaged" in err and "Taught 1 samples" in out


def test_predict_with_a_profile_on_several_cores_reads_as_taught(data_dir, tmp_path, capsys):
    """The worker processes get the profile too: a 7 drawn like a flagged 1, taught once, reads 7 in a folder."""
    from digitdesk.engine.recognizer import Recognizer
    from digitdesk.engine.runner import shared_runner
    from tests.engine.images import FLAGGED_SEVEN, drawn

    if Recognizer(shared_runner()).recognize(drawn(FLAGGED_SEVEN)).digits[0].digit == 7:
        pytest.skip("the bundled model already reads this 7: nothing to teach")
    lesson = save(tmp_path / "lesson.png", drawn(FLAGGED_SEVEN))
    assert main(["teach", "--profile", "ana", "--label", "7", str(lesson)]) == 0
    folder = tmp_path / "scans"
    for seed in range(1, 13):
        save(folder / f"{seed:02d}.png", drawn(FLAGGED_SEVEN, seed))
    capsys.readouterr()

    def sevens(*options):
        assert main(["predict", "--jobs", "2", *options, str(folder)]) == 0
        return [line.split(": ")[1].split(" ")[0] for line in capsys.readouterr().out.splitlines()].count("7")

    assert sevens("--profile", "ana") >= 10 > sevens()
