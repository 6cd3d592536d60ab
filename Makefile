# schoolpeers: `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app schoolpeers
PART ?=
# e.g. make bench PART=web BENCH_ARGS="--rebuild --duration 30"
BENCH_ARGS ?=

.PHONY: run test e2e bench screening-model install install-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamp files: reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# The job consumer (roster imports) runs beside the app and stops with it.
run: install
	$(FLASK) db upgrade
	$(FLASK) demo
	$(FLASK) jobs work & \
	trap 'kill $$! 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host 127.0.0.1 --port 5000

test: install-test
	$(BIN)/python -m pytest

# The browser journeys alone; they need /usr/bin/chromium (apt-get install chromium fonts-noto-color-emoji).
e2e: install-test
	SCHOOLPEERS_E2E_REQUIRED=1 $(BIN)/python -m pytest tests/e2e

bench: install-test
	$(BIN)/python -m bench $(if $(PART),--part $(PART)) $(BENCH_ARGS)

# Rebuild screening's second opinion from the development corpus (needs scikit-learn, in the test extras).
# Add a school's reviewed examples with SCREENING_EXTRA=path/to/examples.jsonl.
screening-model: install-test
	$(BIN)/python -m schoolpeers.oversight.risk_training $(if $(SCREENING_EXTRA),--extra $(SCREENING_EXTRA))

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis bench-results.json e2e-screenshots
