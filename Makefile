# The two commands that matter: `make run` and `make test`. Both set everything up first.
SHELL := /bin/bash
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	&& { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
WEB := web
WEB_STAMP := $(WEB)/node_modules/.installed

.PHONY: install run demo test test-all unit integration e2e browser lint fmt bench bench-load fuzz migrate check clean constraints web web-test node

$(STAMP): pyproject.toml constraints.txt
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is required"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# The web app (web/): Node.js 20+, dependencies exactly as the committed lockfile says.
node:
	@command -v node >/dev/null 2>&1 || { echo "Node.js 20 or newer is required (https://nodejs.org, or your package manager)"; exit 1; }
	@node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' \
		|| { echo "Node.js 20 or newer is required; this is $$(node --version)"; exit 1; }

$(WEB_STAMP): $(WEB)/package.json $(WEB)/package-lock.json | node
	cd $(WEB) && npm ci --no-audit --no-fund --loglevel=error
	@touch $(WEB_STAMP)

web: $(WEB_STAMP)
	cd $(WEB) && npm run --silent build

web-test: $(WEB_STAMP)
	cd $(WEB) && npm run --silent typecheck && npm test --silent

run: install web
	$(BIN)/atlas up

# With `make run` going in another terminal: a demo account, seven connections, their first
# sync, and the process maps of deals, tickets and Jira issues.
demo: install
	$(BIN)/atlas demo

test: install web web-test
	$(BIN)/lint-imports
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

test-all: install web web-test
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q -m ''

unit: install
	$(BIN)/python -m pytest -q tests/unit

integration: install
	$(BIN)/python -m pytest -q tests/integration tests/contract

e2e: install web
	$(BIN)/python -m pytest -q tests/e2e

# The web app in Debian's Chromium against a real `atlas up` (sudo apt install chromium).
browser: install web
	$(BIN)/python -m pytest -q tests/browser

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy domain application adapters entrypoints
	$(BIN)/lint-imports
	$(BIN)/python tools/check_file_length.py

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install web
	$(BIN)/python -m bench

# Load and faults (issue 14): 50 tenants over 2 APIs and 2 workers, then a database restart.
bench-load: install
	$(BIN)/python -m bench load

# The import readers under atheris, FUZZ_SECONDS per reader (crashes kept in tests/fuzz_corpus/).
FUZZ_SECONDS ?= 60
fuzz: install
	$(BIN)/python -m bench fuzz --seconds $(FUZZ_SECONDS)

migrate: install
	$(BIN)/atlas migrate

check: install
	$(BIN)/atlas check

clean:
	rm -rf $(VENV) $(WEB)/node_modules $(WEB)/dist .pytest_cache .hypothesis .mypy_cache .ruff_cache *.egg-info

# Re-pin every dependency to what is installed now (after changing pyproject.toml and testing).
constraints: install
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^atlas' > constraints.txt
