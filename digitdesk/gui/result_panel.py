"""ResultPanel: what was read, how sure the model is, and what the model actually saw.

Showing the 28x28 inputs next to the answer lets a user see *why* a digit was
misread (cut off, merged with its neighbour, too thin) and draw it better.
"""
from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (QButtonGroup, QHBoxLayout, QLabel, QSizePolicy, QToolButton,
                               QVBoxLayout, QWidget)

from digitdesk.engine.results import EMPTY, NOT_DIGIT, UNSURE, Recognition
from digitdesk.gui.chart import ProbabilityChart
from digitdesk.gui.qt_convert import float_to_qimage

PREVIEW_SCALE = 3   # 28 px -> 84 px, nearest neighbour so the model's pixels stay visible
MAX_PREVIEWS = 12
OK_COLOUR, UNSURE_COLOUR, MUTED_COLOUR, ERROR_COLOUR = "#111111", "#b35c00", "#7a7a7a", "#b00020"


class ResultPanel(QWidget):
    digitSelected = Signal(int)
    previewClicked = Signal(int)   # every click on a digit's preview (gui/correction.py opens its menu)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._recognition = Recognition()
        self._selected = 0

        self.number_label = QLabel("–")
        self.number_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.number_label.setAccessibleName("Number read")
        self.number_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.number_label.font()
        font.setPointSize(44)
        font.setBold(True)
        self.number_label.setFont(font)
        self.number_label.setMinimumHeight(80)

        self.message_label = QLabel("Draw a digit")
        self.message_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message_label.setWordWrap(True)
        self.confidence_label = QLabel("")
        self.confidence_label.setAlignment(Qt.AlignmentFlag.AlignCenter)

        seen = QLabel("What the model sees:")
        seen.setStyleSheet(f"color: {MUTED_COLOUR};")
        self._previews = QHBoxLayout()
        self._previews.setSpacing(4)
        self._previews.addStretch(1)
        self._previews.addStretch(1)
        self._preview_group = QButtonGroup(self)
        self._preview_group.setExclusive(True)
        self._preview_group.idClicked.connect(self.select_digit)
        self._preview_group.idClicked.connect(self.previewClicked)
        self._preview_buttons: list[QToolButton] = []

        self.detail_label = QLabel("")
        self.detail_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.chart = ProbabilityChart(self)

        layout = QVBoxLayout(self)
        layout.addWidget(self.number_label)
        layout.addWidget(self.message_label)
        layout.addWidget(self.confidence_label)
        layout.addSpacing(6)
        layout.addWidget(seen)
        layout.addLayout(self._previews)
        layout.addWidget(self.detail_label)
        layout.addWidget(self.chart, 1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self.setMinimumWidth(260)
        self._set_number("–", MUTED_COLOUR)

    # ---- state ----------------------------------------------------------------------------
    @property
    def recognition(self) -> Recognition:
        return self._recognition

    def number_text(self) -> str:
        return self.number_label.text()

    def selected_index(self) -> int:
        return self._selected

    def preview_buttons(self) -> list[QToolButton]:
        return list(self._preview_buttons)

    # ---- updates --------------------------------------------------------------------------
    def show_recognition(self, recognition: Recognition) -> None:
        self._recognition = recognition
        status = recognition.status
        if status in (EMPTY, NOT_DIGIT):
            self._set_number("–", MUTED_COLOUR)
        else:
            self._set_number(recognition.text, UNSURE_COLOUR if status == UNSURE else OK_COLOUR)
        self._set_message(recognition.message if status != "ok" else "",
                          UNSURE_COLOUR if status == UNSURE else MUTED_COLOUR)
        refused = len(recognition.digits) - len(recognition.accepted)
        if status in (EMPTY, NOT_DIGIT):
            confidence = ""
        else:
            left_out = f" · {refused} mark{'s' if refused > 1 else ''} left out (not digits)" if refused else ""
            confidence = f"Confidence {recognition.confidence:.1%}{left_out}"
        self.confidence_label.setText(confidence)
        self._rebuild_previews()
        keep = self._selected if self._selected < len(recognition.digits) else 0
        self.select_digit(keep)

    def show_message(self, text: str, error: bool = False) -> None:
        """A state without a reading: 'Loading the model…', or an error (the last reading stays)."""
        self._set_message(text, ERROR_COLOUR if error else MUTED_COLOUR)

    def select_digit(self, index: int) -> None:
        """Show the chart and details of one digit of a multi-digit reading."""
        digits = self._recognition.digits
        index = index if 0 <= index < len(digits) else 0
        changed = index != self._selected
        self._selected = index
        if not digits:
            self.chart.set_probabilities(None)
            self.detail_label.setText("")
            return
        for i, button in enumerate(self._preview_buttons):
            button.setChecked(i == index)
        digit = digits[index]
        self.chart.set_probabilities(digit.probabilities)
        where = f"Digit {index + 1} of {len(digits)}: " if len(digits) > 1 else ""
        read = f"not a digit ({digit.confidence:.1%} sure)" if digit.not_digit else \
            f"{digit.digit} ({digit.confidence:.1%})"
        self.detail_label.setText(f"{where}{read}")
        if changed:   # only on a change: views that mirror the selection signal back
            self.digitSelected.emit(index)

    def _set_message(self, text: str, colour: str) -> None:
        self.message_label.setText(text)
        self.message_label.setStyleSheet(f"color: {colour};")
        self.message_label.setHidden(not text)   # no blank line between the number and its confidence

    def _set_number(self, text: str, colour: str) -> None:
        self.number_label.setText(text)
        self.number_label.setStyleSheet(f"color: {colour};")

    def _rebuild_previews(self) -> None:
        for button in self._preview_buttons:
            self._preview_group.removeButton(button)
            self._previews.removeWidget(button)
            button.deleteLater()
        self._preview_buttons = []
        digits = self._recognition.digits
        scale = PREVIEW_SCALE if len(digits) <= 3 else max(1, PREVIEW_SCALE - 1)
        size = QSize(28 * scale, 28 * scale)
        for index, reading in enumerate(digits[:MAX_PREVIEWS]):
            pixmap = QPixmap.fromImage(float_to_qimage(reading.input28)).scaled(
                size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation)
            button = QToolButton(self)
            button.setIcon(QIcon(pixmap))
            button.setIconSize(size)
            button.setCheckable(True)
            button.setAutoRaise(True)
            read = "not a digit, left out of the number" if reading.not_digit else \
                f"read as {reading.digit} ({reading.confidence:.1%})"
            button.setToolTip(f"Digit {index + 1}: {read}; click for details")
            if reading.not_digit:
                button.setStyleSheet(f"border: 2px dashed {MUTED_COLOUR};")
            button.setAccessibleName(f"Model input for digit {index + 1}")
            self._preview_group.addButton(button, index)
            self._previews.insertWidget(self._previews.count() - 1, button)
            self._preview_buttons.append(button)
            if self.isVisible():   # else it shows with the panel
                button.show()
