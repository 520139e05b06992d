# `make run` serves the demo; `make test` runs everything CI runs. Both install what they need.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# uv installs the locks: one file for every platform (--universal), hashes checked, in seconds.
UV := $(VENV)/bin/uv
UV_VERSION := 0.13.9
HOST ?= 127.0.0.1
PORT ?= 8000
# pytest workers for `make test` and `make test-services`; 0 runs the suite serially.
TEST_WORKERS ?= 2

.PHONY: run test test-services services lint typecheck lock chromium wrk gettext messages bench lighthouse screenshots loadtest loadtest-cluster clean

$(PY):
	$(PYTHON) -m venv $(VENV)

# Named after its version, so that changing UV_VERSION installs that one.
$(VENV)/.uv-$(UV_VERSION): | $(PY)
	$(VENV)/bin/pip install --quiet uv==$(UV_VERSION)
	touch $@

# The venv holds exactly one lock's packages: requirements.txt for the portal (what production
# installs), or requirements-test.txt for it and the test tools at the same versions. Syncing
# the first removes the test tools, so their stamp goes too.
SYNC = $(UV) pip sync --quiet --require-hashes --python $(PY)

$(VENV)/.installed-run: requirements.txt | $(VENV)/.uv-$(UV_VERSION)
	$(SYNC) requirements.txt
	rm -f $(VENV)/.installed-test
	touch $@

$(VENV)/.installed-test: requirements-test.txt | $(VENV)/.uv-$(UV_VERSION)
	$(SYNC) requirements-test.txt
	touch $@ $(VENV)/.installed-run

# After changing dependencies in pyproject.toml: both locks anew, keeping every pin that still
# fits; `make lock LOCK_FLAGS=--upgrade` moves all to the newest releases pyproject.toml allows.
LOCK = $(UV) pip compile --quiet --universal --generate-hashes \
	--custom-compile-command "make lock" $(LOCK_FLAGS) pyproject.toml
lock: | $(VENV)/.uv-$(UV_VERSION)
	$(LOCK) -o requirements.txt
	$(LOCK) --extra test --constraints requirements.txt -o requirements-test.txt

ANSWERS = $(PY) -c "import socket; socket.create_connection(('$(HOST)', $(PORT)), 1)" 2>/dev/null

# The demo: the portal and local stand-ins of 9Pic and RunSignUp in one process, no API keys.
run: export DEBUG ?= True
run: export NINEPIC_STANDIN ?= True
run: export RUNSIGNUP_STANDIN ?= True
run: export NINEPIC_BASE_URL ?= http://$(HOST):$(PORT)/_standin/9pic
run: export RUNSIGNUP_BASE_URL ?= http://$(HOST):$(PORT)/_standin/runsignup
# Emails to runners are printed here instead of sent; their links point at this server.
run: export EMAIL_URL ?= consolemail://
run: export PORTAL_URL ?= http://$(HOST):$(PORT)
run: $(VENV)/.installed-run
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@# The RunSignUp stand-in is served by this runserver: sync the demo event's index
	@# once it answers, then say where everything is (after the server's banner) and keep
	@# serving. Ctrl-C stops both (one process group).
	@if $(ANSWERS); then echo "$(HOST):$(PORT) is in use: try make run PORT=8001"; exit 1; fi
	$(PY) manage.py runserver $(HOST):$(PORT) & server=$$!; \
	until $(ANSWERS); do kill -0 $$server 2>/dev/null || exit 1; sleep 0.3; done; \
	$(PY) manage.py sync_runsignup_photos demo-trail-run; \
	$(PY) manage.py demo_welcome; \
	wait $$server

APT_INSTALL = SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
	$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq

# Debian packages: Chromium for browser tests (Playwright cannot download browsers
# here), wrk for the benchmark's load.
chromium wrk:
	@command -v $@ >/dev/null 2>&1 || { $(APT_INSTALL) $@; }

# GNU gettext: msgfmt and xgettext, for `make messages` and the translation tests.
gettext:
	@command -v msgfmt >/dev/null 2>&1 || { $(APT_INSTALL) gettext; }

# Redis, PostgreSQL and nginx for the scale-out tests (started on loopback by the tests).
services:
	@command -v redis-server >/dev/null 2>&1 && command -v nginx >/dev/null 2>&1 \
		&& ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
		|| { $(APT_INSTALL) redis-server postgresql nginx; }

lint: $(VENV)/.installed-test typecheck
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_SETTINGS_MODULE=tests.settings $(PY) manage.py makemigrations --check --dry-run

# mypy with django-stubs on the product code (photos/, portal/), as pyproject.toml sets it.
typecheck: $(VENV)/.installed-test
	$(VENV)/bin/mypy

test: lint chromium wrk gettext
	$(VENV)/bin/pytest --numprocesses $(TEST_WORKERS)
	@if $(MAKE) --no-print-directory services; then \
		$(MAKE) --no-print-directory test-services; \
	else echo "Redis, PostgreSQL or nginx cannot be installed here: skipping test-services."; fi

# The integration suite and a two-instance cluster test on real Redis and PostgreSQL.
test-services: $(VENV)/.installed-test services chromium
	$(PY) bench/services.py test --numprocesses $(TEST_WORKERS)

# Lighthouse from npm, at the version bench/lighthouse/package-lock.json pins (Node 18.16+).
# Defined before the targets that need it: make reads a prerequisite list as it comes.
LIGHTHOUSE := bench/lighthouse/node_modules/.bin/lighthouse
$(LIGHTHOUSE): bench/lighthouse/package-lock.json
	cd bench/lighthouse && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Twenty minutes or so: prints the table docs/performance.md shows and writes
# bench-results/latest.json (wrk makes the load, Chromium measures the cold gallery).
bench: $(VENV)/.installed-test wrk chromium $(LIGHTHOUSE)
	$(PY) bench/run.py
	$(PY) bench/lighthouse.py

# Lighthouse's scores for the search page, a gallery and a photo page, phone and desktop
# (two minutes or so; also the last part of `make bench`). Fails below 95.
lighthouse: $(VENV)/.installed-test chromium $(LIGHTHOUSE)
	$(PY) bench/lighthouse.py

# The README's screenshots (docs/screenshots/*.png): search page, gallery and photo page on
# a phone and a desktop.
screenshots: $(VENV)/.installed-test chromium
	$(PY) bench/screenshots.py

# Three minutes of race day against a faulty upstream: prints figures, fails on any 500.
loadtest: $(VENV)/.installed-test wrk
	$(PY) bench/loadtest.py

# The same through nginx with two instances on Redis and PostgreSQL.
loadtest-cluster: $(VENV)/.installed-test wrk services
	$(PY) bench/services.py loadtest

# After changing runner-facing texts: add new ones to locale/*/LC_MESSAGES/*.po, translate
# them there, then run it again to compile the .mo files (committed: deploys need no gettext).
MAKEMESSAGES := $(PY) manage.py makemessages --all --no-obsolete --add-location=file --ignore=staticfiles --ignore=var --ignore=tests --ignore=bench
messages: export DEBUG ?= True
messages: $(VENV)/.installed-run gettext
	$(MAKEMESSAGES)
	$(MAKEMESSAGES) --domain=djangojs
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache .mypy_cache
