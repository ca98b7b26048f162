# outreach: `make run` serves the app with demo data; `make test` runs the whole suite.
VENV     ?= .venv
PYTHON   ?= python3
BIN      := $(VENV)/bin
#: the make targets are for a developer's machine: development settings unless told otherwise
FLASK    := OUTREACH_ENV=$(or $(OUTREACH_ENV),development) $(BIN)/flask --app wsgi
STAMP    := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
CATALOGS := $(wildcard outreach/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)

#: Debian packages the app needs: HarfBuzz's subsetter (without it WeasyPrint falls back to a
#: font subsetting three times slower per letter) and Chromium for the browser tests.
SYSTEM_PACKAGES ?= libharfbuzz-subset0 chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install system run test test-sqlite test-postgres lint format scheduler worker bench bench-quick translations messages clean

install: system $(STAMP) $(COMPILED)

## Install the missing Debian packages (skipped where apt-get is not available).
system:
	@missing="$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done)"; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if ! command -v apt-get >/dev/null; then \
		echo "please install: $$missing"; exit 0; fi; \
	echo "installing $$missing"; \
	$(SUDO) apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $@

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@ >/dev/null

translations: $(COMPILED)

## Extract the strings to translate and merge them into the catalogs.
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output -o outreach/translations/messages.pot . >/dev/null
	$(BIN)/pybabel update -i outreach/translations/messages.pot -d outreach/translations --no-fuzzy-matching --ignore-obsolete >/dev/null

## The dev server with demo data, and a queue worker beside it (stopped with the server):
## imports, print batches and bulk issuing run on it, the queue a SQLite file in instance/.
run: install
	$(FLASK) db upgrade
	$(FLASK) demo seed
	@echo "outreach is at http://127.0.0.1:5000"
	$(FLASK) worker --workers 2 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(FLASK) --debug run --host 127.0.0.1 --port 5000

## ruff, the import contract of the feature packages (pyproject.toml), dead code.
lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/vulture

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

#: the two databases' runs side by side (each run's output printed whole when it ends)
test: lint
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

test-sqlite: install
	$(BIN)/pytest -q -p no:cacheprovider --db sqlite

test-postgres: install
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		$(BIN)/pytest -q -p no:cacheprovider --db postgresql; \
	else \
		echo "TEST_DATABASE_URL is not set: skipping the PostgreSQL run"; \
	fi

scheduler: install
	$(FLASK) scheduler

## A worker of the job queue (OUTREACH_QUEUE_URL; as many as the work needs, on any machine).
worker: install
	$(FLASK) worker

bench: install
	$(BIN)/python -m bench

bench-quick: install
	$(BIN)/python -m bench --quick

clean:
	rm -rf $(VENV) instance/outreach.db instance/queue.db*
