# DigitDesk: `make run` opens the app, `make test` runs the whole suite.
# Both create .venv first; re-running is quick when pyproject.toml is unchanged.
# `make run` installs the app alone (LiteRT runs the model: no TensorFlow); `make test`, `make train` and
# the rest install the development extra too (tests, ruff, PyInstaller and, through [train], TensorFlow).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-app
DEV_STAMP := $(VENV)/.installed
# MNIST IDX directory for training/evaluation (default: $DIGITDESK_MNIST_DIR or ../shared/data/mnist)
DATA_DIR ?=
DATA_ARG := $(if $(DATA_DIR),--data-dir $(DATA_DIR))
# UNIPEN folder for training/evaluation (default: $DIGITDESK_UNIPEN_DIR or ../shared/data/unipen)
UNIPEN_DIR ?=
UNIPEN_ARG := $(if $(UNIPEN_DIR),--unipen-dir $(UNIPEN_DIR))

.PHONY: install venv run lint test train evaluate eda bench dist test-dist clean

install: $(RUN_STAMP)
venv: $(DEV_STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# The app alone; nothing to do when the development install is up to date (it holds the app too).
$(RUN_STAMP): pyproject.toml | $(BIN)/python
	if [ ! $(DEV_STAMP) -nt pyproject.toml ]; then $(BIN)/python -m pip install -q -e .; fi
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $@

run: install
	$(BIN)/digitdesk

lint: venv
	$(BIN)/ruff check .

test: lint
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

train: venv
	$(BIN)/python -m training.train $(DATA_ARG) $(UNIPEN_ARG)
	$(BIN)/python -m training.export_litert
	$(BIN)/python -m training.profile_space $(DATA_ARG) $(UNIPEN_ARG)

evaluate: venv
	$(BIN)/python -m training.evaluate --model models/digit_cnn.tflite --out reports $(DATA_ARG) $(UNIPEN_ARG)

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
