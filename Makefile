# localwealth — the two commands: `make run` starts the platform, `make test` runs the whole suite.
# Both create .venv and install the locked dependencies on first use (Python 3.11+ and make are all you need).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum requirements.lock | cut -d' ' -f1)

.PHONY: run test test-pg install lint format typecheck contracts openapi compose-config bench lock clean help

help:
	@echo "make run        start broker, services, gateway on :8000 with demo data (Ctrl-C stops all)"
	@echo "make test       run the whole test suite (SQLite + embedded broker)"
	@echo "make test-pg    the same suite against PostgreSQL (TEST_DATABASE_URL, default local server)"
	@echo "make lint       ruff + contract checks"
	@echo "make bench      run the benchmarks in bench/ (see bench/README.md)"

$(STAMP): requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check uv
	$(BIN)/uv pip sync --quiet --python $(BIN)/python requirements.lock
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/python -m localwealth_shared.cli dev

test: install
	$(BIN)/python -m pytest

test-pg: install
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/postgres} $(BIN)/python -m pytest

lint: install contracts
	$(BIN)/ruff check shared services tests bench

format: install
	$(BIN)/ruff format shared services tests bench

typecheck: install
	$(BIN)/mypy shared/src services/registry/src services/land/src services/gateway/src services/procurement/src services/impact/src

contracts: install
	$(BIN)/python contracts/check_contracts.py
	$(BIN)/python deploy/check_manifests.py
	LOCALWEALTH_ENV=development $(BIN)/python -m localwealth_shared.cli gateway openapi --output contracts/openapi.json --check

openapi: install
	$(BIN)/python -m localwealth_shared.cli gateway openapi --output contracts/openapi.json

compose-config:
	bash deploy/check-compose.sh

bench: install
	$(BIN)/python bench/run_all.py

lock: $(BIN)/python
	$(BIN)/uv pip compile requirements.in -o requirements.lock --python $(BIN)/python

clean:
	rm -rf $(VENV) var .pytest_cache
