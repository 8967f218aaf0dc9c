# VETtrack. `make help` lists the targets.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?= -n 2
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help venv system-deps browser messages translations migrate demo-data demo run test test-sqlite test-postgres lint format bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): requirements/base.txt requirements/dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "VETtrack needs Python 3.11 or newer; set PYTHON=python3.x")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo ">> installing the pinned requirements into $(VENV) (a minute or two the first time)"
	@$(BIN)/python -m pip install --quiet -r requirements/dev.txt 2>&1 | { grep -v "^WARNING: Location" || true; }
	@touch $@

venv: $(STAMP) ## create .venv and install the pinned requirements

system-deps: ## check (and, as root, install) the Debian packages VETtrack needs
	@missing=""; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	{ ldconfig -p || /sbin/ldconfig -p; } 2>/dev/null | grep -q libpango-1.0 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	{ ldconfig -p || /sbin/ldconfig -p; } 2>/dev/null | grep -q libharfbuzz-subset || missing="$$missing libharfbuzz-subset0"; \
	command -v pdftotext >/dev/null || missing="$$missing poppler-utils"; \
	fc-list 2>/dev/null | grep -qi dejavu || missing="$$missing fonts-dejavu-core"; \
	if [ -n "$$missing" ]; then \
	  echo ">> VETtrack needs the Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo ">> installing them with apt-get"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo ">> please run: sudo apt-get install$$missing"; exit 1; \
	  fi; \
	fi

browser: ## check (and, as root, install) Debian's Chromium for the browser tests
	@if [ ! -x "$${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo ">> installing Debian's chromium for the browser tests (tests/e2e)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo ">> no Chromium: the browser tests will be skipped (sudo apt-get install chromium)"; \
	  fi; \
	fi

messages: $(STAMP) system-deps ## compile the translations (locale/*.po -> .mo)
	@$(MANAGE) compilemessages --ignore=.venv -v0

translations: $(STAMP) system-deps ## extract new strings into locale/vi/LC_MESSAGES/django.po (then translate them)
	@$(MANAGE) makemessages -l vi --no-location -v0 --ignore=.venv --ignore=tests --ignore=bench --ignore=var \
		--ignore=static --ignore=docs
	@echo ">> translate the empty msgstr entries in locale/vi/LC_MESSAGES/django.po, then run make messages"

migrate: $(STAMP) ## apply database migrations
	$(MANAGE) migrate --no-input -v0

demo-data: migrate messages ## load the reference rules, the classification bands, the accreditation frameworks, the readiness profiles, the sample skill frameworks and the demo data, accreditation and diplomas included (idempotent)
	$(MANAGE) load_demo_data
	$(MANAGE) load_curriculum_rules
	$(MANAGE) load_accreditation_frameworks
	$(MANAGE) load_readiness_profiles
	$(MANAGE) load_classification_rules
	$(MANAGE) load_sample_frameworks
	$(MANAGE) load_demo_curricula
	$(MANAGE) load_demo_accreditation
	$(MANAGE) load_demo_certificates
	$(MANAGE) load_demo_site

demo: demo-data ## install, migrate, load demo data and start the server on $(HOST):$(PORT)
	@$(MANAGE) demo_info --base-url http://$(HOST):$(PORT)
	@trap 'kill 0' EXIT; $(MANAGE) db_worker --no-reload >/dev/null 2>&1 & $(MANAGE) runserver $(HOST):$(PORT)

run: migrate messages ## start the development server without reloading demo data
	$(MANAGE) runserver $(HOST):$(PORT)

lint: $(STAMP) ## ruff lint
	$(BIN)/ruff check .

format: $(STAMP) ## ruff format and fix imports
	$(BIN)/ruff check --fix --select I .
	$(BIN)/ruff format .

test: $(STAMP) messages browser lint ## checks + the whole suite on SQLite, and on PostgreSQL when reachable
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) check --fail-level WARNING
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) makemigrations --check --dry-run
	$(MAKE) --no-print-directory test-sqlite
	@url="$${DATABASE_URL:-$(PG_URL)}"; \
	if $(BIN)/python .ci/db_reachable.py "$$url"; then \
	  $(MAKE) --no-print-directory test-postgres PG_URL="$$url"; \
	else \
	  echo ">> PostgreSQL not reachable at $$url: skipped the PostgreSQL run"; \
	  if [ -n "$$CI" ] && [ -n "$$REQUIRE_POSTGRES" ]; then exit 1; fi; \
	fi

test-sqlite: $(STAMP) ## the suite on SQLite
	@echo ">> test suite on SQLite"
	env -u DATABASE_URL $(BIN)/pytest $(PYTEST_ARGS)

test-postgres: $(STAMP) ## the suite on PostgreSQL ($$DATABASE_URL or $(PG_URL))
	@echo ">> test suite on PostgreSQL"
	DATABASE_URL="$(PG_URL)" $(BIN)/pytest $(PYTEST_ARGS)

bench: $(STAMP) ## benchmarks, printed as ratios against a naive baseline
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python -m bench

clean: ## remove the virtual environment, the SQLite database and collected files
	rm -rf $(VENV) db.sqlite3 static media
