"""The Images tab: drop, open or paste images (or whole folders) and see what each one reads.

Every file gets a row (thumbnail, number, confidence, or the reason it could
not be read, in red); the current one is shown large with a box per digit, and
the result panel beside it shows the chosen digit's probabilities. Reading runs
in a BatchReader thread so a folder of a thousand photos never freezes the window.
Rows picked with Shift or Ctrl come off the list with Delete or the list's menu;
their files are never touched.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import (QEvent, QItemSelectionModel, QMimeData, QPoint, QSize, Qt, QThread, QUrl, Signal,
                            Slot)
from PySide6.QtGui import (QAction, QColor, QContextMenuEvent, QIcon, QImage, QKeySequence, QPainter, QPixmap,
                           QShortcut)
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QFileDialog, QHBoxLayout, QLabel, QListWidget,
                               QListWidgetItem, QMenu, QProgressBar, QPushButton, QSplitter, QStyle,
                               QVBoxLayout, QWidget)

from digitdesk.engine.decode import UNKNOWN_FORMAT
from digitdesk.engine.files import IMAGE_EXTENSIONS, display_name
from digitdesk.engine.results import Recognition
from digitdesk.gui.annotated_view import AnnotatedView
from digitdesk.gui.batch_reader import THUMBNAIL_SIDE, BatchItem, BatchReader
from digitdesk.gui.colours import ERROR_TEXT, colour_text, text_colour
from digitdesk.gui.qt_convert import qimage_to_rgb, rgb_to_qimage
from digitdesk.gui.result_panel import ResultPanel
from digitdesk.gui.save_path import ask_save_path

# the dialogs offer what a folder drop reads (engine/files.py), from the File menu and this tab alike
IMAGE_FILTER = f"Images ({' '.join('*' + e for e in sorted(IMAGE_EXTENSIONS))});;All files (*)"
EMPTY_LIST = "Open or drop images, then pick one in the list"
PLACEHOLDER = "Drop images or folders here, paste an image, or click “Open…”"
OFFLINE_MESSAGE = ("Images on the web can't be downloaded (DigitDesk works offline): "
                   "save the image to a file first, then drop or open the file.")
ICON_SIZE = QSize(THUMBNAIL_SIDE, THUMBNAIL_SIDE * 3 // 4)   # a square thumbnail shrinks to fit a row
ROW_LINES = 3   # name, then the reading with its remarks, wrapped rather than cut off in a narrow list
ROLE_ENTRY = Qt.ItemDataRole.UserRole
# Delete takes the selected rows off the list; on a Mac the key marked "delete" is Backspace
REMOVE_KEYS = (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) if sys.platform == "darwin" else (Qt.Key.Key_Delete,)
NOT_TOUCHED = "(the files are not touched)"   # said each time rows go: nothing is deleted from the disk
CLEARED = f"Cleared the list {NOT_TOUCHED}."


@dataclass
class Entry:
    """What the list remembers per image: no full-size pixels, except for pasted images."""
    name: str
    path: str | None
    recognition: Recognition | None
    error: str | None
    image: np.ndarray | None   # only for images with no file to re-read (bounded in size)


def _sentence(reason: str) -> str:
    """An engine reason ('not an image file …') as shown on its own: 'Not an image file …'."""
    return reason[:1].upper() + reason[1:]


def result_text(recognition: Recognition | None, error: str | None) -> str:
    """The list's second line: '42 · 97%', '4 · yours' once corrected (as its box says), 'nothing to read',
    or the error reason."""
    if error:
        return _sentence(error)
    if recognition is None or not recognition.digits:
        return Recognition().message   # as the result panel and the command line say it
    if recognition.status == "not_digit":
        return recognition.message
    corrected = sum(d.corrected for d in recognition.accepted)
    if corrected == len(recognition.accepted):   # every digit the user's word: no model confidence to show
        return f"{recognition.text} · yours"
    remarks = recognition.remarks + ([f"{corrected} corrected by you"] if corrected else [])
    said = f" ({', '.join(remarks)})" if remarks else ""
    return f"{recognition.text} · {recognition.confidence:.0%}{said}"


def _row_icon(picture: QPixmap, ratio: float = 1.0) -> QIcon:
    """A thumbnail (or the warning sign) fitted and centred in an ICON_SIZE frame: every row's text starts
    at the same place, whatever the picture's shape. `ratio`: the screen's device pixels per pixel."""
    side = ICON_SIZE * ratio
    picture = picture.scaled(side, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
    picture.setDevicePixelRatio(1.0)   # placed in device pixels below
    frame = QPixmap(side)
    frame.fill(Qt.GlobalColor.transparent)
    painter = QPainter(frame)
    painter.drawPixmap((side.width() - picture.width()) // 2, (side.height() - picture.height()) // 2, picture)
    painter.end()
    frame.setDevicePixelRatio(ratio)
    return QIcon(frame)


def _format_name(mime_type: str) -> str:
    """'image/jpeg' -> 'JPEG', 'image/svg+xml' -> 'SVG': what a user calls the kind of picture."""
    return mime_type.split("/")[-1].split("+")[0].removeprefix("x-").upper()


def _image_formats(mime: QMimeData) -> list[str]:
    """The encoded pictures a paste or drop offers ("image/png", "image/jpeg", ...)."""
    return [f for f in mime.formats() if f.startswith("image/")]


def _accept_as_copy(event) -> bool:
    """Take a drag as a copy (or a link): a source told "moved" may delete what it dragged (XDND, a file
    manager), and the app never touches the user's files. False for a source that offers only a move."""
    for action in (Qt.DropAction.CopyAction, Qt.DropAction.LinkAction):
        if event.possibleActions() & action:
            event.setDropAction(action)
            event.accept()
            return True
    event.ignore()
    return False


class DropPanel(QWidget):
    """Images tab. The window's File > Open calls `open_files`, Edit > Paste calls `paste_image`."""
    message = Signal(str)   # for the window's status bar
    _read_files = Signal(int, object)
    _read_image = Signal(int, object, str)

    def __init__(self, settings=None, parent=None):
        super().__init__(parent)
        self._settings = settings
        self._entries: list[Entry] = []
        self._rows_of: dict[str, int] = {}   # a file's path -> its row: the same file is listed once
        self._repeated = 0                   # files already in the list, since the last summary
        self._jobs: dict[int, list[int]] = {}   # running job -> [done, total]
        self._pasted = 0
        self._last_job = 0
        self._discard_through = 0   # results of jobs up to this id arrive after a Clear: drop them
        self._removed: dict[str, int] = {}   # a removed file's path -> the last job asked for before: drop its result
        self._picking = False        # the list's selection is being changed here, not by the user
        self._user_picked_at = 0     # the last job asked for when the user last changed the selection
        self._found_nothing = False  # a job since the last summary found no image file
        self._looking: dict[int, tuple[int, int]] = {}   # job still listing -> (image files found, folders)
        self._links_skipped = 0      # web links dropped along with files since the last summary
        self.setAcceptDrops(True)

        self.open_button = QPushButton("Open…")
        self.open_button.setToolTip("Open image files (several at once are fine)")
        self.open_button.clicked.connect(self.choose_files)
        self.folder_button = QPushButton("Open folder…")
        self.folder_button.clicked.connect(self.choose_folder)
        self.paste_button = QPushButton("Paste")
        self.paste_button.setToolTip("Read the image (or image files) on the clipboard")
        self.paste_button.clicked.connect(self.paste_from_clipboard)
        self.export_button = QPushButton("Export CSV…")
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self.choose_export)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip(f"Take every picture off the list {NOT_TOUCHED}")
        self.clear_button.setEnabled(False)
        self.clear_button.clicked.connect(self.clear)
        self.progress_bar = QProgressBar()
        self.progress_bar.setFormat("%v / %m")
        self.progress_bar.setVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.status_label = QLabel("")   # what the last action did; the view in the middle says what to do
        self.status_label.setWordWrap(True)

        toolbar = QHBoxLayout()
        for button in (self.open_button, self.folder_button, self.paste_button, self.export_button,
                       self.clear_button):
            toolbar.addWidget(button)
        toolbar.addWidget(self.progress_bar, 1)
        toolbar.addWidget(self.cancel_button)
        toolbar.addStretch(0)

        self.list = QListWidget()
        self.list.setIconSize(ICON_SIZE)
        self.list.setUniformItemSizes(True)
        self.list.setWordWrap(True)          # error reasons are read, not guessed from "…"
        # uniform rows take the first row's height; every row gets room for ROW_LINES, whatever comes first
        self._row_size = QSize(1, max(ROW_LINES * self.list.fontMetrics().lineSpacing(), ICON_SIZE.height()) + 6)
        self.list.setAccessibleName("Images read")
        self.list.setAccessibleDescription("Shift or Ctrl picks several; Delete takes the selected pictures off "
                                           f"the list {NOT_TOUCHED}")
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.currentRowChanged.connect(self._show_row)   # several may be selected: the current one is shown
        self.list.itemSelectionChanged.connect(self._update_list_actions)
        self.list.itemSelectionChanged.connect(self._note_user_pick)
        self.list.itemPressed.connect(self._note_user_pick)   # also a press on the row already selected
        self.list.currentRowChanged.connect(self._note_user_pick)   # Ctrl+arrows move it, selecting nothing
        self.list.viewport().installEventFilter(self)   # a right click below the rows (eventFilter)
        self._build_list_menu()
        self.view = AnnotatedView(placeholder=PLACEHOLDER)
        self.view.setAccessibleName("Selected image with the digits found")
        self.result_panel = ResultPanel()
        self.view.digitSelected.connect(self.result_panel.select_digit)
        self.result_panel.digitSelected.connect(self.view.select)
        self.result_panel.show_message(EMPTY_LIST)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.list)
        splitter.addWidget(self.view)
        splitter.addWidget(self.result_panel)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 5)
        splitter.setStretchFactor(2, 2)
        splitter.setSizes([260, 560, 300])

        layout = QVBoxLayout(self)
        layout.addLayout(toolbar)
        layout.addWidget(self.status_label)
        layout.addWidget(splitter, 1)

        self._thread = QThread()
        self._thread.setObjectName("digitdesk-batch")
        self.reader = BatchReader()
        self.reader.moveToThread(self._thread)
        self.reader.looking.connect(self._on_looking)
        self.reader.started.connect(self._on_started)
        self.reader.item.connect(self._on_item)
        self.reader.finished.connect(self._on_finished)
        self._read_files.connect(self.reader.read_files)
        self._read_image.connect(self.reader.read_image)
        self._thread.start()

    # -- public API (the window calls these) ------------------------------------------------------
    def open_files(self, paths: list[str]) -> None:
        """Read files and folders (recursively) in the background."""
        paths = [str(p) for p in paths if str(p)]
        if not paths or not self._thread.isRunning():
            return
        self._remember_dir(paths[0])
        job = self._last_job = self.reader.new_job()
        self._jobs[job] = [0, 0]
        self._update_progress()
        self._read_files.emit(job, paths)

    def add_image(self, array: np.ndarray, name: str) -> None:
        """Read an in-memory RGB image (a paste, a webcam snapshot); a copy is kept for display."""
        if not self._thread.isRunning():
            return
        job = self._last_job = self.reader.new_job()
        self._jobs[job] = [0, 1]
        self._update_progress()
        self._read_image.emit(job, np.array(array, dtype=np.uint8, copy=True), name)

    def paste_image(self, mime_or_qimage, how: str = "pasted") -> bool:
        """Read what was pasted or dropped (`how`): file URLs, image data, or a web link (explained, not
        fetched). Encoded image data goes through the app's own decoder, as files do (EXIF rotation, size
        limits, a damaged file refused); Qt's own decoding is only for a bare bitmap, or a format the
        decoder does not know."""
        if isinstance(mime_or_qimage, QPixmap):
            mime_or_qimage = mime_or_qimage.toImage()
        if isinstance(mime_or_qimage, QImage):
            return self._add_qimage(mime_or_qimage)
        mime = mime_or_qimage
        if mime is None:
            return self._tell("The clipboard is empty.", error=True)
        local = [u.toLocalFile() for u in mime.urls() if u.isLocalFile()] if mime.hasUrls() else []
        if local:
            self._links_skipped += sum(1 for u in mime.urls() if not u.isLocalFile())
            self.open_files(local)
            return True
        unreadable = []   # (format, reason) for encoded data the decoder refused
        for fmt in _image_formats(mime):
            reason = self._add_encoded(bytes(mime.data(fmt)), how)
            if reason is None:
                return True
            unreadable.append((fmt, reason))
        damaged = [(fmt, reason) for fmt, reason in unreadable if reason != UNKNOWN_FORMAT]
        if mime.hasImage() and not damaged:   # else Qt would show a damaged picture's grey remains, or one
            image = mime.imageData()          # past the size limits
            if isinstance(image, QPixmap):
                image = image.toImage()
            if isinstance(image, QImage) and not image.isNull():
                return self._add_qimage(image, how)
        if unreadable:
            fmt, reason = (damaged or unreadable)[0]
            return self._tell(f"The {how} {_format_name(fmt)} picture could not be read: {reason}.", error=True)
        remote = [u for u in mime.urls() if not u.isLocalFile()] if mime.hasUrls() else []
        if not remote and mime.hasText():
            remote = [QUrl(t.strip()) for t in mime.text().split() if t.strip().startswith(("http:", "https:"))]
        if remote:
            return self._tell(OFFLINE_MESSAGE, error=True)
        held = "text, not a picture" if mime.hasText() else "no picture"
        if how == "pasted":
            return self._tell(f"The clipboard holds {held}: copy an image or image files, then paste "
                              "(or drop them here).", error=True)
        return self._tell(f"What was dropped holds {held}: drop image files, a folder or a picture here.",
                          error=True)

    def shutdown(self) -> None:
        """Cancel reading, wait for the worker thread, then let the worker processes exit (before the window closes)."""
        if self._thread.isRunning():
            self.reader.cancel()
            self._thread.quit()
            self._thread.wait()
        self.reader.close()

    # -- state for the window and tests ---------------------------------------------------------
    @property
    def entries(self) -> list[Entry]:
        return list(self._entries)

    def is_busy(self) -> bool:
        return bool(self._jobs)

    def progress(self) -> tuple[int, int]:
        done = sum(d for d, _ in self._jobs.values())
        total = sum(t for _, t in self._jobs.values())
        return done, total

    # -- the list's menu and keys ------------------------------------------------------------------
    def _build_list_menu(self) -> None:
        """Remove from list (Delete) and Clear list, on a right click or the menu key; Delete works
        wherever the list has the keyboard focus."""
        self.remove_action = QAction("&Remove from list", self.list)
        self.remove_action.setShortcuts([QKeySequence(key) for key in REMOVE_KEYS])
        self.remove_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.remove_action.setStatusTip(f"Take the selected pictures off the list {NOT_TOUCHED}")
        self.remove_action.triggered.connect(self.remove_selected)
        self.clear_list_action = QAction("&Clear list", self.list)
        self.clear_list_action.setStatusTip(f"Take every picture off the list {NOT_TOUCHED}")
        self.clear_list_action.triggered.connect(self.clear)
        self.list.addActions([self.remove_action, self.clear_list_action])
        self.list_menu = QMenu(self.list)
        self.list_menu.addActions([self.remove_action, self.clear_list_action])
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._open_list_menu)
        keys = QShortcut(QKeySequence("Shift+F10"), self.list, context=Qt.ShortcutContext.WidgetShortcut)
        keys.activated.connect(self._open_list_menu_at_current)
        self._update_list_actions()

    @Slot(QPoint)
    def _open_list_menu(self, pos: QPoint) -> None:
        """The list's menu where it was asked for (`pos` is in the viewport's coordinates)."""
        self._update_list_actions()
        self.list_menu.popup(self.list.viewport().mapToGlobal(pos))

    def eventFilter(self, watched, event) -> bool:
        """A right click below the rows acts on none of them (Remove stays grey), as in a file manager; the
        Menu key keeps the selection it was pressed for."""
        if event.type() == QEvent.Type.ContextMenu and watched is self.list.viewport() \
                and event.reason() == QContextMenuEvent.Reason.Mouse and self.list.itemAt(event.pos()) is None:
            self.list.clearSelection()
        return super().eventFilter(watched, event)

    @Slot()
    def _open_list_menu_at_current(self) -> None:
        """Shift+F10, the keyboard's right click (as on Windows and in GNOME): the menu at the current row."""
        item = self.list.currentItem()
        if item is not None:
            self.list.scrollToItem(item)   # the menu opens beside the row, not away from the list
        self._open_list_menu(self.list.visualItemRect(item).center() if item is not None else QPoint(4, 4))

    @Slot()
    def _update_list_actions(self) -> None:
        """Remove needs a selection, Clear a row (the menu shows both, greyed out when they would do nothing)."""
        self.remove_action.setEnabled(self.list.selectionModel().hasSelection())
        self.clear_list_action.setEnabled(self.list.count() > 0)
        self.clear_button.setEnabled(self.list.count() > 0)

    # -- buttons ----------------------------------------------------------------------------------
    def _start_dir(self) -> str:
        return self._settings.last_dir if self._settings is not None else str(Path.home())

    def _remember_dir(self, path: str) -> None:
        if self._settings is None:
            return
        folder = Path(path) if os.path.isdir(path) else Path(path).parent   # never raises (a gone network drive)
        if os.path.isdir(folder):
            self._settings.last_dir = str(folder)

    def choose_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Open images", self._start_dir(), IMAGE_FILTER)
        self.open_files(paths)

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open a folder of images", self._start_dir())
        if folder:
            self.open_files([folder])

    def paste_from_clipboard(self) -> None:
        self.paste_image(QApplication.clipboard().mimeData())

    def choose_export(self) -> None:
        start = str(Path(self._start_dir()) / "digits.csv")
        path = ask_save_path(self, "Export results as CSV", start, "CSV files (*.csv)", ".csv")
        if path:
            self.export_csv(path)

    def export_csv(self, path: str) -> bool:
        """Write one row per image read (file, number, per-digit labels and confidences, error).

        Refused while reading: a half-read folder would be saved as if it were complete.
        """
        from digitdesk.engine.export import write_csv
        from digitdesk.engine.samples import is_store_file
        if self.is_busy():
            return self._tell("Still reading: export once all the images are read.", error=True)
        if is_store_file(path):   # typed in the save dialog, which only asked "replace?"
            return self._tell(f"{Path(path).name} is where your handwriting samples are kept: choose another "
                              "name (e.g. results.csv).", error=True)
        rows = [(e.path or e.name, e.recognition, e.error) for e in self._entries]
        try:
            write_csv(rows, path)
        except OSError as exc:
            return self._tell(f"Could not save {Path(path).name}: {exc.strerror or exc}", error=True)
        self._remember_dir(path)
        return self._tell(f"Saved {len(rows)} rows to {Path(path).name}.")

    def cancel(self) -> None:
        self.reader.cancel()
        self._tell("Cancelling…")

    def clear(self) -> None:
        """Forget the list (reading in progress is cancelled first); the files stay where they are."""
        if self._jobs:
            self.cancel()
        self._discard_through = self._last_job
        self._removed.clear()    # the results they were waiting for are dropped as the Clear's
        self._found_nothing = False
        self.list.clear()        # first: it changes the current row, and showing a row looks up its entry
        self._entries.clear()
        self._rows_of.clear()
        self._repeated = 0
        self._show_empty()
        self._tell(CLEARED)

    def remove_selected(self) -> None:
        """Take the selected rows off the list (Delete, or Remove from list); their files stay as they are."""
        rows = sorted(self.list.row(item) for item in self.list.selectedItems())
        if not rows:
            return
        self._remove_rows(rows)
        count = len(rows)
        self._tell(f"Removed {count} picture{'s' * (count != 1)} from the list {NOT_TOUCHED}.")

    def _remove_rows(self, rows: list[int]) -> None:
        """Drop rows and their entries, then show the row that took the current one's place (or the one
        before, if the current was last), or the empty tab; the current row stays if it was not removed."""
        gone = set(rows)
        current = self.list.currentRow()
        kept_current = current >= 0 and current not in gone
        anchor = current if current >= 0 else rows[0]
        target = anchor - sum(r < anchor for r in gone)   # where the current, or the row after it, lands
        for row in gone:   # a reading asked for before now (the file opened again) must not bring it back
            key = self._key(self._entry_at(row).path)
            if key is not None and self._jobs:
                self._removed[key] = self._last_job
        self.list.blockSignals(True)   # no picture is decoded and shown for the rows passed on the way
        try:
            for row in reversed(rows):
                self.list.takeItem(row)
            self._renumber()
            if self.list.count():
                target = min(target, self.list.count() - 1)
                self._pick(target)
        finally:
            self.list.blockSignals(False)
        if not self.list.count():
            self._show_empty()
        elif not kept_current:
            self._show_row(target)
        if self.list.count():
            self.list.scrollToItem(self.list.currentItem())
        self._update_list_actions()
        self._update_progress()   # Export: only while something is listed

    def _renumber(self) -> None:
        """Entries and the path index follow the rows that are left (rows keep their entry's index)."""
        entries = [self._entry_at(row) for row in range(self.list.count())]
        for row in range(self.list.count()):
            self.list.item(row).setData(ROLE_ENTRY, row)
        self._entries = entries
        self._rows_of = {self._key(e.path): row for row, e in enumerate(entries) if e.path}

    def _show_empty(self) -> None:
        """As when the tab opens: the hint where to drop pictures, nothing to export or clear."""
        self.view.clear(PLACEHOLDER)   # not the reason of a bad file that was chosen last
        self.result_panel.show_recognition(Recognition())
        self.result_panel.show_message(EMPTY_LIST)
        self.export_button.setEnabled(False)
        self._update_list_actions()

    # -- drag and drop ----------------------------------------------------------------------------
    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:   # unreadable files' rows in the new theme's red
            for row in range(self.list.count()):
                if self._entry_at(row).error:
                    self.list.item(row).setForeground(QColor(text_colour(ERROR_TEXT, self.list)))

    def dragEnterEvent(self, event) -> None:
        mime = event.mimeData()
        if mime.hasUrls() or mime.hasImage() or _image_formats(mime):
            _accept_as_copy(event)
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        self.dragEnterEvent(event)

    def dropEvent(self, event) -> None:   # a source offering only a move was refused on entering
        if _accept_as_copy(event) and not self.paste_image(event.mimeData(), "dropped"):
            event.ignore()

    # -- reading ----------------------------------------------------------------------------------
    def _add_qimage(self, image: QImage, how: str = "pasted") -> bool:
        if image.isNull():
            return self._tell(f"The {how} image is empty.", error=True)
        self._pasted += 1
        self.add_image(qimage_to_rgb(image), f"{how.capitalize()} image {self._pasted}")
        return True

    def _add_encoded(self, data: bytes, how: str) -> str | None:
        """Read encoded image data (PNG, JPEG, ... bytes); None if it is being read, else why not."""
        from digitdesk.engine.decode import ImageDecodeError, load_image
        try:
            rgb = load_image(data)
        except ImageDecodeError as exc:
            return str(exc)
        self._pasted += 1
        self.add_image(rgb, f"{how.capitalize()} image {self._pasted}")
        return None

    def _tell(self, text: str, error: bool = False) -> bool:
        self.status_label.setText(text)
        colour_text(self.status_label, ERROR_TEXT if error else None)
        self.message.emit(text)
        return not error

    @Slot(int, int, int)
    def _on_looking(self, job: int, found: int, folders: int) -> None:
        if job in self._jobs:
            self._looking[job] = (found, folders)
            self._update_progress()

    @Slot(int, int)
    def _on_started(self, job: int, total: int) -> None:
        self._looking.pop(job, None)
        if job in self._jobs:
            self._jobs[job][1] = total
            self._update_progress()

    @Slot(object)
    def _on_item(self, item: BatchItem) -> None:
        if item.job in self._jobs:
            self._jobs[item.job][0] += 1
        if item.job <= self._discard_through:
            self._update_progress()
            return
        first_of_job = item.job in self._jobs and self._jobs[item.job][0] == 1
        key = self._key(item.path)
        if key is not None and self._removed.get(key, 0) >= item.job:   # removed while this was being read
            self._update_progress()
            return
        if key in self._rows_of:   # opened or dropped again: shown where it is, not listed twice
            self._repeated += 1
            if first_of_job and self._may_show_new(item.job):
                self._pick(self._rows_of[key])
                self.list.scrollToItem(self.list.currentItem())
            self._update_progress()
            return
        if key is not None:
            self._rows_of[key] = self.list.count()
        entry = Entry(item.name, item.path, item.recognition, item.error, item.image)
        self._entries.append(entry)
        row = QListWidgetItem()
        row.setData(ROLE_ENTRY, len(self._entries) - 1)
        row.setSizeHint(self._row_size)
        self._describe_row(row, entry)
        if item.thumbnail is not None:
            row.setIcon(_row_icon(QPixmap.fromImage(rgb_to_qimage(item.thumbnail)), self.devicePixelRatioF()))
        else:   # nothing could be decoded: a warning sign says why
            warning = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
            ratio = self.devicePixelRatioF()
            row.setIcon(_row_icon(warning.pixmap(ICON_SIZE, ratio), ratio))
        if item.error:
            row.setForeground(QColor(text_colour(ERROR_TEXT, self.list)))   # again on a change of theme
        self.list.addItem(row)
        self._update_list_actions()
        # what was just opened, pasted or dropped is shown
        if self.list.currentRow() < 0 or (first_of_job and self._may_show_new(item.job)):
            self._pick(self.list.count() - 1)
            self.list.scrollToItem(row)
        self._update_progress()

    @Slot(int, int, int, bool)
    def _on_finished(self, job: int, done: int, total: int, cancelled: bool) -> None:
        """Summarise once every job is done; a folder without images says so (in red) instead of a bare count."""
        self._jobs.pop(job, None)
        self._looking.pop(job, None)
        self._found_nothing |= total == 0 and not cancelled
        self._update_progress()
        if self._jobs:
            return
        self._removed.clear()   # no reading asked for before a removal is left to come
        links, self._links_skipped = self._links_skipped, 0
        skipped = (f" {links} web link{' was' if links == 1 else 's were'} not read (drop files or folders)."
                   if links else "")
        repeated, self._repeated = self._repeated, 0
        skipped += (f" {repeated} {'was' if repeated == 1 else 'were'} in the list already, not added again."
                    if repeated else "")
        if job <= self._discard_through and not self._entries:   # the list was cleared while reading
            self._found_nothing = False
            self._tell(CLEARED + skipped)
            return
        failed = sum(1 for e in self._entries if e.error)
        count = len(self._entries)
        summary = f"{count} image{'s' * (count != 1)} in the list" + (f", {failed} could not be read" if failed else "")
        if self._found_nothing:
            self._found_nothing = False
            self._tell("No image files found there." + (f" {summary}." if self._entries else "") + skipped,
                       error=True)
            return
        self._tell(("Cancelled. " if cancelled and job > self._discard_through else "") + summary + "." + skipped)

    def _update_progress(self) -> None:
        """Progress bar, Cancel and Export follow the reading: Export only once every image is read."""
        done, total = self.progress()
        busy = bool(self._jobs)
        self.progress_bar.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.export_button.setEnabled(not busy and bool(self._entries))
        if busy:
            self.progress_bar.setRange(0, max(total, 1))
            self.progress_bar.setValue(done)
            self.status_label.setText(self._busy_text(done, total))
            self.status_label.setStyleSheet("")

    def _busy_text(self, done: int, total: int) -> str:
        """'Reading 3 of 40…', or while a dropped folder is still being listed, how many images it holds so far."""
        found = sum(f for f, _ in self._looking.values())
        folders = sum(n for _, n in self._looking.values())
        looking = f"{found:,} image file{'' if found == 1 else 's'} found so far" + \
            (f" in {folders:,} folders" if folders > 1 else "")
        if total:
            return f"Reading {done} of {total}…" + (f" Still looking for more: {looking}." if self._looking else "")
        return f"Looking for images… {looking}" if self._looking else "Looking for images…"

    # -- the selected image -------------------------------------------------------------------------
    @staticmethod
    def _key(path: str | None) -> str | None:
        """A file's path as the list knows it: the same file is found however its path was spelt."""
        return os.path.normcase(os.path.abspath(path)) if path else None

    def _entry_at(self, row: int) -> Entry:
        return self._entries[self.list.item(row).data(ROLE_ENTRY)]

    def _pick(self, row: int) -> None:
        """Make `row` current and the only one selected (setCurrentRow alone adds it to a multiple selection)."""
        self._picking = True
        try:
            self.list.setCurrentRow(row, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        finally:
            self._picking = False

    @Slot()
    @Slot(int)
    @Slot(QListWidgetItem)
    def _note_user_pick(self, _item=None) -> None:
        if not self._picking:
            self._user_picked_at = self._last_job

    def _may_show_new(self, job: int) -> bool:
        """What was just opened is shown, unless the user has picked rows since asking for it (a Delete
        pressed then must take what they picked, not a picture that just arrived)."""
        return self._user_picked_at < job

    def shown_entry(self) -> Entry | None:
        """The image shown: the list's current row (one of those selected), or None."""
        row = self.list.currentRow()
        return self._entry_at(row) if row >= 0 else None

    def replace_recognition(self, entry: Entry, recognition: Recognition) -> bool:
        """Give an image of the list another reading (a correction, or one undone), shown or not;
        False if it has left the list since."""
        row = next((r for r in range(self.list.count()) if self._entry_at(r) is entry), None)
        if row is None:
            return False
        entry.recognition = recognition
        self._describe_row(self.list.item(row), entry)
        if self.list.currentRow() == row:
            self._show_changed(recognition)
        return True

    def _show_changed(self, recognition: Recognition) -> None:
        selected = self.result_panel.selected_index()
        self.view.set_image(self.view.image, recognition)
        self.result_panel.show_recognition(recognition)
        self.result_panel.select_digit(selected)

    @staticmethod
    def _describe_row(item: QListWidgetItem, entry: Entry) -> None:
        """The row's text and tooltip, from one place so a corrected reading changes both."""
        reading = result_text(entry.recognition, entry.error)
        item.setText(f"{display_name(entry.name)}\n{reading}")   # a newline in a name stays on its line
        item.setToolTip(f"{display_name(entry.path or entry.name)}\n{reading}")

    def _show_row(self, row: int) -> None:
        if row < 0:
            self.view.clear()
            return
        entry = self._entry_at(row)
        if entry.error:
            self.view.clear(_sentence(entry.error))
            self.result_panel.show_recognition(Recognition())
            self.result_panel.show_message(_sentence(entry.error), error=True)
            return
        image, problem = self._full_image(entry)
        self.view.clear(problem or PLACEHOLDER)
        self.view.set_image(image, entry.recognition)
        self.result_panel.show_recognition(entry.recognition or Recognition())
        # another picture starts at its first digit (the 2nd of one image says nothing about the next)
        self.result_panel.select_digit(0)
        self.view.select(0 if self.result_panel.recognition.digits else -1)
        if problem:
            self.result_panel.show_message(problem, error=True)

    @staticmethod
    def _full_image(entry: Entry) -> tuple[np.ndarray | None, str | None]:
        """The selected image at full size: re-read from its file (only this one is kept in memory)."""
        if entry.image is not None:
            return entry.image, None
        from digitdesk.engine.decode import load_image
        try:
            return load_image(entry.path), None
        except Exception as exc:   # changed or deleted since it was read
            return None, f"Can't show {entry.name} any more: {exc}"
