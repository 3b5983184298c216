# The two commands of the README: `make demo` and `make test`. Both create .venv and install on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test lint install generated clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/socready demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(BIN)/python -m pytest

# Files generated from code; tests fail when they drift.
generated: $(STAMP)
	$(BIN)/python -m connectors.policy > infra/iam/collector-policy.json
	$(BIN)/python -m socready.report.schema > docs/report.schema.json

clean:
	rm -rf $(VENV) .socready .pytest_cache .ruff_cache
