"""MainWindow: the Draw | Images | Webcam tabs, menus, shortcuts and status bar.

The window never touches TensorFlow: drawings go to the InferenceClient and come
back as signals. It is built and shown before the model loads, so requests made
while loading simply wait in the client's mailbox.
"""
from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QEvent, QLockFile, QSize, QTimer, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (QApplication, QFileDialog, QHBoxLayout, QLabel, QMainWindow, QMessageBox,
                               QPushButton, QSlider, QTabWidget, QVBoxLayout, QWidget)

from digitdesk.engine import drawing_file
from digitdesk.engine.results import Recognition
from digitdesk.gui.about import show_about
from digitdesk.gui.canvas import DrawingCanvas
from digitdesk.gui.colours import ERROR_TEXT, colour_text, follow_palette
from digitdesk.gui.drop_panel import IMAGE_FILTER, DropPanel
from digitdesk.gui.inference import InferenceClient
from digitdesk.gui.result_panel import ResultPanel
from digitdesk.gui.save_path import ask_save_path
from digitdesk.gui.settings import PEN_WIDTH_RANGE, AppSettings
from digitdesk.gui.webcam_tab import WebcamTab

LIVE_PREDICTION_MS = 120   # at most ~8 predictions a second while the pen moves
SETTINGS_SAVE_MS = 400     # settings reach the disk this soon after a change, so a kill loses none
TAKEOVER_MS = 2000         # how often a second window looks whether the first, which keeps the drawing, has closed


KEEP_IT = "use Save drawing (Ctrl+S) to keep"   # what a user can do when the drawing is not kept for them


def first_size(screen: QSize) -> QSize:
    """The window's size at its first start: 1000x640, smaller on a screen with less room (a 1024x600
    netbook, 1280x720 at 150 %), so the buttons and the status bar are not below its edge."""
    return QSize(min(1000, int(screen.width() * 0.95)), min(640, int(screen.height() * 0.9)))


class MainWindow(QMainWindow):
    def __init__(self, settings: AppSettings, client: InferenceClient, parent: QWidget | None = None,
                 handwriting=None):
        super().__init__(parent)
        self.settings = settings
        self.client = client
        self._closed = False
        self._drawing_unsaved = False   # the last write of the drawing failed (said once, not every stroke)
        self._drawing_changed = False   # drawn on since its last write: a window nobody drew in never writes
        self._drawing_lock: QLockFile | None = None   # held while this window keeps the drawing
        self._takeover_timer = QTimer(self)   # a second window looks now and then whether the first has closed
        self._takeover_timer.setInterval(TAKEOVER_MS)
        self._takeover_timer.timeout.connect(self._take_over_drawing)
        self._settings_timer = QTimer(self)   # debounced: a slider drag or a window resize writes once
        self._settings_timer.setSingleShot(True)
        self._settings_timer.setInterval(SETTINGS_SAVE_MS)
        self._settings_timer.timeout.connect(self._save_settings)
        self.setWindowTitle("DigitDesk")

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self._build_draw_tab(), "&Draw")   # Alt+D, Alt+I, Alt+C
        self.drop_panel = DropPanel(settings, self)
        self.webcam_tab = WebcamTab(settings, self)
        self.webcam_tab.snapshot.connect(self._on_snapshot)
        self.drop_panel.message.connect(self._on_drop_panel_message)
        self.tabs.addTab(self.drop_panel, "&Images")
        self.tabs.addTab(self.webcam_tab, "Web&cam")
        self.setCentralWidget(self.tabs)
        self.setAcceptDrops(True)   # a picture dropped anywhere on the window is read on the Images tab

        self._build_actions()
        self._build_menus()
        self._build_status_bar()

        self._live_timer = QTimer(self)
        self._live_timer.setSingleShot(True)
        self._live_timer.setInterval(LIVE_PREDICTION_MS)
        self._live_timer.timeout.connect(self.predict)
        self.canvas.changed.connect(self._on_canvas_changed)
        self.canvas.historyChanged.connect(self._update_history_actions)
        self.tabs.currentChanged.connect(self._update_history_actions)

        client.modelLoading.connect(self._on_model_loading)
        client.modelReady.connect(self._on_model_ready)
        client.modelFailed.connect(self._on_model_failed)
        client.resultReady.connect(self._on_result)
        client.failed.connect(self._on_failed)

        self._restore_settings()
        self.pen_slider.valueChanged.connect(self._settings_timer.start)
        self.tabs.currentChanged.connect(self._settings_timer.start)
        self._restore_drawing()
        self.canvas.historyChanged.connect(self._drawing_was_changed)
        self._update_history_actions()
        self.handwriting = handwriting
        if handwriting is not None:   # corrections in every tab, personal profiles (gui/correction.py)
            from digitdesk.gui.correction import wire_corrections
            wire_corrections(self, handwriting)

    # ---- construction -------------------------------------------------------------------
    def _build_draw_tab(self) -> QWidget:
        self.canvas = DrawingCanvas(pen_width=self.settings.pen_width)
        self.result_panel = ResultPanel()

        self.pen_slider = QSlider(Qt.Orientation.Horizontal)
        self.pen_slider.setRange(*PEN_WIDTH_RANGE)
        self.pen_slider.setValue(self.canvas.pen_width)
        self.pen_slider.setAccessibleName("Pen width")
        self.pen_slider.setToolTip("Pen width for new strokes")
        self.pen_slider.setMinimumWidth(90)
        self.pen_slider.setMaximumWidth(160)
        self._pen_value = QLabel()
        self._pen_value.setMinimumWidth(42)
        self.pen_slider.valueChanged.connect(self._on_pen_width)
        self._on_pen_width(self.pen_slider.value())

        self.predict_button = QPushButton("Predict")
        self.undo_button = QPushButton("Undo")
        self.redo_button = QPushButton("Redo")
        self.clear_button = QPushButton("Clear")
        self.save_button = QPushButton("Save…")
        self.predict_button.clicked.connect(self.predict)
        self.undo_button.clicked.connect(self.canvas.undo)
        self.redo_button.clicked.connect(self.canvas.redo)
        self.clear_button.clicked.connect(self.canvas.clear)
        self.save_button.clicked.connect(self.save_drawing)

        pen_row = QHBoxLayout()
        pen_label = QLabel("&Pen width")
        pen_label.setBuddy(self.pen_slider)   # Alt+P
        pen_row.addWidget(pen_label)
        pen_row.addWidget(self.pen_slider)
        pen_row.addWidget(self._pen_value)
        pen_row.addStretch(1)
        buttons = QHBoxLayout()
        for button in (self.predict_button, self.undo_button, self.redo_button, self.clear_button,
                       self.save_button):
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            buttons.addWidget(button)

        left = QVBoxLayout()
        left.addLayout(pen_row)
        left.addWidget(self.canvas, 1)
        left.addLayout(buttons)
        page = QWidget()
        layout = QHBoxLayout(page)
        layout.addLayout(left, 3)
        layout.addWidget(self.result_panel, 2)
        return page

    def _action(self, text: str, shortcuts, slot, tip: str = "") -> QAction:
        action = QAction(text, self)
        action.setShortcuts([QKeySequence(s) for s in shortcuts] if isinstance(shortcuts, (list, tuple))
                            else [QKeySequence(shortcuts)])
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.open_action = self._action("&Open images…", QKeySequence.StandardKey.Open, self.open_images,
                                        "Read digits in image files")
        self.paste_action = self._action("&Paste image", QKeySequence.StandardKey.Paste, self.paste_image,
                                         "Read digits in the image on the clipboard")
        self.save_action = self._action("&Save drawing…", QKeySequence.StandardKey.Save, self.save_drawing,
                                        "Save the drawing as a PNG file")
        self.quit_action = self._action("&Quit", "Ctrl+Q", self.close)
        self.quit_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)   # from My handwriting too
        self.undo_action = self._action("&Undo stroke", ["Ctrl+Z"], self.canvas.undo)
        self.redo_action = self._action("&Redo stroke", ["Ctrl+Shift+Z", "Ctrl+Y"], self.canvas.redo)
        self.clear_action = self._action("&Clear drawing", ["Ctrl+Delete", "Ctrl+L"], self.canvas.clear)
        self.predict_action = self._action("Read &now", ["Ctrl+Return", "F5"], self.predict,
                                           "Read the drawing now")
        self.copy_action = self._action("Cop&y number", QKeySequence.StandardKey.Copy, self.copy_number,
                                        "Copy the number read on this tab")
        self.folder_action = self._action("Open &folder…", [], self._open_folder, "Read every image in a folder")
        self.export_action = self._action("&Export CSV…", [], self._export_csv,
                                          "Write what was read in the Images tab to a CSV file")
        self.about_action = self._action("&About DigitDesk", [], lambda: show_about(self))
        for button, action, tip in (
                (self.predict_button, self.predict_action, "Read the drawing now; it is read as you draw too"),
                (self.undo_button, self.undo_action, "Take back the last stroke"),
                (self.redo_button, self.redo_action, "Put the stroke back"),
                (self.clear_button, self.clear_action, "Wipe the canvas; Undo brings the drawing back"),
                (self.save_button, self.save_action, "Save the drawing as a PNG file")):
            keys = " or ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts())
            button.setToolTip(f"{tip} ({keys})")

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        file_menu.addActions([self.open_action, self.folder_action, self.paste_action, self.save_action,
                              self.export_action])
        file_menu.aboutToShow.connect(lambda: self.export_action.setEnabled(self.drop_panel.export_button.isEnabled()))
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit_menu = self.menuBar().addMenu("&Edit")
        edit_menu.addAction(self.copy_action)
        edit_menu.addSeparator()
        edit_menu.addActions([self.undo_action, self.redo_action, self.clear_action])
        edit_menu.addSeparator()
        edit_menu.addAction(self.predict_action)
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(self.about_action)

    def _build_status_bar(self) -> None:
        self.model_status = QLabel("Model not loaded yet")
        self.timing_label = QLabel("")   # the Draw tab's last reading; hidden on the other tabs
        self.timing_label.setContentsMargins(0, 0, 12, 0)   # apart from the model's state
        # what the next start will not find (a full disk): said until it is kept again, not once
        self.not_kept_label = QLabel("")
        colour_text(self.not_kept_label, ERROR_TEXT)
        self.not_kept_label.setContentsMargins(0, 0, 12, 0)
        self.not_kept_label.hide()
        self._not_kept: dict[str, str] = {}
        self.statusBar().addPermanentWidget(self.not_kept_label)
        self.statusBar().addPermanentWidget(self.timing_label)
        self.statusBar().addPermanentWidget(self.model_status)
        self.tabs.currentChanged.connect(lambda index: self.timing_label.setVisible(index == 0))
        # a message describes the last thing done: drawing on moves past it ("Undone: the sample of 9
        # is gone" read as if about the stroke just undone)
        self.canvas.historyChanged.connect(self.statusBar().clearMessage)
        self.tabs.currentChanged.connect(self.statusBar().clearMessage)   # nor does one tab's news follow to the next

    # ---- settings -------------------------------------------------------------------------
    def _restore_settings(self) -> None:
        if not self.restoreGeometry(self.settings.window_geometry):
            self.resize(first_size(self.screen().availableGeometry().size()))
        self.restoreState(self.settings.window_state)
        tab = self.settings.current_tab
        if 0 <= tab < self.tabs.count() and self.tabs.widget(tab) is not self.webcam_tab:
            self.tabs.setCurrentIndex(tab)   # the camera only starts when the user asks for it

    def _save_settings(self) -> None:
        self.settings.window_geometry = self.saveGeometry()
        self.settings.window_state = self.saveState()
        self.settings.pen_width = self.canvas.pen_width
        self.settings.current_tab = self.tabs.currentIndex()
        kept = self.settings.sync()
        self.set_not_kept("settings", None if kept else f"{self.settings.path} cannot be written")

    def set_not_kept(self, what: str, reason: str | None) -> None:
        """Say in the status bar, until `reason` is None again, that `what` will not be there at the next
        start ('the drawing': the disk is full); the reasons go in its tooltip."""
        if reason is None:
            self._not_kept.pop(what, None)
        else:
            self._not_kept[what] = reason
        self.not_kept_label.setText("Not kept for next time: " + ", ".join(self._not_kept))
        self.not_kept_label.setToolTip("\n".join(f"{what}: {why}" for what, why in self._not_kept.items()))
        self.not_kept_label.setVisible(bool(self._not_kept))

    # ---- the drawing, kept between runs ---------------------------------------------------
    @property
    def drawing_path(self) -> Path:
        """Beside the settings file: the drawing left on the Draw tab (engine/drawing_file.py)."""
        return self.settings.path.with_name("drawing.json")

    def _drawing_owner(self) -> str:
        """Which window keeps the drawing. With two DigitDesk windows open, each writing its own drawing
        over the other's would lose one: the first keeps it ('this'), a second one is told so ('another')
        and takes over once the first has closed; a killed window's lock is taken over. 'nobody': no lock
        can be made there (a folder that cannot be written): the drawing is read, and keeping it is tried."""
        if self._drawing_lock is None:
            try:
                self.drawing_path.parent.mkdir(parents=True, exist_ok=True)
            except OSError:
                return "nobody"
            self._drawing_lock = QLockFile(str(self.drawing_path) + ".lock")
            self._drawing_lock.setStaleLockTime(0)   # stale only when its process is gone, never by age
        if self._drawing_lock.isLocked() or self._drawing_lock.tryLock(0):
            return "this"
        if self._drawing_lock.error() == QLockFile.LockError.LockFailedError:
            self.set_not_kept("the drawing", f"another DigitDesk window keeps its drawing; {KEEP_IT} this one")
            if not self._closed:
                self._takeover_timer.start()
            return "another"
        return "nobody"

    def _take_over_drawing(self) -> None:
        """The first window has closed: this one keeps its drawing from now on, and stops saying it does not.
        Nobody drew here: the kept drawing is shown, so that it is neither hidden from a window opened later
        nor written over by this one's next stroke unseen."""
        if self._drawing_owner() == "another":
            return
        self._takeover_timer.stop()
        if self._drawing_changed:
            self._keep_drawing()
            return
        self.set_not_kept("the drawing", None)
        if self.canvas.is_empty():
            self._restore_drawing()

    def _restore_drawing(self) -> None:
        if self._drawing_owner() == "another":
            return
        try:
            strokes = drawing_file.load(self.drawing_path)
        except drawing_file.DrawingFileError as error:
            try:
                aside = drawing_file.move_aside(self.drawing_path)
                kept = f"; it was kept as {aside.name}"
            except OSError:
                kept = ""
            self.statusBar().showMessage(f"The last drawing could not be read: {error}{kept}.", 10000)
            return
        except OSError as error:
            self.statusBar().showMessage(f"The last drawing could not be read: {error.strerror or error}.", 10000)
            return
        if strokes:
            self.canvas.restore_strokes(strokes)

    def _drawing_was_changed(self) -> None:
        self._drawing_changed = True
        self._keep_drawing()

    def _keep_drawing(self) -> None:
        """Written after every stroke, undo, redo and clear, so a crash or a kill loses nothing drawn."""
        if self._drawing_owner() == "another":
            return
        try:
            drawing_file.save(self.drawing_path, self.canvas.strokes_data())
            self._drawing_changed = self._drawing_unsaved = False
            self.set_not_kept("the drawing", None)
        except OSError as error:
            reason = error.strerror or str(error)
            if not self._drawing_unsaved:   # said once at length; the status bar's label stays
                self.statusBar().showMessage(
                    f"The drawing can't be kept for next time ({reason}); {KEEP_IT} it.", 10000)
            self._drawing_unsaved = True
            self.set_not_kept("the drawing", f"{reason}; {KEEP_IT} it")

    # ---- drawing --------------------------------------------------------------------------
    def predict(self) -> int | None:
        """Read the drawing now; returns the request id (None if the model can't be used)."""
        self._live_timer.stop()
        if self.client.state == "failed":
            self.result_panel.show_message("The model could not be loaded, so nothing can be read.", error=True)
            return None
        if self.client.state in ("idle", "loading"):
            self.result_panel.show_message("Loading the model…")
        return self.client.request(None, self.canvas.pen_strokes())   # read by its strokes

    def _on_canvas_changed(self) -> None:
        if not self._live_timer.isActive():   # throttle, don't debounce: results follow the pen
            self._live_timer.start()

    def _on_pen_width(self, width: int) -> None:
        self.canvas.set_pen_width(width)
        self._pen_value.setText(f"{width} px")

    def _update_history_actions(self) -> None:
        """The buttons follow the drawing; the menu actions (and their shortcuts) also need the Draw tab
        showing, so Ctrl+Z on another tab never undoes a stroke nobody can see."""
        drawing = self.tabs.currentIndex() == 0
        self.undo_button.setEnabled(self.canvas.can_undo())
        self.redo_button.setEnabled(self.canvas.can_redo())
        self.undo_action.setEnabled(drawing and self.canvas.can_undo())
        self.redo_action.setEnabled(drawing and self.canvas.can_redo())
        for widget in (self.clear_button, self.save_button):
            widget.setEnabled(not self.canvas.is_empty())
        for action in (self.clear_action, self.save_action):
            action.setEnabled(drawing and not self.canvas.is_empty())
        self.predict_action.setEnabled(drawing)

    def save_drawing(self) -> None:
        if self.canvas.is_empty():
            self.statusBar().showMessage("The canvas is empty: nothing to save.", 4000)
            return
        suggested = str(Path(self.settings.last_dir) / f"digits-{time.strftime('%Y%m%d-%H%M%S')}.png")
        path = ask_save_path(self, "Save drawing", suggested, "PNG image (*.png)", ".png")
        if not path:
            return
        try:
            saved = self.canvas.save_png(path)
        except OSError as error:
            QMessageBox.warning(self, "Save drawing", str(error))
            return
        self.settings.last_dir = str(saved.parent)
        self.statusBar().showMessage(f"Saved {saved.name}", 4000)

    # ---- images and webcam ----------------------------------------------------------------
    def open_images(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Open images", self.settings.last_dir, IMAGE_FILTER)
        if not paths:
            return
        self.settings.last_dir = str(Path(paths[0]).parent)
        self.tabs.setCurrentWidget(self.drop_panel)
        self.drop_panel.open_files(paths)

    def _open_folder(self) -> None:
        self.tabs.setCurrentWidget(self.drop_panel)
        self.drop_panel.choose_folder()

    def _export_csv(self) -> None:
        self.tabs.setCurrentWidget(self.drop_panel)
        self.drop_panel.choose_export()

    def current_number(self) -> str:
        """The number read on the tab showing ('' when none): what Copy number copies."""
        tab = self.tabs.currentWidget()
        if tab is self.webcam_tab:
            text = self.webcam_tab.reading_label.text()
        elif tab is self.drop_panel:
            text = self.drop_panel.result_panel.number_text() if self.drop_panel.shown_entry() else ""
        else:
            text = self.result_panel.number_text()
        return "" if text == "–" else text

    def copy_number(self) -> None:
        text = self.current_number()
        if text:
            QApplication.clipboard().setText(text)
            self.statusBar().showMessage(f"Copied {text}", 3000)
        else:
            self.statusBar().showMessage("No number to copy", 3000)

    def paste_image(self) -> None:
        self.tabs.setCurrentWidget(self.drop_panel)
        self.drop_panel.paste_image(QApplication.clipboard().mimeData())

    # ---- pictures dropped on the window, outside the Images tab -----------------------------
    def dragEnterEvent(self, event) -> None:
        self.drop_panel.dragEnterEvent(event)   # what the Images tab takes, the whole window takes

    def dragMoveEvent(self, event) -> None:
        self.drop_panel.dragMoveEvent(event)

    def dropEvent(self, event) -> None:
        self.tabs.setCurrentWidget(self.drop_panel)
        self.drop_panel.dropEvent(event)

    def _on_snapshot(self, frame) -> None:
        """Stay on the Webcam tab: leaving it stops the camera, and snapshots often come several in a row."""
        self.drop_panel.add_image(frame, f"webcam-{time.strftime('%H%M%S')}.png")
        self.statusBar().showMessage("Snapshot added to the Images tab.", 4000)

    # ---- inference signals ----------------------------------------------------------------
    def _on_model_loading(self) -> None:
        self.model_status.setText("Loading model…")

    def _on_model_ready(self, seconds: float) -> None:
        took = f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.1f} s"
        self.model_status.setText(f"Model ready (loaded in {took})")
        colour_text(self.model_status, None)

    def _on_model_failed(self, message: str) -> None:
        self.model_status.setText("Model failed to load")
        colour_text(self.model_status, ERROR_TEXT)
        self.model_status.setToolTip(message)
        self.result_panel.show_message(message, error=True)

    def _on_result(self, request_id: int, recognition: Recognition, ms: float) -> None:
        self.result_panel.show_recognition(recognition)
        # how the drawing was split; none over a canvas cleared since the request
        self.canvas.show_digit_boxes([] if self.canvas.is_empty() else [d.box for d in recognition.digits])
        self.timing_label.setText("" if self.canvas.is_empty() else f"Read in {ms:.0f} ms")

    def _on_drop_panel_message(self, text: str) -> None:
        """The Images tab shows its own messages; elsewhere (a webcam snapshot) the status bar carries them,
        saying where they come from ('419 images in the list' read on the Webcam tab as if about the camera)."""
        if self.tabs.currentWidget() is not self.drop_panel:
            self.statusBar().showMessage(f"Images tab: {text}", 6000)

    def _on_failed(self, request_id: int, message: str) -> None:
        self.result_panel.show_message(message, error=True)
        self.statusBar().showMessage(message, 6000)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:   # the system switched between light and dark
            follow_palette(self)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._settings_timer.start()

    def moveEvent(self, event) -> None:
        super().moveEvent(event)
        self._settings_timer.start()

    # ---- closing ----------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        """Save settings, then stop every thread and wait for it (also mid-inference)."""
        if not self._closed:
            self._closed = True
            self._live_timer.stop()
            self._settings_timer.stop()
            self._takeover_timer.stop()
            self._save_settings()
            if self._drawing_changed:   # a write failed (a full disk), or another window kept its drawing then:
                self._keep_drawing()    # one more try; a window nobody drew in leaves the kept drawing alone
            if self._drawing_lock is not None:
                self._drawing_lock.unlock()   # another window open may keep its drawing now
            for panel in (self.webcam_tab, self.drop_panel):
                panel.shutdown()
            self.client.shutdown()
        event.accept()
