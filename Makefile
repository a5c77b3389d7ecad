# The two commands of the README: `make sandbox` (install + try the bot in a browser) and
# `make test` (install + ruff, import contracts, mypy, every test). `make run` needs BOT_TOKEN.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
STAMP = $(VENV)/.installed

.PHONY: install run sandbox test lint bench i18n

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/forum-bot

sandbox: install
	$(BIN)/forum-bot sandbox

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

test: install
	bash tools/ensure-chromium.sh
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/python -m pytest; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing on purpose"; exit 1; fi; \
	exit $$rc

bench: install
	$(BIN)/python -m benchmarks

i18n: install
	$(BIN)/python -m tools.po update
