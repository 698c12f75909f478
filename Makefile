# cev_learn — `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 5000
WORKERS ?= 2

.PHONY: install test-deps run test test-pg fuzz e2e audit bench chromium clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip setuptools
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# The real OpenID provider the single sign-on tests start (oidc-provider, from npm)
OIDC_PROVIDER := tests/oidc/node_modules/.package-lock.json
$(OIDC_PROVIDER): tests/oidc/package.json tests/oidc/package-lock.json
	cd tests/oidc && npm ci --no-audit --no-fund --loglevel=error

# axe-core (from npm), the accessibility checker the browser tests run on every page
AXE := tests/e2e/axe/node_modules/.package-lock.json
$(AXE): tests/e2e/axe/package.json tests/e2e/axe/package-lock.json
	cd tests/e2e/axe && npm ci --no-audit --no-fund --loglevel=error

# The real Learning Record Store the xAPI push tests start (Ralph, from PyPI), in an
# environment of its own: its server pins packages (python-jose and its ecdsa, an old
# starlette and click) that the app's environment, which `make audit` checks, must not hold
LRS_VENV := tests/xapi/.venv
LRS_SERVER := $(LRS_VENV)/.installed-stamp
$(LRS_SERVER): tests/xapi/requirements.txt
	$(PYTHON) -m venv $(LRS_VENV)
	$(LRS_VENV)/bin/pip install --quiet --upgrade pip
	$(LRS_VENV)/bin/pip install --quiet -r tests/xapi/requirements.txt
	touch $(LRS_SERVER)

## Set everything up and serve the demo on http://$(HOST):$(PORT), with the webhook worker
## beside the app server (stopped with it). Links in emails and xAPI activity ids use the
## address it is served at, unless CEV_LEARN_BASE_URL says another (a proxy's, say).
run: export CEV_LEARN_BASE_URL ?= http://$(HOST):$(PORT)
run: install
	$(BIN)/cev-learn db upgrade
	$(BIN)/cev-learn content sync
	$(BIN)/cev-learn demo seed --if-empty
	@echo "cev_learn is at http://$(HOST):$(PORT) — sign in as admin@example.com / onboard-demo-2026"
	$(BIN)/cev-learn worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(BIN)/gunicorn --bind $(HOST):$(PORT) --workers $(WORKERS) --worker-class cev_learn.ops.serving.SyncWorker --access-logfile /dev/null 'cev_learn:create_app()'

# The code byte-compiled before a suite runs: each process the tests start (a command, an app
# server) then reads it compiled, also where PYTHONDONTWRITEBYTECODE keeps Python from saving
# what it compiles (a second of every process's start otherwise)
COMPILE := $(BIN)/python -m compileall -q -x '/(\.venv|node_modules)/' cev_learn tests bench >/dev/null

## What the suites beside the browser tests need: the app's environment, the OpenID
## provider and the Learning Record Store they start
test-deps: install $(OIDC_PROVIDER) $(LRS_SERVER)

## The whole suite except browser tests, on SQLite
test: test-deps
	$(COMPILE)
	$(BIN)/pytest -m "not e2e" -q

## The same suite on a throwaway PostgreSQL cluster
test-pg: test-deps
	$(COMPILE)
	scripts/with-postgres $(BIN)/pytest -m "not e2e" -q

## Only the OpenAPI contract fuzz (part of make test): Schemathesis with every check against
## the app on a free port, once per kind of token; prints each run's figures
fuzz: install
	$(BIN)/pytest -m fuzz -q -rP

## Static checks: bandit on the code (no medium or high finding without an explained
## `# nosec`), then every installed dependency against PyPI's vulnerability advisories
audit: install
	$(BIN)/bandit --recursive cev_learn --quiet --severity-level medium
	$(BIN)/python scripts/audit_dependencies.py

## Soak: a minute of mixed traffic at 32 connections on SQLite, then PostgreSQL (SOAK_SECONDS)
soak: install
	$(BIN)/python bench/soak.py
	scripts/with-postgres $(BIN)/python bench/soak.py

## Two app servers sharing one PostgreSQL and one Redis: sessions, throttling, rate limits
two-servers: install
	scripts/with-postgres scripts/with-redis $(BIN)/python bench/two_servers.py

.PHONY: soak two-servers

## Browser tests: Playwright driving Debian's Chromium
e2e: install chromium $(OIDC_PROVIDER) $(AXE)
	$(COMPILE)
	$(BIN)/pytest -m e2e -q

## Benchmarks (not part of make test): content sync, activity import, page speed under wrk,
## then the pages while activities and quiz submissions arrive (SQLite, then PostgreSQL),
## then 10,000 webhook events drained by the worker (SQLite, then PostgreSQL)
bench: install wrk
	$(BIN)/python bench/content_sync.py
	$(BIN)/python bench/activity_import.py
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/live.py
	scripts/with-postgres $(BIN)/python bench/live.py
	$(MAKE) bench-webhooks

## Only the webhook delivery benchmark (BENCH_EVENTS, default 10,000), SQLite then PostgreSQL
bench-webhooks: install
	$(BIN)/python bench/webhooks.py
	scripts/with-postgres $(BIN)/python bench/webhooks.py

## Only the page benchmark (BENCH_REPS=50 for a quick run; see bench/pages.py)
bench-pages: install wrk
	$(BIN)/python bench/pages.py

## Only the live run, SQLite then PostgreSQL (BENCH_REPS=50 for a quick run; BENCH_LIVE_PG_REPS
## sizes the PostgreSQL organisation; see bench/live.py)
bench-live: install wrk
	$(BIN)/python bench/live.py
	scripts/with-postgres $(BIN)/python bench/live.py

wrk:
	@command -v wrk >/dev/null || scripts/install-wrk

.PHONY: bench-pages bench-live bench-webhooks wrk

chromium:
	@command -v chromium >/dev/null || scripts/install-chromium

clean:
	rm -rf $(VENV) $(LRS_VENV) .pytest_cache
