"""Each event's budget of calls to its provider, per minute, whoever asks.

Trying every BIB, or opening thousands of photo pages, must not exhaust the organiser's
quota at the provider: past UPSTREAM_CALLS_PER_MINUTE_PER_EVENT calls in a minute, the
event's runners are told to try again shortly instead. Counted in the Django cache, so
with Redis across workers and machines.

Without the cache the budget fails open: calls go through uncounted (photos.sharedcache logs
the outage). Failing closed would turn a cache outage into "try again shortly" on every page
of every event, as nothing is cached then either; the provider's own throttling still
protects its side.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache

from photos import sharedcache
from photos.domain import ProviderThrottled

if TYPE_CHECKING:
    from photos.models import Event

logger = logging.getLogger(__name__)


def spend(event: Event, *, provider: str) -> None:
    """Count a call to the event's provider against this minute's budget, or refuse it
    with ProviderThrottled (retry after the minute's end)."""
    limit = settings.UPSTREAM_CALLS_PER_MINUTE_PER_EVENT
    if not limit:
        return
    now = time.time()
    try:
        used = sharedcache.attempt(lambda: _count(f"upstream-budget:{event.pk}:{int(now // 60)}"))
    except sharedcache.CacheUnavailable:
        return
    if used > limit:
        if used == limit + 1:
            logger.warning(
                "event %s: %d calls to %s this minute, refusing more", event.slug, limit, provider
            )
        raise ProviderThrottled(
            f"event {event.slug} spent its {provider} budget for this minute",
            retry_after=max(1, 60 - int(now % 60)),
        )


def _count(key: str) -> int:
    cache.add(key, 0, timeout=120)
    try:
        return cache.incr(key)
    except ValueError:  # evicted between add and incr
        return 1
