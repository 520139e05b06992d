"""Django itself: apps, middleware, database, cache, languages, static files, headers, logs.

With DEBUG off (production), the portal refuses to start without a real SECRET_KEY.
"""

from pathlib import Path

import django_stubs_ext
import environ
from django.core.exceptions import ImproperlyConfigured

# Django's generic classes subscriptable at run time, as in the type stubs (ModelAdmin[Event]).
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# Variables already in the environment win over the file.
environ.Env.read_env(env.str("ENV_FILE", default=str(BASE_DIR / ".env")))

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment (or .env) to a long random "
            "string; it may only be left out with DEBUG=True."
        )
    SECRET_KEY = "insecure-development-only-key"  # noqa: S105 - DEBUG only

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # Locks an address out of the admin after failed sign-ins (settings in protection.py).
    "axes",
    "photos",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compresses pages; Django pads its output against BREACH, and runner pages carry no
    # secret (their form tokens are anyone's who loads the page: photos/web/runner_forms.py).
    "photos.web.middleware.TextGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language: from the address, else negotiated and redirected to (photos/web/middleware.py).
    "photos.web.middleware.RunnerLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into photos.signin's page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Organisers' passwords (createsuperuser, the admin's password forms): Django's usual rules.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "photos.web.context_processors.embedding",
                "photos.web.context_processors.languages",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# Reuse connections across requests (PostgreSQL's are costly to open), checked before reuse
# so that a database restart or failover costs no request an error.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Local memory per process by default; point CACHE_URL at Redis (redis://host:6379/0) to
# share gallery answers, locks and previews' bookkeeping across workers and machines.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://portal")}
# Redis answers a healthy LAN in a millisecond: one that takes longer than this is down, and
# pages carry on without it (photos/sharedcache.py) rather than wait redis-py's 5 s.
CACHE_SOCKET_CONNECT_TIMEOUT = env.float("CACHE_SOCKET_CONNECT_TIMEOUT", default=0.5)
CACHE_SOCKET_TIMEOUT = env.float("CACHE_SOCKET_TIMEOUT", default=0.5)
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    _redis_options = CACHES["default"].setdefault("OPTIONS", {})
    _redis_options.setdefault("socket_connect_timeout", CACHE_SOCKET_CONNECT_TIMEOUT)
    _redis_options.setdefault("socket_timeout", CACHE_SOCKET_TIMEOUT)

LANGUAGE_CODE = "en"
# Runner pages speak these; each event picks the one used when a browser asks for none of them.
LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("es", "Español"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates in each language's form (templates use "DATE_FORMAT"): Django's, but for English.
FORMAT_MODULE_PATH = ["portal.formats"]
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Pictures organisers upload (event logos, hero pictures), in Django's default storage:
# local files under MEDIA_ROOT; on several machines a shared directory or an object-storage
# backend. Logos are served from MEDIA_URL by the portal only with DEBUG: production keeps
# them in a bucket or serves the folder from the proxy (docs/deploying.md).
MEDIA_URL = env("MEDIA_URL", default="/media/")
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# No inline scripts or styles anywhere. Only embed pages may be framed, and only by
# their event's listed origins (photos/embedding.py replaces frame-ancestors there).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        # And the providers' previews (portal/settings/providers.py), an event's logo on its
        # pages (photos/web/rendering.py).
        "img-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

SECURE_CONTENT_TYPE_NOSNIFF = True
# Gallery addresses carry a runner's BIB: other sites never see them as a referrer.
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# HTTPS in production. Behind a proxy that terminates TLS, set SECURE_PROXY_SSL_HEADER
# to the header it sets, e.g. "HTTP_X_FORWARDED_PROTO,https".
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
# Only the portal's own host and its subdomains are covered; the preload list takes
# registrable domains only, so on a host like photos.myrace.org "preload" commits nothing.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
_proxy_ssl_header = env.tuple("SECURE_PROXY_SSL_HEADER", default=())
SECURE_PROXY_SSL_HEADER = _proxy_ssl_header if len(_proxy_ssl_header) == 2 else None
# /healthz answers load balancers over plain http inside the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # urllib3 logs full request URLs at DEBUG, presigned query strings included.
        "urllib3": {"level": "WARNING"},
        # Pillow logs the EXIF it reads at DEBUG: a selfie's GPS position among it.
        "PIL": {"level": "INFO"},
    },
}

# --- The demo switches ---------------------------------------------------------

# The local stand-ins of 9Pic and RunSignUp (the `standins` package, settings in
# portal/settings/demo.py): on for `make run` and tests, never loaded unless switched on.
NINEPIC_STANDIN = env.bool("NINEPIC_STANDIN", default=False)
RUNSIGNUP_STANDIN = env.bool("RUNSIGNUP_STANDIN", default=False)
