"""One caller computes, identical concurrent callers wait for its result: one upstream call, not N.

The lock is a Django cache key (`cache.add` is atomic), so with a shared cache
(Redis via CACHE_URL) it holds across gunicorn workers and machines; with the
default local-memory cache, within one worker process.
"""

import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

T = TypeVar("T")

POLL_SECONDS = 0.01
# A follower re-raises the leader's failure for this long instead of calling again.
FAILURE_SECONDS = 3


class _Failure:
    def __init__(self, error: Exception):
        self.error = error


def shared(
    key: str,
    *,
    lookup: Callable[[], T | None],
    compute: Callable[[], T],
    wait: float,
) -> T:
    """`lookup()` if it has the value; else `compute()` in exactly one caller at a time.

    `compute` must make the value visible to `lookup` (store it) before returning.
    Followers wait up to `wait` seconds for it, then compute themselves.
    """
    lock_key, failure_key = f"{key}:lock", f"{key}:failed"
    deadline = time.monotonic() + wait
    while True:
        value = lookup()
        if value is not None:
            return value
        if cache.add(lock_key, True, timeout=int(wait) + 1):
            cache.delete(failure_key)  # an earlier round's failure is not this round's
            try:
                return compute()
            except Exception as error:
                cache.set(failure_key, _Failure(error), FAILURE_SECONDS)
                raise
            finally:
                cache.delete(lock_key)
        # Another caller is computing: wait until it is done, then look again.
        while cache.get(lock_key) is not None:
            if time.monotonic() > deadline:
                return compute()
            time.sleep(POLL_SECONDS)
        failure = cache.get(failure_key)
        if isinstance(failure, _Failure):
            raise failure.error
