"""`digitdesk` on the command line: predict files and folders, JSON/CSV output, exit codes, --version."""
import csv
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from digitdesk import __version__
from digitdesk.cli import main
from tests.denied import deny
from tests.gui.media import GlyphSource, number_image, save


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """A single digit, a two-digit number two folders down, blank paper and a corrupt file."""
    root = tmp_path_factory.mktemp("scans")
    glyphs = GlyphSource(None)
    save(root / "three.png", number_image(glyphs, "3", size=96, seed=1))
    (root / "sub" / "deeper").mkdir(parents=True)
    save(root / "sub" / "forty-two.jpg", number_image(glyphs, "42", size=96, seed=2), quality=95)
    save(root / "sub" / "deeper" / "blank.png", np.full((120, 160, 3), 235, np.uint8))
    good = root / "three.png"
    (root / "sub" / "corrupt.png").write_bytes(good.read_bytes()[:200])
    return root


def json_lines(text: str) -> dict[str, dict]:
    rows = [json.loads(line) for line in text.splitlines()]
    return {Path(row["path"]).name: row for row in rows}


def test_predict_json_reads_every_image_and_reports_the_corrupt_one(folder, capsys):
    code = main(["predict", "--json", str(folder)])
    out, err = capsys.readouterr()
    rows = json_lines(out)
    assert code == 1                                          # because of the corrupt file
    assert set(rows) == {"three.png", "forty-two.jpg", "blank.png", "corrupt.png"}

    three = rows["three.png"]
    assert (three["text"], three["digit"], three["error"]) == ("3", 3, None)
    assert len(three["probabilities"]) == 10 and abs(sum(three["probabilities"]) - 1) < 1e-3
    assert three["probabilities"][3] == max(three["probabilities"]) and 0.5 < three["confidence"] <= 1

    forty_two = rows["forty-two.jpg"]
    assert forty_two["text"] == "42" and forty_two["digit"] is None
    assert [d["digit"] for d in forty_two["digits"]] == [4, 2]
    first, second = (d["box"] for d in forty_two["digits"])
    assert first[0] + first[2] <= second[0] + 4                # boxes left to right, in image pixels
    assert all(0 < d["confidence"] <= 1 for d in forty_two["digits"])

    blank = rows["blank.png"]
    assert (blank["text"], blank["digits"], blank["error"], blank["probabilities"]) == ("", [], None, None)

    corrupt = rows["corrupt.png"]
    assert corrupt["error"] and corrupt["text"] == "" and corrupt["digits"] == [] and corrupt["digit"] is None
    assert "1 of 4 files could not be read" in err


def test_boxes_of_a_big_photo_are_in_the_files_own_pixels(tmp_path, capsys):
    """A 4000 px photo is read reduced to 2048 px; its boxes must still point at the digit in the file."""
    from tests.engine.images import draw_digit
    photo = np.full((3000, 4000), 255, np.uint8)
    draw_digit(photo, 7, (3000, 1000, 400, 700), 60)
    cv2.imwrite(str(tmp_path / "big.png"), photo)
    assert main(["predict", "--json", str(tmp_path / "big.png")]) == 0
    (row,) = json_lines(capsys.readouterr().out).values()
    x, y, w, h = row["digits"][0]["box"]
    assert row["text"] == "7" and abs(x - 3000) < 60 and abs(y - 1000) < 60 and abs(h - 700) < 80


def test_predict_all_good_files_exits_zero_with_human_lines(folder, capsys):
    code = main(["predict", str(folder / "three.png"), str(folder / "sub" / "deeper")])
    out, _ = capsys.readouterr()
    assert code == 0
    assert out.splitlines()[0].startswith(f"{folder / 'three.png'}: 3 (")
    assert out.splitlines()[0].endswith("%)")
    assert out.splitlines()[1] == f"{folder / 'sub' / 'deeper' / 'blank.png'}: nothing to read"


def test_a_human_line_names_its_doubt_and_the_marks_left_out():
    from dataclasses import replace

    from digitdesk.cli import _human
    from digitdesk.engine.results import Recognition
    from tests.engine.readings import digit_reading

    cut = Recognition((digit_reading(2, 0.999, True, True), digit_reading(0, 0.998, True, True)))
    assert _human("pair.png", cut, None) == "pair.png: 20 (99.8%, unsure where the digits part)"
    weak = Recognition((digit_reading(2, 0.999, True, True), digit_reading(1, 0.7, True)))
    assert _human("pair.png", weak, None) == "pair.png: 21 (70.0%, unsure)"
    left_out = Recognition((digit_reading(8, 0.999, False), replace(digit_reading(9, 0.9, False), not_digit=True)))
    assert _human("pair.png", left_out, None) == "pair.png: 8 (99.9%, 1 mark left out)"


def test_small_batches_give_the_same_answers_as_one_big_batch(folder, capsys):
    main(["predict", "--json", str(folder)])
    whole = json_lines(capsys.readouterr().out)
    main(["predict", "--json", "--batch-size", "1", str(folder)])
    one_by_one = json_lines(capsys.readouterr().out)
    assert {k: v["text"] for k, v in whole.items()} == {k: v["text"] for k, v in one_by_one.items()}


def test_csv_output_has_one_row_per_image(folder, tmp_path, capsys):
    out_file = tmp_path / "results.csv"
    code = main(["predict", "--csv", str(out_file), str(folder)])
    capsys.readouterr()
    assert code == 1
    with out_file.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {"path", "text", "error"} <= set(rows[0])
    by_name = {Path(row["path"]).name: row for row in rows}
    assert by_name["forty-two.jpg"]["text"] == "42" and by_name["corrupt.png"]["error"]


def test_a_missing_path_is_reported_and_the_rest_still_read(folder, tmp_path, capsys):
    code = main(["predict", "--json", str(tmp_path / "nope.png"), str(folder / "three.png")])
    rows = json_lines(capsys.readouterr().out)
    assert code == 1
    assert rows["nope.png"]["error"] and rows["three.png"]["text"] == "3"


def test_a_folder_without_images_says_so(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("no pictures here")
    assert main(["predict", str(tmp_path)]) == 1
    assert "no images found" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["predict"], ["predict", "--bogus", "x.png"], ["frobnicate"]])
def test_usage_errors_exit_2(argv, capsys):
    assert main(argv) == 2
    assert "usage" in capsys.readouterr().err.lower()


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"digitdesk {__version__}"


def test_predict_from_a_shell_never_loads_qt(folder):
    """Works on a headless server: `python -m digitdesk predict` without any display or Qt."""
    env = {k: v for k, v in os.environ.items() if k not in {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}}
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "digitdesk", "predict",
                           str(folder / "three.png")], env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith(f"{folder / 'three.png'}: 3 (")
    imported = [line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")]
    assert "digitdesk.engine.recognizer" in imported                 # -X importtime did list the modules
    assert not [name for name in imported if name.startswith(("PySide6", "shiboken6", "digitdesk.gui"))]


@pytest.fixture(scope="module")
def big_folder(tmp_path_factory, folder) -> Path:
    """40 files (more than one chunk of work for the process pool), a corrupt one among them."""
    root = tmp_path_factory.mktemp("many")
    glyphs = GlyphSource(None)
    for i in range(39):
        save(root / f"{i:02d}.png", number_image(glyphs, str(i * 7 % 100), size=48, seed=i))
    (root / "20-corrupt.png").write_bytes((folder / "three.png").read_bytes()[:200])
    return root


def test_jobs_2_prints_the_same_lines_in_the_same_order_as_jobs_1(big_folder, tmp_path, capsys):
    codes, outputs, tables = [], [], []
    for jobs in ("1", "2"):
        out_file = tmp_path / f"jobs{jobs}.csv"
        codes.append(main(["predict", "--json", "--jobs", jobs, "--csv", str(out_file), str(big_folder)]))
        outputs.append(capsys.readouterr().out.splitlines())
        tables.append(out_file.read_text(encoding="utf-8"))
    assert codes == [1, 1]                                      # the corrupt file, both times
    assert outputs[0] == outputs[1] and tables[0] == tables[1]
    paths = [json.loads(line)["path"] for line in outputs[1]]
    assert paths == sorted(paths) and len(paths) == 40           # input order: the folder's sorted order
    assert json.loads(outputs[1][7])["text"] == "49"


@pytest.mark.parametrize("value", ["0", "-3"])
def test_jobs_below_one_is_a_usage_error(value, capsys):
    assert main(["predict", "--jobs", value, "x.png"]) == 2
    err = capsys.readouterr().err
    assert "usage: digitdesk predict" in err and "--jobs" in err and f"must be at least 1 (not {value})" in err


def test_more_jobs_than_cores_read_with_one_process_per_core(folder, capsys, monkeypatch, tmp_path):
    import digitdesk.engine.parallel as parallel
    monkeypatch.setattr(parallel, "available_cores", lambda: 1)
    assert main(["predict", "--jobs", "40", str(folder / "three.png")]) == 0
    assert "--jobs" not in capsys.readouterr().err   # one file is read in this process anyway: nothing to say
    for i in range(10):
        os.link(folder / "three.png", tmp_path / f"{i}.png")
    main(["predict", "--jobs", "40", str(tmp_path)])
    assert "--jobs 40 is more than the 1 core here; reading with 1" in capsys.readouterr().err


def _session_processes(session: int) -> list[str]:
    done = subprocess.run(["ps", "-s", str(session), "-o", "pid=,stat=,args="], capture_output=True, text=True)
    return [line for line in done.stdout.splitlines() if line.strip() and " Z" not in line]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="sends SIGINT to a process group (POSIX; ps -s)")
def test_ctrl_c_stops_within_seconds_leaves_no_process_and_a_valid_csv(folder, tmp_path):
    """What a terminal does on Ctrl+C: SIGINT to the whole foreground process group, workers included."""
    many = tmp_path / "many"
    many.mkdir()
    files = 3000
    for i in range(files):
        os.link(folder / "three.png", many / f"{i:04d}.png")
    table = tmp_path / "partial.csv"
    command = [sys.executable, "-m", "digitdesk", "predict", "--jobs", "2", "--csv", str(table), str(many)]
    # Ctrl+C as a terminal's program gets it: a test run started in the background (nohup, `&` in a script) has
    # SIGINT ignored, and an ignored signal stays ignored across exec, so Python would never see it
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        for count, _ in enumerate(process.stdout, 1):   # wait until the pool is reading
            if count == 40:
                break
        os.killpg(process.pid, signal.SIGINT)
        started = time.monotonic()
        _, err = process.communicate(timeout=60)
        stopped_in = time.monotonic() - started
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130 and stopped_in < 10
    assert "interrupted after" in err and "Traceback" not in err
    deadline = time.monotonic() + 10
    while _session_processes(process.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _session_processes(process.pid) == []                  # no worker, fork server or tracker left
    with table.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert 40 <= len(rows) < files and all(row["text"] == "3" for row in rows)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="sends SIGTERM (POSIX; ps -s)")
def test_sigterm_stops_like_ctrl_c_with_a_valid_csv_and_no_process_left(folder, tmp_path):
    """`kill PID` (or a scheduler's time limit) to the command alone: it stops its reading processes itself."""
    many = tmp_path / "many"
    many.mkdir()
    for i in range(3000):
        os.link(folder / "three.png", many / f"{i:04d}.png")
    table = tmp_path / "partial.csv"
    command = [sys.executable, "-m", "digitdesk", "predict", "--jobs", "2", "--csv", str(table), str(many)]
    # unbuffered: lines read ahead into a buffer here would be missed by communicate(), which reads the pipe
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0,
                               start_new_session=True)
    try:
        printed = 0
        for printed, _ in enumerate(process.stdout, 1):   # wait until the pool is reading
            if printed == 40:
                break
        process.terminate()
        rest, err = (out.decode() for out in process.communicate(timeout=60))
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 143 and "Traceback" not in err and "stopped after" in err
    deadline = time.monotonic() + 10
    while _session_processes(process.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _session_processes(process.pid) == []
    with table.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == printed + len(rest.splitlines()) and all(row["text"] == "3" for row in rows)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM to itself is a POSIX thing")
@pytest.mark.parametrize("inherited, code", [(signal.SIG_DFL, 143), (signal.SIG_IGN, 0)])
def test_sigterm_stops_the_command_unless_whoever_started_it_ignores_it(monkeypatch, inherited, code):
    """`trap '' TERM` (or a supervisor) before starting it: SIGTERM is ignored, as Python leaves SIGINT."""
    import digitdesk.cli as cli
    monkeypatch.setattr(cli, "_main", lambda argv: (os.kill(os.getpid(), signal.SIGTERM), time.sleep(0.2), 0)[2])
    previous = signal.signal(signal.SIGTERM, inherited)
    try:
        assert main(["predict", "x.png"]) == code
        assert signal.getsignal(signal.SIGTERM) is inherited          # put back as it was
    finally:
        signal.signal(signal.SIGTERM, previous)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="sends SIGINT to a process group (POSIX; ps -s)")
def test_a_second_ctrl_c_while_big_photos_finish_ends_everything_at_once(tmp_path):
    """The first Ctrl+C lets the files being read finish (seconds for big photos), which invites a second:
    that one used to leave the program waiting for its reading processes for ever."""
    many = tmp_path / "photos"
    many.mkdir()
    photo = np.full((4500, 6000), 255, np.uint8)
    cv2.putText(photo, "3", (2000, 3500), cv2.FONT_HERSHEY_SIMPLEX, 100, 0, 120)
    cv2.imwrite(str(many / "0000.png"), photo)
    for i in range(1, 200):
        os.link(many / "0000.png", many / f"{i:04d}.png")
    command = [sys.executable, "-m", "digitdesk", "predict", "--jobs", "2", str(many)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    said = []
    try:
        process.stdout.readline()                     # the pool is reading
        threading.Thread(target=lambda: said.extend(process.stderr), daemon=True).start()
        os.killpg(process.pid, signal.SIGINT)
        deadline = time.monotonic() + 1.5             # a chunk of big photos takes seconds: said before that
        while not any("interrupted after" in line for line in said) and time.monotonic() < deadline:
            time.sleep(0.02)
        told_at_once = any("interrupted after" in line for line in said)
        os.killpg(process.pid, signal.SIGINT)         # impatient, while the photos being read finish
        started = time.monotonic()
        process.wait(timeout=30)
        stopped_in = time.monotonic() - started
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    time.sleep(0.2)                                   # the reader thread takes the last lines
    err = "".join(said)
    assert told_at_once and process.returncode == 130 and stopped_in < 5
    assert err.count("interrupted after") == 1 and "Traceback" not in err and "Exception ignored" not in err
    deadline = time.monotonic() + 10
    while _session_processes(process.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _session_processes(process.pid) == []


# ---- refusing, interrupting and failing in words ------------------------------------------------------------
@pytest.mark.parametrize("out_name", ["a.png", "link-to-a", "a-hardlink.dat", "results.PNG"])
def test_csv_that_is_one_of_the_inputs_or_named_like_an_image_is_refused(folder, tmp_path, capsys, out_name):
    a = tmp_path / "a.png"
    a.write_bytes((folder / "three.png").read_bytes())
    (tmp_path / "link-to-a").symlink_to(a)
    os.link(a, tmp_path / "a-hardlink.dat")
    before = a.read_bytes()
    code = main(["predict", "--csv", str(tmp_path / out_name), str(a), str(folder / "sub" / "forty-two.jpg")])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert "--csv" in err and ("would be overwritten" in err or "image file extension" in err)
    assert a.read_bytes() == before and (tmp_path / "link-to-a").is_symlink()
    assert not (tmp_path / "results.PNG").exists()


def test_a_piece_refused_as_not_a_digit_says_so(tmp_path, capsys):
    from tests.engine.test_not_digit import LETTERS, drawing
    letter = save(tmp_path / "K.png", drawing(*LETTERS["K"]))
    assert main(["predict", str(letter)]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith(f"{letter}: not a digit (") and line.endswith("%)")


def test_ctrl_c_while_the_model_loads_exits_130_in_one_line(folder, monkeypatch, capsys):
    import digitdesk.engine.runner as runner_module

    def interrupted():
        raise KeyboardInterrupt
    monkeypatch.setattr(runner_module, "shared_runner", interrupted)
    try:
        code = main(["predict", str(folder / "three.png")])
    except KeyboardInterrupt:
        pytest.fail("Ctrl+C escaped main(): the user sees a traceback")
    assert code == 130
    assert capsys.readouterr().err.strip() == "digitdesk predict: interrupted"


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (a device that is always full)")
def test_a_full_disk_for_the_csv_is_reported_naming_the_file(folder, capsys):
    code = main(["predict", "--csv", "/dev/full", str(folder / "three.png")])
    err = capsys.readouterr().err
    assert code == 1
    assert "could not write /dev/full: No space left on device" in err and "None" not in err


def test_output_closed_early_ends_quietly(folder, tmp_path):
    """`digitdesk predict many | head -2`: no traceback, no "could not write"; 141 like a tool stopped by SIGPIPE."""
    many = tmp_path / "many"
    many.mkdir()
    for i in range(300):
        os.link(folder / "three.png", many / f"{i:03d}.png")
    process = subprocess.Popen([sys.executable, "-m", "digitdesk", "predict", "--jobs", "1", str(many)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        lines = [process.stdout.readline() for _ in range(2)]
        process.stdout.close()
        err = process.stderr.read().decode()
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert all(b": 3 (" in line for line in lines)
    assert err == "" and process.returncode == 141


@pytest.mark.skipif(sys.platform == "win32", reason="Windows file names cannot hold a newline")
def test_a_file_name_with_a_newline_is_one_line_of_output_and_whole_in_the_csv(folder, tmp_path, capsys):
    """One line per picture, so a script reading the output line by line sees one row each."""
    odd = tmp_path / "new\nline.png"
    odd.write_bytes((folder / "three.png").read_bytes())
    table = tmp_path / "out.csv"
    assert main(["predict", "--csv", str(table), str(odd)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and out[0].startswith(f"{tmp_path}/new\\nline.png: 3 (")
    with table.open(newline="", encoding="utf-8") as handle:
        assert [Path(row["path"]) for row in csv.DictReader(handle)] == [odd]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux file names are bytes, not always UTF-8")
def test_a_file_name_that_is_not_utf8_is_read_printed_and_kept_in_the_csv(folder, tmp_path, capsys):
    odd = tmp_path / os.fsdecode(b"caf\xe9.png")               # Latin-1 name, e.g. from an old camera card
    odd.write_bytes((folder / "three.png").read_bytes())
    table = tmp_path / "out.csv"
    assert main(["predict", "--csv", str(table), str(odd)]) == 0
    assert capsys.readouterr().out.startswith(f"{tmp_path}/caf\\xe9.png: 3 (")
    with table.open(newline="", encoding="utf-8", errors="surrogateescape") as handle:
        rows = list(csv.DictReader(handle))
    assert [(Path(row["path"]), row["text"]) for row in rows] == [(odd, "3")]   # the name's own bytes
    assert main(["predict", "--json", str(odd)]) == 0
    assert json.loads(capsys.readouterr().out)["path"] == str(odd)


@pytest.fixture
def locked(folder, tmp_path, monkeypatch):
    """tmp/scans/locked: a folder nobody may look into, beside two pictures."""
    scans = tmp_path / "scans"
    (scans / "locked").mkdir(parents=True)
    for name in ("a.png", "z.png"):
        (scans / name).write_bytes((folder / "three.png").read_bytes())
    (scans / "locked" / "x.png").write_bytes((folder / "three.png").read_bytes())
    locked = scans / "locked"
    deny(monkeypatch, locked)
    return locked


def test_a_folder_that_cannot_be_read_is_an_error_row_in_its_place(locked, capsys):
    code = main(["predict", "--json", str(locked.parent)])
    out, err = capsys.readouterr()
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(Path(r["path"]).name, r["error"]) for r in rows] == [
        ("a.png", None), ("z.png", None), ("locked", "permission denied")]
    assert code == 1 and "1 of 3 files could not be read" in err


def test_a_path_inside_a_folder_that_cannot_be_read_is_an_error_row(locked, capsys):
    code = main(["predict", str(locked / "x.png"), str(locked)])
    out, err = capsys.readouterr()
    assert code == 1 and "Traceback" not in err
    assert out.splitlines() == [f"{locked / 'x.png'}: error: permission denied", f"{locked}: error: permission denied"]


def test_only_a_folder_that_cannot_be_read_is_an_error_not_no_images_found(locked, monkeypatch, capsys):
    import digitdesk.engine.runner as runner_module
    monkeypatch.setattr(runner_module, "shared_runner", None)   # nothing to read: the model is not even loaded
    assert main(["predict", "--json", str(locked)]) == 1
    out, err = capsys.readouterr()
    assert json.loads(out)["error"] == "permission denied" and "no images found" not in err


@pytest.mark.parametrize("command", ["predict", "teach", "profile"])
def test_help_lists_the_exit_codes(command, capsys):
    assert main([command, "--help"]) == 0
    help_text = " ".join(capsys.readouterr().out.split())
    assert "exit status: 0" in help_text and "2 usage error" in help_text and "130 interrupted" in help_text


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full, a device that is always full (Linux)")
def test_output_to_a_full_disk_is_said_in_words_not_a_traceback(tmp_path):
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "DIGITDESK_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": str(root)}
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "digitdesk", "predict", str(root / "resources" / "samples")],
                              stdout=full, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path, timeout=120)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "could not write the output: No space left on device" in done.stderr
