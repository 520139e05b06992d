"""The local stand-ins of 9Pic and RunSignUp (the `standins` package), for `make run` and tests.

Loaded by portal/settings/__init__.py only when NINEPIC_STANDIN or RUNSIGNUP_STANDIN is
on. The portal then talks to them with their own keys, and their photo links (plain http
on loopback) become fetchable unless the storage settings are given explicitly.
"""

import os
import re
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from portal.settings import providers
from portal.settings.core import (
    BASE_DIR,
    CONTENT_SECURITY_POLICY,
    INSTALLED_APPS,
    NINEPIC_STANDIN,
    RUNSIGNUP_STANDIN,
    env,
)

INSTALLED_APPS = [*INSTALLED_APPS, "standins"]
# The stand-ins' photo links are plain http on whatever host serves them.
CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append("http:")
LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "testserver"]


def _long_and_short_sides(name: str, size: str) -> tuple[int, int]:
    """A size "WIDTHxHEIGHT", each side 1 to 12000 pixels, as (long side, short side)."""
    match = re.fullmatch(r"([1-9][0-9]{0,4})x([1-9][0-9]{0,4})", size)
    if not match or max(int(match[1]), int(match[2])) > 12000:
        raise ImproperlyConfigured(
            f'{name} must look like "6000x4000" (at most 12000), not {size!r}.'
        )
    width, height = int(match[1]), int(match[2])
    return max(width, height), min(width, height)


# --- 9Pic stand-in, mounted at /_standin/9pic/ ----------------------------------

# Organisation 903's key (events 456-460) and organisation 904's (event 789).
NINEPIC_STANDIN_API_KEY = env("NINEPIC_STANDIN_API_KEY", default="demo-9pic-key")
NINEPIC_STANDIN_OTHER_API_KEY = env("NINEPIC_STANDIN_OTHER_API_KEY", default="demo-9pic-key-904")
NINEPIC_STANDIN_LINK_LIFETIME = env.int("NINEPIC_STANDIN_LINK_LIFETIME", default=3600)
# 0: preview links never expire; else they carry a signature valid this many seconds.
NINEPIC_STANDIN_PREVIEW_LINK_LIFETIME = env.int("NINEPIC_STANDIN_PREVIEW_LINK_LIFETIME", default=0)
NINEPIC_STANDIN_LATENCY_MS = env.int("NINEPIC_STANDIN_LATENCY_MS", default=0)
# Faults the stand-in injects into API answers and into storage's, "name:share,…" (see
# standins/ninepic/faults.py and standins/faults.py).
NINEPIC_STANDIN_FAULTS = env.str("NINEPIC_STANDIN_FAULTS", default="")
NINEPIC_STANDIN_STORAGE_FAULTS = env.str("NINEPIC_STANDIN_STORAGE_FAULTS", default="")
NINEPIC_STANDIN_HANG_SECONDS = env.float("NINEPIC_STANDIN_HANG_SECONDS", default=30)
NINEPIC_STANDIN_MEDIA_DIR = Path(
    env("NINEPIC_STANDIN_MEDIA_DIR", default=str(BASE_DIR / "var" / "standin"))
)
# Originals' size; with CAMERA_ORIGINALS they carry a sensor's noise at JPEG quality 95
# (6000x4000: about 12 MB each, as a 24-megapixel camera's).
NINEPIC_STANDIN_ORIGINAL_SIZE = _long_and_short_sides(
    "NINEPIC_STANDIN_ORIGINAL_SIZE", env.str("NINEPIC_STANDIN_ORIGINAL_SIZE", default="3000x2000")
)
NINEPIC_STANDIN_CAMERA_ORIGINALS = env.bool("NINEPIC_STANDIN_CAMERA_ORIGINALS", default=False)
# What 9Pic's docs leave open, the stand-in's way: the portal's unless set (set one apart to
# see the portal find the mismatch).
NINEPIC_STANDIN_SELFIE_FIELD = env.str(
    "NINEPIC_STANDIN_SELFIE_FIELD", default=providers.NINEPIC_SELFIE_FIELD
)
NINEPIC_STANDIN_SELFIE_REQUEST_ID_IN = env.str(
    "NINEPIC_STANDIN_SELFIE_REQUEST_ID_IN", default=providers.NINEPIC_SELFIE_REQUEST_ID_IN
)
NINEPIC_STANDIN_TIMELINE_FROM_PARAM = env.str(
    "NINEPIC_STANDIN_TIMELINE_FROM_PARAM", default=providers.NINEPIC_TIMELINE_FROM_PARAM
)
NINEPIC_STANDIN_TIMELINE_TO_PARAM = env.str(
    "NINEPIC_STANDIN_TIMELINE_TO_PARAM", default=providers.NINEPIC_TIMELINE_TO_PARAM
)
if NINEPIC_STANDIN:
    NINEPIC_API_KEY = providers.NINEPIC_API_KEY or NINEPIC_STANDIN_API_KEY
    if "NINEPIC_STORAGE_HOSTS" not in os.environ:
        NINEPIC_STORAGE_HOSTS = [*providers.NINEPIC_STORAGE_HOSTS, *LOOPBACK_HOSTS]
    NINEPIC_STORAGE_ALLOW_HTTP = env.bool("NINEPIC_STORAGE_ALLOW_HTTP", default=True)
    # The stand-in's CDN is the portal's own host, like its storage.
    if "NINEPIC_PREVIEW_HOSTS" not in os.environ:
        NINEPIC_PREVIEW_HOSTS = [*providers.NINEPIC_PREVIEW_HOSTS, *LOOPBACK_HOSTS]
    NINEPIC_PREVIEW_ALLOW_HTTP = env.bool("NINEPIC_PREVIEW_ALLOW_HTTP", default=True)

# The demo can store organisations' keys (encrypted with a key known to all: demo only).
if NINEPIC_STANDIN and not providers.CREDENTIALS_ENCRYPTION_KEYS:
    CREDENTIALS_ENCRYPTION_KEYS = ["ZGVtby1vbmx5LWtleS1ub3QtZm9yLXByb2R1Y3Rpb24="]

# --- RunSignUp stand-in, mounted at /_standin/runsignup/ ----------------------------

RUNSIGNUP_STANDIN_API_KEY = env("RUNSIGNUP_STANDIN_API_KEY", default="demo-rsu-key")
RUNSIGNUP_STANDIN_API_SECRET = env("RUNSIGNUP_STANDIN_API_SECRET", default="demo-rsu-secret")
RUNSIGNUP_STANDIN_MEDIA_DIR = Path(
    env("RUNSIGNUP_STANDIN_MEDIA_DIR", default=str(BASE_DIR / "var" / "runsignup-standin"))
)
# Race day as it unfolds, read per request so that tests can steer a live server: photos
# uploaded after NOW (a unix timestamp) are not listed yet, removed ones no longer are, and
# after THROTTLE_AFTER listing calls the next THROTTLE_CALLS get a 429.
RUNSIGNUP_STANDIN_NOW = env("RUNSIGNUP_STANDIN_NOW", cast=int, default=None)
RUNSIGNUP_STANDIN_REMOVED_PHOTO_IDS = env.list(
    "RUNSIGNUP_STANDIN_REMOVED_PHOTO_IDS", cast=int, default=[]
)
RUNSIGNUP_STANDIN_THROTTLE_AFTER = env("RUNSIGNUP_STANDIN_THROTTLE_AFTER", cast=int, default=None)
RUNSIGNUP_STANDIN_THROTTLE_CALLS = env.int("RUNSIGNUP_STANDIN_THROTTLE_CALLS", default=1)
# Faults in listings and at the image URLs, "name:share,…" (see standins/runsignup/views.py
# and standins/faults.py).
RUNSIGNUP_STANDIN_FAULTS = env.str("RUNSIGNUP_STANDIN_FAULTS", default="")
RUNSIGNUP_STANDIN_STORAGE_FAULTS = env.str("RUNSIGNUP_STANDIN_STORAGE_FAULTS", default="")
if RUNSIGNUP_STANDIN:
    RUNSIGNUP_API_KEY = providers.RUNSIGNUP_API_KEY or RUNSIGNUP_STANDIN_API_KEY
    RUNSIGNUP_API_SECRET = providers.RUNSIGNUP_API_SECRET or RUNSIGNUP_STANDIN_API_SECRET
    if "RUNSIGNUP_STORAGE_HOSTS" not in os.environ:
        RUNSIGNUP_STORAGE_HOSTS = [*providers.RUNSIGNUP_STORAGE_HOSTS, *LOOPBACK_HOSTS]
    RUNSIGNUP_STORAGE_ALLOW_HTTP = env.bool("RUNSIGNUP_STORAGE_ALLOW_HTTP", default=True)

# --- Both stand-ins ------------------------------------------------------------------

# The slow-drip faults send a byte every DRIP_MS, then the rest at once after DRIP_SECONDS.
STANDIN_DRIP_MS = env.int("STANDIN_DRIP_MS", default=100)
STANDIN_DRIP_SECONDS = env.float("STANDIN_DRIP_SECONDS", default=20)
