# Two commands: `make run` (install, prepare the database, load content and demo, serve with
# gunicorn on 127.0.0.1:5000) and `make test` (install, lint, run the whole suite on SQLite and
# PostgreSQL). `make serve` serves with gunicorn as in production; `make screenshots` refreshes
# the README's pictures from the browser tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app run.py
# pytest workers (pytest-xdist): one per CPU, at most 4; `make test WORKERS=0` runs in one process
WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 1); [ $$n -gt 4 ] && n=4; echo $$n)
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)

.PHONY: run test install translations i18n-update chromium db content content-check demo lint test-sqlite test-postgres serve screenshots bench clean

run: install
	@BIN=$(BIN) scripts/run.sh

test: install translations lint chromium test-sqlite test-postgres

install: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	@echo "Installing the dependencies into $(VENV)…"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@rm -f $(VENV)/.installed-*
	@touch $@

translations: install
	$(BIN)/pybabel compile --statistics -d app/translations 2>&1 | tail -n 1

# After adding or changing interface strings: refresh the catalogue, then translate the new
# entries in app/translations/vi/LC_MESSAGES/messages.po (a test fails while any is missing).
i18n-update: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		--ignore-dirs ".* __pycache__" --project boiduong -o app/translations/messages.pot .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations \
		--no-fuzzy-matching --ignore-obsolete

db: install
	$(FLASK) db upgrade

content: install
	$(FLASK) org sync-positions
	$(FLASK) content load

# The release gate for courses/ and quizzes/: errors and warnings (outdated citations, GIFT lines
# Moodle reads differently from how they look) both fail; `content load` itself only refuses errors.
content-check: install
	$(FLASK) content check --strict

demo: install
	$(FLASK) demo seed

# gunicorn with WEB_CONCURRENCY workers (default 2 x CPUs + 1) on HOST:PORT (127.0.0.1:8000);
# the database is prepared first (`make db content`); set APP_ENV, SECRET_KEY, DATABASE_URL.
HOST ?= 127.0.0.1
PORT ?= 8000
serve: install translations
	@workers=$${WEB_CONCURRENCY:-$$(( 2 * $$(nproc 2>/dev/null || echo 1) + 1 ))}; \
	echo "Serving on http://$(HOST):$(PORT) with gunicorn ($$workers workers). Ctrl+C stops it."; \
	exec $(BIN)/gunicorn --bind $(HOST):$(PORT) --workers $$workers --graceful-timeout 10 run:app

# Browser tests drive Debian's Chromium through Playwright (its own browser download does not
# work here). Installed when missing and possible; otherwise those tests are skipped, loudly.
chromium:
	@if ! command -v chromium >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "Installing Debian's chromium for the browser tests..."; \
			(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null 2>&1 \
				|| echo "WARNING: could not install chromium: browser tests will be skipped"; \
		else \
			echo "WARNING: chromium is not installed (sudo apt-get install chromium): browser tests will be skipped"; \
		fi; \
	fi

# The README's pictures (docs/screenshots/*.png), taken by the accessibility browser tests as
# they go through the pages: run it after changing how a page looks, and commit the pictures.
screenshots: install translations chromium
	SCREENSHOTS=docs/screenshots NOSHOT=1 $(BIN)/pytest -q -p no:xdist -p no:cacheprovider \
		tests/browser/test_accessibility.py
	@ls -l docs/screenshots

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

test-sqlite: install translations
	$(BIN)/pytest -q -n $(WORKERS)

test-postgres: install translations
	PYTEST=$(BIN)/pytest scripts/test-postgres.sh -q -p no:cacheprovider -n $(WORKERS)

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
