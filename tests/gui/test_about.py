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


def test_the_box_reads_the_summary_table_not_an_older_versions_column(tmp_path):
    """The card's later tables compare versions: their second column is version 1's, not the bundled model's,
    so a figure missing from the summary is left out rather than taken from there."""
    card = tmp_path / "README.md"
    card.write_text("# Model card\n\n| | |\n|---|---|\n| Parameters | 96,234 |\n\n## Results\n\n"
                    "| figure | version 1 | **version 3** |\n|---|---|---|\n"
                    "| MNIST test accuracy | 99.71 % | **99.44 %** |\n| Model size | 0.9 MB | 0.4 MB |\n")
    assert model_facts(card, tmp_path / "metrics.json") == {"Parameters": "96,234"}


def test_the_bundled_card_gives_the_accuracy_of_the_bundled_model():
    """What the About box says must be what `make evaluate` measured for the file the app runs."""
    from pathlib import Path
    metrics = json.loads((Path(__file__).resolve().parents[2] / "reports" / "metrics.json").read_text())
    assert f"{metrics['test_accuracy'] * 100:.2f} %" in model_facts()["Test accuracy"]
    assert f"{metrics['model_bytes'] / 1e6:.2f} MB" in model_facts()["Model size"]
