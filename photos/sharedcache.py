"""The Django cache (Redis via CACHE_URL) as runner pages use it: a help, never a condition.

Gallery answers, previews, rate-limit counts, single-flight locks and each event's budget of
upstream calls live there. When the cache server is down or does not answer within
CACHE_SOCKET_TIMEOUT, each of them carries on without it: `get` misses, `put` keeps nothing,
and `attempt` raises CacheUnavailable for callers that need to know (rate limits and the
budget then let requests through, single flight lets each caller compute alone).

After a failure this process leaves the cache alone for RETRY_SECONDS, so that an outage
costs one request a socket timeout every few seconds, not every request one per cache call.
An outage is logged as one warning when it starts and at most one a minute per process while
it lasts, and its end as one line: a Redis outage does not flood the logs.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import redis
from django.core.cache import cache

logger = logging.getLogger(__name__)

T = TypeVar("T")

# What a cache backend raises when its server is unreachable or too slow.
CACHE_ERRORS = (OSError, redis.exceptions.RedisError)
# How long a process leaves the cache alone after a failure before trying it again.
RETRY_SECONDS = 5.0
WARNING_INTERVAL = 60.0
HEALTH_KEY = "healthz:cache"


class CacheUnavailable(Exception):  # noqa: N818 - a state of the cache, not a fault of ours
    """The shared cache failed just now, or did a moment ago (and is left alone meanwhile)."""


class _Outage:
    """This process's view of the cache: since when it has been failing, and until when it
    is left alone. Shared by the worker's threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.since: float | None = None
        self.resting_until = 0.0
        self.warned_at = -WARNING_INTERVAL

    def resting(self) -> bool:
        return time.monotonic() < self.resting_until

    def failed(self, error: Exception) -> None:
        now = time.monotonic()
        with self._lock:
            self.resting_until = now + RETRY_SECONDS
            if self.since is None:
                self.since = now
            if now - self.warned_at < WARNING_INTERVAL:
                return
            self.warned_at = now
            lasted = now - self.since
        logger.warning(
            "shared cache unavailable for %.0fs (%s): rate limits let requests through, "
            "single flight and the upstream budget are off, nothing is cached; trying it "
            "again every %gs",
            lasted,
            type(error).__name__,
            RETRY_SECONDS,
        )

    def succeeded(self) -> None:
        if self.since is None:
            return
        with self._lock:
            since, self.since = self.since, None
        if since is not None:
            logger.info("shared cache available again after %.0fs", time.monotonic() - since)


_outage = _Outage()


def attempt(operation: Callable[[], T]) -> T:
    """`operation()` (calls to the cache), or CacheUnavailable if the cache failed, now or
    within RETRY_SECONDS. Takes at most the cache's socket timeouts."""
    if _outage.resting():
        raise CacheUnavailable("left alone after a recent failure")
    try:
        result = operation()
    except CACHE_ERRORS as error:
        _outage.failed(error)
        raise CacheUnavailable(type(error).__name__) from error
    _outage.succeeded()
    return result


def get(key: str, default: Any = None) -> Any:
    """The cached value, or `default` if there is none or the cache is unavailable."""
    try:
        return attempt(lambda: cache.get(key, default))
    except CacheUnavailable:
        return default


def put(key: str, value: Any, timeout: float) -> None:
    """Keep `value` for `timeout` seconds if the cache is available; else keep nothing."""
    with contextlib.suppress(CacheUnavailable):
        attempt(lambda: cache.set(key, value, timeout))


def put_many(values: Mapping[str, Any], timeout: float) -> None:
    """`put` for several keys at once."""
    with contextlib.suppress(CacheUnavailable):
        attempt(lambda: cache.set_many(dict(values), timeout))


def is_available() -> bool:
    """Whether a write and a read through the cache work now (for /healthz)."""
    try:
        attempt(lambda: cache.set(HEALTH_KEY, 1, 10))
        return bool(attempt(lambda: cache.get(HEALTH_KEY)) == 1)
    except CacheUnavailable:
        return False
