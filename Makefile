# Two set-up commands (README.md): `make run` and `make test`. Each makes .venv on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PROFILE ?= examples/desk_worker.json

.PHONY: run plan test lint bench clean

$(BIN)/psoas: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.dev: $(BIN)/psoas
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# The app in your browser on SQLite in your data folder (Ctrl+C stops it).
run: $(BIN)/psoas
	$(BIN)/psoas serve

# A plan in the terminal for an example profile, nothing saved.
plan: $(BIN)/psoas
	$(BIN)/psoas plan --profile $(PROFILE)

# With PSOAS_TEST_POSTGRES_URL set (CI sets it), the store tests run again on PostgreSQL.
test: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest
	@if [ -n "$$PSOAS_TEST_POSTGRES_URL" ]; then \
	  echo "store tests on PostgreSQL"; \
	  PSOAS_DATABASE_URL="$$PSOAS_TEST_POSTGRES_URL" $(BIN)/python -m pytest -m store; \
	fi

bench: $(BIN)/psoas
	$(BIN)/python bench/planner.py
	$(BIN)/python bench/cli.py
	$(BIN)/python bench/progress.py
	$(BIN)/python bench/report.py
	$(BIN)/python bench/web.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
