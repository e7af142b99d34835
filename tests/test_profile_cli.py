"""`digitdesk teach`, `digitdesk profile ...` and `predict --profile`: the app's store, from the shell."""
import errno
import json
import os
import struct
import sys
import zipfile
import zlib

import numpy as np
import pytest
from PIL import Image

from digitdesk.cli import main
from digitdesk.engine.recognizer import prepare_digits
from digitdesk.engine.samples import DB_FILE, SampleStore
from tests.engine import archives, images
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
    copy = tmp_path / "seven-again.png"                    # the same picture under another name
    copy.write_bytes(open(files[0], "rb").read())
    assert main(["teach", "--label", "7", "--profile", "ben", files[0], str(copy), files[1]]) == 0
    assert "Taught 2 samples to profile 'ben', 1 copy of another picture left out;" in capsys.readouterr().out
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


def test_import_of_the_apps_own_export_goes_to_the_person_it_was_exported_for(data_dir, tmp_path, capsys):
    from digitdesk.engine.sample_files import archive_name
    main(["teach", "--profile", "Ana Lopez", str(digit_folders(tmp_path / "mine"))])
    archive = tmp_path / archive_name("Ana Lopez")              # as the My handwriting window names it
    assert main(["profile", "export", "Ana Lopez", str(archive)]) == 0
    assert main(["profile", "forget", "Ana Lopez"]) == 0
    assert main(["profile", "import", str(archive)]) == 0
    with SampleStore(data_dir) as store:
        assert store.profiles() == ["Ana Lopez"] and sum(store.counts("Ana Lopez")) == 10
    capsys.readouterr()
    long = tmp_path / ("x" * 70 + ".zip")
    long.write_bytes(archive.read_bytes())
    assert main(["profile", "import", str(long)]) == 1          # a name no profile can have: says what to do
    assert "--profile NAME" in capsys.readouterr().err
    assert main(["profile", "import", str(long), "--profile", "ana"]) == 0
    assert main(["profile", "export", "ana", str(tmp_path / "backup")]) == 0   # no extension: .zip added
    assert (tmp_path / "backup.zip").is_file() and not (tmp_path / "backup").exists()
    assert "to " + str(tmp_path / "backup.zip") in capsys.readouterr().out
    # names a file cannot carry as they are: never hidden, never read as an option by a shell command
    assert [archive_name(n) for n in ("..", "-x", "Ana/Ben")] == \
        ["samples-handwriting.zip", "x-handwriting.zip", "Ana-Ben-handwriting.zip"]


def test_a_profile_renamed_from_the_shell_keeps_its_samples_and_another_name_is_never_taken(data_dir, tmp_path,
                                                                                               capsys):
    main(["teach", "--profile", "ana", str(digit_folders(tmp_path / "mine"))])
    main(["teach", "--profile", "ben", "--label", "4", str(save(tmp_path / "4.png", images.canvas_digit(4)))])
    capsys.readouterr()
    assert main(["profile", "rename", "ana", "ben"]) == 1
    assert "already a profile named 'ben'" in capsys.readouterr().err
    assert main(["profile", "rename", "nobody", "carla"]) == 1
    assert "no profile named 'nobody'" in capsys.readouterr().err
    assert main(["profile", "rename", "ana", "Ana Lopez"]) == 0
    assert capsys.readouterr().out == "Renamed profile 'ana' to 'Ana Lopez'.\n"
    assert main(["profile", "rename", "ben", "ben "]) == 0
    assert capsys.readouterr().out == "Profile 'ben' already has that name.\n"
    main(["teach", "--profile", "BEN", "--label", "5", str(save(tmp_path / "5.png", images.canvas_digit(5)))])
    assert "to profile 'ben'" in capsys.readouterr().out                      # the person already there
    assert main(["profile", "export", "BEN", str(tmp_path / "ben.zip")]) == 0
    assert capsys.readouterr().out.startswith("Wrote 2 samples of profile 'ben'")
    with SampleStore(data_dir) as store:
        assert store.profiles() == ["Ana Lopez", "ben"] and sum(store.counts("Ana Lopez")) == 10


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
    assert "notes.txt: not a picture in a digit folder" in err and "3/broken.png: not an image file" in err
    assert "Imported 1 sample to profile 'mixed', 2 skipped" in out


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
    assert main(["predict", "--json", "--profile", "Default", str(picture)]) == 0   # always there, if empty
    assert json.loads(capsys.readouterr().out)["digit"] == plain


def test_profile_check_says_what_the_profile_gains(data_dir, tmp_path, capsys, fake_model):
    picture = images.canvas_digit(4, size=(300, 300), thickness=16)
    plain = int(fake_model.classify(prepare_digits(picture)[0].input28[None])[0, :10].argmax())
    files = [str(save(tmp_path / f"{t}.png", images.canvas_digit(4, size=(300, 300), thickness=t)))
             for t in (14, 16, 18)]
    assert main(["teach", "--profile", "ana", "--label", str((plain + 3) % 10), *files]) == 0
    capsys.readouterr()
    assert main(["profile", "check", "ana"]) == 0
    assert "ana: Your samples: 100.0% with your profile, 0.0% without (each read with the others)." in \
        capsys.readouterr().out


def test_a_damaged_store_is_reported_and_the_command_carries_on(data_dir, tmp_path, capsys):
    data_dir.mkdir()
    (data_dir / DB_FILE).write_bytes(b"garbage" * 100)
    files = [str(save(tmp_path / "one.png", images.canvas_digit(1, size=(200, 200), thickness=12)))]
    assert main(["teach", "--label", "1", *files]) == 0
    out, err = capsys.readouterr()
    assert "damaged" in err and "Taught 1 sample" in out


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


# ---- read-only stores, Ctrl+C, odd names, odd archives, odd folders, odd export targets -----------------------
@pytest.fixture
def unwritable_store(data_dir, monkeypatch):
    """A store holding profile 'ana' that can no longer be written (a read-only mount): the store falls back
    to memory. Simulated, because root (which may run the tests) writes into read-only folders anyway."""
    with SampleStore(data_dir) as store:
        store.add("ana", 1, np.zeros((28, 28), np.uint8), "draw")

    def read_only_file_system(self):
        raise OSError(errno.EROFS, "Read-only file system")
    monkeypatch.setattr(SampleStore, "_open_file", read_only_file_system)
    return data_dir


@pytest.mark.parametrize("command", [["profile", "forget", "ana"], ["teach", "--label", "3", "PICTURE"],
                                     ["profile", "import", "ARCHIVE"]])
def test_a_store_that_cannot_be_saved_in_fails_and_changes_nothing(unwritable_store, tmp_path, capsys, monkeypatch,
                                                                   command):
    picture = save(tmp_path / "three.png", images.canvas_digit(3, size=(200, 200), thickness=12))
    archive = tmp_path / "mine.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(picture, "3/three.png")
    command = [{"PICTURE": str(picture), "ARCHIVE": str(archive)}.get(word, word) for word in command]
    assert main(command) == 1
    out, err = capsys.readouterr()
    assert f"cannot save in {unwritable_store} (Read-only file system): nothing was changed" in err
    assert "Forgot" not in out and "Taught" not in out and "Imported" not in out
    monkeypatch.undo()
    with SampleStore(unwritable_store) as store:
        assert store.profiles() == ["ana"] and store.counts("ana")[1] == 1


def test_commands_that_only_read_a_read_only_store_say_nothing_about_saving(unwritable_store, capsys):
    assert main(["profile", "list"]) == 0
    out, err = capsys.readouterr()
    assert "ana: 1 sample " in out and err == ""


def test_a_store_whose_samples_cannot_even_be_read_says_so_to_commands_that_only_read(unwritable_store,
                                                                                     capsys, monkeypatch):
    monkeypatch.setattr(SampleStore, "_readable_copy", lambda self: None)
    assert main(["profile", "list"]) == 0
    out, err = capsys.readouterr()
    assert "No profiles yet" in out and "the samples saved there could not be read" in err   # why ana is missing


def test_an_import_that_gives_nothing_fails_and_makes_no_profile(data_dir, tmp_path, capsys):
    empty = tmp_path / "empty.zip"
    zipfile.ZipFile(empty, "w").close()
    (tmp_path / "exported").mkdir()
    assert main(["profile", "import", str(empty)]) == 1
    assert "nothing imported from" in capsys.readouterr().err
    assert main(["profile", "import", str(tmp_path / "exported")]) == 1
    assert "is a folder, not a zip archive" in capsys.readouterr().err
    assert main(["profile", "list"]) == 0 and "No profiles yet" in capsys.readouterr().out


def test_ctrl_c_while_teaching_exits_130_and_saves_nothing(data_dir, tmp_path, capsys, monkeypatch):
    import digitdesk.engine.sample_files as sample_files
    files = [str(save(tmp_path / f"{k}.png", images.canvas_digit(7, size=(200, 200), thickness=12 + k)))
             for k in range(3)]
    real, calls = sample_files.model_input, []

    def interrupted_on_the_third(picture):
        calls.append(picture)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(picture)
    monkeypatch.setattr(sample_files, "model_input", interrupted_on_the_third)
    try:
        code = main(["teach", "--label", "7", *files])
    except KeyboardInterrupt:
        pytest.fail("Ctrl+C escaped main(): the user sees a traceback")
    assert code == 130 and capsys.readouterr().err.strip() == "digitdesk teach: interrupted"
    with SampleStore(data_dir) as store:
        assert store.profiles() == [] and store.counts("default") == [0] * 10


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux file names are bytes, not always UTF-8")
def test_teach_takes_a_file_whose_name_is_not_utf8(data_dir, tmp_path, capsys):
    odd = save(tmp_path / os.fsdecode(b"sept-\xe9.png"), images.canvas_digit(7, size=(200, 200), thickness=12))
    assert main(["teach", "--label", "7", str(odd)]) == 0
    assert "Taught 1 sample" in capsys.readouterr().out
    with SampleStore(data_dir) as store:
        assert [s.source for s in store.samples("default")] == [f"{tmp_path}/sept-\\xe9.png"]


def huge_png(width: int, height: int) -> bytes:
    """A PNG header claiming width x height pixels: a few bytes that decode to gigabytes (a decompression bomb)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def test_import_gives_plain_reasons_and_passes_over_hidden_and_macos_entries(data_dir, tmp_path, capsys):
    scan = save(tmp_path / "scan.png", images.canvas_digit(2, size=(300, 300), thickness=16))
    archive = tmp_path / "odd.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(scan, "2/scan.png")
        z.writestr("1/huge.png", huge_png(40_000, 40_000))
        z.writestr("4/notes.png", b"hello, not a picture")
        z.writestr("__MACOSX/2/._scan.png", b"resource fork")
        z.writestr("2/.hidden.png", b"x")
        z.writestr(".DS_Store", b"x")
    assert main(["profile", "import", str(archive)]) == 1
    out, err = capsys.readouterr()
    assert "1/huge.png: image too large" in err
    assert "4/notes.png: not an image file" in err and "BytesIO" not in err
    assert "MACOSX" not in err and "hidden" not in err and "DS_Store" not in err
    assert "Imported 1 sample to profile 'odd', 2 skipped" in out


def test_import_reports_a_damaged_entry_and_takes_the_rest(data_dir, tmp_path, capsys):
    scan = save(tmp_path / "scan.png", images.canvas_digit(2, size=(300, 300), thickness=16))
    archive = tmp_path / "damaged.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("1/a.png", scan.read_bytes() + bytes(2000))   # the first entry: its data starts at byte 37
        z.write(scan, "2/scan.png")
    data = bytearray(archive.read_bytes())
    data[40:60] = bytes(b ^ 0xFF for b in data[40:60])             # its compressed data damaged
    archive.write_bytes(bytes(data))
    assert main(["profile", "import", str(archive)]) == 1
    out, err = capsys.readouterr()
    assert "1/a.png: cannot be read from the zip" in err
    assert "Imported 1 sample to profile 'damaged', 1 skipped" in out


def test_a_path_inside_a_folder_the_user_may_not_enter_is_said_so(data_dir, tmp_path, capsys, monkeypatch):
    import pathlib
    locked = tmp_path / "locked" / "mine"
    real_is_dir = pathlib.Path.is_dir

    def is_dir(self):   # what stat() says inside a folder without search permission (tests run as root here)
        if self == locked:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_is_dir(self)
    monkeypatch.setattr(pathlib.Path, "is_dir", is_dir)
    assert main(["teach", str(locked)]) == 2
    assert capsys.readouterr().err.strip() == f"digitdesk teach: {locked} permission denied"
    assert main(["profile", "import", str(locked)]) == 1
    err = capsys.readouterr().err
    assert "permission denied" in err and "could not write" not in err


def test_teach_reports_subfolders_and_pictures_it_does_not_take(data_dir, tmp_path, capsys):
    root = tmp_path / "mine"
    for rel, digit in [("3/a.png", 3), ("seven/b.png", 7), ("10/c.png", 1), ("loose.png", 4)]:
        save(root / rel, images.canvas_digit(digit, size=(200, 200), thickness=12))
    (root / "notes.txt").write_text("sidecar files are not pictures")
    (root / ".DS_Store").write_bytes(b"x")
    assert main(["teach", str(root)]) == 1
    out, err = capsys.readouterr()
    assert f"{root / 'seven'}: not a digit folder" in err and f"{root / '10'}: not a digit folder" in err
    assert f"{root / 'loose.png'}: not in a digit folder" in err
    assert "notes.txt" not in err and "DS_Store" not in err
    assert "Taught 1 sample to profile 'default', 3 skipped" in out


def test_teach_says_why_nothing_was_taught_from_folders_without_pictures(data_dir, tmp_path, capsys):
    (tmp_path / "mine" / "4").mkdir(parents=True)
    (tmp_path / "mine" / "4" / "notes.txt").write_text("x")
    assert main(["teach", str(tmp_path / "mine")]) == 1
    assert "nothing taught: no pictures" in capsys.readouterr().err


def test_export_to_a_symlink_writes_its_target_and_keeps_the_link(data_dir, tmp_path, capsys):
    with SampleStore(data_dir) as store:
        store.add("ana", 5, np.zeros((28, 28), np.uint8), "draw")
    (tmp_path / "backups").mkdir()
    target = tmp_path / "backups" / "ana.zip"
    with zipfile.ZipFile(target, "w") as last_week:   # an earlier export: replaced
        last_week.writestr("3/9.png", b"last week's")
    link = tmp_path / "latest.zip"
    link.symlink_to(target)
    assert main(["profile", "export", "ana", str(link)]) == 0
    assert link.is_symlink() and zipfile.ZipFile(target).namelist() == ["5/1.png"]


def test_a_zip_python_cannot_open_is_reported_not_imported_and_not_replaced(data_dir, tmp_path, capsys):
    odd = archives.zip_with_undecodable_name(tmp_path / "odd.zip")
    before = odd.read_bytes()
    assert main(["profile", "import", str(odd)]) == 1
    assert "not a readable zip archive" in capsys.readouterr().err
    with SampleStore(data_dir) as store:
        store.add("ana", 5, np.zeros((28, 28), np.uint8), "draw")
    assert main(["profile", "export", "ana", str(odd)]) == 1
    assert "not overwritten" in capsys.readouterr().err and odd.read_bytes() == before


def test_export_does_not_replace_a_file_that_is_not_a_zip_nor_the_sample_store(data_dir, tmp_path, capsys):
    with SampleStore(data_dir) as store:
        store.add("ana", 5, np.zeros((28, 28), np.uint8), "draw")
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"a holiday photo")
    assert main(["profile", "export", "ana", str(photo)]) == 1
    assert "exists and is not an earlier export (a zip of pictures in digit folders): not overwritten" in \
        capsys.readouterr().err
    assert photo.read_bytes() == b"a holiday photo"
    thesis = tmp_path / "backup.zip"                     # a zip, but of something else: kept too
    with zipfile.ZipFile(thesis, "w") as archive:
        archive.writestr("thesis.txt", "three years of work")
    assert main(["profile", "export", "ana", str(thesis)]) == 1
    assert zipfile.ZipFile(thesis).namelist() == ["thesis.txt"]
    assert main(["profile", "export", "ana", str(data_dir / DB_FILE)]) == 1   # the live store itself
    capsys.readouterr()
    assert main(["profile", "list"]) == 0 and "ana: 1 sample " in capsys.readouterr().out


def test_predict_csv_is_not_written_over_the_sample_store(data_dir, tmp_path, capsys):
    with SampleStore(data_dir) as store:
        store.add("ana", 5, np.zeros((28, 28), np.uint8), "draw")
    scan = save(tmp_path / "scan.png", images.canvas_digit(2, size=(200, 200), thickness=12))
    assert main(["predict", str(scan), "--csv", str(data_dir / DB_FILE)]) == 2
    assert "where your handwriting samples are kept" in capsys.readouterr().err
    assert main(["profile", "list"]) == 0 and "ana: 1 sample " in capsys.readouterr().out


def test_teach_with_a_label_refuses_a_folder_of_digit_folders(data_dir, tmp_path, capsys):
    """`teach --label 7 mine` would have taught every digit of mine/0 ... mine/9 as a 7."""
    for digit in (3, 4):
        save(tmp_path / "mine" / str(digit) / "a.png", images.canvas_digit(digit, size=(200, 200), thickness=12))
    assert main(["teach", "--label", "7", str(tmp_path / "mine")]) == 2
    assert "holds digit folders (0 ... 9): leave out --label" in capsys.readouterr().err
    assert main(["profile", "list"]) == 0 and "No profiles yet" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["predict", ""], ["predict", "--csv", "", "here.png"], ["teach", "--label", "1", ""],
                                  ["profile", "export", "ana", ""], ["profile", "import", ""]])
def test_an_empty_path_is_a_usage_error_not_the_current_folder(argv, data_dir, capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    save(tmp_path / "here.png", images.canvas_digit(2, size=(200, 200), thickness=12))
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert "an empty path" in err and out == ""


@pytest.mark.parametrize("argv", [["profile", "forget", "bob "], ["profile", "export", "bob ", "x.zip"],
                                  ["profile", "check", " bob"]])
def test_a_profile_name_is_trimmed_wherever_it_is_given(argv, data_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    with SampleStore(data_dir) as store:
        store.add("bob", 5, np.zeros((28, 28), np.uint8), "draw")
    assert main(argv) == 0, capsys.readouterr().err


def test_an_empty_profile_name_is_a_usage_error(data_dir, tmp_path, capsys):
    assert main(["profile", "import", str(tmp_path / "x.zip"), "--profile", ""]) == 2
    assert "A profile name needs 1 to" in capsys.readouterr().err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes (POSIX)")
def test_export_refuses_a_path_that_is_not_a_regular_file(data_dir, tmp_path, capsys):
    with SampleStore(data_dir) as store:
        store.add("ana", 5, np.zeros((28, 28), np.uint8), "draw")
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    assert main(["profile", "export", "ana", str(pipe)]) == 1
    assert "not a regular file" in capsys.readouterr().err
    assert pipe.is_fifo() and not (tmp_path / "pipe.partial").exists()


def test_listing_profiles_where_no_store_can_be_says_so_instead_of_none_yet(tmp_path, monkeypatch, capsys):
    (tmp_path / "file").write_text("a file where the samples folder should be")
    monkeypatch.setenv("DIGITDESK_DATA_DIR", str(tmp_path / "file" / "store"))
    assert main(["profile", "list"]) == 1
    said = capsys.readouterr()
    assert "cannot be used" in said.err and "No profiles yet" not in said.out


@pytest.mark.parametrize("action,says", [("list", "Every profile and its samples per digit."),
                                         ("export", "an earlier export is replaced, no other file"),
                                         ("import", "a zip of 0/ ... 9/ folders of pictures")])
def test_each_profile_command_explains_itself_and_its_arguments(action, says, capsys):
    assert main(["profile", action, "--help"]) == 0
    out = capsys.readouterr().out
    assert says in " ".join(out.split()) and "exit status:" in out
