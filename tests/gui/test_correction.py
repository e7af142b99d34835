"""Correcting readings in the window: the next reading changes; undo; the Images tab; the My handwriting view."""
import numpy as np
import pytest
from PySide6.QtCore import Qt, QThread
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QApplication, QFileDialog, QInputDialog, QLabel, QMessageBox

import digitdesk.engine.recognizer as recognizer_module
from digitdesk.engine.samples import SampleStore
from digitdesk.gui.annotated_view import box_label
from digitdesk.gui.correction import CorrectionMenu
from digitdesk.gui.handwriting import Handwriting
from digitdesk.gui.handwriting_view import HandwritingDialog
from digitdesk.gui.inference import InferenceClient
from digitdesk.gui.main_window import MainWindow
from digitdesk.gui.settings import AppSettings
from tests.engine import archives, images
from tests.engine.fake_runner import FakeRunner
from tests.gui.strokes import draw_digit


@pytest.fixture(scope="module")
def runner():
    return FakeRunner()


@pytest.fixture
def window(qtbot, tmp_path, runner, monkeypatch):
    """The main window on a stand-in model (every tab reads with it) and a sample store in tmp_path."""
    monkeypatch.setattr(recognizer_module, "shared_runner", lambda: runner)
    settings = AppSettings(tmp_path / "digitdesk.ini")
    handwriting = Handwriting(SampleStore(tmp_path / "data"), settings, runner_factory=lambda: runner)
    client = InferenceClient(handwriting.recognizer_loader)
    window = MainWindow(settings, client, handwriting=handwriting)
    qtbot.addWidget(window)
    window.resize(1000, 640)
    window.show()
    qtbot.waitExposed(window)
    with qtbot.waitSignal(client.modelReady, timeout=30_000):
        client.start()
    yield window
    window.close()
    handwriting.close()


def read(window, qtbot, action):
    """Run `action` and wait for the answer to a request it made (not to an older one still under way)."""
    before = window.client._next_id
    with qtbot.waitSignal(window.client.resultReady, timeout=30_000,
                          check_params_cb=lambda request_id, *_: request_id > before):
        action()
    return window.result_panel.recognition


def open_menu(window, qtbot, click) -> CorrectionMenu:
    with qtbot.waitSignal(window.corrector.menuOpened, timeout=5_000) as opened:
        click()
    return opened.args[0]


def test_correcting_a_drawn_digit_changes_the_next_reading_and_undo_takes_it_back(window, qtbot):
    draw_digit(window.canvas, "4")
    first = read(window, qtbot, window.predict).digits[0]
    right = (first.digit + 5) % 10                     # this hand's 4 means another digit
    button = window.result_panel.preview_buttons()[0]
    menu = open_menu(window, qtbot, lambda: qtbot.mouseClick(button, Qt.MouseButton.LeftButton))
    assert f"&{first.digit}, that is right" in [a.text() for a in menu.actions()]
    with qtbot.waitSignal(window.handwriting.message) as told:
        after = read(window, qtbot, lambda: menu.action_for(right).trigger())   # the drawing is read again
    assert after.digits[0].digit == right
    assert window.result_panel.number_text() == str(right)
    assert window.handwriting.counts()[right] == 1
    assert told.args[0].startswith(f"Corrected: it is a {right}")
    undone = read(window, qtbot, window.handwriting_actions["undo"].trigger)
    assert undone.digits[0].digit == first.digit
    assert sum(window.handwriting.counts()) == 0
    np.testing.assert_allclose(undone.digits[0].probabilities, first.probabilities, atol=1e-6)


def test_typing_a_digit_in_the_menu_picks_it(window, qtbot):
    draw_digit(window.canvas, "7")
    first = read(window, qtbot, window.predict).digits[0]
    right = (first.digit + 1) % 10
    button = window.result_panel.preview_buttons()[0]
    menu = open_menu(window, qtbot, lambda: qtbot.mouseClick(button, Qt.MouseButton.LeftButton))
    after = read(window, qtbot, lambda: qtbot.keyClick(menu, str(right)))
    assert after.digits[0].digit == right


def test_f2_opens_the_correction_menu_from_the_keyboard_in_every_tab(window, qtbot):
    said = []
    window.statusBar().messageChanged.connect(said.append)
    qtbot.keyClick(window, Qt.Key.Key_F2)                      # nothing drawn yet: said, no menu
    assert said[-1] == "No digit here to correct." and window.corrector.menu is None
    draw_digit(window.canvas, "4")
    first = read(window, qtbot, window.predict).digits[0]
    menu = open_menu(window, qtbot, lambda: qtbot.keyClick(window, Qt.Key.Key_F2))
    assert menu.actions()[2].text() == f"&{first.digit}, that is right"
    right = (first.digit + 5) % 10
    assert read(window, qtbot, lambda: qtbot.keyClick(menu, str(right))).digits[0].digit == right
    window.tabs.setCurrentWidget(window.drop_panel)
    drop = window.drop_panel
    with qtbot.waitSignal(drop.reader.finished, timeout=30_000):
        drop.add_image(np.dstack([images.canvas_digit(6, size=(300, 300), thickness=16)] * 3), "six.png")
    qtbot.waitUntil(lambda: bool(drop.view.recognition.digits), timeout=10_000)
    window.activateWindow()   # as the window manager does once a menu closes (offscreen Qt does not)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5_000)
    drop.list.setFocus()                                      # where a user's last click usually is
    menu = open_menu(window, qtbot, lambda: qtbot.keyClick(drop.list, Qt.Key.Key_F2))
    assert drop.view.selected == 0 and "Read as" in menu.actions()[1].text()
    menu.action_for((drop.view.recognition.digits[0].digit + 1) % 10).trigger()
    assert drop.list.item(0).text().startswith("six.png\n")   # corrected there, as a click on the box does
    assert drop.result_panel.detail_label.text().endswith("(your correction)")


def test_left_and_right_in_the_menu_go_on_to_the_next_digit_of_the_number(window, qtbot):
    from tests.gui.strokes import draw_number
    draw_number(window.canvas, "470")
    digits = read(window, qtbot, window.predict).digits
    assert len(digits) == 3
    menu = open_menu(window, qtbot, lambda: qtbot.keyClick(window, Qt.Key.Key_F2))
    assert menu.actions()[1].text().startswith("Digit 1 of 3, read as")
    menu = open_menu(window, qtbot, lambda: qtbot.keyClick(menu, Qt.Key.Key_Right))
    assert menu.actions()[1].text().startswith("Digit 2 of 3, read as")
    assert window.result_panel.selected_index() == 1        # the chart and details follow
    menu = open_menu(window, qtbot, lambda: qtbot.keyClick(menu, Qt.Key.Key_Right))
    assert menu.actions()[1].text().startswith("Digit 3 of 3, read as")
    qtbot.wait(50)   # the menus stepped from are closed and gone: the one left open is the lit digit's
    assert [w for w in QApplication.topLevelWidgets() if isinstance(w, CorrectionMenu) and w.isVisible()] == [menu]
    opened = []
    window.corrector.menuOpened.connect(opened.append)
    qtbot.keyClick(menu, Qt.Key.Key_Right)                  # past the last digit: the menu stays as it is
    qtbot.wait(50)
    assert opened == [] and window.corrector.menu is menu and menu.isVisible()
    right = (digits[2].digit + 1) % 10
    after = read(window, qtbot, lambda: qtbot.keyClick(menu, str(right)))
    assert after.digits[2].digit == right and window.handwriting.counts()[right] == 1


def test_after_left_in_the_menu_the_keyboard_is_on_that_digit_so_space_opens_its_menu(window, qtbot):
    """Tab to the second preview, Space, Left (the first digit's menu), Escape, Space: the first digit's
    menu again, the one the panel shows selected, not the second's."""
    from tests.gui.strokes import draw_number
    draw_number(window.canvas, "47")
    assert len(read(window, qtbot, window.predict).digits) == 2
    second = window.result_panel.preview_buttons()[1]
    second.setFocus(Qt.FocusReason.TabFocusReason)
    menu = open_menu(window, qtbot, lambda: qtbot.keyClick(second, Qt.Key.Key_Space))
    assert menu.actions()[1].text().startswith("Digit 2 of 2, read as")
    menu = open_menu(window, qtbot, lambda: qtbot.keyClick(menu, Qt.Key.Key_Left))
    assert menu.actions()[1].text().startswith("Digit 1 of 2, read as")
    qtbot.keyClick(menu, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not menu.isVisible())
    first = window.result_panel.preview_buttons()[0]
    assert window.result_panel.selected_index() == 0 and window.focusWidget() is first
    menu = open_menu(window, qtbot, lambda: qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Space))
    assert menu.actions()[1].text().startswith("Digit 1 of 2, read as")


def test_switching_the_profile_off_reads_as_the_model_alone(window, qtbot):
    draw_digit(window.canvas, "1")
    first = read(window, qtbot, window.predict).digits[0]
    right = (first.digit + 2) % 10
    window.handwriting.correct(first.input28, right, "draw")
    assert read(window, qtbot, window.predict).digits[0].digit == right
    use = window.handwriting_actions["use"]
    assert use.isChecked()
    assert read(window, qtbot, use.trigger).digits[0].digit == first.digit
    assert AppSettings(window.settings.path).value("handwriting/enabled") == "false"
    said = []
    window.handwriting.message.connect(said.append)
    window.handwriting.correct(first.input28, (first.digit + 3) % 10, "draw")   # while it is off
    assert said[-1].endswith("To read with it, turn on Handwriting > Use my handwriting.")
    assert "Later readings use it" not in said[-1]
    from PySide6.QtGui import QFontMetrics   # whole in the status bar of a window at its default size
    room = 1000 - window.timing_label.sizeHint().width() - 40
    assert QFontMetrics(window.statusBar().font()).horizontalAdvance(said[-1]) < room


def test_a_box_clicked_in_the_images_tab_is_corrected_there_and_counts_for_later_readings(window, qtbot):
    window.tabs.setCurrentWidget(window.drop_panel)
    drop = window.drop_panel
    picture = images.canvas_digit(6, size=(300, 300), thickness=16)
    with qtbot.waitSignal(drop.reader.finished, timeout=30_000):
        drop.add_image(np.dstack([picture] * 3), "six.png")
    qtbot.waitUntil(lambda: bool(drop.view.recognition.digits), timeout=10_000)
    reading = drop.view.recognition.digits[0]
    right = (reading.digit + 3) % 10
    box = drop.view.box_rect(reading.box).center().toPoint()
    menu = open_menu(window, qtbot, lambda: qtbot.mouseClick(drop.view, Qt.MouseButton.LeftButton, pos=box))
    menu.action_for(right).trigger()
    assert drop.result_panel.number_text() == str(right)
    assert drop.list.item(0).text().startswith(f"six.png\n{right}")
    # the user's word, not a model's 100 %
    assert drop.result_panel.detail_label.text() == f"{right} (your correction)"
    assert box_label(drop.view.recognition.digits[0]) == f"{right} · yours"
    with qtbot.waitSignal(drop.reader.finished, timeout=30_000):    # the same picture, read afresh
        drop.add_image(np.dstack([picture] * 3), "six-again.png")
    qtbot.waitUntil(lambda: drop.list.count() == 2, timeout=10_000)
    assert drop.list.item(1).text().startswith(f"six-again.png\n{right}")
    before = drop.list.item(0).text()
    window.handwriting_actions["undo"].trigger()          # the correction of six.png, taken back
    assert drop.list.item(0).text() != before and drop.list.item(0).text().startswith(f"six.png\n{reading.digit}")
    assert drop.list.item(0).toolTip().endswith(drop.list.item(0).text().split("\n", 1)[1])
    drop.list.setCurrentRow(0)
    assert drop.result_panel.number_text() == str(reading.digit)


def test_a_digit_in_the_webcam_picture_is_corrected_from_the_keyboard(window, qtbot):
    window.tabs.setCurrentWidget(window.webcam_tab)
    view = window.webcam_tab.view
    frame = np.dstack([images.canvas_digit(6, size=(300, 300), thickness=16)] * 3)
    shown = window.handwriting.recognizer_loader().recognize(frame)   # as the capture thread reads a frame
    view.set_image(frame, shown)
    view.setFocus(Qt.FocusReason.TabFocusReason)                      # Tab reaches the picture
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert view.selected == 0
    menu = open_menu(window, qtbot, lambda: qtbot.keyClick(view, Qt.Key.Key_Space))
    right = (shown.digits[0].digit + 2) % 10
    menu.action_for(right).trigger()
    assert window.handwriting.samples()[-1].label == right


def test_a_digit_corrected_on_a_frozen_webcam_frame_shows_corrected_at_once(window, qtbot, tmp_path):
    from tests.gui.media import DigitVideo, GlyphSource
    webcam = window.webcam_tab
    window.tabs.setCurrentWidget(webcam)
    shown = []
    webcam.frameShown.connect(shown.append)
    webcam.open_video(str(DigitVideo(GlyphSource(None), "305", seed=1).write(tmp_path / "desk.avi", frames=60)))
    qtbot.waitUntil(lambda: bool(shown), timeout=60_000)
    webcam.freeze_button.setChecked(True)                  # Freeze, then correct the 0
    first = webcam.view.recognition.digits[1]
    right = (first.digit + 6) % 10
    box = webcam.view.box_rect(first.box).center().toPoint()
    menu = open_menu(window, qtbot, lambda: qtbot.mouseClick(webcam.view, Qt.MouseButton.LeftButton, pos=box))
    menu.action_for(right).trigger()
    assert webcam.view.recognition.digits[1].digit == right          # the frozen frame says so now
    assert webcam.reading_label.text()[1] == str(right)
    webcam.stop()


def test_my_handwriting_shows_deletes_forgets_exports_and_imports(window, qtbot, tmp_path, monkeypatch):
    hw = window.handwriting
    for digit, thickness in ((3, 3), (3, 2), (8, 3)):
        hw.correct(images.canvas_digit(digit, size=(28, 28), thickness=thickness) / 255.0, digit, "draw")
    window.handwriting_actions["view"].trigger()
    dialog = window.handwriting_dialog
    assert isinstance(dialog, HandwritingDialog) and dialog.isVisible()
    assert dialog.samples.count() == 3 and dialog.counts_label.text() == \
        "3 samples: 3 ×2 · 8 ×1; none yet of 0, 1, 2, 4, 5, 6, 7, 9"
    qtbot.waitUntil(lambda: dialog.check_label.text().startswith("Your samples:"), timeout=30_000)
    assert "with your profile" in dialog.check_label.text()
    archive = str(tmp_path / "mine.zip")
    assert dialog.export_to(archive)
    dialog.samples.item(0).setSelected(True)
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: answers.pop(0))
    dialog.delete_button.click()                             # asked, and the user said No
    assert dialog.samples.count() == 3 and hw.counts()[3] == 2
    dialog.delete_button.click()
    assert dialog.samples.count() == 2 and hw.counts()[3] == 1
    assert dialog.status_label.text() == "Deleted 1 sample of 'default'."   # said, as Forget all and Import are
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    dialog.forget_button.click()
    assert dialog.samples.count() == 0 and sum(hw.counts()) == 0 and "No samples yet" in dialog.counts_label.text()
    in_gui_thread = []   # a plain function runs in the thread that emits: the GUI's, not the import's
    hw.changed.connect(lambda: in_gui_thread.append(QThread.currentThread() is QApplication.instance().thread()))
    assert imported(qtbot, dialog, archive) == 3
    assert dialog.samples.count() == 3 and in_gui_thread and all(in_gui_thread)
    assert imported(qtbot, dialog, archive) == 0            # the same zip again: nothing twice, and it says why
    assert dialog.status_label.text() == "Imported 0 samples from mine.zip (3 already there)."
    import shutil
    import zipfile
    doubled = tmp_path / "doubled.zip"                     # one picture in it twice, under two names
    shutil.copy(archive, doubled)
    with zipfile.ZipFile(doubled) as source:
        first = source.namelist()[0]
        picture = source.read(first)
    with zipfile.ZipFile(doubled, "a") as again:
        again.writestr(first.replace(".png", "-again.png"), picture)
    hw.forget_profile()
    assert imported(qtbot, dialog, str(doubled)) == 3
    assert dialog.status_label.text() == "Imported 3 samples from doubled.zip (1 copy of another picture left out)."
    dialog.filter_combo.setCurrentIndex(1 + 8)              # only the 8s
    assert dialog.samples.count() == 1


def test_forget_all_deletes_what_it_asked_about_not_a_sample_that_came_meanwhile(window, qtbot, monkeypatch):
    hw = window.handwriting
    hw.correct(images.canvas_digit(3, size=(28, 28), thickness=3) / 255.0, 3, "draw")
    dialog = HandwritingDialog.show_for(window, hw)
    asked = []

    def answer(_parent, _title, text, *args):
        asked.append(text)   # meanwhile another DigitDesk, or `digitdesk teach`, adds a sample
        hw.store.add(hw.profile_name, 8, images.canvas_digit(8, size=(28, 28), thickness=3), "cli")
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer)
    dialog.forget_button.click()
    assert asked[0].startswith("Delete the 1 sample of 'default'?")
    assert [s.label for s in hw.samples()] == [8]
    assert dialog.status_label.text() == "Forgot 1 sample of 'default'. 1 sample added since you were asked stayed."


def imported(qtbot, dialog, archive) -> int:
    """Import `archive` in the window, as the Import button does, and wait: how many samples it added."""
    with qtbot.waitSignal(dialog.imported, timeout=60_000) as done:
        assert dialog.import_from(archive)
    return done.args[0]


def test_the_handwriting_window_names_the_person_chosen_and_leaves_no_gap_for_a_new_one(window, qtbot,
                                                                                        monkeypatch):
    dialog = HandwritingDialog.show_for(window, window.handwriting)
    assert dialog.use_check.text() == "Use my handwriting when reading"
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Ana", True))
    dialog.new_button.click()
    assert dialog.use_check.text() == "Use Ana's handwriting when reading"
    assert dialog.check_label.isHidden() and "No samples yet" in dialog.counts_label.text()


def test_a_name_that_cannot_be_used_is_said_in_the_handwriting_window(window, qtbot, monkeypatch):
    dialog = HandwritingDialog.show_for(window, window.handwriting)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("x" * 80, True))
    dialog.new_button.click()
    assert window.handwriting.profile_name == "default"
    said = dialog.status_label.text()
    assert said.startswith("A profile name needs 1 to 60 characters") and "80" in said
    # what a screen reader says is the message itself, not only what the label is for
    assert QAccessible.queryAccessibleInterface(dialog.status_label).text(QAccessible.Text.Name) == said
    assert dialog.profile_combo in {label.buddy() for label in dialog.findChildren(QLabel)}   # Alt+W


def test_export_and_import_start_in_the_last_folder_used(window, qtbot, tmp_path, monkeypatch):
    hw = window.handwriting
    hw.correct(np.zeros((28, 28), np.float32) + 0.5, 2, "draw")
    dialog = HandwritingDialog.show_for(window, hw)
    (tmp_path / "backups").mkdir()
    assert dialog.export_to(str(tmp_path / "backups" / "mine.zip"))
    offered = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        lambda parent, title, folder, *a: offered.append(folder) or ("", ""))
    dialog.choose_import()
    assert offered == [str(tmp_path / "backups")]
    assert AppSettings(window.settings.path).last_dir == str(tmp_path / "backups")   # and for the next start


def test_export_offers_a_safe_file_name_and_adds_zip_so_import_finds_it(window, qtbot, tmp_path, monkeypatch):
    hw = window.handwriting
    assert hw.use_profile("Ana/Ben")                                     # a name no file can carry as it is
    hw.correct(np.zeros((28, 28), np.float32) + 0.5, 2, "draw")
    window.settings.last_dir = str(tmp_path)
    dialog = HandwritingDialog.show_for(window, hw)
    offered = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda parent, title, name, *a: offered.append(name) or (str(tmp_path / "backup"), ""))
    dialog.choose_export()
    assert offered == [str(tmp_path / "Ana-Ben-handwriting.zip")]
    assert [p.name for p in tmp_path.glob("backup*")] == ["backup.zip"]   # the name typed, made a zip


def test_a_closed_handwriting_window_does_not_keep_measuring(window, qtbot):
    hw = window.handwriting
    dialog = HandwritingDialog.show_for(window, hw)
    dialog.close()
    measured = []
    dialog._worker.done.connect(lambda *args: measured.append(args))
    hw.correct(np.zeros((28, 28), np.float32) + 0.5, 2, "draw")
    qtbot.wait(800)   # twice the debounce
    assert measured == [] and not dialog._debounce.isActive()
    HandwritingDialog.show_for(window, hw)
    qtbot.waitUntil(lambda: bool(measured), timeout=30_000)


def test_each_person_has_their_own_profile(window, qtbot):
    hw = window.handwriting
    hw.correct(np.zeros((28, 28), np.float32) + 0.5, 2, "draw")
    dialog = HandwritingDialog.show_for(window, hw)
    assert hw.use_profile("bob")
    assert dialog.profile_combo.currentText() == "bob" and dialog.samples.count() == 0
    assert "default" in [dialog.profile_combo.itemText(i) for i in range(dialog.profile_combo.count())]
    dialog.profile_combo.activated.emit(dialog.profile_combo.findText("default"))
    assert hw.profile_name == "default" and dialog.samples.count() == 1
    assert AppSettings(window.settings.path).value("handwriting/profile") == "default"


def test_a_person_can_be_renamed_and_their_samples_and_undo_go_with_the_new_name(window, qtbot, monkeypatch):
    hw = window.handwriting
    assert hw.use_profile("ana")
    hw.correct(np.zeros((28, 28), np.float32) + 0.5, 2, "draw")
    hw.use_profile("bob")
    hw.use_profile("ana")
    dialog = HandwritingDialog.show_for(window, hw)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Bob", True))   # somebody else's name
    dialog.rename_button.click()
    assert hw.profile_name == "ana" and dialog.status_label.text().startswith("There is already a profile named 'bob'")
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Ana Lopez", True))
    dialog.rename_button.click()
    names = [dialog.profile_combo.itemText(i) for i in range(dialog.profile_combo.count())]
    assert names == ["Ana Lopez", "bob", "default"] and dialog.profile_combo.currentText() == "Ana Lopez"
    assert dialog.samples.count() == 1 and dialog.status_label.text() == "Renamed 'ana' to 'Ana Lopez'."
    assert AppSettings(window.settings.path).value("handwriting/profile") == "Ana Lopez"   # chosen at next start
    assert hw.undo() and hw.store.counts("Ana Lopez") == [0] * 10                        # her correction, undone
    assert len(hw.live) == 0                                   # and it no longer sways her readings


def test_removing_a_person_asks_deletes_their_samples_and_reads_as_the_default_again(window, qtbot, monkeypatch):
    hw = window.handwriting
    dialog = HandwritingDialog.show_for(window, hw)
    assert not dialog.remove_button.isEnabled()   # the default person is emptied by Forget all instead
    hw.use_profile("ana")
    hw.correct(np.zeros((28, 28), np.float32) + 0.5, 2, "draw")
    assert dialog.remove_button.isEnabled()
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda _parent, _title, text, *a: asked.append(text) or QMessageBox.StandardButton.No)
    dialog.remove_button.click()
    assert asked[0].startswith("Remove 'ana' and 1 sample of their handwriting?") and hw.profile_name == "ana"
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    dialog.remove_button.click()
    names = [dialog.profile_combo.itemText(i) for i in range(dialog.profile_combo.count())]
    assert hw.profile_name == "default" and names == ["default"] and hw.store.samples("ana") == []
    assert dialog.status_label.text() == "Removed 'ana' and 1 sample."
    hw.use_profile("Ben")   # nobody's samples yet: nothing to warn of but the name
    monkeypatch.setattr(QMessageBox, "question",
                        lambda _p, _t, text, *a: asked.append(text) or QMessageBox.StandardButton.Yes)
    dialog.remove_button.click()
    assert asked[-1] == "Remove 'Ben'? They have no samples yet." and dialog.status_label.text() == "Removed 'Ben'."
    assert AppSettings(window.settings.path).value("handwriting/profile") == "default"


def test_a_store_that_cannot_be_written_is_said_at_start_and_corrections_still_count(qtbot, tmp_path, runner,
                                                                                      monkeypatch):
    monkeypatch.setattr(recognizer_module, "shared_runner", lambda: runner)
    (tmp_path / "file").write_text("x")
    settings = AppSettings(tmp_path / "digitdesk.ini")
    handwriting = Handwriting(SampleStore(tmp_path / "file" / "data"), settings, runner_factory=lambda: runner)
    client = InferenceClient(handwriting.recognizer_loader)
    window = MainWindow(settings, client, handwriting=handwriting)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(client.modelReady, timeout=30_000):
        client.start()
    qtbot.waitUntil(lambda: "cannot be saved" in window.statusBar().currentMessage(), timeout=5_000)
    draw_digit(window.canvas, "0")
    first = read(window, qtbot, window.predict).digits[0]
    right = (first.digit + 4) % 10
    after = read(window, qtbot, lambda: handwriting.correct(first.input28, right, "draw"))
    assert after.digits[0].digit == right
    assert "for this session" in window.statusBar().currentMessage()
    assert window.not_kept_label.text() == "Not kept for next time: corrections"   # said for the whole session
    assert "cannot be saved" in window.not_kept_label.toolTip()
    window.close()


def test_the_menu_offers_every_digit_and_confirms_the_one_read(qtbot):
    from digitdesk.engine.results import Box, DigitReading
    reading = DigitReading(7, 0.93, np.eye(10, dtype=np.float32)[7], Box(0, 0, 10, 10),
                           np.zeros((28, 28), np.float32), False)
    menu = CorrectionMenu(reading)
    qtbot.addWidget(menu)
    texts = [a.text() for a in menu.actions() if a.text()]
    assert "&7, that is right" in texts and all(f"&{d}" in texts for d in range(10) if d != 7)
    assert "Read as 7 (93.0%). It is:" in texts and sum("7" in t for t in texts) == 2   # the heading, one choice
    menu.popup(menu.pos())
    with qtbot.waitSignal(menu.picked) as picked:
        qtbot.keyClick(menu, Qt.Key.Key_1)
    assert picked.args == [1]
    menu.popup(menu.pos())
    with qtbot.waitSignal(menu.picked) as picked:
        qtbot.keyClick(menu, Qt.Key.Key_7)   # typing the digit read confirms it
    assert picked.args == [7]



def test_up_from_the_first_choice_of_the_menu_goes_round_to_the_last_not_onto_the_picture(qtbot):
    from digitdesk.engine.results import Box, DigitReading
    picture = np.zeros((28, 28), np.float32)
    picture[4:24, 12:16] = 1.0
    menu = CorrectionMenu(DigitReading(7, 0.93, np.eye(10, dtype=np.float32)[7], Box(0, 0, 10, 10), picture, False))
    qtbot.addWidget(menu)
    menu.popup(menu.pos())
    assert menu.activeAction().text() == "&7, that is right"
    qtbot.keyClick(menu, Qt.Key.Key_Up)
    assert menu.activeAction() is menu.action_for(9)          # a choice stays lit
    preview = next(label for label in menu.findChildren(QLabel) if label.pixmap() and not label.pixmap().isNull())
    assert preview.isEnabled()                                # the picture is not greyed out


@pytest.mark.parametrize("make", [lambda path: path.write_text("not a zip"), archives.zip_with_undecodable_name],
                         ids=["text", "name-python-cannot-decode"])
def test_the_cursor_says_busy_while_samples_are_imported_and_comes_back_even_on_a_bad_file(window, qtbot, tmp_path,
                                                                                       monkeypatch, make):
    hw = window.handwriting
    dialog = HandwritingDialog.show_for(window, hw)
    told = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: told.append(text))
    make(tmp_path / "notes.zip")
    with qtbot.waitSignal(dialog.imported, timeout=30_000):
        assert dialog.import_from(str(tmp_path / "notes.zip"))
        assert QApplication.overrideCursor().shape() == Qt.CursorShape.BusyCursor
        assert not dialog.import_button.isEnabled()   # one import at a time, into the profile chosen
    assert QApplication.overrideCursor() is None and dialog.import_button.isEnabled()
    assert told[0].startswith("Nothing imported from notes.zip: ") and "not a readable zip archive" in told[0]
    assert dialog.status_label.text() == told[0]


def test_importing_an_empty_zip_says_nothing_was_imported_and_why(window, qtbot, tmp_path, monkeypatch):
    import zipfile
    zipfile.ZipFile(tmp_path / "empty.zip", "w").close()
    told = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: told.append(text))
    dialog = HandwritingDialog.show_for(window, window.handwriting)
    assert imported(qtbot, dialog, str(tmp_path / "empty.zip")) == 0
    assert told == ["Nothing imported from empty.zip: it holds no pictures in digit folders (0/ … 9/)."]


def test_an_import_that_fails_in_an_unforeseen_way_ends_and_says_why(window, qtbot, tmp_path, monkeypatch):
    def fails(*args, **kwargs):
        raise MemoryError("out of memory")
    monkeypatch.setattr(window.handwriting, "import_archive", fails)
    told = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: told.append(text))
    dialog = HandwritingDialog.show_for(window, window.handwriting)
    assert imported(qtbot, dialog, str(tmp_path / "mine.zip")) == 0
    assert told[0].startswith("Nothing imported from mine.zip: ") and "(out of memory)" in told[0]
    assert dialog.import_button.isEnabled() and QApplication.overrideCursor() is None   # not "importing" for good


def test_export_from_the_window_never_replaces_the_samples_file_or_another_file(window, qtbot, tmp_path,
                                                                                monkeypatch):
    hw = window.handwriting
    hw.correct(images.canvas_digit(3, size=(28, 28), thickness=3) / 255.0, 3, "draw")
    warned = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warned.append(text))
    dialog = HandwritingDialog.show_for(window, hw)
    store_file = hw.store.path
    before = store_file.read_bytes()
    assert not dialog.export_to(str(store_file))             # typed in the save dialog, "replace?" said yes
    assert "is not an earlier export" in warned[0] and store_file.read_bytes() == before
    notes = tmp_path / "notes.txt"
    notes.write_text("mine")
    assert not dialog.export_to(str(notes)) and notes.read_text() == "mine"
    assert len(hw.samples()) == 1 and dialog.export_to(str(tmp_path / "mine.zip"))


def test_closing_my_handwriting_during_an_import_lets_it_finish_and_the_window_says_so(window, qtbot, tmp_path,
                                                                                      monkeypatch):
    import zipfile

    import cv2
    archive = tmp_path / "mine.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for k in range(300):
            digit = images.canvas_digit(k % 10, size=(64, 64), thickness=2 + k % 4)
            zipped.writestr(f"{k % 10}/{k}.png", cv2.imencode(".png", digit)[1].tobytes())
        zipped.writestr("notes.txt", "not a picture")   # one skipped: said in a box, from the GUI thread
    told = []
    on_gui_thread = lambda: QThread.currentThread() is QApplication.instance().thread()   # noqa: E731
    monkeypatch.setattr(QMessageBox, "information",
                        lambda parent, title, text: told.append((text, parent, on_gui_thread())))
    dialog = HandwritingDialog.show_for(window, window.handwriting)
    with qtbot.waitSignal(dialog.imported, timeout=60_000) as done:
        assert dialog.import_from(str(archive))
        dialog.close()                                  # the user closes the window meanwhile
    assert done.args[0] > 0 and sum(window.handwriting.counts()) == done.args[0]
    assert window.statusBar().currentMessage().startswith("Imported ")
    text, parent, on_gui = told[0]
    assert "1 skipped" in text and parent is window and on_gui   # over the main window, from the GUI thread


def test_a_big_import_runs_beside_a_live_window_and_stops_unwritten_when_the_app_closes(window, qtbot, tmp_path):
    import zipfile

    import cv2
    hw = window.handwriting
    archive = tmp_path / "big.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for k in range(1500):   # seconds of work: the app closes long before the end
            digit = images.canvas_digit(k % 10, size=(96, 96), thickness=2 + k % 5)
            zipped.writestr(f"{k % 10}/{k}.png", cv2.imencode(".png", digit)[1].tobytes())
    dialog = HandwritingDialog.show_for(window, hw)
    said = []
    dialog.imported.connect(said.append)
    assert dialog.import_from(str(archive))
    thread, _ = dialog._import
    # the window goes on handling events all along: it shows how far the import got, and the app closes meanwhile
    qtbot.waitUntil(lambda: "pictures so far" in dialog.status_label.text(), timeout=30_000)
    dialog.shutdown()
    assert said == [] and sum(hw.counts()) == 0              # nothing half imported
    assert not thread.isRunning()
    assert QApplication.overrideCursor() is None


def test_every_menu_item_has_its_own_access_key(window):
    """Alt+H, U must undo or switch, not land on one of two items that share the letter (and toggle the
    profile when the other is greyed out)."""
    import re
    for menu_action in window.menuBar().actions():
        keys = [m.group(1).lower() for a in menu_action.menu().actions() if not a.isSeparator()
                for m in [re.search(r"&([^&])", a.text())] if m]
        assert len(keys) == len(set(keys)), f"{menu_action.text()}: {keys}"


def test_enter_in_my_handwriting_opens_nothing_and_a_long_name_does_not_widen_it(window, qtbot, monkeypatch):
    """A keyboard user picks a person and presses Enter: no "New person" question pops up. A person
    named with the 60 letters allowed keeps the window its size, the whole name in the switch's tooltip."""
    asked = []
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: asked.append(a) or ("", False))
    window.handwriting_actions["view"].trigger()
    dialog = window.handwriting_dialog
    width = dialog.width()
    for widget in (dialog.samples, dialog.profile_combo):
        widget.setFocus()
        qtbot.keyClick(widget, Qt.Key.Key_Return)
    assert asked == [] and dialog.isVisible()
    dialog.new_button.setFocus()                           # Tab to the button, then Enter: it is pressed
    qtbot.keyClick(dialog.new_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(asked) == 1)
    name = "Maria " + "x" * 54
    window.handwriting.store.add(name, 3, images.canvas_digit(3, size=(28, 28), thickness=3), "draw")
    dialog.refresh()
    dialog.profile_combo.setCurrentIndex(dialog.profile_combo.findText(name))
    dialog.profile_combo.activated.emit(dialog.profile_combo.currentIndex())
    qtbot.waitUntil(lambda: window.handwriting.profile_name == name)
    dialog.refresh()
    qtbot.wait(50)
    assert dialog.sizeHint().width() <= width and dialog.width() == width
    assert dialog.use_check.toolTip() == name and "…" in dialog.use_check.text()



def test_two_copies_of_a_picture_corrected_alike_both_show_it_and_one_undo_restores_both(window, qtbot):
    """The same scan listed twice: the second correction teaches nothing new, yet its row shows the
    correction (and Export CSV writes it); Undo correction puts both rows back as they were read."""
    window.tabs.setCurrentWidget(window.drop_panel)
    drop = window.drop_panel
    picture = np.dstack([images.canvas_digit(6, size=(300, 300), thickness=16)] * 3)
    for name in ("six.png", "six-copy.png"):
        with qtbot.waitSignal(drop.reader.finished, timeout=30_000):
            drop.add_image(picture, name)
    qtbot.waitUntil(lambda: drop.list.count() == 2, timeout=10_000)
    read_first = [drop.list.item(row).text() for row in (0, 1)]
    for row in (0, 1):
        drop.list.setCurrentRow(row)
        qtbot.waitUntil(lambda: bool(drop.view.recognition.digits), timeout=10_000)
        reading = drop.view.recognition.digits[0]
        right = 8 if reading.digit != 8 else 2
        box = drop.view.box_rect(reading.box).center().toPoint()
        menu = open_menu(window, qtbot, lambda at=box: qtbot.mouseClick(drop.view, Qt.MouseButton.LeftButton, pos=at))
        menu.action_for(right).trigger()
    assert [drop.list.item(row).text().split("\n")[1].split(" ")[0] for row in (0, 1)] == [str(right)] * 2
    assert sum(window.handwriting.counts()) == 1
    window.handwriting_actions["undo"].trigger()
    assert [drop.list.item(row).text() for row in (0, 1)] == read_first and sum(window.handwriting.counts()) == 0


def test_a_correction_goes_to_the_picture_its_menu_was_opened_on_even_if_another_is_shown_by_then(window, qtbot):
    window.tabs.setCurrentWidget(window.drop_panel)
    drop = window.drop_panel
    for digit, name in ((6, "six.png"), (3, "three.png")):
        with qtbot.waitSignal(drop.reader.finished, timeout=30_000):
            drop.add_image(np.dstack([images.canvas_digit(digit, size=(300, 300), thickness=16)] * 3), name)
    qtbot.waitUntil(lambda: drop.list.count() == 2, timeout=10_000)
    drop.list.setCurrentRow(0)
    qtbot.waitUntil(lambda: bool(drop.view.recognition.digits), timeout=10_000)
    reading = drop.view.recognition.digits[0]
    right = 8 if reading.digit != 8 else 2
    box = drop.view.box_rect(reading.box).center().toPoint()
    menu = open_menu(window, qtbot, lambda: qtbot.mouseClick(drop.view, Qt.MouseButton.LeftButton, pos=box))
    three = drop.list.item(1).text()
    drop.list.setCurrentRow(1)                       # another picture shown while the menu is open
    menu.action_for(right).trigger()
    assert drop.list.item(0).text().startswith(f"six.png\n{right}")
    assert drop.list.item(1).text() == three


def test_the_status_bar_says_whose_handwriting_sways_the_readings(window, qtbot):
    """A reading changed by a sample must not look like the model's own whim: the person is always in sight."""
    hw, label = window.handwriting, window.handwriting_label
    assert not label.isVisible()                                    # no samples: nothing sways a reading
    hw.correct(np.zeros((28, 28), np.float32) + 0.5, 2, "draw")
    assert label.isVisible() and label.text() == "Your handwriting (1 sample)"
    window.handwriting_actions["use"].trigger()                     # switched off: the model alone
    assert not label.isVisible()
    window.handwriting_actions["use"].trigger()
    assert hw.use_profile("Ana")
    assert not label.isVisible()                                    # Ana has no samples yet
    hw.correct(np.zeros((28, 28), np.float32) + 0.4, 3, "draw")
    assert label.text() == "Ana's handwriting (1 sample)" and "profile Ana." in label.toolTip()


def test_a_samples_file_gone_unreadable_hides_the_label_and_the_switch_still_works(window, monkeypatch):
    import sqlite3
    hw = window.handwriting
    hw.correct(np.zeros((28, 28), np.float32) + 0.5, 2, "draw")

    def gone(*_args):   # the data folder was on a network drive that has gone away
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(hw.store, "counts", gone)
    window.handwriting_actions["use"].trigger()
    window.handwriting_actions["use"].trigger()
    assert hw.enabled and not window.handwriting_label.isVisible()
