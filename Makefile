# diploma-exchange: the two commands a new user needs are `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# `make run` needs only what the service runs on (no test tools): requirements-runtime.lock.
RUN_STAMP := $(VENV)/.installed-runtime
PORT   ?= 8000

.PHONY: run test install lint typecheck openapi bench clean lock audit conformance

# Every dependency (and theirs) is pinned with hashes in requirements.lock (`make lock`), and
# the part the service runs on in requirements-runtime.lock (tools/runtime_lock.py); the package
# itself is installed on top without resolving anything again.
$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP) $(RUN_STAMP)

$(RUN_STAMP): pyproject.toml requirements-runtime.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements-runtime.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(RUN_STAMP)

install: $(STAMP)

## Set up (runtime dependencies only), seed demo data (SQLite) once and serve on
## http://localhost:$(PORT) (`make run PORT=8011`); a second `make run` says where the first runs
run: $(RUN_STAMP)
	$(BIN)/diploma-exchange demo --port $(PORT)

## Set up and run the whole test suite (SQLite, and PostgreSQL when reachable)
# axe-core for the accessibility browser test (tests/browser/axe, pinned by its lock file),
# installed once when npm is there; the test says what is missing otherwise.
AXE := tests/browser/axe/node_modules/axe-core/axe.min.js
$(AXE): tests/browser/axe/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  cd tests/browser/axe && npm ci --silent --no-audit --no-fund; \
	else echo "npm not found: the axe-core accessibility test cannot run" >&2; fi

test: $(STAMP) $(AXE)
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
	$(BIN)/pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --extra test --generate-hashes --allow-unsafe --strip-extras \
	  --no-emit-index-url --no-emit-find-links --output-file requirements.lock pyproject.toml
	$(BIN)/python tools/runtime_lock.py

## Vulnerability audit of the pinned dependencies (says NOT AUDITED when it cannot look up)
audit: $(STAMP)
	$(BIN)/python .ci/audit_dependencies.py

## W3C VC conformance suites (../shared/w3c-suites) against the service over https with a
## test CA and the demo university; prints the four results and fails below
## tools/conformance-baseline.json (docs/conformance.md; CI runs it)
conformance: $(STAMP)
	$(BIN)/python tools/conformance.py $(SUITES)

clean:
	rm -rf $(VENV) var .pytest_cache

.PHONY: soak
## Mixed-load soak on PostgreSQL for SOAK_SECONDS (default 300): prints requests, errors, RSS
soak: $(STAMP)
	SOAK_SECONDS=$${SOAK_SECONDS:-300} $(BIN)/python -m pytest -q -s -p no:cacheprovider tests/faults/test_soak.py
