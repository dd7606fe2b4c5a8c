# The two commands that matter: `make run` and `make test`. Both set everything up first.
SHELL := /bin/bash
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	&& { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install web run demo test test-all unit integration e2e lint fmt bench migrate check clean constraints

$(STAMP): pyproject.toml constraints.txt
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is required"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# The browser app in web/dist (served at / by the API): rebuilt when its sources change.
WEB_SOURCES := $(shell find web/src web/public web/scripts web/index.html web/package.json \
	web/vite.config.ts -type f 2>/dev/null)

web/dist/index.html: $(WEB_SOURCES)
	cd web && { test -d node_modules || npm ci --no-audit --no-fund; } && npm run build

web: web/dist/index.html

run: install
	@if command -v npm >/dev/null 2>&1; then $(MAKE) --no-print-directory web; \
	else echo "Node.js not found: the API runs, and / answers 503 until the app is built (make web)"; fi
	$(BIN)/atlas up

# With `make run` going in another terminal: a demo account, seven connections, their first
# sync, and the process maps of deals, tickets and Jira issues.
demo: install
	$(BIN)/atlas demo

test: install
	$(BIN)/lint-imports
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

test-all: install
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q -m ''

unit: install
	$(BIN)/python -m pytest -q tests/unit

integration: install
	$(BIN)/python -m pytest -q tests/integration tests/contract

e2e: install
	$(BIN)/python -m pytest -q tests/e2e

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy domain application adapters entrypoints
	$(BIN)/lint-imports
	$(BIN)/python tools/check_file_length.py

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python -m bench

migrate: install
	$(BIN)/atlas migrate

check: install
	$(BIN)/atlas check

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .mypy_cache .ruff_cache *.egg-info

# Re-pin every dependency to what is installed now (after changing pyproject.toml and testing).
constraints: install
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^atlas' > constraints.txt
