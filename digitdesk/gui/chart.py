"""ProbabilityChart: the model's ten class probabilities as a bar chart.

The bars are created once and only their heights and colours change. Even so, a
full redraw costs ~20-40 ms (mostly tick labels), too much several times a second
while the user draws; so after the first full draw (draw_idle, coalesced by Qt)
the static axes are kept as a background and an update only repaints the bars
over it (blitting, ~2 ms). This is the only module that imports matplotlib's Qt backend.

The left and bottom margins are set in pixels from the tick labels at each full draw (resize),
as fractions of the figure they would cut "100%" in a narrow chart or waste room in a wide one.
"""
from __future__ import annotations

import numpy as np
from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from PySide6.QtCore import QEvent
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QSizePolicy

BAR_COLOUR = "#9aa7b8"
TOP_COLOUR = "#1f6feb"
MARGIN_PX = 4   # between the tick labels and the edge of the chart


def describe(probabilities: np.ndarray) -> str:
    """The chart in words, for screen readers and its tooltip: the likeliest digits, with the runner-up
    a bar height alone would hide ('9: 45%, 4: 21%, 7: 12%')."""
    order = np.argsort(-probabilities, kind="stable")
    likely = [f"{d}: {probabilities[d]:.0%}" for d in order[:3] if probabilities[d] >= 0.01]
    return ", ".join(likely) if likely else "No digit"


class ProbabilityChart(FigureCanvasQTAgg):
    def __init__(self, parent=None):
        figure = Figure(figsize=(3.6, 2.0), dpi=100)
        super().__init__(figure)
        self.setPalette(QPalette())   # matplotlib gave the canvas its own white palette: take the window's
        self.setParent(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(220, 90)   # the window fits a 540 px high screen (1080 at 200 %)
        self.setAccessibleName("Probability of each digit")
        self._axes = figure.add_subplot()
        self._bars = self._axes.bar(range(10), np.zeros(10), color=BAR_COLOUR, width=0.7)
        self._axes.set_xticks(range(10))
        self._axes.set_ylim(0, 1.14)   # headroom for the top bar's label
        self._axes.set_yticks([0, 0.5, 1])
        self._axes.set_yticklabels(["0", "50%", "100%"])
        self._axes.tick_params(labelsize=8, length=2)
        for side in ("top", "right"):
            self._axes.spines[side].set_visible(False)
        self._label = self._axes.text(0, 0, "", ha="center", va="bottom", fontsize=8, color=TOP_COLOUR)
        self._probabilities = np.zeros(10, dtype=np.float32)
        figure.subplots_adjust(left=0.14, right=0.97, bottom=0.12, top=0.95)   # left, bottom: see draw()
        for artist in self._moving():
            artist.set_animated(True)   # left out of full draws; drawn over the cached background
        self._background = None
        self._margins_for = None   # the figure size and dpi the margins were last fitted to
        self.mpl_connect("draw_event", self._on_full_draw)
        self._follow_palette()

    def _follow_palette(self) -> None:
        """The figure in the window's colours: a white box with black ticks in a dark theme glares."""
        palette = self.palette()
        face = palette.color(QPalette.ColorRole.Window).name()
        ink = palette.color(QPalette.ColorRole.WindowText).name()
        self.figure.set_facecolor(face)
        self._axes.set_facecolor(face)
        self._axes.tick_params(colors=ink)
        for spine in self._axes.spines.values():
            spine.set_color(ink)
        self._background = None   # the kept background has the old colours
        self.draw_idle()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        # the system switched between light and dark (not while __init__ is still setting the parent)
        if event.type() == QEvent.Type.PaletteChange and getattr(self, "_axes", None) is not None:
            self._follow_palette()

    @property
    def bars(self):
        """The ten bar artists, digit 0 first."""
        return list(self._bars)

    def probabilities(self) -> np.ndarray:
        return self._probabilities.copy()

    def top_digit(self) -> int | None:
        return int(self._probabilities.argmax()) if self._probabilities.any() else None

    def set_probabilities(self, probabilities: np.ndarray | None) -> None:
        """Show ten probabilities (None or zeros: an empty chart); the most likely digit stands out."""
        values = np.zeros(10, dtype=np.float32) if probabilities is None else \
            np.asarray(probabilities, dtype=np.float32).reshape(10).copy()
        self._probabilities = values
        top = int(values.argmax()) if values.any() else -1
        for digit, (bar, value) in enumerate(zip(self._bars, values)):
            bar.set_height(float(value))
            bar.set_color(TOP_COLOUR if digit == top else BAR_COLOUR)
        if top >= 0 and values[top] >= 0.005:   # a refused piece's digits are all near 0: no lone "0%"
            self._label.set_position((top, float(values[top]) + 0.02))
            self._label.set_text(f"{values[top]:.0%}")
        else:
            self._label.set_text("")
        self.setAccessibleDescription(describe(values))
        if self._background is None:
            self.draw_idle()
        else:
            self.restore_region(self._background)
            self._draw_moving()
            self.blit(self.figure.bbox)

    def draw(self) -> None:
        """A full draw (first show, resize): make room for the tick labels first."""
        self._fit_margins()
        super().draw()

    def _fit_margins(self) -> None:
        """Measuring the labels costs ~8 ms, so only when the size or pixel density has changed."""
        axes, figure = self._axes, self.figure
        width, height = figure.bbox.width, figure.bbox.height
        if width < 1 or height < 1 or self._margins_for == (width, height, figure.dpi):
            return
        self._margins_for = (width, height, figure.dpi)
        renderer = self.get_renderer()
        pad = MARGIN_PX * self.device_pixel_ratio
        # how far the labels reach past the axes does not depend on where the axes are
        left = axes.bbox.x0 - axes.yaxis.get_tightbbox(renderer).x0 + pad
        bottom = axes.bbox.y0 - axes.xaxis.get_tightbbox(renderer).y0 + pad
        params = figure.subplotpars
        left, bottom = min(left / width, params.right - 0.1), min(bottom / height, params.top - 0.1)
        if abs(left - params.left) > 1e-4 or abs(bottom - params.bottom) > 1e-4:
            figure.subplots_adjust(left=left, bottom=bottom)

    def _moving(self):
        return [*self._bars, self._label]

    def _draw_moving(self) -> None:
        for artist in self._moving():
            self._axes.draw_artist(artist)

    def _on_full_draw(self, _event) -> None:
        """After a full draw (first show, resize): keep the static part, then add the bars."""
        self._background = self.copy_from_bbox(self.figure.bbox)
        self._draw_moving()
