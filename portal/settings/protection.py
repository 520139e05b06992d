"""Race day: limits per client and per event, and the runner pages' sizes."""

from django.core.exceptions import ImproperlyConfigured

from portal.settings.core import env

# Requests per client address, "count/period" (s, m, h); empty turns a limit off.
RATE_LIMITS = {
    "search": env.str("RATELIMIT_SEARCH", default="30/m"),
    "gallery": env.str("RATELIMIT_GALLERY", default="120/m"),
    "preview": env.str("RATELIMIT_PREVIEW", default="1200/m"),
    "download": env.str("RATELIMIT_DOWNLOAD", default="120/m"),
}
# How many proxies in front of the portal append to X-Forwarded-For (0: trust none).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# django-ratelimit counts per this address (IPv6 per /64, its RATELIMIT_IPV6_MASK default).
RATELIMIT_IP_META_KEY = "photos.ratelimits.client_ip"
# Calls to a provider per event per minute, whoever asks: protects the organiser's quota
# from someone trying every BIB. 0 turns it off.
UPSTREAM_CALLS_PER_MINUTE_PER_EVENT = env.int("UPSTREAM_CALLS_PER_MINUTE_PER_EVENT", default=600)

GALLERY_PAGE_SIZE = min(env.int("GALLERY_PAGE_SIZE", default=30), 60)
# Most photos one ZIP may hold (a marathon finisher rarely has more than a few dozen).
ZIP_MAX_PHOTOS = env.int("ZIP_MAX_PHOTOS", default=100)
# "stream": the portal streams the original as an attachment; "redirect": it
# redirects the browser to the fresh link.
DOWNLOAD_MODE = env.str("DOWNLOAD_MODE", default="stream")
if DOWNLOAD_MODE not in ("stream", "redirect"):
    raise ImproperlyConfigured('DOWNLOAD_MODE must be "stream" or "redirect".')
# Seconds the portal may wait on storage for one original of a download or a ZIP, from
# asking to its last byte; the time a runner takes to receive it does not count. Past it
# the download is cut (the runner's browser says it failed), so that storage dripping a
# file cannot hold a server thread.
ORIGINAL_TIME_LIMIT = env.float("ORIGINAL_TIME_LIMIT", default=60.0)
