# Two commands on a fresh machine:  `make demo`  and  `make test`  (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SIZE ?= district
TEST_WORKERS ?= 2  # pytest-xdist workers for make test (0: one process, as NEO4J_URI needs)

.PHONY: install lock system-deps demo serve neo4j test lint bench clean

$(BIN)/lianjian: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

## Pin every Python dependency (with hashes) after changing pyproject.toml's ranges.
lock: install
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra test --universal --python-version 3.11 \
		--generate-hashes -q -o requirements.lock

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

install: $(BIN)/lianjian

## Install, load the demo district into the embedded store, and serve the API on it.
demo: install
	$(BIN)/lianjian demo --size $(SIZE) --serve

serve: install
	$(BIN)/lianjian serve

## A local Neo4j 5 (Maven Central, in one JVM) to try the production backend; prints what to export.
neo4j: system-deps install
	$(BIN)/python -m engine.store.neo4j_local

system-deps:
	.ci/system-deps

## Install everything the tests need and run the whole suite.
test: system-deps install node_modules/.package-lock.json
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: install
	$(BIN)/python bench/load_city.py

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache
