"""Correcting a reading: click a digit (its 28x28 preview or its box), pick or type the right one.

The menu shows what the model saw, offers "right" for the digit read (a
confirmation teaches too) and 0-9 (typing the digit picks it). The choice becomes
a sample of the user's handwriting (gui/handwriting.py) that counts from the next
reading on, in every tab: the Draw tab reads the drawing again at once, the
Images tab shows the corrected digit, the Webcam tab's next frame uses it.
`wire_corrections` hooks all of this into the main window.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import replace

import numpy as np
from PySide6.QtCore import QEvent, QObject, QPoint, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMenu, QWidget, QWidgetAction

from digitdesk.engine.results import DigitReading, Recognition
from digitdesk.engine.samples import samples_text
from digitdesk.gui.handwriting import UNDO_DEPTH, Handwriting
from digitdesk.gui.qt_convert import model_input_pixmap

PREVIEW_SIDE = 84
NOTHING_TO_CORRECT = "No digit here to correct."


class CorrectionMenu(QMenu):
    """What a digit really is: "right" (the digit read) or 0-9; keys 0-9 pick directly, Left / Right go
    to the number's digit before or after."""
    picked = Signal(int)
    stepped = Signal(int)   # -1 or +1: the user asked for the neighbouring digit's menu

    def __init__(self, reading: DigitReading, parent: QWidget | None = None, place: str = ""):
        super().__init__(parent)
        self.setAccessibleName("Correct this digit")
        preview = QLabel()
        ratio = parent.devicePixelRatioF() if parent is not None else self.devicePixelRatioF()
        preview.setPixmap(model_input_pixmap(reading.input28, QSize(PREVIEW_SIDE, PREVIEW_SIDE), ratio))
        preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        preview.setToolTip("What the model saw")
        shown = QWidgetAction(self)
        shown.setDefaultWidget(preview)
        self.addAction(shown)
        shown.setEnabled(False)    # the keys pass over it (Up from the first choice lit nothing) ...
        preview.setEnabled(True)   # ... while the picture keeps its own colours
        read = "Read as not a digit" if reading.not_digit else f"Corrected to {reading.digit}" if reading.corrected \
            else f"Read as {reading.digit} ({reading.confidence:.1%})"   # as the result panel says it
        self.addSection(f"{place}{read[0].lower() if place else read[0]}{read[1:]}. It is:")
        self._actions: dict[int, QAction] = {}
        if not reading.not_digit:   # the digit read is offered once, as the confirmation (typing it confirms)
            right = self.addAction(f"&{reading.digit}, that is right")
            right.setToolTip("Confirm the reading: it teaches DigitDesk your handwriting too")
            right.triggered.connect(lambda: self.picked.emit(reading.digit))
            self.setActiveAction(right)
            self._actions[reading.digit] = right
        for digit in range(10):
            if digit not in self._actions:
                action = self.addAction(f"&{digit}")
                action.triggered.connect(lambda _checked=False, d=digit: self.picked.emit(d))
                self._actions[digit] = action

    def action_for(self, digit: int) -> QAction:
        return self._actions[digit]

    def keyPressEvent(self, event) -> None:
        """Typing a digit picks it (also on the keypad and where mnemonics are not shown); Left / Right
        step to the next digit of the number, so a keyboard user corrects a long number in one go."""
        text = event.text()
        if len(text) == 1 and text.isdigit():
            self._actions[int(text)].trigger()
            self.close()
            return
        if event.key() in (Qt.Key.Key_Left, Qt.Key.Key_Right):   # the Corrector opens the next, if any
            self.stepped.emit(-1 if event.key() == Qt.Key.Key_Left else 1)
            return
        super().keyPressEvent(event)


def corrected(reading: DigitReading, label: int) -> DigitReading:
    """The reading as the user says it is: that digit, for sure."""
    probabilities = np.zeros(10, np.float32)
    probabilities[label] = 1.0
    return replace(reading, digit=int(label), confidence=1.0, probabilities=probabilities, unsure=False,
                   not_digit=False, unsure_of_cut=False, corrected=True)


class Corrector(QObject):
    """Opens the correction menu for clicked digits and hands the choice to Handwriting."""
    menuOpened = Signal(object)   # the CorrectionMenu, shown (for tests and for screenshots)
    status = Signal(str)          # for the status bar

    def __init__(self, handwriting: Handwriting, parent: QObject | None = None):
        super().__init__(parent)
        self.handwriting = handwriting
        self._views: dict[QWidget, tuple[str, Callable | None]] = {}
        self._panels: dict[QWidget, tuple[str, Callable | None]] = {}
        self.menu: CorrectionMenu | None = None

    def attach_panel(self, panel, source: str, after: Callable[[int, int, int], None] | None = None) -> None:
        """A ResultPanel: clicking a digit's preview opens the menu; after(index, label, sample id) follows
        a saved correction."""
        self._panels[panel] = (source, after)
        panel.previewClicked.connect(lambda index: self._open_from_panel(panel, index))

    def _open_from_panel(self, panel, index: int) -> None:
        digits = panel.recognition.digits
        if 0 <= index < len(digits):
            source, after = self._panels[panel]
            buttons = panel.preview_buttons()
            anchor = buttons[index] if index < len(buttons) else panel
            self.open(digits[index], source, anchor.mapToGlobal(QPoint(0, anchor.height())),
                      lambda label, sample_id: after and after(index, label, sample_id),
                      (panel, index, len(digits)))

    def correct_shown(self, shown: QWidget) -> bool:
        """The menu for a digit of what `shown` (a panel or a view attached here) shows, from the keyboard:
        the digit selected (Left / Right on the previews or the picture choose it; a picture with none
        selected, such as the live webcam's: the first in doubt, else the first). False, said, if no digit is there."""
        digits = shown.recognition.digits
        if not digits:
            self.status.emit(NOTHING_TO_CORRECT)
            return False
        selected = shown.selected_index() if shown in self._panels else shown.selected
        self._open_at(shown, selected if 0 <= selected < len(digits) else
                      next((i for i, d in enumerate(digits) if d.unsure or d.not_digit), 0))
        return True

    def _open_at(self, shown: QWidget, index: int) -> None:
        """Select digit `index` where it is shown and open its menu (there is such a digit)."""
        if shown in self._panels:
            shown.select_digit(index, follow=True)
            self._open_from_panel(shown, index)
        else:
            shown.select(index)
            box = shown.box_rect(shown.recognition.digits[index].box).center().toPoint()
            self._open_from_view(shown, index, shown.mapToGlobal(box))

    def _step(self, shown: QWidget, index: int) -> None:
        """Left / Right in a menu: the neighbouring digit's menu; at either end the menu stays as it is, and
        a live picture that has lost its digits meanwhile closes it and says so."""
        count = len(shown.recognition.digits)
        if not count:
            if self.menu is not None:
                self.menu.close()
            self.status.emit(NOTHING_TO_CORRECT)
        elif 0 <= index < count:
            QTimer.singleShot(0, lambda: self._open_at(shown, index))

    def attach_view(self, view, source: str, after: Callable[[int, int, int], None] | None = None) -> None:
        """An AnnotatedView: clicking a digit's box opens the menu (after the view has selected it)."""
        self._views[view] = (source, after)
        view.installEventFilter(self)
        view.digitActivated.connect(lambda index: self._open_at(view, index))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.parent() and event.type() == QEvent.Type.Close:
            dialog = getattr(watched, "handwriting_dialog", None)
            if dialog is not None:   # its measuring thread stops with the window
                dialog.close()
                dialog.shutdown()
            self.handwriting.shutdown()
            return False
        if watched in self._views and event.type() == QEvent.Type.MouseButtonRelease \
                and event.button() == Qt.MouseButton.LeftButton:
            self._open_from_view(watched, watched.digit_at(event.position()),
                                 watched.mapToGlobal(event.position().toPoint()))
        return False

    def _open_from_view(self, view, index: int, where: QPoint) -> None:
        """The menu for digit `index` of a view's picture, at `where` (a click, or the box of a key press)."""
        digits = view.recognition.digits
        if 0 <= index < len(digits):
            source, after = self._views[view]
            reading = digits[index]
            QTimer.singleShot(0, lambda: self.open(
                reading, source, where, lambda label, sample_id: after and after(index, label, sample_id),
                (view, index, len(digits))))

    def open(self, reading: DigitReading, source: str, where: QPoint,
             then: Callable[[int, int], None] | None = None,
             within: tuple[QWidget, int, int] | None = None) -> CorrectionMenu:
        """The menu for `reading`; `within`: (where it is shown, its index, how many digits there), so
        that Left / Right can go on to the neighbouring digit."""
        if self.menu is not None:
            self.menu.close()
        shown, index, count = within or (None, 0, 1)
        place = f"Digit {index + 1} of {count}, " if count > 1 else ""
        menu = CorrectionMenu(reading, self.parent() if isinstance(self.parent(), QWidget) else None, place)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if shown is not None:
            menu.stepped.connect(lambda step: self._step(shown, index + step))
        menu.picked.connect(lambda label: self._picked(reading, label, source, then))
        # only if still the open one: a menu stepped from is deleted after the next one opened
        menu.destroyed.connect(lambda: self.menu is menu and setattr(self, "menu", None))
        self.menu = menu
        menu.popup(where)
        self.menuOpened.emit(menu)
        return menu

    def _picked(self, reading: DigitReading, label: int, source: str, then) -> None:
        read_as = None if reading.not_digit else reading.digit
        sample_id = self.handwriting.correct(reading.input28, label, source, read_as=read_as)
        if sample_id is not None and then:
            then(label, sample_id)


def _replaced(recognition: Recognition, index: int, label: int) -> Recognition:
    digits = list(recognition.digits)
    digits[index] = corrected(digits[index], label)
    return Recognition(tuple(digits))


def wire_corrections(window, handwriting: Handwriting) -> Corrector:
    """Corrections in every tab, a Handwriting menu, and the profile in every tab's reader."""
    from digitdesk.gui.handwriting_view import HandwritingDialog
    corrector = Corrector(handwriting, window)
    window.corrector = corrector
    window.handwriting = handwriting
    window.installEventFilter(corrector)
    drop, webcam = window.drop_panel, window.webcam_tab
    drop.reader.profile = handwriting.live
    webcam.profile = handwriting.live

    def reread_drawing(*_args) -> None:
        if not window.canvas.is_empty():
            window.predict()

    # sample id -> [(an Images entry, its reading before that correction)]: two copies of one picture
    # corrected alike share one sample
    before: dict[int, list[tuple]] = {}

    # the picture a menu was opened on: another may be shown by the time a digit is picked (a drop's
    # first result arriving while the menu is open switches the view)
    opened_on: dict[str, object] = {}

    def remember_picture(_menu) -> None:
        entry = drop.shown_entry()
        opened_on.update(entry=entry, recognition=entry.recognition if entry is not None else None)

    corrector.menuOpened.connect(remember_picture)

    def show_in_images(index: int, label: int, sample_id: int) -> None:
        entry, recognition = opened_on.get("entry"), opened_on.get("recognition")
        if entry is not None and recognition is not None and entry.recognition is recognition \
                and 0 <= index < len(recognition.digits):
            before.setdefault(sample_id, []).append((entry, entry.recognition))
            if len(before) > UNDO_DEPTH:   # older corrections can no longer be undone: let their images go
                del before[next(iter(before))]
            drop.replace_recognition(entry, _replaced(recognition, index, label))

    def undo_in_images(sample_id: int) -> None:   # Undo correction puts the images' old readings back too
        for entry, recognition in reversed(before.pop(sample_id, [])):
            drop.replace_recognition(entry, recognition)

    corrector.attach_panel(window.result_panel, "draw")
    corrector.attach_panel(drop.result_panel, "images", show_in_images)
    corrector.attach_view(drop.view, "images", show_in_images)
    def show_in_webcam(index: int, label: int, _sample_id: int) -> None:
        recognition = webcam.view.recognition
        if 0 <= index < len(recognition.digits):
            webcam.show_corrected(_replaced(recognition, index, label))

    corrector.attach_view(webcam.view, "webcam", show_in_webcam)
    handwriting.changed.connect(reread_drawing)
    handwriting.undone.connect(undo_in_images)
    window.client.modelReady.connect(lambda _seconds: handwriting.warm_up())
    def say(text: str) -> None:
        window.statusBar().showMessage(text, 8000)

    handwriting.message.connect(say)
    corrector.status.connect(say)

    def correct_current() -> None:
        tab = window.tabs.currentWidget()
        corrector.correct_shown(drop.view if tab is drop else webcam.view if tab is webcam else window.result_panel)

    correct = QAction("&Correct a digit…", window)
    correct.setShortcut(QKeySequence(Qt.Key.Key_F2))
    correct.setStatusTip("Open the correction menu for the selected digit")
    correct.triggered.connect(correct_current)
    undo = QAction("&Undo correction", window)
    undo.setShortcut(QKeySequence("Ctrl+Alt+Z"))
    undo.setStatusTip("Take back the last digit you corrected or confirmed")
    undo.triggered.connect(handwriting.undo)
    use = QAction("Use my &handwriting", window)
    use.setCheckable(True)
    use.setChecked(handwriting.enabled)
    use.setStatusTip("Read with the samples of your handwriting (your corrections)")
    use.toggled.connect(handwriting.set_enabled)
    view = QAction("&My handwriting…", window)
    view.setShortcut(QKeySequence("Ctrl+Shift+H"))
    view.triggered.connect(lambda: HandwritingDialog.show_for(window, handwriting))

    # whose handwriting sways the readings, always in sight: a reading that changed for a sample is explained
    reading_with = QLabel()
    window.handwriting_label = reading_with
    window.statusBar().addPermanentWidget(reading_with)

    def refresh() -> None:
        undo.setEnabled(handwriting.can_undo())
        use.blockSignals(True)
        use.setChecked(handwriting.enabled)
        use.blockSignals(False)
        try:
            count = sum(handwriting.counts()) if handwriting.enabled else 0
        except sqlite3.Error:   # the store went unreadable (a drive gone): no count here
            count = 0
        whose = handwriting.whose()   # short: the status bar's messages share its width (1,000 px windows)
        reading_with.setText(f"{whose[0].upper()}{whose[1:]} handwriting ({samples_text(count)})")
        reading_with.setToolTip(f"Readings use the handwriting of profile {handwriting.profile_name}. "
                                "Handwriting > Use my handwriting turns it off; Handwriting > My handwriting "
                                "shows the samples.")
        reading_with.setVisible(count > 0)

    handwriting.changed.connect(refresh)
    refresh()
    for action in (correct, undo, use, view):
        window.addAction(action)
    menu = QMenu("Hand&writing", window)
    menu.addActions([correct, undo, use])
    menu.addSeparator()
    menu.addAction(view)
    bar = window.menuBar()
    help_menu = bar.actions()[-1] if bar.actions() else None
    bar.insertMenu(help_menu, menu) if help_menu else bar.addMenu(menu)
    window.handwriting_actions = {"correct": correct, "undo": undo, "use": use, "view": view}
    said = " ".join(filter(None, (handwriting.notice, handwriting.start_message)))
    if said:
        QTimer.singleShot(0, lambda: window.statusBar().showMessage(said, 20000))
    if handwriting.store.read_only:   # said until the app closes, not only for the first 20 s
        window.set_not_kept("corrections", handwriting.notice or "the samples file cannot be written")
    return corrector
