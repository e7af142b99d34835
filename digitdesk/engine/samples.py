"""The user's handwriting samples: every correction, kept in one SQLite file that never loses one.

A sample is the 28x28 image the model saw (uint8, 784 bytes), the right digit, where
it came from and when, filed under a profile (several people can share a machine).
Each write is one transaction; the database runs in WAL mode with synchronous=FULL:
every commit is on disk before add() returns, so a crash, a kill or a power cut
loses nothing the user saw saved (NORMAL would risk the last commits on power loss
to save a few ms, which nobody correcting digits by hand would notice).

Things that go wrong are told in plain words through `notice` and the app goes on:
a damaged file is moved aside (renamed with a timestamp) and a new one started; a
folder that cannot be written keeps the samples in memory for this session
(starting from a read-only copy of the file, if there is one).
"""
from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from digitdesk.data_dir import DEFAULT_PROFILE  # re-exported too: the store's default profile
from digitdesk.engine.sqlite_pages import table_rows

DB_FILE = "handwriting.sqlite3"
SCHEMA_VERSION = 1
MAX_NAME = 60
RESCUE_SECONDS = 5.0   # a damaged file's readable samples are looked for this long at most, before the window shows
RESCUE_GAP = 4096      # ... and an id this far past the last one read is taken for damage, not followed

_SCHEMA = """
CREATE TABLE IF NOT EXISTS profiles (
    name TEXT PRIMARY KEY,
    created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS samples (
    id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: a stale undo cannot delete a newer sample
    profile TEXT NOT NULL REFERENCES profiles(name) ON DELETE CASCADE,
    label INTEGER NOT NULL CHECK (label BETWEEN 0 AND 9),
    image BLOB NOT NULL CHECK (length(image) = 784),
    source TEXT NOT NULL,
    created REAL NOT NULL);
CREATE INDEX IF NOT EXISTS samples_by_profile ON samples(profile, label);
"""
_DAMAGED = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}


class _Damaged(Exception):
    """The database file is not a readable SQLite database."""


class SampleStoreError(RuntimeError):
    """A sample could not be saved or a name is unusable; str(error) says why in plain words."""


@dataclass(frozen=True)
class Sample:
    id: int
    profile: str
    label: int
    image: np.ndarray   # (28, 28) uint8, ink bright: the model's input
    source: str         # "draw", "images", "webcam", or the file a CLI teach read
    created: float      # unix time


def as_uint8_image(image: np.ndarray) -> np.ndarray:
    """A model input (float in [0, 1] or uint8) as the (28, 28) uint8 a sample stores."""
    image = np.asarray(image)
    if image.size != 28 * 28:
        raise SampleStoreError(f"a sample must be a 28x28 image, not {image.shape}")
    if image.dtype != np.uint8:
        image = np.rint(np.clip(image.astype(np.float32), 0.0, 1.0) * 255)
    return image.astype(np.uint8).reshape(28, 28)


def is_store_file(path: str | os.PathLike) -> bool:
    """Is `path` the sample database (or its WAL files) where this user's samples are kept?"""
    from digitdesk.data_dir import data_dir
    store = data_dir() / DB_FILE
    try:
        target = Path(path).resolve()
        return any(target == Path(f"{store}{suffix}").resolve() for suffix in ("", "-wal", "-shm"))
    except (OSError, RuntimeError):
        return False


def samples_text(count: int) -> str:
    """'1 sample', '3 samples'."""
    return f"{count} sample{'' if count == 1 else 's'}"


def _rows(items: Iterable[tuple[int, np.ndarray, str]]) -> list[tuple[int, bytes, str, float]]:
    """(label, image, source) as stored: the label checked, the image as 28x28 uint8 bytes, the time now."""
    return [(_check_label(label), as_uint8_image(image).tobytes(), str(source), time.time())
            for label, image, source in items]


def left_out_text(held: int, copies: int) -> list[str]:
    """What a teach or import left out, in words ('3 already there', '1 copy of another picture left out'):
    samples the profile held, and pictures given twice (the same picture under two names)."""
    said = [f"{held} already there"] if held else []
    if copies:
        said.append(("1 copy of another picture" if copies == 1 else f"{copies} copies of other pictures")
                    + " left out")
    return said


def check_profile_name(name: str) -> str:
    """The name cleaned (spaces round it dropped; Unicode composed, so an 'É' typed on a Mac or pasted is the
    same name as one typed elsewhere), or SampleStoreError in plain words."""
    name = unicodedata.normalize("NFC", (name or "").strip())
    # control characters, and bytes of a command-line argument that were not valid UTF-8 (surrogates)
    if not name or len(name) > MAX_NAME or any(ord(c) < 32 or 0xD800 <= ord(c) <= 0xDFFF for c in name):
        raise SampleStoreError(f"A profile name needs 1 to {MAX_NAME} characters, without line breaks or tabs "
                               f"(this one has {len(name)}).")
    return name


def _fold(name: str) -> str:
    """What two names share when they mean one person: letter case and Unicode composition aside."""
    return unicodedata.normalize("NFC", name).casefold()


def profile_order(name: str) -> tuple[str, str]:
    """How profiles are listed: alphabetically whatever the letter case and accents ('Émile' by 'Emma')."""
    plain = "".join(c for c in unicodedata.normalize("NFD", name) if not unicodedata.combining(c))
    return plain.casefold(), name.casefold()


def _check_label(label) -> int:
    if isinstance(label, (bool, np.bool_)) or not isinstance(label, (int, np.integer)) or not 0 <= label <= 9:
        raise SampleStoreError(f"a sample's label must be a digit 0-9, not {label!r}")
    return int(label)


class SampleStore:
    """The samples database in `folder`; safe to use from several threads."""

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)
        self.path = self.folder / DB_FILE
        self.read_only = False
        self.unwritable_reason: str | None = None   # why, when read_only: "permission denied", ...
        self.notice: str | None = None   # what went wrong on opening, for the user; None if all is well
        self.saved_unreadable = False    # read-only and the saved samples could not even be read
        self._lock = threading.RLock()
        self._db = self._open()

    # ---- opening ----------------------------------------------------------------------
    def _open(self) -> sqlite3.Connection:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            return self._open_file()
        except _Damaged:
            pass
        except (sqlite3.Error, OSError) as exc:
            return self._open_in_memory(exc)
        try:
            aside = self._move_aside()
            db = self._open_file()
        except (_Damaged, sqlite3.Error, OSError) as exc:
            return self._open_in_memory(exc)
        rescued = _rescue(self.folder / aside, db)
        kept = (f"; {samples_text(rescued)} that could still be read from it are kept in a new collection."
                if rescued else " and a new, empty collection was started.")
        self.notice = (f"The saved handwriting samples could not be read: the file is damaged. It was moved "
                       f"to {aside}{kept}")
        return db

    def _open_file(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
        try:
            self._configure(db)
            if db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise _Damaged("the file fails its integrity check")
            if db.execute("PRAGMA user_version").fetchone()[0] > SCHEMA_VERSION:
                raise OSError(0, "it was written by a newer version of DigitDesk")
            with _transaction(db):
                _create_tables(db)
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            return db
        except sqlite3.DatabaseError as exc:
            db.close()
            if _primary_code(exc) in _DAMAGED:
                raise _Damaged(str(exc)) from exc
            raise
        except BaseException:
            db.close()
            raise

    @staticmethod
    def _configure(db: sqlite3.Connection) -> None:
        db.execute("PRAGMA foreign_keys = ON")
        # a forgotten sample's bytes are overwritten, not left in free space (nor read back by a rescue)
        db.execute("PRAGMA secure_delete = ON")
        if db.execute("PRAGMA journal_mode = WAL").fetchone()[0].lower() not in ("wal", "memory"):
            raise sqlite3.OperationalError("the folder does not allow a write-ahead log")
        db.execute("PRAGMA synchronous = FULL")

    def _move_aside(self) -> str:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.damaged-{stamp}")
        n = 1
        while aside.exists():
            n += 1
            aside = self.path.with_name(f"{self.path.name}.damaged-{stamp}-{n}")
        self.path.rename(aside)
        for suffix in ("-wal", "-shm"):   # the log belongs to the damaged file; keep it beside it
            companion = self.path.with_name(self.path.name + suffix)
            if companion.exists():
                companion.rename(aside.with_name(aside.name + suffix))
        return aside.name

    def _open_in_memory(self, reason: Exception) -> sqlite3.Connection:
        """Keep working for this session: an in-memory copy of whatever could still be read."""
        self.read_only = True
        self.unwritable_reason = _plain_reason(reason)
        db = self._readable_copy()
        copied = db is not None
        self.saved_unreadable = not copied and self.path.is_file()   # samples there, but none could be read
        db = db or sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA foreign_keys = ON")
        with _transaction(db):
            _create_tables(db)
        kept = ("; the samples saved before are used" if copied else
                "; the samples saved there could not be read either" if self.saved_unreadable else "")
        # what it means for the user first: a status bar cuts a long message at its end
        self.notice = (f"Corrections made now count until DigitDesk closes but are not kept: handwriting "
                       f"samples cannot be saved in {self.folder} ({self.unwritable_reason}){kept}.")
        return db

    def _readable_copy(self) -> sqlite3.Connection | None:
        """The file's samples copied into memory, or None if it cannot be read."""
        # mode=ro reads the write-ahead log too; immutable=1 (main file only) still opens where
        # SQLite cannot create the log's index file in a read-only folder
        for options in ("mode=ro", "mode=ro&immutable=1"):
            if not self.path.is_file():
                return None
            db = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
            try:
                source = _read_only(self.path, options)
                try:
                    source.backup(db)
                finally:
                    source.close()
                if (db.execute("PRAGMA quick_check").fetchone()[0] == "ok" and db.execute(
                        "SELECT count(*) FROM sqlite_master WHERE name = 'samples'").fetchone()[0]):
                    return db
            except sqlite3.Error:
                pass
            db.close()
        return None

    def data_version(self) -> int | None:
        """A number that changes whenever another connection to the file commits: another DigitDesk
        window, `digitdesk teach` or `profile forget` (never this store's own writes); None if the file
        cannot be asked right now."""
        with self._lock:
            try:
                return int(self._db.execute("PRAGMA data_version").fetchone()[0])
            except sqlite3.Error:
                return None

    # ---- profiles ---------------------------------------------------------------------
    def profiles(self) -> list[str]:
        with self._lock:
            return sorted((row[0] for row in self._db.execute("SELECT name FROM profiles")), key=profile_order)

    def create_profile(self, name: str) -> str:
        """Make sure the profile exists (it may hold no samples yet); returns its name: the one already there
        if it differs only in case ('Ben' is 'ben'), else the cleaned name."""
        name = check_profile_name(name)
        with self._writing():
            return self._existing(name)

    def _existing(self, name: str) -> str:
        """Inside a write: the profile called `name` in any letter case, created if there is none."""
        name = self._named(name) or name
        # `created` tells people apart when one is renamed elsewhere (gui/handwriting.py): never two alike
        self._db.execute("INSERT OR IGNORE INTO profiles (name, created) SELECT ?, max(?, "
                         "coalesce((SELECT max(created) FROM profiles), 0) + 1e-6)", (name, time.time()))
        return name

    def _named(self, name: str) -> str | None:
        """The profile `name` means in any letter case (any alphabet's: SQLite's NOCASE folds only A-Z);
        'Default' is always the default person, there or not yet."""
        names = sorted(row[0] for row in self._db.execute("SELECT name FROM profiles"))
        if name in names:   # as stored wins (a file from before names were matched this way may hold both)
            return name
        if _fold(name) == _fold(DEFAULT_PROFILE):
            return DEFAULT_PROFILE
        return next((n for n in names if _fold(n) == _fold(name)), None)

    def profile_named(self, name: str) -> str:
        """The profile `name` means: one already there in any letter case, else the cleaned name (new)."""
        name = check_profile_name(name)
        with self._lock:
            return self._named(name) or name

    def existing_profile(self, name: str) -> str | None:
        """The stored profile `name` means (in any letter case), or None: there is no such profile yet."""
        with self._lock:
            found = self.profile_named(name)
            return found if self.created(found) is not None else None   # one row looked up, not every name

    def created(self, name: str) -> float | None:
        """When the profile was made (kept by a rename: how a window finds its person renamed elsewhere)."""
        with self._lock:
            row = self._db.execute("SELECT created FROM profiles WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def find_created(self, created: float) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT name FROM profiles WHERE created = ?", (created,)).fetchone()
        return row[0] if row else None

    def rename_profile(self, old: str, new: str) -> str:
        """Give a profile and its samples another name, in one transaction; returns the cleaned new name.
        Refused if another profile already has it (merging two people's hands is never what a rename means)
        or if `old` is gone (forgotten by another program meanwhile). The default person before their first
        sample has nothing to move: `new` is just made."""
        new = check_profile_name(new)
        new = DEFAULT_PROFILE if _fold(new) == _fold(DEFAULT_PROFILE) else new   # its one spelling
        with self._writing():
            row = self._db.execute("SELECT created FROM profiles WHERE name = ?", (old,)).fetchone()
            if row is None and old != DEFAULT_PROFILE:
                raise SampleStoreError(f"There is no profile named {old!r} (any more).")
            taken = self._named(new)
            if taken == DEFAULT_PROFILE and old != DEFAULT_PROFILE:
                raise SampleStoreError(f"{DEFAULT_PROFILE!r} is the default person's name; choose another name.")
            if taken is not None and taken != old:
                raise SampleStoreError(f"There is already a profile named {taken!r}; choose another name.")
            if new != old and row is None:
                self._existing(new)
            elif new != old:
                self._db.execute("INSERT INTO profiles (name, created) VALUES (?, ?)", (new, row[0]))
                self._db.execute("UPDATE samples SET profile = ? WHERE profile = ?", (new, old))
                self._db.execute("DELETE FROM profiles WHERE name = ?", (old,))
        return new

    def forget(self, profile: str, only: Iterable[int] | None = None) -> int:
        """Delete the profile and all its samples; returns how many samples went. With `only`, just those
        samples (the ones the user was shown when asked): samples another window or `digitdesk teach`
        added since stay, and so does the profile while it holds any."""
        with self._writing():
            if only is None:
                count = self._db.execute("SELECT count(*) FROM samples WHERE profile = ?", (profile,)).fetchone()[0]
                self._db.execute("DELETE FROM samples WHERE profile = ?", (profile,))
            else:
                count = sum(self._db.execute("DELETE FROM samples WHERE id = ? AND profile = ?",
                                             (int(i), profile)).rowcount for i in only)
            if not self._db.execute("SELECT 1 FROM samples WHERE profile = ? LIMIT 1", (profile,)).fetchone():
                self._db.execute("DELETE FROM profiles WHERE name = ?", (profile,))
        self._erase_now()
        return int(count)

    def _erase_now(self) -> None:
        """Copy the log into the file at once after a deletion, so forgotten samples' pages are overwritten
        there too (secure_delete) and a rescue of a damaged file, which reads its pages, cannot bring them
        back. Best effort and never waiting (PASSIVE): a reader in another program may hold the old pages
        until it is done, and the next checkpoint copies them."""
        with self._lock, contextlib.suppress(sqlite3.Error):
            self._db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    # ---- samples ----------------------------------------------------------------------
    def add(self, profile: str, label: int, image: np.ndarray, source: str) -> int:
        """Save one sample (one transaction, on disk when this returns); its id, for undo."""
        return self.add_many(profile, [(label, image, source)])[0]

    def add_new(self, profile: str, label: int, image: np.ndarray, source: str) -> tuple[int, bool]:
        """Save one sample unless the profile holds this very picture as this digit already (the same
        correction made twice): (its id, whether it was added). A twin would count twice and read itself
        right in the profile's check of its own samples."""
        name, (row,) = check_profile_name(profile), _rows([(label, image, source)])
        with self._writing():
            name = self._existing(name)
            held = self._db.execute("SELECT id FROM samples WHERE profile = ? AND label = ? AND image = ? LIMIT 1",
                                    (name, *row[:2])).fetchone()
            return (int(held[0]), False) if held else (self._insert(name, row), True)

    def add_many(self, profile: str, items: Iterable[tuple[int, np.ndarray, str]],
                 new_only: bool = False) -> list[int]:
        """Save several samples at once: all of them or, if anything fails, none; their ids. `new_only`:
        leave out any the profile holds already, checked inside the same write transaction, so two
        programs importing the same pictures at once (two `teach` runs, the app and the command line)
        cannot both add them."""
        name, rows = check_profile_name(profile), _rows(items)
        with self._writing():
            name = self._existing(name)   # 'BEN' adds to ben
            if new_only:   # one read of the profile, not a query per picture, which held the write lock
                # (and froze the window's checks of the store) for 9 s when importing 5,000 into 5,000
                held = set(self._db.execute("SELECT label, image FROM samples WHERE profile = ?", (name,)))
                rows = [row for row in rows if row[:2] not in held]
            return [self._insert(name, row) for row in rows]

    def _insert(self, name: str, row: tuple) -> int:
        """One sample row (label, image bytes, source, time) into profile `name`, inside a write; its id."""
        return self._db.execute("INSERT INTO samples (profile, label, image, source, created) "
                                "VALUES (?, ?, ?, ?, ?)", (name, *row)).lastrowid

    def delete(self, sample_id: int) -> bool:
        """Undo a correction: remove one sample; False if it was already gone."""
        with self._writing():
            gone = self._db.execute("DELETE FROM samples WHERE id = ?", (int(sample_id),)).rowcount > 0
        self._erase_now()
        return gone

    def samples(self, profile: str, label: int | None = None) -> list[Sample]:
        """The profile's samples, oldest first (of one digit if `label` is given)."""
        query = "SELECT id, profile, label, image, source, created FROM samples WHERE profile = ?"
        args: tuple = (profile,)
        if label is not None:
            query, args = query + " AND label = ?", (profile, int(label))
        with self._lock:
            rows = self._db.execute(query + " ORDER BY id", args).fetchall()
        return [Sample(i, p, y, np.frombuffer(b, np.uint8).reshape(28, 28), s, t) for i, p, y, b, s, t in rows]

    def counts(self, profile: str) -> list[int]:
        """How many samples of each digit 0-9 the profile holds."""
        counts = [0] * 10
        with self._lock:
            for label, n in self._db.execute(
                    "SELECT label, count(*) FROM samples WHERE profile = ? GROUP BY label", (profile,)):
                counts[label] = n
        return counts

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> SampleStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextlib.contextmanager
    def _writing(self):
        with self._lock:
            try:
                with _transaction(self._db):
                    yield
            except sqlite3.Error as exc:
                raise SampleStoreError(f"could not save the handwriting samples: {_plain_reason(exc)}") from exc


@contextlib.contextmanager
def _transaction(db: sqlite3.Connection):
    """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on error): takes the write lock up front, so two
    programs writing at once wait for each other instead of failing halfway."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
        db.execute("COMMIT")
    except BaseException:
        # SQLite has already rolled back after some errors (a full disk): rolling back again would
        # replace the real reason with "no transaction is active", and a failed COMMIT must not
        # leave the transaction open for every later write to trip over
        if db.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
        raise


def _read_only(path: Path, options: str = "mode=ro") -> sqlite3.Connection:
    """A connection that only reads `path` (a relative data folder too: a file URI must be absolute)."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?{options}", uri=True)


def _rescue(damaged: Path, db: sqlite3.Connection) -> int:
    """Copy the samples of a damaged file that can still be read into `db`; how many. Never raises: at
    worst nothing is rescued.

    The table is read in id order. Where that meets a damaged page, the next id from which reading
    works again is found (growing jumps, then halving back), so only the rows on the bad page are lost
    (5 of 300 for one bad 4 KB block). A damaged page can also yield an id out of order: ids at or below
    one already read are kept but not followed, nor is one far beyond the last (a flipped bit), so the
    reading never goes back nor skips ahead. Damage to the table's root page
    leaves every row unreachable this way. At most RESCUE_SECONDS."""
    found: dict[int, tuple] = {}
    try:
        source = _read_only(damaged)
    except (sqlite3.Error, ValueError, OSError):
        return 0
    deadline = time.monotonic() + RESCUE_SECONDS
    try:
        start = 1
        while start is not None and time.monotonic() < deadline:
            try:
                previous = None
                for row in source.execute(f"SELECT {_ROW} FROM samples WHERE id >= ? ORDER BY id", (start,)):
                    sample_id = row[0]
                    if isinstance(sample_id, int):
                        if _usable(row):
                            found.setdefault(sample_id, row)
                        # followed when near the last id followed, or near the one just before it (forgotten
                        # samples leave gaps, but a lone id far off is damage)
                        if start <= sample_id <= start + RESCUE_GAP or (
                                previous is not None and start <= sample_id <= previous + RESCUE_GAP
                                and sample_id > previous):
                            start = sample_id + 1
                        previous = sample_id
                    if time.monotonic() > deadline:
                        break
                break   # read to the end
            except sqlite3.Error:   # the rows just before the error are read one by one (the scan loses them)
                start, failed = _one_by_one(source, start, found)
                if failed:
                    start = _readable_from(source, start, deadline)
    except Exception:  # noqa: BLE001 - a rescue must never stop the store from opening
        pass
    finally:
        source.close()
    try:   # what SQLite cannot reach at all (a damaged root page), read from the leaf pages themselves
        for rowid, values in table_rows(damaged):
            row = (rowid, *values[1:])
            if rowid not in found and len(values) == 6 and _usable(row):
                found[rowid] = row
    except Exception:  # noqa: BLE001 - as above
        pass
    if not found:
        return 0
    try:
        with _transaction(db):
            db.executemany("INSERT OR IGNORE INTO profiles (name, created) VALUES (?, ?)",
                           {(row[1], row[5]) for row in found.values()})
            db.executemany(f"INSERT OR IGNORE INTO samples ({_ROW}) VALUES (?, ?, ?, ?, ?, ?)", found.values())
    except sqlite3.Error:
        return 0
    return len(found)


_ROW = "id, profile, label, image, source, created"


def _one_by_one(source: sqlite3.Connection, start: int, found: dict[int, tuple],
                count: int = 64) -> tuple[int, bool]:
    """Read ids from `start` one at a time until one cannot be read: (that id, True); after `count`
    without a failure: (the next id, False), to go on scanning."""
    for sample_id in range(start, start + count):
        try:
            row = source.execute(f"SELECT {_ROW} FROM samples WHERE id = ?", (sample_id,)).fetchone()
        except sqlite3.Error:
            return sample_id, True
        if row is not None and _usable(row):
            found[sample_id] = row
    return start + count, False


def _readable_from(source: sqlite3.Connection, failing: int, deadline: float) -> int | None:
    """The smallest id after `failing` from which the table can be read again (None: nothing readable
    follows, or no time left): jumps of 1, 2, 4... until a read works, then halving back."""
    def works(first: int) -> bool | None:   # True: readable from `first`; None: readable, and nothing there
        try:
            return source.execute("SELECT id FROM samples WHERE id >= ? ORDER BY id LIMIT 1",
                                  (first,)).fetchone() is not None or None
        except sqlite3.Error:
            return False
    low, step = failing, 1
    while time.monotonic() < deadline and low + step < 1 << 62:
        result = works(low + step)
        if result is False:
            step *= 2
            continue
        high = low + step   # readable from here (or nothing after it)
        while high - low > 1 and time.monotonic() < deadline:
            middle = (low + high) // 2
            if works(middle) is False:
                low = middle
            else:
                high = middle
        return high if works(high) else None
    return None


def _usable(row: tuple) -> bool:
    """A rescued row that the schema would take (a damaged page can hold readable garbage)."""
    _, profile, label, image, source, created = row
    try:
        check_profile_name(profile)
    except (SampleStoreError, TypeError):
        return False
    return (isinstance(label, int) and 0 <= label <= 9 and isinstance(image, bytes) and len(image) == 784
            and isinstance(source, str) and isinstance(created, float))


def _create_tables(db: sqlite3.Connection) -> None:
    for statement in filter(str.strip, _SCHEMA.split(";")):
        db.execute(statement)


def _primary_code(exc: Exception) -> int | None:
    """SQLite's primary result code: Python reports extended ones (SQLITE_READONLY_DIRECTORY, 1544, is
    SQLITE_READONLY, 8, in its low byte; SQLITE_CORRUPT_INDEX is SQLITE_CORRUPT)."""
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF


def _plain_reason(exc: Exception) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    code = _primary_code(exc)
    return {sqlite3.SQLITE_READONLY: "the folder or file is read-only",
            sqlite3.SQLITE_CANTOPEN: "the file cannot be created or opened there",
            sqlite3.SQLITE_PERM: "permission denied",
            sqlite3.SQLITE_FULL: "the disk is full",
            sqlite3.SQLITE_IOERR: "the disk reported an error",
            sqlite3.SQLITE_BUSY: "another program keeps the file busy"}.get(code, str(exc))
