"""The `digitdesk` command: opens the window, or reads image files from the shell.

    digitdesk                                   open the app
    digitdesk predict [--json] [--csv OUT] PATH...   read files and folders (recursively)
    digitdesk --version | --selftest

The predict and version paths never import Qt, so they start fast and work on a
server without a display. Exit codes: 0 all read, 1 some file failed, 2 usage error.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from typing import TextIO

from digitdesk import __version__

BATCH_SIZE = 64   # images per classify call: amortises TF's per-call overhead, bounds memory


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
    predict.add_argument("--batch-size", type=int, default=BATCH_SIZE, help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    try:
        args, extra = parser.parse_known_args(argv)
        if args.command == "predict":   # only the app passes unknown options on (to Qt)
            args = parser.parse_args(argv)
    except SystemExit as stop:   # --help, --version, usage errors: argparse already printed
        return int(stop.code or 0)
    if args.command == "predict":
        if args.batch_size < 1:
            parser.print_usage(sys.stderr)
            print("digitdesk predict: --batch-size must be at least 1", file=sys.stderr)
            return 2
        return predict(args.paths, as_json=args.json, csv_out=args.csv, batch_size=args.batch_size)
    if args.selftest:
        from digitdesk.selftest import main as selftest
        return int(selftest() or 0)
    from digitdesk.gui.app import main as run_app
    return run_app([sys.argv[0] if sys.argv else "digitdesk", *extra])


# ---- predict ------------------------------------------------------------------------------
def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


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


Row = tuple  # (path, Recognition | None, error | None): what engine.export.write_csv takes


def _read_chunk(paths: list[str], recognizer) -> list[Row]:
    from digitdesk.engine.decode import ImageDecodeError, load_image
    decoded: list[tuple[str, object, str | None]] = []
    for path in paths:
        try:
            decoded.append((path, load_image(path), None))
        except ImageDecodeError as error:
            decoded.append((path, None, str(error)))
        except OSError as error:
            decoded.append((path, None, f"could not read the file: {error.strerror or error}"))
    images = [image for _, image, _ in decoded if image is not None]
    try:
        readings = iter(recognizer.recognize_many(images) if images else [])
    except Exception:  # noqa: BLE001 - one odd image must not sink its 63 neighbours
        return [_read_alone(path, image, recognizer) if image is not None else (path, None, error)
                for path, image, error in decoded]
    return [(path, next(readings), None) if image is not None else (path, None, error)
            for path, image, error in decoded]


def _read_alone(path: str, image, recognizer) -> Row:
    try:
        return path, recognizer.recognize(image), None
    except Exception as error:  # noqa: BLE001
        return path, None, f"could not be read: {error}"


def predict(paths: Iterable[str], as_json: bool = False, csv_out: str | None = None,
            batch_size: int = BATCH_SIZE, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Read every image under `paths`, print one line each; 1 if any could not be read."""
    out = out or sys.stdout
    err = err or sys.stderr
    from digitdesk.engine.files import iter_image_files

    paths = [str(p) for p in paths]
    files = [str(f) for f in iter_image_files(paths)]   # named files as given (missing ones too)
    if not files:
        print("digitdesk predict: no images found in " + ", ".join(paths), file=err)
        return 1
    from digitdesk.engine.recognizer import Recognizer
    from digitdesk.engine.runner import shared_runner
    try:
        recognizer = Recognizer(shared_runner())
    except Exception as error:  # noqa: BLE001 - a missing or broken model file, a bad TF install
        print(f"digitdesk predict: could not load the model: {error}", file=err)
        return 1

    rows: list[Row] = []
    for chunk in _chunks(files, batch_size):
        for row in _read_chunk(chunk, recognizer):
            rows.append(row)
            print(json.dumps(_record(*row)) if as_json else _human(*row), file=out, flush=True)

    if csv_out:
        from digitdesk.engine.export import write_csv
        try:
            write_csv(rows, csv_out)
        except OSError as error:
            print(f"digitdesk predict: could not write {csv_out}: {error.strerror or error}", file=err)
            return 1
    failed = sum(error is not None or recognition is None for _, recognition, error in rows)
    if failed:
        print(f"digitdesk predict: {failed} of {len(rows)} files could not be read", file=err)
    return 1 if failed else 0
