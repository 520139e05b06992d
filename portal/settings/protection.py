"""Race day: limits per client and per event, and the runner pages' sizes."""

from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured

from portal.settings.core import env

# Requests per client address, "count/period" (s, m, h); empty turns a limit off.
RATE_LIMITS = {
    "search": env.str("RATELIMIT_SEARCH", default="30/m"),
    "gallery": env.str("RATELIMIT_GALLERY", default="120/m"),
    "preview": env.str("RATELIMIT_PREVIEW", default="1200/m"),
    "download": env.str("RATELIMIT_DOWNLOAD", default="120/m"),
    # Face search is the organiser's most expensive call: a few tries an hour is plenty.
    "selfie": env.str("RATELIMIT_SELFIE", default="10/h"),
    # Not per client: selfie uploads for one event, whoever sends them.
    "selfie-event": env.str("RATELIMIT_SELFIE_PER_EVENT", default="60/m"),
    "subscribe": env.str("RATELIMIT_SUBSCRIBE", default="10/h"),
    # Share buttons pressed (counted for the organiser's figures): past it, not counted.
    "share": env.str("RATELIMIT_SHARE", default="30/h"),
    # Not per client: confirmation emails to one email address, and for one event (which
    # bounds how much mail a flood of sign-ups can make the portal send).
    "subscribe-address": env.str("RATELIMIT_SUBSCRIBE_PER_ADDRESS", default="3/d"),
    "subscribe-event": env.str("RATELIMIT_SUBSCRIBE_PER_EVENT", default="1000/h"),
}
# How many proxies in front of the portal append to X-Forwarded-For (0: trust none).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# django-ratelimit counts per this address (IPv6 per /64, its RATELIMIT_IPV6_MASK default).
RATELIMIT_IP_META_KEY = "photos.ratelimits.client_ip"
# A count the cache lost (evicted mid-request) lets the request through, as an outage does.
RATELIMIT_FAIL_OPEN = True
# Calls to a provider per event per minute, whoever asks: protects the organiser's quota
# from someone trying every BIB. 0 turns it off.
UPSTREAM_CALLS_PER_MINUTE_PER_EVENT = env.int("UPSTREAM_CALLS_PER_MINUTE_PER_EVENT", default=600)
# The most of that budget one client address may spend in a minute, so that one address
# cannot starve everyone else (a tenth: 60 of 600 calls, far more than a family needs).
UPSTREAM_CLIENT_SHARE = env.float("UPSTREAM_CLIENT_SHARE", default=0.1)
if not 0 < UPSTREAM_CLIENT_SHARE <= 1:
    raise ImproperlyConfigured("UPSTREAM_CLIENT_SHARE must be above 0 and at most 1.")

# At most 60: one call must list a page either way (Download Originals gives 60 at most).
GALLERY_PAGE_SIZE = min(env.int("GALLERY_PAGE_SIZE", default=30), 60)
# Most photos one ZIP may hold (a marathon finisher rarely has more than a few dozen).
ZIP_MAX_PHOTOS = env.int("ZIP_MAX_PHOTOS", default=100)
# "stream": the portal streams the original as an attachment; "redirect": it
# redirects the browser to the fresh link.
DOWNLOAD_MODE = env.str("DOWNLOAD_MODE", default="stream")
if DOWNLOAD_MODE not in ("stream", "redirect"):
    raise ImproperlyConfigured('DOWNLOAD_MODE must be "stream" or "redirect".')

# --- Admin sign-in: django-axes --------------------------------------------------
# Failed sign-ins count per client address, taken as the rate limits take it (IPv6 per
# /64; photos/signin.py), and are kept in the database so that every instance sees them
# (Redis may evict). Past the limit, that address cannot sign in, not even with the right
# password, until it has made no attempt for the lock-out time. An address, not an account,
# is locked: nobody can lock an organiser out from elsewhere. docs/deploying.md says how
# to lift a lock-out early.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env.int("ADMIN_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("ADMIN_LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_CLIENT_IP_CALLABLE = "photos.signin.client_network"
AXES_LOCKOUT_CALLABLE = "photos.signin.locked_out"
AXES_RESET_ON_SUCCESS = True  # a few typos before the right password are forgotten
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True  # trying while locked out restarts the wait

# Selfie uploads: refused above this many bytes before being read (the nginx in front has
# its own limit for them, deploy/nginx.conf), and above this many pixels before decoding
# (a small file can unpack into gigabytes: a decompression bomb). Phones take 12-50 MP.
SELFIE_MAX_BYTES = env.int("SELFIE_MAX_BYTES", default=10 * 1024 * 1024)
SELFIE_MAX_PIXELS = env.int("SELFIE_MAX_PIXELS", default=50_000_000)
# Django spills uploads over FILE_UPLOAD_MAX_MEMORY_SIZE to temporary files; the selfie view
# holds its upload in memory instead (photos/web/uploads.py), so this bounds the other
# fields of a post only. Runners post nothing else, and the admin's forms are a few KB.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

# How long a runner form (selfie upload, email subscription) stays valid after its page was
# served; older posts are asked to reload (photos/web/runner_forms.py).
RUNNER_FORM_TOKEN_SECONDS = env.int("RUNNER_FORM_TOKEN_SECONDS", default=2 * 3600)
# Seconds the portal may wait on storage for one original of a download or a ZIP, from
# asking to its last byte; the time a runner takes to receive it does not count. Past it
# the download is cut (the runner's browser says it failed), so that storage dripping a
# file cannot hold a server thread.
ORIGINAL_TIME_LIMIT = env.float("ORIGINAL_TIME_LIMIT", default=60.0)
