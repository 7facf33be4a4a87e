# diploma-exchange: the two commands a new user needs are `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test install lint typecheck openapi bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## Set up, seed demo data (SQLite) and serve on http://127.0.0.1:8000
run: $(STAMP)
	$(BIN)/diploma-exchange demo

## Set up and run the whole test suite (SQLite, and PostgreSQL when reachable)
test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests

typecheck: $(STAMP)
	$(BIN)/mypy src

openapi: $(STAMP)
	$(BIN)/diploma-exchange export-openapi --out openapi/openapi.json

bench: $(STAMP)
	bash benchmarks/setup.sh
	$(BIN)/python benchmarks/run.py --all

clean:
	rm -rf $(VENV) var .pytest_cache
