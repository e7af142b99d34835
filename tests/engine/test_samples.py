"""The handwriting sample store: corrections are kept, undone, survive kills, damage and read-only folders."""
import os
import time
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from digitdesk.engine.samples import DB_FILE, SampleStore, SampleStoreError, as_uint8_image


def image(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).random((28, 28), dtype=np.float32)


def test_a_correction_is_kept_across_sessions_and_can_be_undone(tmp_path):
    with SampleStore(tmp_path) as store:
        first = store.add("ana", 7, image(1), "draw")
        second = store.add("ana", 1, image(2), "webcam")
        store.add("ben", 7, image(3), "images")
        assert store.notice is None and not store.read_only
    with SampleStore(tmp_path) as store:
        kept = store.samples("ana")
        assert [(s.id, s.label, s.source) for s in kept] == [(first, 7, "draw"), (second, 1, "webcam")]
        assert np.abs(kept[0].image / 255.0 - image(1)).max() <= 0.5 / 255 + 1e-6   # the image the model saw
        assert store.counts("ana") == [0, 1, 0, 0, 0, 0, 0, 1, 0, 0]
        assert store.profiles() == ["ana", "ben"]
        assert store.delete(second) and not store.delete(second)
    with SampleStore(tmp_path) as store:
        assert [s.id for s in store.samples("ana")] == [first]
        assert [s.label for s in store.samples("ben")] == [7]   # another person's samples are untouched


def test_forgetting_a_profile_removes_only_its_samples(tmp_path):
    with SampleStore(tmp_path) as store:
        store.add_many("ana", [(d, image(d), "cli") for d in range(10)])
        store.add("ben", 4, image(11), "draw")
        store.create_profile("empty")
        assert store.profiles() == ["ana", "ben", "empty"]
        assert store.forget("ana") == 10
        assert store.profiles() == ["ben", "empty"] and store.samples("ana") == []
        assert store.counts("ben")[4] == 1


def test_renaming_a_profile_keeps_its_samples_and_never_merges_two_people(tmp_path):
    with SampleStore(tmp_path) as store:
        ids = store.add_many("ana", [(d, image(d), "draw") for d in (1, 2)])
        store.add("ben", 4, image(11), "draw")
        assert store.rename_profile("ana", "  Ana Lopez ") == "Ana Lopez"
        with pytest.raises(SampleStoreError, match="already a profile named 'ben'"):
            store.rename_profile("Ana Lopez", "BEN")
        assert store.rename_profile("Ana Lopez", "ana lopez") == "ana lopez"   # only its case: allowed
    with SampleStore(tmp_path) as store:   # on disk
        assert store.profiles() == ["ana lopez", "ben"]
        assert [s.id for s in store.samples("ana lopez")] == ids and store.samples("ana") == []
        assert store.counts("ben")[4] == 1
        with pytest.raises(SampleStoreError, match="no profile named 'ana'"):   # forgotten meanwhile, say
            store.rename_profile("ana", "carla")
        assert store.profiles() == ["ana lopez", "ben"]                         # and no empty 'carla' made
        assert store.rename_profile("default", "Dana") == "Dana"   # the default person before any sample
        assert store.profiles() == ["ana lopez", "ben", "Dana"]


def test_no_two_profiles_are_made_at_the_same_moment(tmp_path, monkeypatch):
    import digitdesk.engine.samples as samples_module
    monkeypatch.setattr(samples_module.time, "time", lambda: 1000.0)   # a coarse clock, or a copied file
    with SampleStore(tmp_path) as store:
        for name in ("ann", "ben", "cy"):
            store.create_profile(name)
        made = [store.created(name) for name in ("ann", "ben", "cy")]
        assert len(set(made)) == 3 and store.find_created(made[1]) == "ben"


def test_a_name_that_differs_only_in_case_means_the_person_already_there(tmp_path):
    with SampleStore(tmp_path) as store:
        store.add("ben", 4, image(1), "draw")
        assert store.create_profile(" BEN ") == "ben" and store.profile_named("Ben") == "ben"
        assert store.profile_named("Carla") == "Carla" and store.profiles() == ["ben"]
        assert store.create_profile("DEFAULT") == "default"           # always the default person
        with pytest.raises(SampleStoreError, match="'default' is the default person's name"):
            store.rename_profile("ben", "Default")
        store.add("Émile", 1, image(2), "draw")
        assert store.profile_named("ÉMILE") == "Émile"                # beyond A-Z too
        assert store.create_profile("E\u0301mile") == "Émile"         # a Mac's decomposed É
        store.add("Zoe", 1, image(3), "draw")
        assert store.profiles() == ["ben", "default", "Émile", "Zoe"]  # in alphabetical order, accents too


def test_forgotten_samples_are_gone_from_the_file_itself_so_no_rescue_brings_them_back(tmp_path):
    """A kill right after Forget, then a damaged file: the rescue reads the file's pages, not its log."""
    from digitdesk.engine.sqlite_pages import table_rows
    with SampleStore(tmp_path) as store:
        store.add_many("ana", [(d, np.full((28, 28), 40 + d, np.uint8), "draw") for d in range(10)])
    store = SampleStore(tmp_path)   # left open, as by a window killed after its user forgot ana
    store.add("ben", 3, np.full((28, 28), 7, np.uint8), "draw")
    store.forget("ana")
    kept = sorted({values[1] for _rowid, values in table_rows(tmp_path / DB_FILE) if len(values) == 6})
    assert kept == ["ben"]
    store.close()


def test_forgetting_only_the_samples_shown_keeps_those_added_since(tmp_path):
    with SampleStore(tmp_path) as store:
        shown = store.add_many("ana", [(d, image(d), "draw") for d in (1, 2)])
        later = store.add("ana", 7, image(7), "cli")             # `digitdesk teach` while the question was open
        assert store.forget("ana", only=shown) == 2
        assert [s.id for s in store.samples("ana")] == [later] and store.profiles() == ["ana"]
        assert store.forget("ana", only=[later]) == 1
        assert store.profiles() == []                            # nothing left: the profile goes, as before


def test_two_programs_adding_the_same_new_samples_add_them_once(tmp_path):
    with SampleStore(tmp_path) as one, SampleStore(tmp_path) as other:   # two `teach` runs, say
        pictures = [(d, image(d), "cli") for d in (1, 2, 3)]
        assert len(one.add_many("ana", pictures, new_only=True)) == 3
        assert other.add_many("ana", pictures + [(4, image(4), "cli")], new_only=True) != []   # only the new one
        assert one.counts("ana") == [0, 1, 1, 1, 1, 0, 0, 0, 0, 0]
        assert len(other.add_many("ana", pictures)) == 3   # without new_only, as a correction is: all of them


def test_forgotten_samples_do_not_come_back_when_a_damaged_file_is_rescued(tmp_path):
    with SampleStore(tmp_path / "store") as store:
        store.add_many("ana", [(d % 10, image(d), "cli") for d in range(300)])
        store.forget("ana")                                     # the user forgot them all
        store.add("ben", 3, image(7), "draw")
    path = tmp_path / "store" / DB_FILE
    data = bytearray(path.read_bytes())
    data[-PAGE:] = os.urandom(PAGE)
    path.write_bytes(bytes(data))
    with SampleStore(tmp_path / "store") as store:
        assert store.samples("ana") == []                         # not read back from free pages
        assert not any(np.array_equal(s.image, as_uint8_image(image(0))) for s in store.samples("ben"))


def test_undone_ids_are_never_reused(tmp_path):
    """A stale undo (of a sample already undone) must not delete the next correction."""
    with SampleStore(tmp_path) as store:
        old = store.add("ana", 3, image(1), "draw")
        store.delete(old)
        new = store.add("ana", 5, image(2), "draw")
        assert new != old
        assert not store.delete(old) and store.counts("ana")[5] == 1


@pytest.mark.parametrize("label", [10, -1, "7", 3.0, True])
def test_a_bad_label_is_refused_in_plain_words(tmp_path, label):
    with SampleStore(tmp_path) as store, pytest.raises(SampleStoreError, match="digit 0-9"):
        store.add("ana", label, image(1), "draw")


@pytest.mark.parametrize("name", ["", "   ", "x" * 61, "tab\there", b"caf\xe9".decode("utf-8", "surrogateescape")])
def test_a_bad_profile_name_is_refused_in_plain_words(tmp_path, name):
    with SampleStore(tmp_path) as store, pytest.raises(SampleStoreError, match="profile name"):
        store.add(name, 1, image(1), "draw")


def test_a_batch_is_saved_whole_or_not_at_all(tmp_path):
    with SampleStore(tmp_path) as store:
        with pytest.raises(SampleStoreError):
            store.add_many("ana", [(1, image(1), "cli"), (2, np.zeros((5, 5)), "cli")])
        assert store.samples("ana") == []


def test_a_full_disk_is_named_and_the_store_saves_again_once_there_is_room(tmp_path):
    with SampleStore(tmp_path) as store:
        store.add("ana", 1, image(1), "draw")
        pages = store._db.execute("PRAGMA page_count").fetchone()[0]
        store._db.execute(f"PRAGMA max_page_count = {pages}")   # the disk fills up
        with pytest.raises(SampleStoreError, match="the disk is full"):
            store.add_many("ana", [(2, image(n), "draw") for n in range(40)])
        store._db.execute("PRAGMA max_page_count = 1000000")     # room again
        store.add("ana", 3, image(3), "draw")
        assert [s.label for s in store.samples("ana")] == [1, 3]


WRITER = textwrap.dedent("""
    import sys
    import numpy as np
    from digitdesk.engine.samples import SampleStore
    store = SampleStore(sys.argv[1])
    pixels = np.arange(784, dtype=np.uint8).reshape(28, 28)
    n = 0
    while True:
        sample_id = store.add("ana", n % 10, pixels, "draw")
        print(sample_id, n % 10, flush=True)   # only after the commit returned
        n += 1
""")


@pytest.mark.parametrize("after", [5, 60])
def test_killing_the_app_mid_write_loses_no_saved_sample(tmp_path, after):
    """SIGKILL while a process writes in a loop: every sample it reported saved is there, the file opens."""
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path)], stdout=subprocess.PIPE, text=True,
                              cwd=Path(__file__).resolve().parents[2])
    saved = {}
    try:
        for line in writer.stdout:
            sample_id, label = map(int, line.split())
            saved[sample_id] = label
            if len(saved) >= after:
                break
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
        writer.stdout.close()
    assert len(saved) >= after, "the writer died before it saved anything"
    with SampleStore(tmp_path) as store:
        assert store.notice is None and not store.read_only
        kept = {s.id: s.label for s in store.samples("ana")}
        assert saved.items() <= kept.items()
        assert all(np.array_equal(s.image.ravel(), np.arange(784, dtype=np.uint8)) for s in store.samples("ana"))
        store.add("ana", 0, image(0), "draw")   # and it takes new samples


def test_a_file_that_is_not_a_database_is_moved_aside_and_a_new_one_started(tmp_path):
    garbage = b"this is not a database, just some text\n" * 200
    (tmp_path / DB_FILE).write_bytes(garbage)
    with SampleStore(tmp_path) as store:
        assert not store.read_only
        assert "damaged" in store.notice and "new, empty" in store.notice
        assert store.samples("ana") == []
        store.add("ana", 2, image(1), "draw")
    aside = [p for p in tmp_path.iterdir() if p.name.startswith(DB_FILE + ".damaged-")]
    assert len(aside) == 1 and aside[0].name in store.notice
    assert aside[0].read_bytes() == garbage          # kept for whoever wants to rescue it
    with SampleStore(tmp_path) as store:
        assert store.notice is None and store.counts("ana")[2] == 1


def test_a_database_with_damaged_pages_is_moved_aside(tmp_path):
    with SampleStore(tmp_path) as store:
        store.add_many("ana", [(d % 10, image(d), "cli") for d in range(200)])
    path = tmp_path / DB_FILE
    data = bytearray(path.read_bytes())
    page = 4096
    data[2 * page:len(data) - page] = os.urandom(len(data) - 3 * page)   # header intact, pages destroyed
    path.write_bytes(bytes(data))
    with SampleStore(tmp_path) as store:
        assert "damaged" in store.notice
        rescued = sum(store.counts("ana"))   # what the last page, left whole, still held
        store.add("ana", 1, image(1), "draw")
        assert sum(store.counts("ana")) == rescued + 1 and rescued < 200


def test_one_damaged_page_loses_only_the_samples_on_it_the_rest_are_carried_over(tmp_path):
    with SampleStore(tmp_path) as store:
        ids = store.add_many("ana", [(d % 10, image(d), "cli") for d in range(300)])
    path = tmp_path / DB_FILE
    data = bytearray(path.read_bytes())
    data[40960:40960 + 4096] = os.urandom(4096)   # one bad 4 KB block in the middle, as a failing disk leaves
    path.write_bytes(bytes(data))
    with SampleStore(tmp_path) as store:
        kept = store.samples("ana")
        assert 250 <= len(kept) < 300                   # all but the few rows on the bad page
        assert f"{len(kept)} samples that could still be read" in store.notice
        assert all(s.id in ids and s.label == (s.id - ids[0]) % 10 for s in kept)
        assert all(np.array_equal(s.image, as_uint8_image(image(s.id - ids[0]))) for s in kept)
        store.add("ana", 3, image(1), "draw")           # and it goes on, with ids never reused
        assert store.samples("ana")[-1].id > max(ids)


PAGE = 4096


def _leaf_rowids(data: bytes) -> dict[int, list[tuple[int, int]]]:
    """SQLite table leaf pages of a file: page number -> [(rowid, where its first varint byte is)]."""
    from digitdesk.engine.sqlite_pages import varint
    leaves = {}
    for page in range(1, len(data) // PAGE + 1):
        base = (page - 1) * PAGE
        header = base + (100 if page == 1 else 0)
        if data[header] == 0x0D:   # a table's leaf page
            cells = []
            for c in range(int.from_bytes(data[header + 3:header + 5], "big")):
                _, at = varint(data, base + int.from_bytes(data[header + 8 + 2 * c:header + 10 + 2 * c], "big"))
                cells.append((varint(data, at)[0], at))
            leaves[page] = cells
    return leaves


def _readable(path) -> set[int]:
    """The sample ids that can still be read one by one from a damaged file: what a rescue should keep."""
    import sqlite3
    source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    found = set()
    for sample_id in range(1, 400):
        try:
            if source.execute("SELECT id FROM samples WHERE id = ?", (sample_id,)).fetchone():
                found.add(sample_id)
        except sqlite3.Error:
            pass
    source.close()
    return found


@pytest.mark.parametrize("damage", ["a page destroyed", "an id out of order", "the table's root page destroyed"])
def test_a_rescue_keeps_every_sample_that_can_be_read_one_by_one(tmp_path, damage):
    with SampleStore(tmp_path / "store") as store:
        store.add_many("ana", [(d % 10, image(d), "cli") for d in range(300)])
    path = tmp_path / "store" / DB_FILE
    data = bytearray(path.read_bytes())
    leaves = {page: cells for page, cells in _leaf_rowids(bytes(data)).items() if cells and cells[0][0] >= 1}
    if damage == "a page destroyed":   # the rows right before and after it are read too
        page = sorted(leaves)[len(leaves) // 2]
        data[(page - 1) * PAGE:page * PAGE] = os.urandom(PAGE)
    elif damage == "the table's root page destroyed":   # SQLite reaches no row at all: its leaf pages are read
        import sqlite3
        source = sqlite3.connect(path)
        root = source.execute("SELECT rootpage FROM sqlite_master WHERE name = 'samples'").fetchone()[0]
        source.close()
        data[(root - 1) * PAGE:root * PAGE] = bytes(PAGE)
    else:                                   # a bad block can leave a row's id smaller than its neighbours'
        at = next(at for cells in leaves.values() for rowid, at in cells if rowid == 96)
        data[at] = 10
    path.write_bytes(bytes(data))
    readable = _readable(path) if damage != "the table's root page destroyed" else set(range(1, 301))
    assert 250 < len(readable) <= 300
    with SampleStore(tmp_path / "store") as store:
        kept = store.samples("ana")
        assert {s.id for s in kept} >= readable - {10}   # (the out-of-order row claims id 10)
        assert all(np.array_equal(s.image, as_uint8_image(image(s.id - 1))) for s in kept if s.id != 10)


def test_a_rescue_skips_over_a_long_gap_of_forgotten_ids_quickly_and_works_from_a_relative_folder(
        tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with SampleStore("data") as store:   # DIGITDESK_DATA_DIR=data, say
        first = store.add_many("ana", [(d % 10, image(d), "cli") for d in range(100)])
        store.forget("ana", only=first[:99])
        store._db.execute("UPDATE sqlite_sequence SET seq = 900000 WHERE name = 'samples'")   # years of use
        last = store.add_many("ana", [(d % 10, image(d), "cli") for d in range(100)])
        assert last[0] > 900000
    path = tmp_path / "data" / DB_FILE
    data = bytearray(path.read_bytes())
    data[len(data) - 4096:] = os.urandom(4096)   # the last page gone
    path.write_bytes(bytes(data))
    started = time.monotonic()
    with SampleStore("data") as store:
        assert time.monotonic() - started < 3
        assert "damaged" in store.notice and "could still be read" in store.notice
        assert 1 <= len(store.samples("ana")) < 101


def test_a_folder_under_a_file_keeps_corrections_for_the_session_only(tmp_path):
    """A path that cannot be a folder: this fails for every user, root included."""
    (tmp_path / "file").write_text("x")
    folder = tmp_path / "file" / "DigitDesk"
    with SampleStore(folder) as store:
        assert store.read_only
        assert str(folder) in store.notice and "not kept" in store.notice
        store.add("ana", 4, image(1), "draw")         # the app keeps working ...
        assert store.counts("ana")[4] == 1
    with SampleStore(folder) as store:
        assert store.counts("ana")[4] == 0            # ... but nothing was written


@pytest.fixture
def read_only_folder(tmp_path):
    """A folder no one can write to: chmod for ordinary users; root ignores permissions, so for root
    the folder is made immutable (chattr +i, Linux ext4 and similar) or the test is skipped."""
    folder = tmp_path / "data"
    folder.mkdir()
    with SampleStore(folder) as store:
        store.add("ana", 6, image(6), "draw")
    if os.geteuid() == 0:
        done = subprocess.run(["chattr", "+i", str(folder)], capture_output=True)
        undo = ["chattr", "-i", str(folder)]
        if done.returncode != 0:
            pytest.skip("running as root, which ignores folder permissions, and chattr +i is not available")
    else:
        folder.chmod(0o555)
        undo = ["chmod", "755", str(folder)]
    try:
        try:
            (folder / "probe").write_text("x")
            pytest.skip("this system lets the folder be written however it is protected")
        except OSError:
            pass
        yield folder
    finally:
        subprocess.run(undo, check=True)


def test_a_read_only_folder_reads_the_saved_samples_and_saves_nothing(read_only_folder):
    with SampleStore(read_only_folder) as store:
        assert store.read_only
        assert "cannot be saved" in store.notice and "saved before are used" in store.notice
        assert store.counts("ana")[6] == 1                # the samples saved earlier still count
        store.add("ana", 8, image(8), "draw")
        assert store.counts("ana")[8] == 1
    with sqlite3.connect(f"{(read_only_folder / DB_FILE).as_uri()}?mode=ro&immutable=1", uri=True) as db:
        assert db.execute("SELECT label FROM samples").fetchall() == [(6,)]


def test_names_stored_before_they_were_matched_this_way_stay_reachable(tmp_path):
    import sqlite3
    with SampleStore(tmp_path) as store:
        store.add("default", 1, image(1), "draw")
    with sqlite3.connect(tmp_path / DB_FILE) as db:   # as an older version could write them
        for name, created in (("Default", 5.0), ("E\u0301mile", 6.0)):
            db.execute("INSERT INTO profiles (name, created) VALUES (?, ?)", (name, created))
            db.execute("INSERT INTO samples (profile, label, image, source, created) VALUES (?, 2, ?, 'cli', 1.0)",
                       (name, bytes(784)))
    with SampleStore(tmp_path) as store:
        assert store.profile_named("Default") == "Default" and store.profile_named("default") == "default"
        assert store.profile_named("Émile") == "E\u0301mile"   # typed composed: the person stored decomposed
        assert store.create_profile("émile") == "E\u0301mile" and len(store.profiles()) == 3


@pytest.mark.parametrize("code,said", [(1544, "the folder or file is read-only"),   # SQLITE_READONLY_DIRECTORY
                                       (778, "the disk reported an error"),         # SQLITE_IOERR_WRITE
                                       (13, "the disk is full")])
def test_sqlite_extended_error_codes_are_said_in_plain_words(code, said):
    from digitdesk.engine.samples import _plain_reason
    error = sqlite3.OperationalError("attempt to write a readonly database")
    error.sqlite_errorcode = code
    assert _plain_reason(error) == said
