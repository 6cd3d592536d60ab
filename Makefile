# schoolpeers: `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app schoolpeers
PART ?=
# Where `make run` serves: make run PORT=5123 (or FLASK_RUN_PORT); HOST=0.0.0.0 to be reached from elsewhere.
PORT ?= $(or $(FLASK_RUN_PORT),5000)
HOST ?= $(or $(FLASK_RUN_HOST),127.0.0.1)
# e.g. make bench PART=web BENCH_ARGS="--rebuild --duration 30"
BENCH_ARGS ?=

.PHONY: run test e2e bench screening-model install install-test clean

# The environment installs with uv (a fast installer, bootstrapped into it) when it can be had, and
# with pip otherwise: a fresh clone is ready in seconds instead of a minute or two. Both compile the
# libraries to bytecode as they install them (uv only when asked): where Python may not write it
# itself (PYTHONDONTWRITEBYTECODE, a read-only tree), every start would otherwise compile every
# library it imports again, and building the app took 4 s instead of 1.8.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	-$(BIN)/python -m pip install --quiet --disable-pip-version-check uv
INSTALL = if [ -x $(BIN)/uv ] && $(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python $(1); then :; \
	else $(BIN)/pip install --quiet --disable-pip-version-check $(1); fi

# Stamp files: reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(call INSTALL,-e .)
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(call INSTALL,-e '.[test]')
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# The job consumer (roster imports) runs beside the app and stops with it.
run: install
	$(FLASK) db upgrade
	$(FLASK) demo
	$(FLASK) jobs work & \
	trap 'kill $$! 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host $(HOST) --port $(PORT)

# One test process per core (pytest-xdist), each test file in one process, so that a file's shared
# fixtures (a built corpus, a rebuilt model) are built once.
test: install-test
	$(BIN)/python -m pytest -n auto --dist loadfile

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
