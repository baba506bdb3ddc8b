# Oodaloo — two commands on a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
# manage.py defaults to production settings (which refuse to start without their environment);
# every make target here is development unless DJANGO_SETTINGS_MODULE says otherwise.
DEV_SETTINGS := DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-oodaloo.settings.dev}
MANAGE := $(DEV_SETTINGS) $(BIN)/python manage.py
STAMP := $(VENV)/.installed

.PHONY: install services migrate demo test screenshots check bench bench-quick drill drill-quick stop clean system-deps

# requirements.txt is what production runs; requirements-dev.txt adds the embedded services,
# pytest and the checkers (it includes requirements.txt).
$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $(STAMP)

install: $(STAMP)

# Start a private Postgres/Redis only when DATABASE_URL / REDIS_URL are not set.
services: install
	@$(BIN)/python -m oodaloo.embedded ensure

migrate: services
	$(MANAGE) migrate_schemas --shared --verbosity 0
	$(MANAGE) setup_tenancy
	$(MANAGE) migrate_schemas --tenant --verbosity 0

# Debian packages: Chromium for the browser tests (Playwright drives it; no browser download),
# Tesseract for OCR of scanned bills, poppler-utils for PDF screenshots.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v tesseract >/dev/null 2>&1 || missing="$$missing tesseract-ocr tesseract-ocr-eng"; \
	command -v pdftoppm >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	command -v wrk >/dev/null 2>&1 || missing="$$missing wrk"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
	      || echo "system-deps: could not install$$missing"; \
	  else echo "system-deps: please install:$$missing (sudo apt-get install ...)"; fi; fi

demo: migrate system-deps
	$(MANAGE) demo_up

# Tests never touch tracked files: their pictures go to .data/screenshots/. pytest's exit status
# is kept in .data/pytest.status (make itself reports any failure as 2; CI passes pytest's on).
test: services system-deps
	@status=0; $(BIN)/pytest $(PYTEST_ARGS) || status=$$?; mkdir -p .data; echo $$status > .data/pytest.status; exit $$status

# Refresh the README's pictures in docs/screenshots/ on purpose (browser tests + digest renders).
screenshots: services system-deps
	OODALOO_SCREENSHOTS=1 $(BIN)/pytest tests/browser tests/digest/test_screenshots.py

check: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	DJANGO_SETTINGS_MODULE=oodaloo.settings.test $(MANAGE) check

bench: migrate
	$(BIN)/python -m tests.bench.run $(BENCH_ARGS)

bench-quick: migrate
	$(BIN)/python -m tests.bench.run --quick

drill: migrate
	$(BIN)/python -m tests.drills.run

drill-quick: migrate
	$(BIN)/python -m tests.drills.run --quick

stop:
	@$(BIN)/python -m oodaloo.embedded stop

clean: stop
	rm -rf .data
