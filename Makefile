# The two commands of the README: `make demo` and `make test`. Both create .venv and install on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
CHROMIUM := /usr/bin/chromium

CHECKOV := .venv-checkov/bin/checkov
POSTGRES := $(firstword $(wildcard /usr/lib/postgresql/*/bin/initdb))

.PHONY: demo test lint install generated clean chromium postgres checkov

$(STAMP): pyproject.toml sandbox/pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]" -e ./sandbox  # the core, and the demo company apart from it
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/socready demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint chromium postgres checkov
	$(BIN)/python -m pytest

# The report page is tested in a real headless browser: Debian's chromium (never a browser a pip package downloads).
chromium:
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ]; then sudo=; \
	  elif command -v sudo >/dev/null; then sudo=sudo; \
	  else echo "$(CHROMIUM) is missing: install Debian's chromium package as root" >&2; exit 1; fi; \
	  $$sudo apt-get update && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }

# tests/production starts a throwaway PostgreSQL cluster under a Prefect server: Debian's postgresql package.
postgres:
	@test -n "$(POSTGRES)" || { \
	  if [ "$$(id -u)" = 0 ]; then sudo=; \
	  elif command -v sudo >/dev/null; then sudo=sudo; \
	  else echo "PostgreSQL is missing: install Debian's postgresql package as root" >&2; exit 1; fi; \
	  $$sudo apt-get update && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql; }

# checkov pins boto3 1.35, which socready cannot use: it gets a venv of its own.
checkov: $(CHECKOV)
$(CHECKOV):
	$(PYTHON) -m venv .venv-checkov
	.venv-checkov/bin/python -m pip install --quiet "checkov==3.3.30"

# Files generated from code; tests fail when they drift.
generated: $(STAMP)
	$(BIN)/python -m connectors.policy > infra/iam/collector-policy.json
	$(BIN)/python -m socready.report.schema > docs/report.schema.json
	$(BIN)/python -m socready.catalog.docs
	$(BIN)/python infra/cloudformation/generate.py

clean:
	rm -rf $(VENV) .venv-checkov .socready .pytest_cache .ruff_cache test-artifacts
