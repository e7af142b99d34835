"""The Images tab with real drops, the real decoder and the real model."""
import csv
import os
import time
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import (QBuffer, QByteArray, QIODevice, QItemSelectionModel, QMimeData, QPoint, QPointF, Qt,
                            QUrl)
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog

from digitdesk.gui.colours import ERROR_TEXT
from digitdesk.gui.drop_panel import DropPanel
from digitdesk.gui.qt_convert import rgb_to_qimage
from tests.denied import deny
from tests.gui.dnd import drop, file_urls
from tests.gui.media import number_image, save, write_bad_files, write_odd_files
from tests.gui.test_batch_reader import empty_pngs, slow_listing

READ_TIMEOUT_MS = 120_000   # the first read loads TensorFlow and the model


@pytest.fixture
def panel(qtbot):
    panel = DropPanel(None)
    qtbot.addWidget(panel)
    panel.resize(1100, 650)
    yield panel
    panel.shutdown()




def wait_idle(qtbot, panel: DropPanel, count: int | None = None) -> None:
    qtbot.waitUntil(lambda: not panel.is_busy() and (count is None or len(panel.entries) == count),
                    timeout=READ_TIMEOUT_MS)


def by_name(panel: DropPanel) -> dict:
    return {e.name: e for e in panel.entries}


def row_texts(panel: DropPanel) -> dict:
    return {panel.list.item(i).text().split("\n")[0]: panel.list.item(i) for i in range(panel.list.count())}


def test_dropped_files_are_listed_with_number_and_confidence(qtbot, panel, glyphs, tmp_path):
    numbers = {"seven.png": "7", "forty-two.jpg": "42", "phone.png": "305"}
    for i, (name, text) in enumerate(numbers.items()):
        save(tmp_path / name, number_image(glyphs, text, seed=i))

    assert drop(panel, file_urls(*(tmp_path / n for n in numbers)))
    wait_idle(qtbot, panel, 3)

    entries = by_name(panel)
    assert {n: entries[n].recognition.text for n in numbers} == numbers
    rows = row_texts(panel)
    item = rows["forty-two.jpg"]
    confidence = entries["forty-two.jpg"].recognition.confidence
    assert item.text().split("\n")[1].startswith(f"42 · {confidence:.0%}")
    assert not item.icon().isNull()   # a thumbnail


def test_selected_image_is_shown_with_a_box_per_digit_and_the_chart_follows_clicks(qtbot, panel, glyphs,
                                                                                    tmp_path):
    save(tmp_path / "number.png", number_image(glyphs, "381", size=80))
    assert drop(panel, file_urls(tmp_path / "number.png"))
    wait_idle(qtbot, panel, 1)
    panel.show()
    qtbot.waitExposed(panel)
    panel.list.setCurrentRow(0)

    view = panel.view
    assert view.image.width() == number_image(glyphs, "381", size=80).shape[1]
    assert [d.digit for d in view.recognition.digits] == [3, 8, 1]
    boxes = [view.box_rect(d.box) for d in view.recognition.digits]
    assert all(view.image_rect().contains(b) for b in boxes)
    assert boxes[0].center().x() < boxes[1].center().x() < boxes[2].center().x()

    QTest.mouseClick(view, Qt.MouseButton.LeftButton, pos=boxes[1].center().toPoint())
    assert view.selected == 1
    assert panel.result_panel.selected_index() == 1
    assert panel.result_panel.chart.top_digit() == 8

    panel.result_panel.select_digit(2)          # clicking the digit's preview selects its box too
    assert view.selected == 2
    assert panel.result_panel.chart.top_digit() == 1


def test_dropped_folder_is_read_recursively_and_exports_one_csv_row_per_file(qtbot, panel, glyphs, tmp_path,
                                                                            monkeypatch):
    folder = tmp_path / "scans"
    (folder / "2024" / "march").mkdir(parents=True)
    expected = {}
    for i, text in enumerate(["5", "60", "718", "9"]):
        target = folder if i % 2 else folder / "2024" / "march"
        path = save(target / f"scan-{i}.png", number_image(glyphs, text, seed=10 + i))
        expected[str(path)] = text
    (folder / "notes.txt").write_text("not an image", encoding="utf-8")

    assert drop(panel, file_urls(folder))
    wait_idle(qtbot, panel, 4)

    assert {e.path: e.recognition.text for e in panel.entries} == expected
    assert all(e.image is None for e in panel.entries)   # only the selected file is decoded at full size

    out = tmp_path / "results.csv"
    assert panel.export_csv(str(out))
    with out.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 4
    assert {r["path"]: r["text"] for r in rows} == expected
    assert all(r["error"] == "" for r in rows)
    from digitdesk.engine.samples import DB_FILE, SampleStore
    monkeypatch.setenv("DIGITDESK_DATA_DIR", str(tmp_path / "data"))
    with SampleStore(tmp_path / "data") as store:               # typed in the save dialog: never replaced
        store.add("ana", 5, np.zeros((28, 28), np.uint8), "draw")
    samples_file = tmp_path / "data" / DB_FILE
    before = samples_file.read_bytes()
    assert not panel.export_csv(str(samples_file)) and samples_file.read_bytes() == before


def test_every_bad_file_gets_its_reason_and_odd_but_valid_files_are_read(qtbot, panel, glyphs, tmp_path):
    folder = tmp_path / "mixed"
    odd = write_odd_files(folder, glyphs)
    bad = write_bad_files(folder, glyphs)
    good = {"good-1.png": "46", "good-2.jpg": "73"}
    for i, (name, text) in enumerate(good.items()):
        save(folder / name, number_image(glyphs, text, seed=30 + i))

    assert drop(panel, file_urls(folder))
    wait_idle(qtbot, panel, len(odd) + len(bad) + len(good))

    entries, rows = by_name(panel), row_texts(panel)
    reasons = {name: entries[name].error for name in bad}
    assert "truncated" in reasons["truncated.png"]
    assert "truncated" in reasons["truncated.jpg"]
    assert "empty" in reasons["empty.png"]
    assert "not an image" in reasons["notes.png"]
    assert "too large" in reasons["bomb.png"]
    for name in bad:
        assert rows[name].text().split("\n")[1].lower() == reasons[name].lower()   # the reason, in the list
        assert rows[name].foreground().color().name() == ERROR_TEXT[0]             # in red
    readings = {name: (entries[name].error, entries[name].recognition and entries[name].recognition.text)
                for name in {**odd, **good}}
    assert readings == {name: (None, text) for name, text in {**odd, **good}.items()}
    panel.list.setCurrentItem(rows["notes.png"])   # the reason, chosen: worded as in its row
    assert panel.result_panel.message_label.text() == rows["notes.png"].text().split("\n")[1]
    assert panel.view.placeholder_text() == panel.result_panel.message_label.text()
    # a long reason wraps in a row as tall as any other, and every row's text starts at the same place
    heights = {panel.list.visualItemRect(row).height() for row in rows.values()}
    assert len(heights) == 1 and heights.pop() >= 3 * panel.list.fontMetrics().lineSpacing()
    assert {tuple(size.toTuple() for size in row.icon().availableSizes()) for row in rows.values()} == {((64, 48),)}
    panel.clear()   # the reason shown last does not stay behind in the empty view
    assert panel.view.placeholder_text().startswith("Drop images or folders here")


def test_cancel_stops_a_long_batch_and_keeps_what_was_read(qtbot, panel, glyphs, tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    first = save(folder / "0000.png", number_image(glyphs, "4", size=40, seed=1))
    for i in range(1, 1500):
        os.link(first, folder / f"{i:04d}.png")    # 1,500 files, written in no time

    assert drop(panel, file_urls(folder))
    qtbot.waitUntil(lambda: len(panel.entries) > 0, timeout=READ_TIMEOUT_MS)
    assert panel.cancel_button.isVisibleTo(panel)
    QTest.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, panel)

    assert 0 < len(panel.entries) < 1500
    assert panel.status_label.text().startswith("Cancelled")
    assert not panel.progress_bar.isVisibleTo(panel)

    save(tmp_path / "after.png", number_image(glyphs, "8", seed=2))   # the panel still reads new drops
    before = len(panel.entries)
    assert drop(panel, file_urls(tmp_path / "after.png"))
    wait_idle(qtbot, panel, before + 1)
    assert panel.entries[-1].recognition.text == "8"


def test_a_folder_of_200_images_finishes_with_progress_at_the_total(qtbot, panel, glyphs, tmp_path):
    folder = tmp_path / "two-hundred"
    folder.mkdir()
    digits = [i % 10 for i in range(200)]
    for i, d in enumerate(digits):
        save(folder / f"{i:03d}.png", number_image(glyphs, str(d), size=40, margin=10, seed=i))
    progress = []
    panel.reader.progress.connect(lambda done, total: progress.append((done, total)))
    bar_values = []
    panel.progress_bar.valueChanged.connect(bar_values.append)

    assert drop(panel, file_urls(folder))
    wait_idle(qtbot, panel, 200)

    assert progress[-1] == (200, 200)
    assert [done for done, _ in progress] == sorted(done for done, _ in progress)
    assert max(bar_values) == 200 and panel.progress_bar.maximum() == 200
    read = {e.name: e.recognition.text for e in panel.entries if e.recognition}
    correct = sum(read.get(f"{i:03d}.png") == str(d) for i, d in enumerate(digits))
    assert correct >= 195, f"only {correct}/200 single digits read correctly"


def test_pasted_image_data_and_browser_image_bytes_are_read(qtbot, panel, glyphs):
    mime = QMimeData()
    mime.setImageData(rgb_to_qimage(number_image(glyphs, "27", seed=3)))
    assert panel.paste_image(mime)

    browser = QMimeData()                        # a browser drag: encoded PNG data plus its web address
    png = rgb_to_qimage(number_image(glyphs, "90", seed=4))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    png.save(buffer, "PNG")
    browser.setData("image/png", data)
    browser.setUrls([QUrl("https://example.com/digits.png")])
    assert drop(panel, browser)
    wait_idle(qtbot, panel, 2)

    assert [e.recognition.text for e in panel.entries] == ["27", "90"]
    assert all(e.image is not None and e.path is None for e in panel.entries)   # kept: no file to re-read
    panel.list.setCurrentRow(1)
    assert [d.digit for d in panel.view.recognition.digits] == [9, 0]


def encoded(rgb: np.ndarray, fmt: str, **params) -> bytes:
    import io

    from PIL import Image
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, fmt, **params)
    return buffer.getvalue()


def image_data(data: bytes, fmt: str) -> QMimeData:
    """What a browser or an image viewer offers: the encoded file, and Qt's own decoding of it."""
    from PySide6.QtGui import QImage
    mime = QMimeData()
    mime.setData(f"image/{fmt}", QByteArray(data))
    mime.setImageData(QImage.fromData(data))
    return mime


def test_dropped_or_pasted_picture_data_is_read_like_the_same_file(qtbot, panel, glyphs):
    """A phone photo stored sideways with an EXIF turn: upright, as File > Open and the CLI read it."""
    from PIL import Image
    upright = number_image(glyphs, "74", seed=8)
    exif = Image.Exif()
    exif[0x0112] = 6                                   # "rotate 90 degrees clockwise to view"
    sideways = encoded(np.ascontiguousarray(np.rot90(upright, 1)), "JPEG", quality=95, exif=exif.tobytes())
    assert drop(panel, image_data(sideways, "jpeg"))
    wait_idle(qtbot, panel, 1)
    assert panel.entries[0].recognition.text == "74"


@pytest.mark.parametrize("how", ["pasted", "dropped"])
def test_damaged_picture_data_is_refused_in_plain_words_not_read_as_grey_remains(qtbot, panel, glyphs, how):
    whole = encoded(number_image(glyphs, "70", size=120, seed=9), "JPEG", quality=95)
    mime = image_data(whole[:len(whole) // 2], "jpeg")
    assert not mime.imageData().isNull()                 # Qt alone would show half a picture, half grey
    accepted = panel.paste_image(mime) if how == "pasted" else drop(panel, mime)
    assert not accepted and not panel.is_busy() and panel.entries == []
    reason = "image is truncated or corrupt"
    assert panel.status_label.text() == f"The {how} JPEG picture could not be read: {reason}."


def test_a_drop_is_taken_as_a_copy_so_the_source_never_deletes_the_file(panel, glyphs, tmp_path):
    picture = save(tmp_path / "keep.png", number_image(glyphs, "5", seed=2))
    mime, every = file_urls(picture), Qt.DropAction.CopyAction | Qt.DropAction.MoveAction
    shift = Qt.KeyboardModifier.ShiftModifier               # held while dragging: the source proposes a move
    enter = QDragEnterEvent(QPoint(40, 40), every, mime, Qt.MouseButton.LeftButton, shift)
    assert enter.proposedAction() == Qt.DropAction.MoveAction
    QApplication.sendEvent(panel, enter)
    assert enter.isAccepted() and enter.dropAction() == Qt.DropAction.CopyAction
    event = QDropEvent(QPointF(40, 40), every, mime, Qt.MouseButton.LeftButton, shift)
    QApplication.sendEvent(panel, event)
    assert event.isAccepted() and event.dropAction() == Qt.DropAction.CopyAction
    move_only = QDragEnterEvent(QPoint(40, 40), Qt.DropAction.MoveAction, mime, Qt.MouseButton.LeftButton, shift)
    QApplication.sendEvent(panel, move_only)                 # a source that offers nothing else: refused
    assert not move_only.isAccepted()


def test_a_folder_that_cannot_be_opened_is_a_row_saying_so_not_left_out(qtbot, panel, glyphs, tmp_path,
                                                                         monkeypatch):
    """As the command line prints it: the user sees what was not read, and why."""
    scans = tmp_path / "scans"
    (scans / "locked").mkdir(parents=True)
    save(scans / "a.png", number_image(glyphs, "4", seed=1))
    save(scans / "locked" / "x.png", number_image(glyphs, "5", seed=2))
    deny(monkeypatch, scans / "locked")
    why = "could not open this folder: permission denied"
    assert drop(panel, file_urls(scans))
    wait_idle(qtbot, panel, 2)
    assert [(e.name, e.error) for e in panel.entries] == [("locked", why), ("a.png", None)]
    panel.clear()
    assert drop(panel, file_urls(scans / "locked"))      # the folder itself: not "no image files found"
    wait_idle(qtbot, panel, 1)
    assert [(e.name, e.error) for e in panel.entries] == [("locked", why)]
    assert "No image files" not in panel.status_label.text()


def test_a_name_with_a_newline_keeps_to_the_first_line_of_its_row(qtbot, panel, glyphs, tmp_path):
    picture = save(tmp_path / "new\nline.png", number_image(glyphs, "6", seed=3))
    assert drop(panel, file_urls(picture))
    wait_idle(qtbot, panel, 1)
    name, reading = panel.list.item(0).text().split("\n")
    assert name == "new\\nline.png" and reading.startswith("6 ")


def test_a_web_link_without_image_data_is_explained_not_fetched(qtbot, panel):
    mime = QMimeData()
    mime.setUrls([QUrl("https://example.com/photo-of-digits.jpg")])
    drop(panel, mime)
    assert "offline" in panel.status_label.text()
    assert "save the image" in panel.status_label.text()
    assert not panel.is_busy() and panel.entries == []


def test_an_empty_tab_says_what_to_do_once(panel):
    from digitdesk.gui.drop_panel import PLACEHOLDER
    assert panel.status_label.text() == "" and PLACEHOLDER in panel.view.placeholder_text()
    panel.clear()
    assert panel.status_label.text() == "Cleared the list (the files are not touched)."
    assert panel.view.placeholder_text() == PLACEHOLDER


def test_pasting_text_says_the_clipboard_holds_text_not_a_picture(qtbot, panel):
    mime = QMimeData()
    mime.setText("4711")
    assert not panel.paste_image(mime)
    assert panel.status_label.text().startswith("The clipboard holds text, not a picture: copy an image")


def test_a_webcam_snapshot_is_added_and_shown(qtbot, panel, glyphs):
    frame = number_image(glyphs, "615", size=72, seed=5)
    panel.add_image(frame, "webcam-120000.png")
    wait_idle(qtbot, panel, 1)

    entry = panel.entries[0]
    assert entry.name == "webcam-120000.png" and entry.recognition.text == "615"
    panel.list.setCurrentRow(0)
    assert (panel.view.image.width(), panel.view.image.height()) == (frame.shape[1], frame.shape[0])
    assert np.array_equal(entry.image, frame)


def test_paste_button_reads_image_files_copied_in_a_file_manager(qtbot, panel, glyphs, tmp_path):
    path = save(tmp_path / "copied.png", number_image(glyphs, "53", seed=6))
    QApplication.clipboard().setMimeData(file_urls(path))
    try:
        QTest.mouseClick(panel.paste_button, Qt.MouseButton.LeftButton)
        wait_idle(qtbot, panel, 1)
    finally:   # the clipboard owns the data now; left there, Python and Qt both free it at exit (a crash)
        QApplication.clipboard().clear()
    assert (panel.entries[0].path, panel.entries[0].recognition.text) == (str(path), "53")


def test_closing_the_panel_ends_the_processes_that_read_a_big_folder(qtbot, glyphs, tmp_path):
    import multiprocessing

    from digitdesk.gui.batch_reader import POOL_MIN_FILES
    panel = DropPanel(None)
    panel.reader.jobs = 2
    qtbot.addWidget(panel)
    first = save(tmp_path / "000.png", number_image(glyphs, "7", size=40, seed=3))
    for i in range(1, POOL_MIN_FILES + 10):
        os.link(first, tmp_path / f"{i:03d}.png")
    assert drop(panel, file_urls(tmp_path))
    wait_idle(qtbot, panel, POOL_MIN_FILES + 10)
    assert panel.reader.pool_used and multiprocessing.active_children()
    assert {e.recognition.text for e in panel.entries} == {"7"}

    panel.shutdown()
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize("contents", ["empty", "no pictures"])
def test_a_folder_without_images_keeps_saying_none_were_found(qtbot, panel, tmp_path, contents):
    folder = tmp_path / "nothing-here"
    folder.mkdir()
    if contents == "no pictures":
        (folder / "notes.txt").write_text("not an image", encoding="utf-8")
        (folder / "sub").mkdir()

    assert drop(panel, file_urls(folder))
    wait_idle(qtbot, panel, 0)
    qtbot.wait(50)   # nothing else arrives to replace the message

    assert panel.status_label.text() == "No image files found there."
    assert ERROR_TEXT[0] in panel.status_label.styleSheet()   # in red
    assert not panel.export_button.isEnabled()


def test_export_waits_until_the_whole_folder_is_read(qtbot, panel, glyphs, tmp_path, monkeypatch):
    folder = tmp_path / "forty"
    folder.mkdir()
    first = save(folder / "00.png", number_image(glyphs, "3", size=40, seed=7))
    for i in range(1, 40):
        os.link(first, folder / f"{i:02d}.png")
    out = tmp_path / "partial.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(out), "CSV files (*.csv)"))
    export_while_reading = []

    def try_export(*_):   # the user clicks Export CSV while rows are still coming in
        if panel.is_busy():
            export_while_reading.append(panel.export_button.isEnabled())
            QTest.mouseClick(panel.export_button, Qt.MouseButton.LeftButton)
    panel.list.model().rowsInserted.connect(try_export)

    assert drop(panel, file_urls(folder))
    wait_idle(qtbot, panel, 40)

    assert export_while_reading and not any(export_while_reading)
    assert not out.exists()                                  # no partial list written
    assert panel.export_button.isEnabled()                   # and Export works once reading is done
    QTest.mouseClick(panel.export_button, Qt.MouseButton.LeftButton)
    with out.open(newline="", encoding="utf-8") as fh:
        assert len(list(csv.DictReader(fh))) == 40
    assert panel.status_label.text() == "Saved 40 rows to partial.csv."


def test_a_correction_updates_the_rows_tooltip_as_well_as_its_text(qtbot, panel, glyphs):
    from digitdesk.engine.results import Recognition
    from digitdesk.gui.correction import corrected

    panel.add_image(number_image(glyphs, "4", size=72, seed=8), "four.png")
    wait_idle(qtbot, panel, 1)
    panel.list.setCurrentRow(0)
    reading = panel.entries[0].recognition
    assert reading.text == "4"

    assert panel.replace_recognition(panel.shown_entry(), Recognition(digits=(corrected(reading.digits[0], 9),)))

    row = panel.list.item(0)
    assert row.text() == "four.png\n9 · yours"     # as its box says: the user's word, not a model's 100 %
    assert row.toolTip() == "four.png\n9 · yours"


def test_a_huge_folder_shows_a_running_count_and_cancel_acts_at_once(qtbot, panel, monkeypatch, tmp_path):
    slow_listing(monkeypatch, per_file=0.001)                # 4,000 files: about 4 s to list
    tree = empty_pngs(tmp_path / "tree", 4000)
    assert drop(panel, file_urls(tree))
    qtbot.waitUntil(lambda: "found so far" in panel.status_label.text(), timeout=5_000)
    text = panel.status_label.text()
    assert text.startswith("Looking for images… ") and " image files found so far in " in text

    asked = time.monotonic()
    QTest.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.is_busy(), timeout=10_000)
    assert time.monotonic() - asked < 1.0
    assert panel.status_label.text() == "Cancelled. 0 images in the list."
    assert panel.entries == [] and not panel.cancel_button.isVisibleTo(panel)


def test_closing_while_a_huge_folder_is_listed_returns_promptly(qtbot, monkeypatch, tmp_path):
    slow_listing(monkeypatch, per_file=0.001)
    tree = empty_pngs(tmp_path / "tree", 4000)
    panel = DropPanel(None)
    qtbot.addWidget(panel)
    assert drop(panel, file_urls(tree))
    qtbot.waitUntil(lambda: "found so far" in panel.status_label.text(), timeout=5_000)

    asked = time.monotonic()
    panel.shutdown()
    assert time.monotonic() - asked < 1.0
    assert not panel._thread.isRunning()


def test_clearing_during_a_read_says_cleared(qtbot, panel, glyphs, tmp_path):
    first = save(tmp_path / "0000.png", number_image(glyphs, "4", size=40, seed=1))
    for i in range(1, 1500):
        os.link(first, tmp_path / f"{i:04d}.png")
    assert drop(panel, file_urls(tmp_path))
    qtbot.waitUntil(lambda: len(panel.entries) > 0, timeout=READ_TIMEOUT_MS)
    QTest.mouseClick(panel.clear_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, panel)
    qtbot.wait(50)   # nothing else arrives to replace the message

    assert panel.status_label.text() == "Cleared the list (the files are not touched)."
    assert panel.entries == [] and panel.list.count() == 0


def test_web_links_dropped_with_files_are_said_to_be_left_out(qtbot, panel, glyphs, tmp_path):
    path = save(tmp_path / "local.png", number_image(glyphs, "6", seed=9))
    mime = file_urls(path)
    mime.setUrls(mime.urls() + [QUrl("https://example.com/a.png"), QUrl("https://example.com/b.png")])
    assert drop(panel, mime)
    wait_idle(qtbot, panel, 1)
    assert panel.entries[0].path == str(path)
    assert panel.status_label.text() == \
        "1 image in the list. 2 web links were not read (drop files or folders)."


def test_choosing_another_image_starts_at_its_first_digit_box_and_chart_alike(qtbot, panel, glyphs):
    panel.add_image(number_image(glyphs, "381", size=72, seed=10), "three.png")
    panel.add_image(number_image(glyphs, "52", size=72, seed=11), "two.png")
    panel.add_image(number_image(glyphs, "947", size=72, seed=12), "three-again.png")
    wait_idle(qtbot, panel, 3)
    assert [len(e.recognition.digits) for e in panel.entries] == [3, 2, 3]
    view, result = panel.view, panel.result_panel

    def consistent():   # one digit is highlighted, and it is the one whose chart and details are shown
        digit = view.recognition.digits[view.selected]
        assert view.selected == result.selected_index() >= 0
        assert result.detail_label.text().startswith(f"Digit {view.selected + 1} of {len(view.recognition.digits)}: ")
        assert result.chart.top_digit() == digit.digit

    panel.list.setCurrentRow(0)
    result.select_digit(1)                  # the second digit of the first image
    assert view.selected == 1
    consistent()
    panel.list.setCurrentRow(1)             # another picture starts at its first digit, box and chart
    consistent()
    assert view.selected == 0
    result.select_digit(1)
    panel.list.setCurrentRow(2)
    consistent()
    assert view.selected == 0
    result.select_digit(2)                  # the third digit, then an image with only two
    panel.list.setCurrentRow(1)
    consistent()
    assert view.selected == 0


def test_a_list_row_names_its_doubt_and_the_marks_left_out():
    """'09 · 100% (unsure)' read as a contradiction, and '8740 · 100%' hid the refused '96' of 874960:
    a row says what the window says."""
    from dataclasses import replace

    from digitdesk.engine.results import Recognition
    from digitdesk.gui.drop_panel import result_text
    from tests.engine.readings import digit_reading

    cut = Recognition((digit_reading(0, 0.999, True, True), digit_reading(9, 0.998, True, True)))
    assert result_text(cut, None) == "09 · 100% (unsure where the digits part)"
    weak = Recognition((digit_reading(0, 0.999, False), digit_reading(9, 0.6, True)))
    assert result_text(weak, None) == "09 · 60% (unsure)"
    assert result_text(Recognition((digit_reading(7, 0.97, False),)), None) == "7 · 97%"
    refused = replace(digit_reading(9, 0.9, False), not_digit=True)
    left_out = Recognition((digit_reading(8, 0.999, False), refused, digit_reading(0, 0.6, True)))
    assert result_text(left_out, None) == "80 · 60% (unsure, 1 mark left out)"
    assert result_text(Recognition(), None) == "Nothing to read"   # a blank page: as the result panel says


def test_a_picture_added_to_a_long_list_is_shown_not_left_below_the_fold(qtbot, panel, glyphs):
    for k, text in enumerate(("381", "52", "947")):
        panel.add_image(number_image(glyphs, text, size=72, seed=20 + k), f"n{k}.png")
    wait_idle(qtbot, panel, 3)
    panel.list.setCurrentRow(1)                              # the user looks at one of them
    panel.add_image(number_image(glyphs, "60", size=72, seed=30), "pasted.png")
    wait_idle(qtbot, panel, 4)
    assert panel.list.currentRow() == 3 and panel.shown_entry().name == "pasted.png"   # what was just added


def test_a_file_opened_again_is_shown_where_it_is_not_listed_twice(qtbot, panel, glyphs, tmp_path):
    first = save(tmp_path / "first.png", number_image(glyphs, "52", size=72, seed=40))
    second = save(tmp_path / "second.png", number_image(glyphs, "381", size=72, seed=41))
    panel.open_files([str(first), str(second)])
    wait_idle(qtbot, panel, 2)
    panel.open_files([str(first)])                          # opened again
    qtbot.waitUntil(lambda: not panel.is_busy(), timeout=READ_TIMEOUT_MS)
    assert [e.name for e in panel.entries] == ["first.png", "second.png"] and panel.list.count() == 2
    assert panel.shown_entry().name == "first.png"           # where it already was
    assert "1 was in the list already, not added again." in panel.status_label.text()
    panel.clear()
    panel.open_files([str(first)])                          # after Clear it is new again
    wait_idle(qtbot, panel, 1)


# -- taking pictures off the list ---------------------------------------------------------------------------------
def listed(qtbot, panel: DropPanel, tmp_path: Path, glyphs, *texts: str) -> list[Path]:
    """Files `n0.png`, `n1.png`… showing `texts`, opened and read."""
    paths = [save(tmp_path / f"n{k}.png", number_image(glyphs, text, size=72, seed=50 + k))
             for k, text in enumerate(texts)]
    panel.open_files([str(p) for p in paths])
    wait_idle(qtbot, panel, len(texts))
    return paths


def names(panel: DropPanel) -> list[str]:
    return [e.name for e in panel.entries]


def pick(panel: DropPanel, row: int) -> None:
    """Select one row, as a plain click does."""
    panel.list.setCurrentRow(row, QItemSelectionModel.SelectionFlag.ClearAndSelect)


def click_row(qtbot, panel: DropPanel, row: int, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    rect = panel.list.visualItemRect(panel.list.item(row))
    qtbot.mouseClick(panel.list.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())


def focus_list(qtbot, panel: DropPanel) -> None:
    panel.show()
    panel.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is panel)
    panel.list.setFocus()
    qtbot.waitUntil(lambda: panel.list.hasFocus())


def menu_action(panel: DropPanel, row: int, text: str):
    """Right click on a row (a real context-menu event), then the menu's entry worded `text`."""
    from PySide6.QtGui import QContextMenuEvent
    where = panel.list.visualItemRect(panel.list.item(row)).center() if row >= 0 else QPoint(5, 5)
    viewport = panel.list.viewport()
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, where, viewport.mapToGlobal(where),
                              Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(viewport, event)
    assert panel.list_menu.isVisible()
    action = next(a for a in panel.list_menu.actions() if a.text().replace("&", "") == text)
    panel.list_menu.close()
    return action


def test_pictures_picked_with_ctrl_and_shift_leave_the_list_with_the_delete_key(qtbot, panel, glyphs, tmp_path):
    paths = listed(qtbot, panel, tmp_path, glyphs, "381", "52", "947", "60", "7")
    focus_list(qtbot, panel)
    click_row(qtbot, panel, 0)
    qtbot.keyClick(panel.list, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)   # 0 and 1
    click_row(qtbot, panel, 3, Qt.KeyboardModifier.ControlModifier)                  # and 3, now current
    assert sorted(panel.list.row(i) for i in panel.list.selectedItems()) == [0, 1, 3]
    assert panel.shown_entry().name == "n3.png"                          # one picture shown: the current one
    assert [d.digit for d in panel.view.recognition.digits] == [6, 0]

    qtbot.keyClick(panel.list, Qt.Key.Key_Delete)

    assert names(panel) == ["n2.png", "n4.png"] and panel.list.count() == 2
    assert panel.status_label.text() == "Removed 3 pictures from the list (the files are not touched)."
    assert all(p.exists() for p in paths)                                # nothing deleted from the disk
    assert panel.list.currentRow() == 1 and panel.shown_entry().name == "n4.png"   # the row after the current
    assert [panel.list.row(i) for i in panel.list.selectedItems()] == [1]
    assert [d.digit for d in panel.view.recognition.digits] == [7]
    assert panel.list.item(1).text().startswith("n4.png\n7 · ")
    assert panel.list.accessibleName() == "Images read"


def test_removing_the_last_row_shows_the_one_before_and_an_empty_list_looks_as_at_start(qtbot, panel, glyphs,
                                                                                         tmp_path):
    from digitdesk.gui.drop_panel import EMPTY_LIST, PLACEHOLDER
    listed(qtbot, panel, tmp_path, glyphs, "381", "52", "947")
    panel.show()
    click_row(qtbot, panel, 2)
    remove = menu_action(panel, 2, "Remove from list")
    assert remove.isEnabled() and remove.shortcut() == QKeySequence(Qt.Key.Key_Delete)
    remove.trigger()
    assert names(panel) == ["n0.png", "n1.png"]
    assert panel.shown_entry().name == "n1.png" and [d.digit for d in panel.view.recognition.digits] == [5, 2]
    assert panel.status_label.text() == "Removed 1 picture from the list (the files are not touched)."

    focus_list(qtbot, panel)
    qtbot.keyClick(panel.list, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)   # every row, then Delete
    qtbot.keyClick(panel.list, Qt.Key.Key_Delete)
    assert panel.entries == [] and panel.list.count() == 0 and panel.shown_entry() is None
    assert panel.view.image.isNull() and panel.view.placeholder_text() == PLACEHOLDER
    assert panel.result_panel.message_label.text() == EMPTY_LIST
    assert not panel.export_button.isEnabled() and not panel.clear_button.isEnabled()
    assert not menu_action(panel, -1, "Remove from list").isEnabled()
    assert not menu_action(panel, -1, "Clear list").isEnabled()


def test_clear_list_in_the_lists_menu_empties_it_and_says_the_files_stay(qtbot, panel, glyphs, tmp_path):
    paths = listed(qtbot, panel, tmp_path, glyphs, "381", "52")
    panel.show()
    clear = menu_action(panel, 0, "Clear list")
    assert clear.isEnabled()
    clear.trigger()
    assert panel.entries == [] and panel.list.count() == 0
    assert panel.status_label.text() == "Cleared the list (the files are not touched)."
    assert all(p.exists() for p in paths) and not panel.export_button.isEnabled()


def test_a_reading_that_comes_back_for_a_removed_picture_is_dropped(qtbot, panel, glyphs, tmp_path):
    first, _ = listed(qtbot, panel, tmp_path, glyphs, "381", "52")
    pick(panel, 0)
    panel.open_files([str(first)])        # read again in the background: its result can only come back later
    assert panel.is_busy()
    panel.remove_action.trigger()         # meanwhile the user takes it off the list
    assert names(panel) == ["n1.png"] and panel.shown_entry().name == "n1.png"
    wait_idle(qtbot, panel)
    qtbot.wait(50)                        # nothing else arrives

    assert names(panel) == ["n1.png"] and panel.list.count() == 1           # not back in the list
    assert panel.shown_entry().name == "n1.png" and [d.digit for d in panel.view.recognition.digits] == [5, 2]
    assert panel.status_label.text() == "1 image in the list."


def test_export_after_removing_rows_lists_only_the_pictures_left(qtbot, panel, glyphs, tmp_path):
    paths = listed(qtbot, panel, tmp_path, glyphs, "381", "52", "947")
    pick(panel, 1)
    panel.remove_selected()
    out = tmp_path / "left.csv"
    assert panel.export_button.isEnabled() and panel.export_csv(str(out))
    with out.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["path"] for r in rows] == [str(paths[0]), str(paths[2])]
    assert [r["text"] for r in rows] == [e.recognition.text for e in panel.entries]
    assert panel.status_label.text() == "Saved 2 rows to left.csv."


def test_a_removed_file_can_be_added_again(qtbot, panel, glyphs, tmp_path):
    first, second = listed(qtbot, panel, tmp_path, glyphs, "381", "52")
    pick(panel, 0)
    panel.remove_selected()
    assert names(panel) == ["n1.png"]
    assert drop(panel, file_urls(first))
    wait_idle(qtbot, panel, 2)
    assert names(panel) == ["n1.png", "n0.png"] and panel.shown_entry().name == "n0.png"
    assert panel.status_label.text() == "2 images in the list."          # added, not "in the list already"
    panel.open_files([str(second)])        # the rows that stayed are still found when opened again
    qtbot.waitUntil(lambda: not panel.is_busy(), timeout=READ_TIMEOUT_MS)
    assert names(panel) == ["n1.png", "n0.png"] and panel.shown_entry().name == "n1.png"


def test_a_row_the_user_picks_while_a_folder_is_read_stays_picked_so_delete_takes_it(qtbot, panel, glyphs, tmp_path):
    listed(qtbot, panel, tmp_path, glyphs, "381", "52")
    later = save(tmp_path / "later.png", number_image(glyphs, "947", size=72, seed=70))
    focus_list(qtbot, panel)
    panel.open_files([str(later)])          # asked for; its reading arrives in a moment
    click_row(qtbot, panel, 0)              # meanwhile the user picks a row of their own ...
    wait_idle(qtbot, panel, 3)
    assert panel.shown_entry().name == "n0.png"
    qtbot.keyClick(panel.list, Qt.Key.Key_Delete)   # ... and Delete takes that one, not the picture that came
    assert names(panel) == ["n1.png", "later.png"]
    panel.open_files([str(later)])          # asked for with nothing picked since: shown as it arrives
    wait_idle(qtbot, panel)
    assert panel.shown_entry().name == "later.png"


def test_a_right_click_below_the_rows_offers_no_remove_and_shift_f10_opens_the_menu_at_the_row(
        qtbot, panel, glyphs, tmp_path):
    from PySide6.QtGui import QContextMenuEvent
    listed(qtbot, panel, tmp_path, glyphs, "381", "52")
    focus_list(qtbot, panel)
    viewport = panel.list.viewport()

    def context_menu(reason, where: QPoint) -> None:
        QApplication.sendEvent(viewport, QContextMenuEvent(reason, where, viewport.mapToGlobal(where),
                                                           Qt.KeyboardModifier.NoModifier))
        assert panel.list_menu.isVisible()
        panel.list_menu.close()

    below = QPoint(10, viewport.height() - 5)   # no row there
    click_row(qtbot, panel, 1)
    context_menu(QContextMenuEvent.Reason.Keyboard, below)   # the Menu key: for the row picked
    assert panel.remove_action.isEnabled()
    context_menu(QContextMenuEvent.Reason.Mouse, below)      # the mouse below the rows: for none
    assert not panel.remove_action.isEnabled() and panel.clear_list_action.isEnabled()
    click_row(qtbot, panel, 1)
    qtbot.keyClick(panel.list, Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier)   # the keyboard's right click
    assert panel.list_menu.isVisible() and panel.remove_action.isEnabled()
    panel.list_menu.close()
