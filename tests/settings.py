"""Test settings: production-like (DEBUG off) with the 9Pic and RunSignUp stand-ins mounted."""

import os
from urllib.parse import urlsplit

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("DEBUG", "False")
os.environ.setdefault("NINEPIC_STANDIN", "True")
os.environ.setdefault("RUNSIGNUP_STANDIN", "True")
# A distinctive key, so the leak check in tests/conftest.py cannot miss it.
os.environ.setdefault("NINEPIC_STANDIN_API_KEY", "test-9pic-key-2f1c9a7e-must-never-leak")
os.environ.setdefault("NINEPIC_STANDIN_OTHER_API_KEY", "test-9pic-key-904-5d2b7c1f-must-never-leak")
# Fernet keys for organisations' stored API keys (generated for the tests, never used elsewhere).
os.environ.setdefault("CREDENTIALS_ENCRYPTION_KEYS", "yX8J6vC2bRr0m4c8fVQm3oVZQ0m0D2Z9C1q3yH8l5aE=")
os.environ.setdefault("NINEPIC_BASE_URL", "http://testserver/_standin/9pic")
os.environ.setdefault("RUNSIGNUP_STANDIN_API_KEY", "test-rsu-key-8b3e51d0-must-never-leak")
os.environ.setdefault("RUNSIGNUP_STANDIN_API_SECRET", "test-rsu-secret-c47a9f22-must-never-leak")
os.environ.setdefault("RUNSIGNUP_BASE_URL", "http://testserver/_standin/runsignup")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SECURE_SSL_REDIRECT", "False")  # the test servers speak plain http
# Email on. Tests read what is sent from Django's test outbox, or from a real SMTP server
# on loopback (tests/mailserver.py; `make test-services` passes its own in EMAIL_URL).
os.environ.setdefault("EMAIL_URL", "smtp://127.0.0.1:25")
os.environ.setdefault("PORTAL_URL", "http://testserver")
# The stand-in's hosts, and the storage host that tests faking 9Pic with `responses` use.
os.environ.setdefault("NINEPIC_STORAGE_HOSTS", "localhost,127.0.0.1,testserver,storage.test")
# `make test-services` runs the suite in parallel on one Redis, and cache.clear() empties a whole
# Redis database: each pytest-xdist worker gets its own (1 and up of Redis's 16; 0 stays for
# serial runs), for the portal's cache and for tests that read CACHE_URL themselves.
# pytest-django already gives each worker its own PostgreSQL database.
xdist_worker = os.environ.get("PYTEST_XDIST_WORKER")  # "gw0", "gw1", … under pytest -n
if xdist_worker and os.environ.get("CACHE_URL", "").startswith("redis"):
    own_database = f"/{1 + int(xdist_worker.removeprefix('gw'))}"
    os.environ["CACHE_URL"] = urlsplit(os.environ["CACHE_URL"])._replace(path=own_database).geturl()

from portal.settings import *  # noqa: E402,F403

STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405

MIDDLEWARE = ["tests.leakcheck.CaptureResponsesMiddleware", *MIDDLEWARE]  # noqa: F405
# Serve static files from the source folders: tests do not run collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Live-server threads must not hold connections past a test: the test database is dropped.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405

# Signing in is part of some tests: a fast hash keeps them quick (production uses Django's).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
