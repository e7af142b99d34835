"""The About box shows the version and the model's figures from the files shipped with it."""
import json

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from digitdesk import __version__
from digitdesk.gui.about import about_html, model_facts, show_about

CARD = """# Model card

| Metric | Value |
|---|---|
| **Test accuracy** | 99.64 % |
| Parameters | 96,234 |
| File size | 1.2 MB |
"""


def test_figures_come_from_the_model_card(tmp_path):
    card = tmp_path / "README.md"
    card.write_text(CARD)
    facts = model_facts(card, tmp_path / "metrics.json")
    assert facts == {"Test accuracy": "99.64 %", "Parameters": "96,234", "Model size": "1.2 MB"}


def test_metrics_json_wins_over_the_card(tmp_path):
    card = tmp_path / "README.md"
    card.write_text(CARD)
    metrics = tmp_path / "metrics.json"
    metrics.write_text(json.dumps({"test_accuracy": 0.99712, "params": 101234}))
    facts = model_facts(card, metrics)
    assert facts["Test accuracy"] == "99.71%" and facts["Parameters"] == "101,234"
    assert facts["Model size"] == "1.2 MB"


def test_missing_or_broken_files_give_a_box_without_figures(tmp_path):
    (tmp_path / "metrics.json").write_text("{not json")
    facts = model_facts(tmp_path / "README.md", tmp_path / "metrics.json")
    assert facts == {}
    text = about_html(facts)
    assert __version__ in text and "not found" in text


def test_about_box_shows_version_and_accuracy(qtbot, tmp_path, monkeypatch):
    card = tmp_path / "README.md"
    card.write_text(CARD)
    monkeypatch.setattr("digitdesk.gui.about.model_card_path", lambda: card)
    seen = []

    def read_and_close():
        box = QApplication.activeModalWidget()
        seen.append(box.text())
        box.accept()

    QTimer.singleShot(0, read_and_close)
    show_about(None)
    assert isinstance(seen[0], str) and __version__ in seen[0] and "99.64 %" in seen[0]
