"""Each event's budget of calls to its provider per minute, and each client's share of it.

Trying every BIB, or opening thousands of photo pages, must not exhaust the organiser's
quota at the provider: past UPSTREAM_CALLS_PER_MINUTE_PER_EVENT calls in a minute, the
event's runners are told to try again shortly instead (ProviderThrottled). Nor may one
client spend that budget for everyone: a client key (photos.ratelimits.client_key) that has
spent UPSTREAM_CLIENT_SHARE of it this minute is refused anything that needs another call
(RateLimited), and every other runner carries on.

Counted in the Django cache, so with Redis across workers and machines. Without the cache
the budget fails open: calls go through uncounted (photos.sharedcache logs the outage). Failing
closed would turn a cache outage into "try again shortly" on every page of every event, as
nothing is cached then either; the provider's own throttling still protects its side.
"""

from __future__ import annotations

import logging
import math
import time
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache

from photos import figures, sharedcache
from photos.domain import ProviderThrottled
from photos.ratelimits import RateLimited

if TYPE_CHECKING:
    from photos.models import Event

logger = logging.getLogger(__name__)


def admit(event: Event, spender: str | None) -> None:
    """Refuse `spender` (RateLimited, until the minute's end) if it has spent its share of the
    event's budget this minute; count nothing. None is the portal itself (the admin, commands):
    never refused here. Call it before making, or waiting for, a call on a client's behalf."""
    share = _client_share()
    if spender is None or not share:
        return
    now = time.time()
    spent = sharedcache.get(_key(event, now, spender), 0)
    if spent >= share:
        raise RateLimited(_seconds_left(now))


def spend(event: Event, *, provider: str, spender: str | None) -> None:
    """Count a call to the event's provider against this minute's budget and `spender`'s share
    of it, or refuse it with ProviderThrottled (retry after the minute's end). Counted in
    the event's figures too (photos/figures.py)."""
    figures.count(event, "upstream_calls")
    limit = settings.UPSTREAM_CALLS_PER_MINUTE_PER_EVENT
    if not limit:
        return
    now = time.time()
    try:
        used = sharedcache.attempt(lambda: _count(_key(event, now)))
        if used <= limit and spender is not None:
            spent = sharedcache.attempt(lambda: _count(_key(event, now, spender)))
            if spent == _client_share():
                logger.warning(
                    "event %s: client %s spent its share (%d calls to %s) of this minute",
                    event.slug,
                    spender,
                    spent,
                    provider,
                )
    except sharedcache.CacheUnavailable:
        return
    if used > limit:
        if used == limit + 1:
            logger.warning(
                "event %s: %d calls to %s this minute, refusing more", event.slug, limit, provider
            )
        raise ProviderThrottled(
            f"event {event.slug} spent its {provider} budget for this minute",
            retry_after=_seconds_left(now),
        )


def _client_share() -> int:
    """The calls a minute one client may make for an event; 0 when the budget is off."""
    limit = settings.UPSTREAM_CALLS_PER_MINUTE_PER_EVENT
    return max(1, math.floor(limit * settings.UPSTREAM_CLIENT_SHARE)) if limit else 0


def _key(event: Event, now: float, spender: str | None = None) -> str:
    key = f"upstream-budget:{event.pk}:{int(now // 60)}"
    return key if spender is None else f"{key}:{spender}"


def _count(key: str) -> int:
    cache.add(key, 0, timeout=120)
    try:
        return cache.incr(key)
    except ValueError:  # evicted between add and incr
        return 1


def _seconds_left(now: float) -> int:
    return max(1, 60 - int(now % 60))
