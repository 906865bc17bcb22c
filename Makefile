# Two set-up commands (README.md): `make run` and `make test`. Each makes .venv on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PROFILE ?= examples/desk_worker.json

.PHONY: run plan test test-packages lint bench clean

# With the camera coach's extra (MediaPipe and OpenCV) for `psoas analyze` (docs/coach.md).
$(BIN)/psoas: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[coach]'
	touch $@

$(VENV)/.dev: $(BIN)/psoas
	$(BIN)/pip install --quiet -e '.[dev,coach]'
	touch $@

# The app in your browser on SQLite in your data folder (Ctrl+C stops it).
run: $(BIN)/psoas
	$(BIN)/psoas serve

# A plan in the terminal for an example profile, nothing saved.
plan: $(BIN)/psoas
	$(BIN)/psoas plan --profile $(PROFILE)

# Everything the tests need, then ruff and the suite on SQLite, then the store tests again on
# a throw-away PostgreSQL cluster. tools/test_env.sh installs the Debian packages through apt
# when run as root (otherwise it names the apt command and stops) and runs the cluster.
# Tests marked `postgres` (clinic mode, the task queue) are deselected, not skipped, in the
# SQLite run (tests/conftest.py) and run in the PostgreSQL one, which they also mark `store`.
# PYTEST_ARGS narrows both runs: make test PYTEST_ARGS='tests/test_store.py -x'.
# PSOAS_TEST_POSTGRES_URL names a server of your own instead of the throw-away cluster.
PYTEST_ARGS ?=

test: test-packages $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	bash tools/test_env.sh store-on-postgres $(BIN)/python $(PYTEST_ARGS)

test-packages:
	@PY=$(PY) VENV=$(VENV) bash tools/test_env.sh packages

bench: $(BIN)/psoas
	$(BIN)/python bench/planner.py
	$(BIN)/python bench/cli.py
	$(BIN)/python bench/progress.py
	$(BIN)/python bench/report.py
	$(BIN)/python bench/web.py
	$(BIN)/python bench/breaks.py
	$(BIN)/python bench/coach.py
	$(BIN)/python bench/alerts.py
	$(BIN)/python bench/clinic.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
