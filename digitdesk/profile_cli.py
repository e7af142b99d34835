"""`digitdesk teach` and `digitdesk profile ...`: personal profiles from the shell, in the app's own store.

    digitdesk teach [--profile NAME] FOLDER...            FOLDER/0/... to FOLDER/9/...: pictures of each digit
    digitdesk teach [--profile NAME] --label D FILE...     pictures of the digit D
    digitdesk profile list | check NAME | rename NAME NEW | forget NAME | export NAME FILE
    digitdesk profile import FILE [--profile NAME]

The samples live where the app keeps them ($DIGITDESK_DATA_DIR, else the app-data
folder, see digitdesk/data_dir.py), so what is taught here is used by the app and
`digitdesk predict --profile NAME`. No Qt is imported. Exit status: 0 all went
well, 1 something could not be taught or done (or the store cannot be saved in:
then nothing is changed), 2 usage error, 130 interrupted (Ctrl+C: nothing half-saved),
141 output closed early.
"""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from digitdesk.data_dir import DEFAULT_PROFILE

PROG = "digitdesk"
_EXAMPLE_EXTENSIONS = (".png", ".jpg", ".bmp")   # named when a folder holds no pictures at all
EXIT_CODES = ("exit status: 0 all went well, 1 something could not be taught or done (nothing is changed when "
              "the store cannot be saved in), 2 usage error, 130 interrupted (Ctrl+C), 141 output closed early")


def add_commands(commands) -> None:
    """Add `teach` and `profile` to the `digitdesk` command's subparsers."""
    from digitdesk.cli import given_path, profile_name
    teach = commands.add_parser(
        "teach", help="teach your handwriting from pictures of single digits",
        description="Save pictures of single digits as samples of your handwriting. Give folders with one "
                    "subfolder per digit (0/ ... 9/), or --label D and pictures of that digit. A picture with "
                    "no digit or several is reported and skipped.", epilog=EXIT_CODES)
    teach.add_argument("paths", nargs="+", type=given_path, metavar="PATH",
                       help="folders of digit folders, or files with --label")
    teach.add_argument("--label", type=int, choices=range(10), metavar="D", help="the digit every PATH shows")
    teach.add_argument("--profile", default=DEFAULT_PROFILE, type=profile_name, metavar="NAME",
                       help=f"whose handwriting it is (default: {DEFAULT_PROFILE})")
    profile = commands.add_parser("profile", help="list, check, rename, forget, export or import handwriting profiles",
                                  description="Manage the personal handwriting profiles.", epilog=EXIT_CODES)
    actions = profile.add_subparsers(dest="action", metavar="ACTION", required=True)

    def action(name: str, text: str) -> argparse.ArgumentParser:   # `profile NAME --help` says it too
        return actions.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".", epilog=EXIT_CODES)
    named = {"type": profile_name, "metavar": "NAME", "help": "the profile (letter case aside)"}
    action("list", "every profile and its samples per digit")
    action("check", "how a profile reads its own samples and other people's digits").add_argument("name", **named)
    rename = action("rename", "give a profile another name (its samples stay)")
    rename.add_argument("name", **named)
    rename.add_argument("new", type=profile_name, metavar="NEW", help="its new name")
    action("forget", "delete a profile and all its samples").add_argument("name", **named)
    export = action("export", "write a profile's samples to a zip (PNGs in digit folders)")
    export.add_argument("name", **named)
    export.add_argument("file", type=given_path, metavar="FILE",
                        help="the zip to write: an earlier export is replaced, no other file")
    load = action("import", "add the samples of a zip (PNGs in digit folders) to a profile")
    load.add_argument("file", type=given_path, metavar="FILE", help="a zip of 0/ ... 9/ folders of pictures, "
                      "e.g. an export")
    load.add_argument("--profile", type=profile_name, metavar="NAME",
                      help="the profile to add them to (default: the zip's name)")


def run(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    from digitdesk.engine.samples import SampleStoreError
    try:
        if args.command == "teach":
            return teach(args.paths, args.profile, args.label, out, err)
        return {"list": profile_list, "check": profile_check, "rename": profile_rename,
                "forget": profile_forget,
                "export": profile_export, "import": profile_import}[args.action](args, out, err)
    except SampleStoreError as error:
        print(f"{PROG} {args.command}{' ' + args.action if args.command == 'profile' else ''}: {error}", file=err)
        return 1


def open_store(err: TextIO, saving: str | None = None):
    """The app's sample store; what went wrong opening it (damaged file, read-only folder) goes to stderr.

    For a command that saves (`saving` names it), None when the store could only be had in memory:
    it falls back to memory for the app's sake, and the command would report success for changes that
    vanish on exit, so it changes nothing and says why instead.
    """
    from digitdesk.data_dir import data_dir
    from digitdesk.engine.samples import SampleStore
    store = SampleStore(data_dir())
    if saving and store.read_only:
        print(f"{PROG} {saving}: cannot save in {store.folder} ({store.unwritable_reason}): nothing was changed",
              file=err)
        store.close()
        return None
    # a read-only folder matters only to commands that save, unless even the saved samples could not be read
    if store.notice and (not store.read_only or store.saved_unreadable):
        print(f"{PROG}: {store.notice}", file=err)
    return store


def _counts(counts: list[int]) -> str:
    return " ".join(f"{d}:{n}" for d, n in enumerate(counts))


def _add_new(store, profile: str, found: Iterable, err: TextIO, command: str) -> tuple[int, int, int, int, int]:
    """Save the samples found (skipping ones the profile already holds) in one transaction at the end,
    so Ctrl+C leaves nothing half-saved; (added, already there, the same picture twice among those
    found, skipped, pictures looked at)."""
    from digitdesk.engine.files import display_name   # SQLite and terminals take only valid text
    from digitdesk.engine.sample_files import fresh_samples
    problems = []

    def tell(item) -> None:
        problems.append(item)
        print(f"{PROG} {command}: {display_name(item.source)}: {item.problem}", file=err)
    fresh, duplicates, pictures = fresh_samples(found, tell)
    added = len(fresh)
    if fresh:   # those the profile holds, also any another program added meanwhile, are left out as written
        added = len(store.add_many(profile, [(item.label, item.image, display_name(item.source)) for item in fresh],
                                   new_only=True))
    return added, len(fresh) - added, duplicates, len(problems), pictures


def _report(out: TextIO, store, profile: str, added: int, held: int, duplicates: int, skipped: int,
            verb: str) -> None:
    from digitdesk.engine.samples import left_out_text
    total = store.counts(profile)
    extra = "".join(f", {said}" for said in left_out_text(held, duplicates))
    extra += f", {skipped} skipped" if skipped else ""
    print(f"{verb} {_samples(added)} to profile {profile!r}{extra}; it now holds {sum(total)} ({_counts(total)})",
          file=out)


def _kind(path: str) -> str:
    """What a path given on the command line is: 'digit folders', 'folder', 'file', 'missing', or why it
    cannot be looked at ('permission denied': a folder on the way the user may not enter)."""
    from digitdesk.engine.files import unreadable_reason
    from digitdesk.engine.sample_files import has_digit_folders
    try:
        target = Path(path)
        if target.is_dir():
            return "digit folders" if has_digit_folders(target) else "folder"
        return "file" if target.is_file() else "missing"
    except OSError as error:
        return unreadable_reason(error)


def teach(paths: list[str], profile: str, label: int | None, out: TextIO, err: TextIO) -> int:
    from digitdesk.engine import sample_files
    from digitdesk.engine.samples import check_profile_name
    profile = check_profile_name(profile)
    kinds = {path: _kind(path) for path in paths}
    if label is None:
        bad = [p for p in paths if kinds[p] != "digit folders"]
        for path in bad:
            reason = {"file": "is a file: give its digit with --label D", "folder": "has no digit folders (0 ... 9)",
                      "missing": "does not exist"}.get(kinds[path], kinds[path])
            print(f"{PROG} teach: {path} {reason}", file=err)
        if bad:
            return 2
        found = (item for path in paths for item in sample_files.from_digit_folders(path))
    else:
        sorted_already = [p for p in paths if kinds[p] == "digit folders"]
        for path in sorted_already:   # --label would make every digit of them that one
            print(f"{PROG} teach: {path} holds digit folders (0 ... 9): leave out --label, and each "
                  "folder's pictures are taught as its digit", file=err)
        if sorted_already:
            return 2
        found = sample_files.from_files(paths, label)
    store = open_store(err, saving="teach")
    if store is None:
        return 1
    with store:
        profile = store.profile_named(profile)   # 'Ben' teaches ben, as in the window
        added, held, duplicates, skipped, pictures = _add_new(store, profile, found, err, "teach")
        if not pictures:
            where = "the digit folders (0 ... 9) of " if label is None else ""
            print(f"{PROG} teach: nothing taught: no pictures ({', '.join(_EXAMPLE_EXTENSIONS)}, ...) found in "
                  f"{where}{', '.join(map(str, paths))}", file=err)
            return 1
        _report(out, store, profile, added, held, duplicates, skipped, "Taught")
    return 1 if skipped or not (added or held or duplicates) else 0


def profile_list(args, out: TextIO, err: TextIO) -> int:
    with open_store(err) as store:
        names = store.profiles()
        if not names and store.read_only and not store.path.is_file():   # nothing can be kept there at all
            print(f"{PROG} profile list: the samples folder {store.folder} cannot be used "
                  f"({store.unwritable_reason}): no profiles are kept there", file=err)
            return 1
        if not names:
            print("No profiles yet: `digitdesk teach` or a correction in the app makes one.", file=out)
        for name in names:
            counts = store.counts(name)
            print(f"{name}: {_samples(sum(counts))} ({_counts(counts)})", file=out)
    return 0


def _known(store, name: str, command: str, err: TextIO) -> str | None:
    """The profile `name` means (in any letter case, as the window takes it); None, said, if there is none."""
    found = store.existing_profile(name)
    if found is not None:
        return found
    names = ", ".join(store.profiles()) or "none yet"
    print(f"{PROG} {command}: no profile named {name!r} (profiles: {names})", file=err)
    return None


def profile_check(args, out: TextIO, err: TextIO) -> int:
    with open_store(err) as store:
        name = _known(store, args.name, "profile check", err)
        if name is None:
            return 1
        try:
            from digitdesk.engine.runner import shared_runner
            runner = shared_runner()
        except Exception as error:  # noqa: BLE001 - a missing or broken model file, a bad install
            print(f"{PROG} profile check: could not load the model: {error}", file=err)
            return 1
        from digitdesk.engine.personal import load_profile
        check = load_profile(store, name, runner).check(runner.calibration.not_digit_threshold)
        print(f"{name}: {check.summary()}", file=out)
    return 0


def _open_known(name: str, command: str, err: TextIO):
    """(the store, the profile `name` means), for a command that changes it; (None, None), said, if the
    store cannot be saved in or has no such profile."""
    store = open_store(err, saving=command)
    if store is None:
        return None, None
    found = _known(store, name, command, err)
    if found is None:
        store.close()
        return None, None
    return store, found


def profile_rename(args, out: TextIO, err: TextIO) -> int:
    store, name = _open_known(args.name, "profile rename", err)
    if store is None:
        return 1
    with store:
        new = store.rename_profile(name, args.new)
        print(f"Renamed profile {name!r} to {new!r}." if new != name else
              f"Profile {new!r} already has that name.", file=out)
    return 0


def profile_forget(args, out: TextIO, err: TextIO) -> int:
    store, name = _open_known(args.name, "profile forget", err)
    if store is None:
        return 1
    with store:
        count = store.forget(name)
        print(f"Forgot profile {name!r} and its {_samples(count)}.", file=out)
    return 0


def _samples(count: int) -> str:
    """'1 sample', '3 samples' (the engine's wording, imported when a command runs, as the rest of it)."""
    from digitdesk.engine.samples import samples_text
    return samples_text(count)


def profile_export(args, out: TextIO, err: TextIO) -> int:
    from digitdesk.engine.sample_files import may_replace, write_archive
    with open_store(err) as store:
        name = _known(store, args.name, "profile export", err)
        if name is None:
            return 1
        if not Path(args.file).suffix and not os.path.lexists(args.file):   # as zip does: `export ana backup`
            args.file += ".zip"                                             # writes backup.zip, which import lists
        if not may_replace(args.file):
            print(f"{PROG} profile export: {args.file} exists and is not an earlier export (a zip of pictures in "
                  "digit folders): not overwritten; give another name (e.g. mine.zip)", file=err)
            return 1
        try:
            count = write_archive(store.samples(name), args.file)
        except OSError as error:
            print(f"{PROG} profile export: could not write {args.file}: {error.strerror or error}", file=err)
            return 1
        print(f"Wrote {_samples(count)} of profile {name!r} to {args.file}", file=out)
    return 0


def profile_import(args, out: TextIO, err: TextIO) -> int:
    from digitdesk.engine.sample_files import from_archive, profile_from_archive_name
    from digitdesk.engine.samples import SampleStoreError, check_profile_name
    kind = _kind(args.file)
    if kind != "file":
        folder = "is a folder, not a zip archive"
        what = {"missing": "does not exist", "folder": folder, "digit folders": folder}.get(kind, kind)
        print(f"{PROG} profile import: {args.file} {what}", file=err)
        return 1
    try:
        profile = check_profile_name(args.profile or profile_from_archive_name(args.file))
    except SampleStoreError as error:
        if args.profile:
            raise
        raise SampleStoreError(f"{error} That is the archive's name; say whose samples these are "
                               "with --profile NAME.") from None
    store = open_store(err, saving="profile import")
    if store is None:
        return 1
    with store:
        profile = store.profile_named(profile)
        added, held, duplicates, skipped, _ = _add_new(store, profile, from_archive(args.file), err,
                                                       "profile import")
        if not (added or held or duplicates):   # as teach: an archive that gave nothing is not a success
            print(f"{PROG} profile import: nothing imported from {args.file}", file=err)
            return 1
        _report(out, store, profile, added, held, duplicates, skipped, "Imported")
    return 1 if skipped else 0


def profile_samples(name: str, err: TextIO):
    """The named profile's samples (for `predict --profile` in worker processes); None if there is no such profile."""
    with open_store(err) as store:
        if name.strip().casefold() == DEFAULT_PROFILE.casefold():   # always there, as in the window: with no
            return store.samples(DEFAULT_PROFILE)                     # samples yet, read as without a profile
        found = _known(store, name, "predict", err)
        return store.samples(found) if found is not None else None


def personal_recognizer(name: str, err: TextIO):
    """A Recognizer reading with the named profile (for `predict --profile`); None if it cannot be had."""
    from digitdesk.engine.personal import PersonalProfile
    from digitdesk.engine.recognizer import Recognizer
    from digitdesk.engine.runner import shared_runner
    samples = profile_samples(name, err)
    if samples is None:
        return None
    runner = shared_runner()
    profile = PersonalProfile(runner)
    profile.load(samples)
    return Recognizer(runner, profile=profile)
