"""Settings for the race photos portal.

Every value comes from the environment (or an optional `.env` file beside
manage.py) through django-environ; `.env.example` documents each variable.
With DEBUG off (production), the portal refuses to start without a real
SECRET_KEY and a 9Pic API key.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

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
    "photos",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compresses pages; Django pads its output against BREACH, and runner pages carry no tokens.
    "photos.middleware.TextGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language: from the address, else negotiated and redirected to (photos/middleware.py).
    "photos.middleware.RunnerLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
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
                "photos.context_processors.embedding",
                "photos.context_processors.languages",
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

LANGUAGE_CODE = "en"
# Runner pages speak these; each event picks the one used when a browser asks for none of them.
LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("es", "Español"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
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
        # 9Pic's presigned photo links and organisers' logos live on other https hosts.
        "img-src": ["'self'", "https:"],
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
    # urllib3 logs full request URLs at DEBUG, presigned query strings included.
    "loggers": {"urllib3": {"level": "WARNING"}},
}

# --- 9Pic -------------------------------------------------------------------

# The local 9Pic stand-in (see ninepic_standin/): on for `make run` and tests,
# never mounted unless switched on.
NINEPIC_STANDIN = env.bool("NINEPIC_STANDIN", default=False)
NINEPIC_STANDIN_API_KEY = env("NINEPIC_STANDIN_API_KEY", default="demo-9pic-key")
NINEPIC_STANDIN_LINK_LIFETIME = env.int("NINEPIC_STANDIN_LINK_LIFETIME", default=3600)
NINEPIC_STANDIN_LATENCY_MS = env.int("NINEPIC_STANDIN_LATENCY_MS", default=0)
# Faults the stand-in injects, "name:share,…" (see ninepic_standin/faults.py).
NINEPIC_STANDIN_FAULTS = env.str("NINEPIC_STANDIN_FAULTS", default="")
NINEPIC_STANDIN_HANG_SECONDS = env.float("NINEPIC_STANDIN_HANG_SECONDS", default=30)
NINEPIC_STANDIN_MEDIA_DIR = Path(
    env("NINEPIC_STANDIN_MEDIA_DIR", default=str(BASE_DIR / "var" / "standin"))
)
if NINEPIC_STANDIN:
    INSTALLED_APPS.append("ninepic_standin")

NINEPIC_BASE_URL = env("NINEPIC_BASE_URL", default="https://api.9pic.ai").rstrip("/")
NINEPIC_API_KEY = env("NINEPIC_API_KEY", default=NINEPIC_STANDIN_API_KEY if NINEPIC_STANDIN else "")
if NINEPIC_STANDIN:
    # The stand-in's photo links are plain http on whatever host serves it.
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append("http:")
if not NINEPIC_API_KEY and not DEBUG:
    raise ImproperlyConfigured(
        "NINEPIC_API_KEY is not set. Put your organisation's 9Pic API key in the environment "
        "(or .env); it may only be left out with DEBUG=True or NINEPIC_STANDIN=True."
    )
# Hosts 9Pic's presigned links may point at ("*" matches any subdomain part). The portal
# fetches or redirects to no other.
NINEPIC_STORAGE_HOSTS = env.list(
    "NINEPIC_STORAGE_HOSTS",
    default=["*.r2.cloudflarestorage.com"]
    + (["localhost", "127.0.0.1", "testserver"] if NINEPIC_STANDIN else []),
)
# Real 9Pic storage is https only; the stand-in serves plain http.
NINEPIC_STORAGE_ALLOW_HTTP = env.bool("NINEPIC_STORAGE_ALLOW_HTTP", default=NINEPIC_STANDIN)
NINEPIC_CONNECT_TIMEOUT = env.float("NINEPIC_CONNECT_TIMEOUT", default=3.05)
NINEPIC_READ_TIMEOUT = env.float("NINEPIC_READ_TIMEOUT", default=10.0)
NINEPIC_TIME_BUDGET = env.float("NINEPIC_TIME_BUDGET", default=15.0)
NINEPIC_MAX_RETRIES = env.int("NINEPIC_MAX_RETRIES", default=3)
NINEPIC_BACKOFF = env.float("NINEPIC_BACKOFF", default=0.5)
# 9Pic's presigned URLs live about an hour; a gallery refreshes its links
# this many seconds after it fetched them.
NINEPIC_LINK_LIFETIME = env.int("NINEPIC_LINK_LIFETIME", default=3600)

# How long a gallery page's upstream answer is reused. Its links must outlive the
# cache by a wide margin, as a runner may open the page at the end of that time.
GALLERY_CACHE_SECONDS = env.int("GALLERY_CACHE_SECONDS", default=300)
if GALLERY_CACHE_SECONDS > NINEPIC_LINK_LIFETIME - 600:
    raise ImproperlyConfigured(
        f"GALLERY_CACHE_SECONDS={GALLERY_CACHE_SECONDS} comes within 10 minutes of the "
        f"{NINEPIC_LINK_LIFETIME}s life of 9Pic's links; keep it at most "
        f"{NINEPIC_LINK_LIFETIME - 600}."
    )
# "No photos yet" answers change as photos are processed: reuse them briefly.
EMPTY_GALLERY_CACHE_SECONDS = env.int("EMPTY_GALLERY_CACHE_SECONDS", default=30)

# Previews: made once from each original, kept on disk up to this size (oldest go first).
PREVIEW_DIR = Path(env("PREVIEW_DIR", default=str(BASE_DIR / "var" / "previews")))
PREVIEW_CACHE_MB = env.int("PREVIEW_CACHE_MB", default=500)

# --- RunSignUp stand-in ---

# The local RunSignUp stand-in (see runsignup_standin/): on for `make run` and tests,
# never mounted unless switched on.
RUNSIGNUP_STANDIN = env.bool("RUNSIGNUP_STANDIN", default=False)
RUNSIGNUP_STANDIN_API_KEY = env("RUNSIGNUP_STANDIN_API_KEY", default="demo-rsu-key")
RUNSIGNUP_STANDIN_API_SECRET = env("RUNSIGNUP_STANDIN_API_SECRET", default="demo-rsu-secret")
RUNSIGNUP_STANDIN_MEDIA_DIR = Path(
    env("RUNSIGNUP_STANDIN_MEDIA_DIR", default=str(BASE_DIR / "var" / "runsignup-standin"))
)
# Race day as it unfolds, read per request so that tests can steer a live server: photos
# uploaded after NOW (a unix timestamp) are not listed yet, removed ones no longer are, and
# after THROTTLE_AFTER listing calls the next THROTTLE_CALLS get a 429.
RUNSIGNUP_STANDIN_NOW = env.int("RUNSIGNUP_STANDIN_NOW", default=None)
RUNSIGNUP_STANDIN_REMOVED_PHOTO_IDS = env.list(
    "RUNSIGNUP_STANDIN_REMOVED_PHOTO_IDS", cast=int, default=[]
)
RUNSIGNUP_STANDIN_THROTTLE_AFTER = env.int("RUNSIGNUP_STANDIN_THROTTLE_AFTER", default=None)
RUNSIGNUP_STANDIN_THROTTLE_CALLS = env.int("RUNSIGNUP_STANDIN_THROTTLE_CALLS", default=1)
if RUNSIGNUP_STANDIN:
    INSTALLED_APPS.append("runsignup_standin")
    # The stand-in's image URLs are plain http on whatever host serves it.
    if "http:" not in CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"]:
        CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append("http:")

# --- Protection on race day -------------------------------------------------

# Requests per client address, "count/period" (s, m, h); empty turns a limit off.
RATE_LIMITS = {
    "search": env.str("RATELIMIT_SEARCH", default="30/m"),
    "gallery": env.str("RATELIMIT_GALLERY", default="120/m"),
    "preview": env.str("RATELIMIT_PREVIEW", default="1200/m"),
    "download": env.str("RATELIMIT_DOWNLOAD", default="120/m"),
}
# How many proxies in front of the portal append to X-Forwarded-For (0: trust none).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Calls to 9Pic per event per minute, whoever asks: protects the organiser's quota
# from someone trying every BIB. 0 turns it off.
UPSTREAM_CALLS_PER_MINUTE_PER_EVENT = env.int("UPSTREAM_CALLS_PER_MINUTE_PER_EVENT", default=600)

# --- Runner pages ------------------------------------------------------------

GALLERY_PAGE_SIZE = min(env.int("GALLERY_PAGE_SIZE", default=30), 60)
# Most photos one ZIP may hold (a marathon finisher rarely has more than a few dozen).
ZIP_MAX_PHOTOS = env.int("ZIP_MAX_PHOTOS", default=100)
# "stream": the portal streams the original as an attachment; "redirect": it
# redirects the browser to the fresh presigned URL.
DOWNLOAD_MODE = env.str("DOWNLOAD_MODE", default="stream")
if DOWNLOAD_MODE not in ("stream", "redirect"):
    raise ImproperlyConfigured('DOWNLOAD_MODE must be "stream" or "redirect".')

# --- RunSignUp ----------------------------------------------------------------

# Events whose photos are on RunSignUp read them from the portal's index, filled by
# `manage.py sync_runsignup_photos`; runners' searches never call RunSignUp.
RUNSIGNUP_BASE_URL = env("RUNSIGNUP_BASE_URL", default="https://runsignup.com").rstrip("/")
# Only in the environment: never in the database, never in a page or a log line.
RUNSIGNUP_API_KEY = env(
    "RUNSIGNUP_API_KEY", default=RUNSIGNUP_STANDIN_API_KEY if RUNSIGNUP_STANDIN else ""
)
RUNSIGNUP_API_SECRET = env(
    "RUNSIGNUP_API_SECRET", default=RUNSIGNUP_STANDIN_API_SECRET if RUNSIGNUP_STANDIN else ""
)
# Photos asked for per page of the listing (RunSignUp's default is 100).
RUNSIGNUP_PAGE_SIZE = env.int("RUNSIGNUP_PAGE_SIZE", default=100)
# A sync asks for photos uploaded since its last one minus this overlap, so that an
# upload RunSignUp listed late is not missed.
RUNSIGNUP_SYNC_OVERLAP_SECONDS = env.int("RUNSIGNUP_SYNC_OVERLAP_SECONDS", default=600)
RUNSIGNUP_CONNECT_TIMEOUT = env.float("RUNSIGNUP_CONNECT_TIMEOUT", default=3.05)
RUNSIGNUP_READ_TIMEOUT = env.float("RUNSIGNUP_READ_TIMEOUT", default=30.0)
# Seconds one page of the listing may take, throttling and retries included: a sync has
# no runner waiting, so it waits out RunSignUp's throttling rather than give up.
RUNSIGNUP_TIME_BUDGET = env.float("RUNSIGNUP_TIME_BUDGET", default=120.0)
RUNSIGNUP_MAX_RETRIES = env.int("RUNSIGNUP_MAX_RETRIES", default=5)
RUNSIGNUP_BACKOFF = env.float("RUNSIGNUP_BACKOFF", default=2.0)
# Hosts RunSignUp's photo links may point at; the portal fetches or redirects to no other.
RUNSIGNUP_STORAGE_HOSTS = env.list(
    "RUNSIGNUP_STORAGE_HOSTS",
    default=["*.s3.amazonaws.com"]
    + (["localhost", "127.0.0.1", "testserver"] if RUNSIGNUP_STANDIN else []),
)
# RunSignUp's storage is https only; the stand-in serves plain http.
RUNSIGNUP_STORAGE_ALLOW_HTTP = env.bool("RUNSIGNUP_STORAGE_ALLOW_HTTP", default=RUNSIGNUP_STANDIN)
