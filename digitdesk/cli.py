"""The `digitdesk` command: opens the window, or reads image files from the shell.

    digitdesk                                   open the app
    digitdesk predict [--json] [--csv OUT] [--jobs N] [--profile NAME] PATH...   read files and folders
    digitdesk teach ... | profile ...           personal handwriting profiles (digitdesk/profile_cli.py)
    digitdesk --version | --selftest

The predict and version paths never import Qt, so they start fast and work on a
server without a display. Exit codes: 0 all read, 1 some file failed (or none found, or no model), 2 usage error,
130 interrupted (Ctrl+C), 143 stopped (SIGTERM, rows kept as for Ctrl+C), 141 output closed early
(`| head`: ends quietly, like a tool killed by SIGPIPE).
"""
from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import signal
import sys
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from typing import TextIO

from digitdesk import __version__
from digitdesk.paths import command_name

BATCH_SIZE = 64   # images per classify call with --jobs 1: amortises the per-call overhead, bounds memory
EXIT_CODES = ("exit status: 0 all read, 1 some files could not be read (or no images found, or the model "
              "could not load), 2 usage error, "
              "130 interrupted (Ctrl+C), 143 stopped (SIGTERM), 141 output closed early (e.g. | head)")


def given_path(text: str) -> str:
    """A PATH argument: an empty one (often an unset shell variable) would mean the current folder."""
    if not text:
        raise argparse.ArgumentTypeError("an empty path (is a shell variable unset?)")
    return text


def at_least_one(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a whole number is needed, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1 (not {value})")
    return value


def profile_name(text: str) -> str:
    """A NAME argument, checked and trimmed the same way wherever it is given."""
    from digitdesk.engine.samples import SampleStoreError, check_profile_name
    try:
        return check_profile_name(text)
    except SampleStoreError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=command_name(), description="Read handwritten digits. Without a command, opens the app.")
    parser.add_argument("--version", action="version", version=f"digitdesk {__version__}")
    parser.add_argument("--selftest", action="store_true",
                        help="read the bundled sample images and report whether the install works")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    predict = commands.add_parser("predict", help="read the digits in image files and folders",
                                  description="Read the digits in image files; folders are searched recursively.",
                                  epilog=EXIT_CODES)
    predict.add_argument("paths", nargs="+", type=given_path, metavar="PATH", help="image files or folders")
    predict.add_argument("--json", action="store_true", help="one JSON object per image and line")
    predict.add_argument("--csv", metavar="OUT", type=given_path, help="also write the results to this CSV file")
    predict.add_argument("--jobs", "-j", type=at_least_one, metavar="N",
                         help="processes reading in parallel (default: one per core; 1: no extra processes)")
    predict.add_argument("--batch-size", type=at_least_one, default=BATCH_SIZE, help=argparse.SUPPRESS)
    predict.add_argument("--profile", type=profile_name, metavar="NAME",
                         help="read with this person's handwriting profile (see teach)")
    from digitdesk.profile_cli import add_commands
    add_commands(commands)   # teach, profile
    return parser


def one_blas_thread() -> None:
    """numpy's matrix maths on one thread a process, set before numpy loads (worker processes inherit it).
    Each of predict's worker processes applying a personal profile otherwise started a thread per core,
    and the cores were fought over: 1,000 files took 5.3 s on 2 processes, 2.3 s on one, 2.8 s like this.
    The model itself runs on LiteRT's own threads. A value the user set is kept."""
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")


class Terminated(KeyboardInterrupt):
    """SIGTERM (`kill PID`, a job scheduler, a session ending): stopped as Ctrl+C stops it, rows kept."""


def _terminate(_signum, _frame) -> None:
    raise Terminated


def _how_stopped(stop: KeyboardInterrupt) -> tuple[str, int]:
    """What to say and the exit status: ('stopped', 143) for SIGTERM, ('interrupted', 130) for Ctrl+C."""
    return ("stopped", 143) if isinstance(stop, Terminated) else ("interrupted", 130)


def main(argv: list[str] | None = None) -> int:
    """Run the command; Ctrl+C (even while the model loads), SIGTERM and a closed output pipe end it without
    a traceback."""
    argv = sys.argv[1:] if argv is None else list(argv)
    one_blas_thread()
    command = f"digitdesk {argv[0]}" if argv and argv[0] in ("predict", "teach", "profile") else "digitdesk"
    # a parent that ignores SIGTERM (`trap '' TERM`, a supervisor) is obeyed, as Python does for SIGINT
    main_thread = threading.current_thread() is threading.main_thread() and \
        signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    before = signal.signal(signal.SIGTERM, _terminate) if main_thread else None
    try:
        code = _main(argv)
        sys.stdout.flush()   # here, where a full disk can still be said, not in Python's final flush
        return code
    except KeyboardInterrupt as stop:   # teach/import save in one transaction at the end: nothing is half-written
        how, status = _how_stopped(stop)
        print(f"{command}: {how}", file=sys.stderr)
        return status
    except BrokenPipeError:     # `digitdesk predict ... | head`: the reader has all it wanted
        _quiet_stdout()
        return 141
    except OSError as error:    # `> /dev/full`: the output could not be written; said without a traceback
        where = "the output" if error.filename is None else error.filename
        print(f"{command}: could not write {where}: {error.strerror or error}", file=sys.stderr)
        _quiet_stdout()
        return 1
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, before)


def _quiet_stdout() -> None:
    """Point stdout at the null device, so Python's final flush does not complain about the closed pipe."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):   # not a real file (a test's capture): nothing to flush
        pass


def _main(argv: list[str]) -> int:
    parser = build_parser()
    try:
        args, extra = parser.parse_known_args(argv)
        if args.command in ("predict", "teach", "profile"):   # only the app passes unknown options on (to Qt)
            args = parser.parse_args(argv)
    except SystemExit as stop:   # --help, --version, usage errors: argparse already printed
        return int(stop.code or 0)
    if args.command == "predict":
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
    from digitdesk.engine.files import display_name
    from digitdesk.engine.results import NOT_DIGIT
    path = display_name(path)   # a name that is not valid UTF-8 must not crash the terminal output
    if recognition is None:
        return f"{path}: error: {error}"
    if not recognition.digits:
        return f"{path}: nothing to read"
    if recognition.status == NOT_DIGIT:   # only refused pieces: the text is empty, say why
        return f"{path}: not a digit ({recognition.confidence:.1%})"
    return f"{path}: {recognition.text} ({', '.join([f'{recognition.confidence:.1%}', *recognition.remarks])})"


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
    from digitdesk.engine.files import display_name, iter_image_files
    from digitdesk.engine.parallel import (CHUNK_FILES, ModelUnavailable, ReadPool, WorkersFailed, available_cores,
                                           read_files)

    paths = [str(p) for p in paths]
    if csv_out:
        problem = _csv_problem(csv_out, paths)
        if problem:
            print(f"digitdesk predict: --csv {display_name(csv_out)} {problem}", file=err)
            return 2
    unlisted: deque[tuple[int, str, str]] = deque()   # (files listed before it, folder, why it could not be listed)
    listed = 0

    def note(folder, why: str) -> None:   # where in the output its error row goes: after the files listed so far
        unlisted.append((listed, str(folder), why))

    def listing() -> Iterator[str]:
        nonlocal listed
        for file in iter_image_files(paths, note):
            listed += 1
            yield str(file)

    files = listing()   # named files as given (missing ones too)
    first = list(itertools.islice(files, CHUNK_FILES + 1))
    if not first and not unlisted:
        print("digitdesk predict: no images found in " + ", ".join(map(display_name, paths)), file=err)
        return 1
    cores = available_cores()
    if len(first) <= CHUNK_FILES:
        jobs = 1   # one chunk of work: starting processes would cost more than it saves
    elif jobs is not None and jobs > cores:   # reading is CPU work: more processes only cost memory
        print(f"digitdesk predict: --jobs {jobs} is more than the {cores} core{'s' * (cores > 1)} here; "
              f"reading with {cores}", file=err)
    jobs = cores if jobs is None else min(jobs, cores)
    recognizer = samples = None   # with nothing but folders that could not be listed, no model is needed
    if first and jobs > 1 and profile is not None:
        from digitdesk.profile_cli import profile_samples
        samples = profile_samples(profile, err)
        if samples is None:
            return 1
    if first and jobs <= 1:
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
        try:   # surrogateescape: a file name that is not valid UTF-8 goes in as its own bytes
            csv_file = open(csv_out, "w", newline="", encoding="utf-8", errors="surrogateescape")   # closed below
        except OSError as error:
            print(f"digitdesk predict: could not write {display_name(csv_out)}: {error.strerror or error}", file=err)
            return 1
    read = failed = 0
    said = False   # the interruption, already
    # the pool is this function's, so it is closed (waiting for the files being read: seconds for big
    # photos) only after an interruption has been said; a second Ctrl+C then ends it at once
    pool = ReadPool(jobs) if first and jobs > 1 else None
    try:
        with pool or contextlib.nullcontext():
            with _csv_errors():
                csv_rows = CsvRows(csv_file) if csv_file else None
            results = read_files(itertools.chain(first, files), recognizer, jobs=jobs, pool=pool,
                                 chunk_size=batch_size if jobs <= 1 else None, samples=samples) if first else \
                (result for result in ())   # a generator: closing() below needs close()
            with contextlib.closing(results):
                try:
                    for row in _with_unlisted(results, unlisted):
                        if csv_rows:
                            with _csv_errors():
                                csv_rows.write(*row)
                        print(json.dumps(_record(*row)) if as_json else _human(*row), file=out, flush=True)
                        read += 1
                        failed += row[1] is None
                except KeyboardInterrupt as stop:
                    print(f"digitdesk predict: {_how_stopped(stop)[0]} after {read} files", file=err, flush=True)
                    said = True
                    raise
        if csv_file:
            with _csv_errors():   # a full disk often shows only now, when the last rows are flushed
                csv_file.close()
    except _CsvFailed as error:
        print(f"digitdesk predict: could not write {display_name(csv_out)}: {error}", file=err)
        return 1
    except ModelUnavailable as error:
        print(f"digitdesk predict: could not load the model: {error}", file=err)
        return 1
    except WorkersFailed as error:
        print(f"digitdesk predict: {error}; --jobs 1 reads without extra processes", file=err)
        return 1
    except KeyboardInterrupt as stop:   # also a second Ctrl+C while the reading processes stop: they end at once
        how, status = _how_stopped(stop)
        if not said:
            print(f"digitdesk predict: {how} after {read} files", file=err)
        return status
    finally:
        if csv_file and not csv_file.closed:   # interrupted or failed: keep the rows written so far
            with contextlib.suppress(OSError):
                csv_file.close()
    if failed:
        print(f"digitdesk predict: {failed} of {read} files could not be read", file=err)
    return 1 if failed else 0


def _csv_problem(csv_out: str, paths: list[str]) -> str | None:
    """Why --csv OUT must not be written, or None: it would overwrite an input or the handwriting samples,
    or its name says image."""
    from digitdesk.engine.files import is_image_name
    from digitdesk.engine.samples import is_store_file
    if any(_same_file(csv_out, path) for path in paths):
        return "is one of the files to read: it would be overwritten; give another name (e.g. results.csv)"
    if is_store_file(csv_out):
        return "is where your handwriting samples are kept: give another name (e.g. results.csv)"
    if is_image_name(csv_out):
        return "has an image file extension; the results are a CSV table: give a name ending in .csv"
    return None


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)   # also a hard link or a symlink to it
    except (OSError, ValueError):        # one of them does not exist yet
        return os.path.realpath(a) == os.path.realpath(b)


class _CsvFailed(Exception):
    """Writing the --csv file failed; str(error) is the reason in words."""


@contextlib.contextmanager
def _csv_errors():
    """Turn the CSV file's OSError into _CsvFailed, so it is not mistaken for the terminal's (a closed pipe)."""
    try:
        yield
    except OSError as error:
        raise _CsvFailed(error.strerror or str(error)) from error


def _with_unlisted(results, unlisted: deque) -> Iterator[tuple]:
    """Result rows in input order, with an error row for each folder that could not be listed, in its place.

    unlisted holds (files listed before it, folder, reason); by the time result n comes, every entry
    with n files before it is known, because the listing has gone past them.
    """
    done = 0
    for result in results:
        while unlisted and unlisted[0][0] <= done:
            _, folder, reason = unlisted.popleft()
            yield folder, None, reason
        yield result.path, result.in_file_pixels(), result.error   # boxes in the file's pixels
        done += 1
    for _, folder, reason in unlisted:
        yield folder, None, reason
