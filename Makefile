# DigitDesk: `make run` opens the app, `make test` runs the whole suite.
# Both create .venv first; re-running is quick when pyproject.toml is unchanged.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# MNIST IDX directory for training/evaluation (default: $DIGITDESK_MNIST_DIR or ../shared/data/mnist)
DATA_DIR ?=
DATA_ARG := $(if $(DATA_DIR),--data-dir $(DATA_DIR))

.PHONY: venv run test train evaluate eda bench dist test-dist clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $(STAMP)

run: venv
	$(BIN)/digitdesk

test: venv
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

train: venv
	$(BIN)/python -m training.train $(DATA_ARG)
	$(BIN)/python -m training.export_litert

evaluate: venv
	$(BIN)/python -m training.evaluate --model models/digit_cnn.keras --out reports $(DATA_ARG)

eda: venv
	$(BIN)/python -m training.eda --out reports/eda $(DATA_ARG)

bench: venv
	$(BIN)/python benchmarks/bench_inference.py
	$(BIN)/python benchmarks/bench_startup.py
	$(BIN)/python benchmarks/bench_webcam.py

dist: venv
	$(BIN)/pyinstaller --noconfirm --clean build.spec
	@sh packaging/linux/print-install-help.sh

test-dist: dist
	QT_QPA_PLATFORM=offscreen dist/DigitDesk/DigitDesk --selftest
	DIGITDESK_TEST_DIST=1 QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q tests/test_packaging.py

clean:
	rm -rf build dist .pytest_cache
