"""The `digitdesk` command: opens the window, or reads image files from the shell.

    digitdesk                                   open the app
    digitdesk predict [--json] [--csv OUT] [--jobs N] [--profile NAME] PATH...   read files and folders
    digitdesk teach ... | profile ...           personal handwriting profiles (digitdesk/profile_cli.py)
    digitdesk --version | --selftest

The predict and version paths never import Qt, so they start fast and work on a
server without a display. Exit codes: 0 all read, 1 some file failed, 2 usage error.
"""
from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import sys
from collections.abc import Iterable
from typing import TextIO

from digitdesk import __version__

BATCH_SIZE = 64   # images per classify call with --jobs 1: amortises the per-call overhead, bounds memory


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="digitdesk", description="Read handwritten digits. Without a command, opens the app.")
    parser.add_argument("--version", action="version", version=f"digitdesk {__version__}")
    parser.add_argument("--selftest", action="store_true",
                        help="read the bundled sample images and report whether the install works")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    predict = commands.add_parser("predict", help="read the digits in image files and folders",
                                  description="Read the digits in image files; folders are searched recursively.")
    predict.add_argument("paths", nargs="+", metavar="PATH", help="image files or folders")
    predict.add_argument("--json", action="store_true", help="one JSON object per image and line")
    predict.add_argument("--csv", metavar="OUT", help="also write the results to this CSV file")
    predict.add_argument("--jobs", "-j", type=int, metavar="N",
                         help="processes reading in parallel (default: one per core; 1: no extra processes)")
    predict.add_argument("--batch-size", type=int, default=BATCH_SIZE, help=argparse.SUPPRESS)
    predict.add_argument("--profile", metavar="NAME",
                         help="read with this person's handwriting profile (see teach)")
    from digitdesk.profile_cli import add_commands
    add_commands(commands)   # teach, profile
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    try:
        args, extra = parser.parse_known_args(argv)
        if args.command in ("predict", "teach", "profile"):   # only the app passes unknown options on (to Qt)
            args = parser.parse_args(argv)
    except SystemExit as stop:   # --help, --version, usage errors: argparse already printed
        return int(stop.code or 0)
    if args.command == "predict":
        for option, value in (("--batch-size", args.batch_size), ("--jobs", args.jobs)):
            if value is not None and value < 1:
                parser.print_usage(sys.stderr)
                print(f"digitdesk predict: {option} must be at least 1", file=sys.stderr)
                return 2
        return predict(args.paths, as_json=args.json, csv_out=args.csv, batch_size=args.batch_size, jobs=args.jobs,
                       profile=args.profile)
    if args.command in ("teach", "profile"):
        from digitdesk.profile_cli import run
        return run(args)
    if args.selftest:
        from digitdesk.selftest import main as selftest
        return int(selftest() or 0)
    from digitdesk.gui.app import main as run_app
    return run_app([sys.argv[0] if sys.argv else "digitdesk", *extra])


# ---- predict ------------------------------------------------------------------------------
def _record(path: str, recognition=None, error: str | None = None) -> dict:
    """One JSON line: the Recognition's fields, or an error with empty fields."""
    if recognition is None:
        return {"path": path, "text": "", "digit": None, "confidence": None, "status": "error",
                "probabilities": None, "digits": [], "error": error}
    return {"path": path, **recognition.to_dict(), "error": None}


def _human(path: str, recognition, error: str | None) -> str:
    if recognition is None:
        return f"{path}: error: {error}"
    if not recognition.digits:
        return f"{path}: nothing to read"
    unsure = ", unsure" if recognition.status == "unsure" else ""
    return f"{path}: {recognition.text} ({recognition.confidence:.1%}{unsure})"


def predict(paths: Iterable[str], as_json: bool = False, csv_out: str | None = None,
            batch_size: int = BATCH_SIZE, out: TextIO | None = None, err: TextIO | None = None,
            jobs: int | None = None, profile: str | None = None) -> int:
    """Read every image under `paths`, print one line each as soon as it is read (in order); 1 if any failed.

    jobs: processes to read with (default: one per core; 1 reads in this process). Files
    are listed lazily and rows are written as they come, CSV included, so memory stays
    flat however many files there are. Ctrl+C stops within a moment: exit status 130.
    profile: read with this personal profile (engine/personal.py); worker processes get a snapshot of it.
    """
    out = out or sys.stdout
    err = err or sys.stderr
    from digitdesk.engine.files import iter_image_files
    from digitdesk.engine.parallel import CHUNK_FILES, ModelUnavailable, WorkersFailed, available_cores, read_files

    paths = [str(p) for p in paths]
    files = (str(f) for f in iter_image_files(paths))   # named files as given (missing ones too)
    first = list(itertools.islice(files, CHUNK_FILES + 1))
    if not first:
        print("digitdesk predict: no images found in " + ", ".join(paths), file=err)
        return 1
    jobs = available_cores() if jobs is None else jobs
    if len(first) <= CHUNK_FILES:
        jobs = 1   # one chunk of work: starting processes would cost more than it saves
    recognizer = samples = None
    if jobs > 1 and profile is not None:
        from digitdesk.profile_cli import profile_samples
        samples = profile_samples(profile, err)
        if samples is None:
            return 1
    if jobs <= 1:
        from digitdesk.engine.recognizer import Recognizer
        from digitdesk.engine.runner import shared_runner
        try:
            if profile is None:
                recognizer = Recognizer(shared_runner())
            else:
                from digitdesk.profile_cli import personal_recognizer
                recognizer = personal_recognizer(profile, err)
                if recognizer is None:
                    return 1
        except Exception as error:  # noqa: BLE001 - a missing or broken model file, a bad install
            print(f"digitdesk predict: could not load the model: {error}", file=err)
            return 1

    csv_file = None
    if csv_out:
        from digitdesk.engine.export import CsvRows
        try:
            csv_file = open(csv_out, "w", newline="", encoding="utf-8")   # closed below
        except OSError as error:
            print(f"digitdesk predict: could not write {csv_out}: {error.strerror or error}", file=err)
            return 1
    read = failed = 0
    try:
        csv_rows = CsvRows(csv_file) if csv_file else None
        results = read_files(itertools.chain(first, files), recognizer, jobs=jobs,
                             chunk_size=batch_size if jobs <= 1 else None, samples=samples)
        with contextlib.closing(results):
            for result in results:
                row = (result.path, result.recognition, result.error)
                if csv_rows:
                    csv_rows.write(*row)
                print(json.dumps(_record(*row)) if as_json else _human(*row), file=out, flush=True)
                read += 1
                failed += result.recognition is None
    except ModelUnavailable as error:
        print(f"digitdesk predict: could not load the model: {error}", file=err)
        return 1
    except WorkersFailed as error:
        print(f"digitdesk predict: {error}; --jobs 1 reads without extra processes", file=err)
        return 1
    except KeyboardInterrupt:
        print(f"digitdesk predict: interrupted after {read} files", file=err)
        return 130
    except OSError as error:   # the CSV's disk filled up, ...
        print(f"digitdesk predict: could not write {csv_out}: {error.strerror or error}", file=err)
        return 1
    finally:
        if csv_file:
            csv_file.close()
    if failed:
        print(f"digitdesk predict: {failed} of {read} files could not be read", file=err)
    return 1 if failed else 0
