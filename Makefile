# cev_learn — `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 5000
WORKERS ?= 2

.PHONY: install run test test-pg e2e bench chromium clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## Set everything up and serve the demo on http://$(HOST):$(PORT)
run: install
	$(BIN)/cev-learn db upgrade
	$(BIN)/cev-learn content sync
	$(BIN)/cev-learn demo seed --if-empty
	@echo "cev_learn is at http://$(HOST):$(PORT) — sign in as admin@example.com / onboard-demo-2026"
	$(BIN)/gunicorn --bind $(HOST):$(PORT) --workers $(WORKERS) --access-logfile /dev/null 'cev_learn:create_app()'

## The whole suite except browser tests, on SQLite
test: install
	$(BIN)/pytest -m "not e2e" -q

## The same suite on a throwaway PostgreSQL cluster
test-pg: install
	scripts/with-postgres $(BIN)/pytest -m "not e2e" -q

## Browser tests: Playwright driving Debian's Chromium
e2e: install chromium
	$(BIN)/pytest -m e2e -q

## Benchmarks (not part of make test): content sync of a 500-module track
bench: install
	$(BIN)/python bench/content_sync.py
	$(BIN)/python bench/activity_import.py

chromium:
	@command -v chromium >/dev/null || scripts/install-chromium

clean:
	rm -rf $(VENV) .pytest_cache
