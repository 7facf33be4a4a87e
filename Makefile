# diploma-exchange: the two commands a new user needs are `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test install lint typecheck openapi bench clean lock audit conformance

# Every dependency (and theirs) is pinned with hashes in requirements.lock (`make lock`);
# the package itself is installed on top without resolving anything again.
$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
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

## Re-pin every dependency (with hashes) after a change to pyproject.toml
lock: $(STAMP)
	$(BIN)/pip-compile --quiet --extra test --generate-hashes --allow-unsafe --strip-extras \
	  --no-emit-index-url --no-emit-find-links --output-file requirements.lock pyproject.toml

## Vulnerability audit of the pinned dependencies (says NOT AUDITED when it cannot look up)
audit: $(STAMP)
	$(BIN)/python .ci/audit_dependencies.py

## W3C VC conformance suites (../shared/w3c-suites) against the service over https with a
## test CA and the demo university; prints the four results (docs/conformance.md)
conformance: $(STAMP)
	$(BIN)/python tools/conformance.py $(SUITES)

clean:
	rm -rf $(VENV) var .pytest_cache

.PHONY: soak
## Mixed-load soak on PostgreSQL for SOAK_SECONDS (default 300): prints requests, errors, RSS
soak: $(STAMP)
	SOAK_SECONDS=$${SOAK_SECONDS:-300} $(BIN)/python -m pytest -q -s -p no:cacheprovider tests/faults/test_soak.py
