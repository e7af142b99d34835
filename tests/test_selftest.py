"""`digitdesk --selftest`: reads the built-in sample drawings with the real model and says so in one JSON line."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from digitdesk import selftest
from digitdesk.paths import samples_dir


def _without_display(env: dict) -> dict:
    """The environment of a server or CI box: no X11, no Wayland, no Qt platform chosen for us."""
    return {k: v for k, v in env.items() if k not in {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}}


def test_file_names_say_which_number_a_sample_shows():
    assert selftest.expected_text(Path("7.png")) == "7"
    assert selftest.expected_text(Path("digit_7.png")) == "7"
    assert selftest.expected_text(Path("2026.png")) == "2026"
    assert selftest.expected_text(Path("notes.png")) is None


def test_builtin_samples_cover_every_digit_as_dark_ink_on_white():
    expected = {selftest.expected_text(p) for p in selftest.sample_files(samples_dir())}
    assert {str(d) for d in range(10)} <= expected
    assert any(len(text) > 1 for text in expected), "no multi-digit sample"
    for path in selftest.sample_files(samples_dir()):
        gray = np.asarray(Image.open(path).convert("L"))
        assert min(gray.shape) >= 200, f"{path.name} is smaller than a canvas drawing"
        assert np.median(gray) > 240 and gray.min() < 60, f"{path.name} is not dark ink on white"


def test_selftest_command_reads_every_sample_without_a_display(tmp_path):
    """Run from an unrelated folder with no display: samples and model come from the package, and no Qt."""
    done = subprocess.run([sys.executable, "-m", "digitdesk", "--selftest"], cwd=tmp_path,
                          env=_without_display(os.environ), capture_output=True, text=True, timeout=300)
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1, done.stdout + done.stderr
    report = json.loads(lines[0])
    misread = [s for s in report.get("samples", []) if not s["correct"]]
    assert done.returncode == 0, f"misread: {misread}; error: {report.get('error')}"
    assert report["all_correct"] is True
    assert report["correct"] == report["total"] == len(selftest.sample_files(samples_dir()))
    assert all(s["got"] == s["expected"] for s in report["samples"])
    assert report["model_load_s"] > 0 and report["inference_ms"] > 0


def test_a_misread_sample_fails_the_selftest_and_names_it(tmp_path, capsys):
    shutil.copy(samples_dir() / "7.png", tmp_path / "7.png")
    shutil.copy(samples_dir() / "3.png", tmp_path / "digit_8.png")   # a 3 that claims to be an 8

    assert selftest.main(tmp_path) == selftest.MISREAD

    report = json.loads(capsys.readouterr().out)
    assert report["all_correct"] is False
    assert (report["correct"], report["total"]) == (1, 2)
    wrong = [s for s in report["samples"] if not s["correct"]]
    assert [(s["file"], s["expected"], s["got"]) for s in wrong] == [("digit_8.png", "8", "3")]


def test_without_samples_the_selftest_reports_why_instead_of_crashing(tmp_path, capsys):
    (tmp_path / "readme.png").write_bytes(b"not a sample: its name has no number")

    assert selftest.main(tmp_path) == selftest.CANNOT_RUN

    report = json.loads(capsys.readouterr().out)
    assert report["all_correct"] is False
    assert "no sample digits" in report["error"]


def test_a_broken_sample_file_is_named_in_the_error(tmp_path, capsys):
    shutil.copy(samples_dir() / "7.png", tmp_path / "7.png")
    (tmp_path / "2026.png").write_bytes(b"\x89PNG truncated")

    assert selftest.main(tmp_path) == selftest.CANNOT_RUN

    report = json.loads(capsys.readouterr().out)
    assert "2026.png" in report["error"]
