# fcconsole: `make run` starts everything on a laptop; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# Tests run against PostgreSQL; the test database is this name with a `test_` prefix.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/fcconsole
PYTEST_ARGS ?=

.PHONY: run test lint fmt migrations-check ci bench screenshots services venv dev-venv clean

$(BIN)/.runtime: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(BIN)/.dev: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(BIN)/.runtime $@

venv: $(BIN)/.runtime
dev-venv: $(BIN)/.dev

run: $(BIN)/.runtime
	scripts/run.sh

services:
	scripts/ensure_services.sh

lint: $(BIN)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(BIN)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: $(BIN)/.dev
	FCCONSOLE_ENV=test $(BIN)/python manage.py makemigrations --check --dry-run

test: $(BIN)/.dev services lint
	FCCONSOLE_ENV=test DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/pytest $(PYTEST_ARGS)

ci: test

bench: $(BIN)/.dev services
	FCCONSOLE_ENV=test $(BIN)/python -m bench

screenshots: $(BIN)/.dev services
	FCCONSOLE_ENV=test DATABASE_URL=$(TEST_DATABASE_URL) SCREENSHOTS=docs/screenshots $(BIN)/pytest -m browser $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
