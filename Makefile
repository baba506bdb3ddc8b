# Oodaloo — two commands on a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
STAMP := $(VENV)/.installed

.PHONY: install services migrate demo test check bench bench-quick drill stop clean browser

$(STAMP): requirements.txt
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $(STAMP)

install: $(STAMP)

# Start a private Postgres/Redis only when DATABASE_URL / REDIS_URL are not set.
services: install
	@$(BIN)/python -m oodaloo.embedded ensure

migrate: services
	$(MANAGE) migrate_schemas --shared --verbosity 0
	$(MANAGE) setup_tenancy
	$(MANAGE) migrate_schemas --tenant --verbosity 0

# Debian's Chromium for the browser tests (Playwright drives it; no browser download).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = "0" ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "browser: could not install chromium; browser tests will fail"; \
	  else echo "browser: install Debian's chromium (sudo apt-get install chromium)"; fi; }

demo: migrate
	$(MANAGE) demo_up

test: services browser
	$(BIN)/pytest $(PYTEST_ARGS)

check: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	DJANGO_SETTINGS_MODULE=oodaloo.settings.test $(MANAGE) check

bench: migrate
	$(BIN)/python -m tests.bench.run

bench-quick: migrate
	$(BIN)/python -m tests.bench.run --quick

drill: migrate
	$(BIN)/python -m tests.drills.run

stop:
	@$(BIN)/python -m oodaloo.embedded stop

clean: stop
	rm -rf .data
