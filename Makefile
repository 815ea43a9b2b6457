# The two commands of the README: `make demo` and `make test`. Both build .venv first.
PYTHON ?= python3
# The port `make demo` serves on: make demo PORT=8010
PORT ?= 8000
VENV := .venv
# Test processes (pytest-xdist); each gets a database of its own.
TEST_WORKERS ?= 2
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# The volume database `make bench` builds or reuses (PostgreSQL), and options for a quicker
# run: make bench BENCH_ARGS="--scale 0.01"
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/bench_vol
BENCH_ARGS ?=

.PHONY: demo test lint install bench

$(STAMP): pyproject.toml package.json package-lock.json
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	npm ci --no-audit --no-fund --loglevel=error
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runportal --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest -n $(TEST_WORKERS)

bench: $(STAMP)
	mkdir -p var
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python manage.py bench $(BENCH_ARGS)
