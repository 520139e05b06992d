"""The local stand-ins of 9Pic and RunSignUp (the `standins` package), for `make run` and tests.

Loaded by portal/settings/__init__.py only when NINEPIC_STANDIN or RUNSIGNUP_STANDIN is
on. The portal then talks to them with their own keys, and their photo links (plain http
on loopback) become fetchable unless the storage settings are given explicitly.
"""

import os
from pathlib import Path

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

# --- 9Pic stand-in, mounted at /_standin/9pic/ ----------------------------------

NINEPIC_STANDIN_API_KEY = env("NINEPIC_STANDIN_API_KEY", default="demo-9pic-key")
NINEPIC_STANDIN_LINK_LIFETIME = env.int("NINEPIC_STANDIN_LINK_LIFETIME", default=3600)
NINEPIC_STANDIN_LATENCY_MS = env.int("NINEPIC_STANDIN_LATENCY_MS", default=0)
# Faults the stand-in injects, "name:share,…" (see standins/ninepic/faults.py).
NINEPIC_STANDIN_FAULTS = env.str("NINEPIC_STANDIN_FAULTS", default="")
NINEPIC_STANDIN_HANG_SECONDS = env.float("NINEPIC_STANDIN_HANG_SECONDS", default=30)
NINEPIC_STANDIN_MEDIA_DIR = Path(
    env("NINEPIC_STANDIN_MEDIA_DIR", default=str(BASE_DIR / "var" / "standin"))
)
if NINEPIC_STANDIN:
    NINEPIC_API_KEY = providers.NINEPIC_API_KEY or NINEPIC_STANDIN_API_KEY
    if "NINEPIC_STORAGE_HOSTS" not in os.environ:
        NINEPIC_STORAGE_HOSTS = [*providers.NINEPIC_STORAGE_HOSTS, *LOOPBACK_HOSTS]
    NINEPIC_STORAGE_ALLOW_HTTP = env.bool("NINEPIC_STORAGE_ALLOW_HTTP", default=True)

# --- RunSignUp stand-in, mounted at /_standin/runsignup/ ----------------------------

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
    RUNSIGNUP_API_KEY = providers.RUNSIGNUP_API_KEY or RUNSIGNUP_STANDIN_API_KEY
    RUNSIGNUP_API_SECRET = providers.RUNSIGNUP_API_SECRET or RUNSIGNUP_STANDIN_API_SECRET
    if "RUNSIGNUP_STORAGE_HOSTS" not in os.environ:
        RUNSIGNUP_STORAGE_HOSTS = [*providers.RUNSIGNUP_STORAGE_HOSTS, *LOOPBACK_HOSTS]
    RUNSIGNUP_STORAGE_ALLOW_HTTP = env.bool("RUNSIGNUP_STORAGE_ALLOW_HTTP", default=True)
