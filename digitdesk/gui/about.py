"""The About box: version and the bundled model's figures, read from the model card.

Figures come from the files shipped next to the model (models/metrics.json if
present, else the README card's table) rather than being typed into the code, so
the box can't go stale when the model is retrained. Missing files just mean fewer lines.
"""
from __future__ import annotations

import html
import json
import re
from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget

from digitdesk import __version__
from digitdesk.paths import model_card_path

# (label shown, card row pattern, metrics.json keys)
FIGURES = (
    ("Test accuracy", re.compile(r"test.*accuracy|accuracy.*test", re.I), ("test_accuracy",)),
    ("Parameters", re.compile(r"param", re.I), ("params", "parameters", "param_count", "num_params")),
    ("Model size", re.compile(r"size|bytes", re.I), ("model_bytes",)),
)


def _card_rows(card: Path) -> dict[str, str]:
    """First two cells of each row of the card's first table, the bundled model's summary:
    {'Test accuracy': '99.65 %', ...}. Later tables compare versions, whose second column is an old model's."""
    rows: dict[str, str] = {}
    for line in card.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.lstrip().startswith("|"):
            if rows:
                break  # the first table has ended
            continue
        cells = [c.replace("**", "").strip().strip("`").strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or set(cells[0]) <= set("-: "):
            continue
        rows.setdefault(cells[0], cells[1])
    return rows


def _format_metric(key: str, value) -> str:
    if key == "test_accuracy" and isinstance(value, (int, float)):
        return f"{value * 100:.2f}%" if value <= 1 else f"{value:.2f}%"
    if key == "model_bytes" and isinstance(value, (int, float)):
        return f"{value / 1_000_000:.2f} MB"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def model_facts(card: Path | None = None, metrics: Path | None = None) -> dict[str, str]:
    """The figures that could be found, in FIGURES order; unreadable files are skipped."""
    card = card if card is not None else model_card_path()
    metrics = metrics if metrics is not None else card.with_name("metrics.json")
    try:
        numbers = json.loads(metrics.read_text(encoding="utf-8")) if metrics.is_file() else {}
        numbers = numbers if isinstance(numbers, dict) else {}
    except (OSError, ValueError):
        numbers = {}
    try:
        rows = _card_rows(card) if card.is_file() else {}
    except OSError:
        rows = {}
    facts: dict[str, str] = {}
    for label, pattern, keys in FIGURES:
        key = next((k for k in keys if numbers.get(k) is not None), None)
        if key is not None:
            facts[label] = _format_metric(key, numbers[key])
            continue
        row = next((value for name, value in rows.items() if pattern.search(name)), None)
        if row:
            facts[label] = row
    return facts


def about_html(facts: dict[str, str] | None = None) -> str:
    facts = model_facts() if facts is None else facts
    lines = [f"<h3>DigitDesk {html.escape(__version__)}</h3>",
             "<p>Reads handwritten digits from drawings, image files and a webcam.</p>"]
    if facts:
        lines.append("<p><b>Bundled model</b><br>" + "<br>".join(
            f"{html.escape(k)}: {html.escape(v)}" for k, v in facts.items()) + "</p>")
    else:
        lines.append("<p>The model card was not found, so no model figures can be shown.</p>")
    lines.append("<p>Trained on MNIST (LeCun, Cortes &amp; Burges) and UNIPEN pen digits, letters and symbols "
                 "(CC BY 4.0: Guyon, Schomaker, Plamondon, Liberman &amp; Janet; Unipen Consortium).</p>")
    return "".join(lines)


def show_about(parent: QWidget | None = None) -> None:
    QMessageBox.about(parent, "About DigitDesk", about_html())
