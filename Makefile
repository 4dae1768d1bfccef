# Two commands do all set-up on a fresh machine:
#   make up    — install, then start the network (embedded, SQLite) until Ctrl-C
#   make test  — install, then lint, type-check, check the import layers, run the whole suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO ?= 0

.PHONY: up test install lint clean system

$(BIN)/juki: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(BIN)/juki

install: $(BIN)/juki

# Chromium, fonts, pdftotext, PostgreSQL from Debian (only what is missing; needs root).
system:
	scripts/system-packages.sh

up: install
	$(BIN)/juki up --demo $(DEMO)

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

test: install system lint
	$(BIN)/pytest -n 2

clean:
	rm -rf .juki $(VENV)
