"""ResultPanel: what was read, how sure the model is, and what the model actually saw.

Showing the 28x28 inputs next to the answer lets a user see *why* a digit was
misread (cut off, merged with its neighbour, too thin) and draw it better.
"""
from __future__ import annotations

import math

from PySide6.QtCore import QCoreApplication, QEvent, QSize, Qt, Signal
from PySide6.QtGui import QFontMetrics, QIcon
from PySide6.QtWidgets import (QButtonGroup, QFrame, QHBoxLayout, QLabel, QScrollArea, QSizePolicy,
                               QToolButton, QVBoxLayout, QWidget)

from digitdesk.engine.results import EMPTY, NOT_DIGIT, UNSURE, Recognition
from digitdesk.gui.chart import ProbabilityChart
from digitdesk.gui.colours import ERROR_TEXT, MUTED_TEXT, UNSURE_TEXT, colour_text, follow_palette, text_colour
from digitdesk.gui.qt_convert import model_input_pixmap

PREVIEW_SCALE = 3   # 28 px -> 84 px, nearest neighbour so the model's pixels stay visible
MIN_PREVIEW = 36    # px: previews shrink to this so five fit the narrowest panel; more digits scroll
MAX_PREVIEWS = 100   # the strip scrolls; past this (a page of digits) F2 and Left / Right still reach each
NUMBER_POINTS, MIN_NUMBER_POINTS = 44, 14
NOT_DIGIT_SHOWN = 0.05   # a "not a digit" share from which a digit's details mention it


class NumberLabel(QLabel):
    """The number, as large as fits: a long reading gets a smaller font, never silently cut digits.

    Below MIN_NUMBER_POINTS it is elided with "…" and the full number goes in the tooltip, so
    the user never sees a different number than the one read.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self._full = ""
        # the width comes from the panel, not from the text: a long number must not widen the panel
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setText(text)

    def full_text(self) -> str:
        return self._full

    def setText(self, text: str) -> None:
        self._full = text
        self._fit()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):   # e.g. made bold
            self._fit()

    def _fit(self) -> None:
        width = max(1, self.contentsRect().width() - 2 * self.margin())
        font = self.font()
        points = float(NUMBER_POINTS)
        font.setPointSizeF(points)
        needed = QFontMetrics(font).horizontalAdvance(self._full)
        if needed > width:   # text width scales with the font size; then step down for rounding
            points = max(float(MIN_NUMBER_POINTS), math.floor(NUMBER_POINTS * width / needed))
            font.setPointSizeF(points)
            while points > MIN_NUMBER_POINTS and QFontMetrics(font).horizontalAdvance(self._full) > width:
                points -= 1
                font.setPointSizeF(points)
        if font != self.font():
            self.setFont(font)
        metrics = QFontMetrics(font)
        shown = self._full if metrics.horizontalAdvance(self._full) <= width else \
            metrics.elidedText(self._full, Qt.TextElideMode.ElideRight, width)
        self.setToolTip("" if shown == self._full else f"The whole number: {self._full}")
        if shown != super().text():
            super().setText(shown)


class PreviewStrip(QScrollArea):
    """A row of previews that scrolls sideways instead of squeezing the buttons and cropping the digits.

    Its height is the row's, plus the scroll bar's only while one is needed.
    """

    resized = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)   # the buttons inside take the focus, not the strip
        self.setWidgetResizable(True)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.viewport().setAutoFillBackground(False)
        row = QWidget()
        row.setAutoFillBackground(False)
        self.row = QHBoxLayout(row)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.setSpacing(4)
        self.row.addStretch(1)   # the buttons sit centred between two stretches
        self.row.addStretch(1)
        self.setWidget(row)
        self._scrolls = None
        self.reserved_height = 0   # the tallest row's: the panel below does not jump as digits come and go

    def sizeHint(self) -> QSize:
        height = max(self.widget().sizeHint().height(), self.reserved_height)
        if self._needs_scroll_bar():
            height += self.horizontalScrollBar().sizeHint().height()
        return QSize(self.widget().sizeHint().width(), height)

    def minimumSizeHint(self) -> QSize:
        return QSize(0, self.sizeHint().height())

    def contents_changed(self) -> None:
        """Lay out now, not on the next event loop pass, so a new button can be scrolled to at once."""
        self._scrolls = None
        self._update_height()
        self.widget().layout().activate()
        if self.parentWidget() is not None and self.parentWidget().layout() is not None:
            self.parentWidget().layout().activate()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._update_height()
        if event.size().width() != event.oldSize().width():
            self.resized.emit()

    def wheelEvent(self, event) -> None:
        """A plain mouse wheel scrolls the row sideways: there is nothing to scroll up or down."""
        QCoreApplication.sendEvent(self.horizontalScrollBar(), event)

    def _needs_scroll_bar(self) -> bool:
        return self.widget().minimumSizeHint().width() > self.width()

    def _update_height(self) -> None:
        scrolls = self._needs_scroll_bar()
        if scrolls != self._scrolls:   # only the height changes, so this cannot loop
            self._scrolls = scrolls
            self.updateGeometry()


class ResultPanel(QWidget):
    digitSelected = Signal(int)
    previewClicked = Signal(int)   # every click on a digit's preview (gui/correction.py opens its menu)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._recognition = Recognition()
        self._selected = 0

        self.number_label = NumberLabel("–")
        self.number_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.number_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.number_label.font()
        font.setPointSize(NUMBER_POINTS)
        font.setBold(True)
        self.number_label.setFont(font)
        self.number_label.setMinimumHeight(64)

        self.message_label = QLabel("Draw a digit or a number")
        self.message_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message_label.setWordWrap(True)
        self.confidence_label = QLabel("")
        self.confidence_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.confidence_label.setWordWrap(True)   # "Confidence … · 2 marks left out" in a narrow panel
        self.confidence_label.setHidden(True)

        seen = QLabel("What the model sees:")
        colour_text(seen, MUTED_TEXT)
        self._strip = PreviewStrip(self)
        self._previews = self._strip.row
        self._preview_group = QButtonGroup(self)
        self._preview_group.setExclusive(True)
        self._preview_group.idClicked.connect(self.select_digit)
        self._preview_group.idClicked.connect(self.previewClicked)
        self._preview_buttons: list[QToolButton] = []
        self._side = 0   # the previews' icon side now
        probe = QToolButton()
        probe.setAutoRaise(True)
        probe.setIconSize(QSize(56, 56))
        self._button_frame = max(0, probe.sizeHint().width() - 56)   # what a button adds around its icon
        self._strip.reserved_height = 28 * PREVIEW_SCALE + max(0, probe.sizeHint().height() - 56)
        self._strip.resized.connect(self._fit_previews)

        self.detail_label = QLabel("")
        self.detail_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.chart = ProbabilityChart(self)

        layout = QVBoxLayout(self)
        layout.addWidget(self.number_label)
        layout.addWidget(self.message_label)
        layout.addWidget(self.confidence_label)
        layout.addSpacing(6)
        layout.addWidget(seen)
        layout.addWidget(self._strip)
        layout.addWidget(self.detail_label)
        layout.addWidget(self.chart, 1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self.setMinimumWidth(260)
        self._set_number("–", MUTED_TEXT)

    # ---- state ----------------------------------------------------------------------------
    @property
    def recognition(self) -> Recognition:
        return self._recognition

    def number_text(self) -> str:
        """The whole number read, even while the label shows it elided."""
        return self.number_label.full_text()

    def selected_index(self) -> int:
        return self._selected

    def preview_buttons(self) -> list[QToolButton]:
        return list(self._preview_buttons)

    # ---- updates --------------------------------------------------------------------------
    def show_recognition(self, recognition: Recognition) -> None:
        self._recognition = recognition
        status = recognition.status
        if status in (EMPTY, NOT_DIGIT):
            self._set_number("–", MUTED_TEXT)
        else:
            self._set_number(recognition.text, UNSURE_TEXT if status == UNSURE else None)
        doubt = UNSURE_TEXT if status == UNSURE else MUTED_TEXT
        self._set_message(recognition.message if status != "ok" else "", doubt)
        if status in (EMPTY, NOT_DIGIT):
            confidence = ""
        else:
            left_out = recognition.marks_left_out and f" · {recognition.marks_left_out}"
            confidence = f"Confidence {recognition.confidence:.1%}{left_out}"
        self.confidence_label.setText(confidence)
        self.confidence_label.setHidden(not confidence)   # one line under the number, whatever the state
        self._rebuild_previews()
        keep = self._selected if self._selected < len(recognition.digits) else 0
        self.select_digit(keep)

    def show_message(self, text: str, error: bool = False) -> None:
        """A state without a reading: 'Loading the model…', or an error (the last reading stays)."""
        self._set_message(text, ERROR_TEXT if error else MUTED_TEXT)

    def select_digit(self, index: int, follow: bool = False) -> None:
        """Show the chart and details of one digit of a multi-digit reading; `follow`: a keyboard focus on
        the previews moves to its preview (chosen with Left / Right in the correction menu)."""
        digits = self._recognition.digits
        index = index if 0 <= index < len(digits) else 0
        changed = index != self._selected
        self._selected = index
        if not digits:
            self.chart.set_probabilities(None)
            self.detail_label.setText("")
            return
        focused = self.window().focusWidget() in self._preview_buttons
        for i, button in enumerate(self._preview_buttons):
            button.setChecked(i == index)
            # Tab reaches the selected preview only (Left / Right move from it), as in a group of radio buttons
            button.setFocusPolicy(Qt.FocusPolicy.StrongFocus if i == index else Qt.FocusPolicy.ClickFocus)
        if index < len(self._preview_buttons):   # e.g. chosen in the image: scroll its preview into view
            self._strip.ensureWidgetVisible(self._preview_buttons[index])
            if follow and focused:   # so Space or Escape then acts on the digit shown, not the one left
                self._preview_buttons[index].setFocus(Qt.FocusReason.TabFocusReason)
        digit = digits[index]
        self.chart.set_probabilities(digit.probabilities)
        where = f"Digit {index + 1} of {len(digits)}: " if len(digits) > 1 else ""
        read = f"not a digit ({digit.confidence:.1%} sure)" if digit.not_digit else \
            f"{digit.digit} (your correction)" if digit.corrected else f"{digit.digit} ({digit.confidence:.1%})"
        # the chart shows the ten digits; what they leave is the model's "not a digit", said here (a digit
        # read at 9 % otherwise shows as one lone 9 % bar)
        refusal = 1.0 - float(digit.probabilities.sum())
        if not digit.not_digit and not digit.corrected and refusal >= NOT_DIGIT_SHOWN:
            read += f"; not a digit {refusal:.0%}"
        self.detail_label.setText(f"{where}{read}")
        if changed:   # only on a change: views that mirror the selection signal back
            self.digitSelected.emit(index)

    def _set_message(self, text: str, colours: tuple[str, str]) -> None:
        self.message_label.setText(text)
        colour_text(self.message_label, colours)
        self.message_label.setHidden(not text)   # no blank line between the number and its confidence

    def _set_number(self, text: str, colours: tuple[str, str] | None) -> None:
        """`colours` None: the palette's text colour (a sure reading), readable in a dark theme too."""
        self.number_label.setText(text)
        colour_text(self.number_label, colours)
        # a screen reader says the number itself, not only what the label is for
        self.number_label.setAccessibleName(f"Number read: {'nothing' if text == '–' else text}")

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        # moved to a screen of other density, or the theme changed (a refused piece's dashed frame)
        if event.type() in (QEvent.Type.DevicePixelRatioChange, QEvent.Type.PaletteChange):
            self._rebuild_previews()
            self.select_digit(self._selected)
        if event.type() == QEvent.Type.PaletteChange:   # also where the panel stands alone
            follow_palette(self)

    def eventFilter(self, watched, event) -> bool:
        """Left and Right on a preview move to its neighbour and show that digit, as a click would."""
        if event.type() == QEvent.Type.KeyPress and watched in self._preview_buttons and \
                event.key() in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            step = -1 if event.key() == Qt.Key.Key_Left else 1
            index = self._preview_buttons.index(watched) + step
            if 0 <= index < len(self._preview_buttons):
                self._preview_buttons[index].setFocus(Qt.FocusReason.TabFocusReason)
                self.select_digit(index)
            return True
        return super().eventFilter(watched, event)

    def _fitting_side(self, count: int) -> int:
        """The largest preview (84 px for up to 3 digits, 56 for more) that lets all `count` fit side by
        side, down to MIN_PREVIEW."""
        largest = 28 * (PREVIEW_SCALE if count <= 3 else PREVIEW_SCALE - 1)
        if count == 0:
            return largest
        room = self._strip.width() - self._previews.spacing() * (count - 1)
        return int(max(MIN_PREVIEW, min(largest, room // count - self._button_frame)))

    def _fit_previews(self) -> None:
        """The panel got wider or narrower: previews grow or shrink with it."""
        count = len(self._preview_buttons)
        if count and self._fitting_side(count) != self._side:
            self._rebuild_previews()
            self.select_digit(self._selected)

    def _rebuild_previews(self) -> None:
        """New buttons for the new digits; the keyboard focus stays on the same digit's preview."""
        focus = self.window().focusWidget()
        focused = self._preview_buttons.index(focus) if focus in self._preview_buttons else None
        for button in self._preview_buttons:
            self._preview_group.removeButton(button)
            self._previews.removeWidget(button)
            button.deleteLater()
        self._preview_buttons = []
        digits = self._recognition.digits
        self._side = self._fitting_side(min(len(digits), MAX_PREVIEWS))
        size = QSize(self._side, self._side)
        ratio = self.devicePixelRatioF()   # drawn at the screen's density, so not blurred
        for index, reading in enumerate(digits[:MAX_PREVIEWS]):
            pixmap = model_input_pixmap(reading.input28, size, ratio)
            button = QToolButton(self._strip.widget())
            button.setIcon(QIcon(pixmap))
            button.setIconSize(size)
            button.setCheckable(True)
            button.setAutoRaise(True)
            read = "not a digit, left out of the number" if reading.not_digit else \
                f"corrected to {reading.digit} by you" if reading.corrected else \
                f"read as {reading.digit} ({reading.confidence:.1%}{', unsure' if reading.unsure else ''})"
            button.setToolTip(f"Digit {index + 1}: {read}; click for details")
            if reading.not_digit:
                button.setStyleSheet(f"border: 2px dashed {text_colour(MUTED_TEXT, self)};")
            elif reading.unsure and not reading.corrected:   # which digit the number's doubt is about
                button.setStyleSheet(f"border: 2px solid {text_colour(UNSURE_TEXT, self)};")
            button.setAccessibleName(f"Model input for digit {index + 1}")
            button.installEventFilter(self)   # Left / Right move between the previews
            self._preview_group.addButton(button, index)
            self._previews.insertWidget(self._previews.count() - 1, button)
            self._preview_buttons.append(button)
            if self.isVisible():   # else it shows with the panel
                button.show()
        self._strip.contents_changed()
        if focused is not None and self._preview_buttons:   # else the focus would fall out of the window
            self._preview_buttons[min(focused, len(self._preview_buttons) - 1)].setFocus(
                Qt.FocusReason.TabFocusReason)   # a keyboard user keeps seeing where the focus is
