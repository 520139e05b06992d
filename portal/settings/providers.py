"""Where photos come from: 9Pic (asked live) and RunSignUp (copied into the portal's index).

The default organisation's keys and secrets live only in the environment; other
organisations' keys are entered in the admin and kept encrypted with
CREDENTIALS_ENCRYPTION_KEYS (photos/credentials.py). Never in a page or a log.
"""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from portal.settings.core import BASE_DIR, CONTENT_SECURITY_POLICY, env

# Fernet keys (comma-separated) that encrypt organisations' API keys in the database: the
# first encrypts, all decrypt, so a new one goes first to rotate (docs/organisers.md).
CREDENTIALS_ENCRYPTION_KEYS = env.list("CREDENTIALS_ENCRYPTION_KEYS", default=[])

# --- 9Pic -------------------------------------------------------------------

NINEPIC_BASE_URL = env("NINEPIC_BASE_URL", default="https://api.9pic.ai").rstrip("/")
NINEPIC_API_KEY = env("NINEPIC_API_KEY", default="")
# Hosts 9Pic's presigned links may point at ("*" matches any subdomain part). The portal
# fetches or redirects to no other.
NINEPIC_STORAGE_HOSTS = env.list("NINEPIC_STORAGE_HOSTS", default=["*.r2.cloudflarestorage.com"])
# Real 9Pic storage is https only.
NINEPIC_STORAGE_ALLOW_HTTP = env.bool("NINEPIC_STORAGE_ALLOW_HTTP", default=False)
NINEPIC_CONNECT_TIMEOUT = env.float("NINEPIC_CONNECT_TIMEOUT", default=3.05)
NINEPIC_READ_TIMEOUT = env.float("NINEPIC_READ_TIMEOUT", default=10.0)
NINEPIC_TIME_BUDGET = env.float("NINEPIC_TIME_BUDGET", default=15.0)
NINEPIC_MAX_RETRIES = env.int("NINEPIC_MAX_RETRIES", default=3)
NINEPIC_BACKOFF = env.float("NINEPIC_BACKOFF", default=0.5)
# 9Pic's docs leave open how Face Search takes a selfie: the multipart field of the picture,
# and whether `request_id` goes in the form ("form") or the query string ("query"). A wrong
# field gets a 422 naming the expected one, so a connection check can say what to set.
NINEPIC_SELFIE_FIELD = env.str("NINEPIC_SELFIE_FIELD", default="file")
NINEPIC_SELFIE_REQUEST_ID_IN = env.str("NINEPIC_SELFIE_REQUEST_ID_IN", default="form")
if NINEPIC_SELFIE_REQUEST_ID_IN not in ("form", "query"):
    raise ImproperlyConfigured('NINEPIC_SELFIE_REQUEST_ID_IN must be "form" or "query".')
# Query names of Photo Timeline's window [from, to) in Unix seconds: inferred, not seen.
NINEPIC_TIMELINE_FROM_PARAM = env.str("NINEPIC_TIMELINE_FROM_PARAM", default="from")
NINEPIC_TIMELINE_TO_PARAM = env.str("NINEPIC_TIMELINE_TO_PARAM", default="to")
# Hosts of 9Pic's previews (the `thumbnail_url` and `img_url` of its search endpoints' photos,
# "*" matches any subdomain part): pages show previews from no other.
NINEPIC_PREVIEW_HOSTS = env.list("NINEPIC_PREVIEW_HOSTS", default=["photos.9pic.ai"])
# Real 9Pic previews are https only.
NINEPIC_PREVIEW_ALLOW_HTTP = env.bool("NINEPIC_PREVIEW_ALLOW_HTTP", default=False)
# Where galleries list their photos: "search" (9Pic's BIB Search and Face Search, with 9Pic's
# previews; Download Originals where an event's cannot serve) or "originals" (always
# Download Originals, with previews the portal makes from the originals).
NINEPIC_GALLERY_LISTING = env.str("NINEPIC_GALLERY_LISTING", default="search")
if NINEPIC_GALLERY_LISTING not in ("search", "originals"):
    raise ImproperlyConfigured('NINEPIC_GALLERY_LISTING must be "search" or "originals".')
# How long an event's search whose listing could not serve (switched off, missing, no
# previews) keeps to Download Originals before the search listing is tried again.
NINEPIC_LISTING_FALLBACK_SECONDS = env.int("NINEPIC_LISTING_FALLBACK_SECONDS", default=900)
# How long 9Pic's Event Details (which searches it has switched on) is reused.
NINEPIC_EVENT_DETAILS_CACHE_SECONDS = env.int("NINEPIC_EVENT_DETAILS_CACHE_SECONDS", default=600)
# 9Pic's presigned URLs live about an hour: nothing that holds one may be kept longer
# than this minus a safety margin (see GALLERY_CACHE_SECONDS).
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
# A photo ID 9Pic does not know (mistyped, or made up to spend the event's budget) is
# answered "not found" without asking again for this long.
UNKNOWN_PHOTO_CACHE_SECONDS = env.int("UNKNOWN_PHOTO_CACHE_SECONDS", default=60)

# Previews: made once from each original, kept on disk up to this size (oldest go first).
PREVIEW_DIR = Path(env("PREVIEW_DIR", default=str(BASE_DIR / "var" / "previews")))
PREVIEW_CACHE_MB = env.int("PREVIEW_CACHE_MB", default=500)

# Making a preview reads its original whole, then decodes it: at most this many megabytes
# (a 24-megapixel camera's JPEG is about 12), and at most this many at once per process.
PREVIEW_MAX_ORIGINAL_MB = env.int("PREVIEW_MAX_ORIGINAL_MB", default=40)
PREVIEW_RENDERS = env.int("PREVIEW_RENDERS", default=2)

# --- RunSignUp ----------------------------------------------------------------

# Events whose photos are on RunSignUp read them from the portal's index, filled by
# `manage.py sync_runsignup_photos`; runners' searches never call RunSignUp.
RUNSIGNUP_BASE_URL = env("RUNSIGNUP_BASE_URL", default="https://runsignup.com").rstrip("/")
RUNSIGNUP_API_KEY = env("RUNSIGNUP_API_KEY", default="")
RUNSIGNUP_API_SECRET = env("RUNSIGNUP_API_SECRET", default="")
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
RUNSIGNUP_STORAGE_HOSTS = env.list("RUNSIGNUP_STORAGE_HOSTS", default=["*.s3.amazonaws.com"])
# RunSignUp's storage is https only.
RUNSIGNUP_STORAGE_ALLOW_HTTP = env.bool("RUNSIGNUP_STORAGE_ALLOW_HTTP", default=False)

# --- What pages show ------------------------------------------------------------------


def _image_sources(patterns: list[str], allow_http: bool) -> list[str]:
    """CSP sources for hosts named as the storage and preview settings name them ("*" a
    label; any port, as the clients take them); any host if one cannot be written in CSP
    (a wildcard other than a first "*.")."""
    schemes = ["https", "http"] if allow_http else ["https"]
    if any(set(p.removeprefix("*.")) & set("*?[]") for p in patterns):
        return [f"{scheme}:" for scheme in schemes]
    return [f"{scheme}://{pattern}:*" for pattern in patterns for scheme in schemes]


# Runner pages show the portal's own images, 9Pic's previews and RunSignUp's: no other
# (an event's logo is added to its own pages: photos/web/rendering.py).
CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"] = [
    "'self'",
    *_image_sources(NINEPIC_PREVIEW_HOSTS, NINEPIC_PREVIEW_ALLOW_HTTP),
    *_image_sources(RUNSIGNUP_STORAGE_HOSTS, RUNSIGNUP_STORAGE_ALLOW_HTTP),
]
