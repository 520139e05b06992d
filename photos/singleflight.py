"""One caller computes, identical concurrent callers wait for its outcome: one upstream call,
not N.

The lock is a Django cache key (`cache.add` is atomic), so with a shared cache (Redis via
CACHE_URL) it holds across gunicorn workers and machines; with the default local-memory
cache, within one worker process.

Contract of `shared`:
- The caller that misses `lookup()` and takes the lock leads: it runs `compute()` and
  publishes the outcome, its value or its failure, for the callers that came meanwhile.
  `wait` is the most `compute` can take (its own time budget): the lock lives that long
  and a margin more, so it outlives its leader's work.
- The others follow: they wait for that outcome and never compute themselves, so a hanging
  upstream costs one call, not one per follower. A follower waits at most `wait` seconds
  from its arrival, then raises ProviderTimeout: no caller waits longer than `wait`.
- A failure reaches the followers as itself when it is one of photos.domain's errors (they
  survive the cache's pickling), as ProviderUnavailable otherwise (a bug, whose traceback
  the leader's request logs once rather than once per follower).
- Without the cache (photos.sharedcache), every caller computes alone.
"""

from __future__ import annotations

import contextlib
import math
import pickle
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, Generic, TypeVar

from django.core.cache import cache

from photos import sharedcache
from photos.domain import ProviderError, ProviderTimeout, ProviderUnavailable

T = TypeVar("T")

POLL_SECONDS = 0.02
# The leader's lock outlives `wait` by this much: storing the outcome takes a moment too.
LOCK_MARGIN_SECONDS = 2
# How long followers can still pick up a published outcome.
OUTCOME_SECONDS = 10


@dataclass(frozen=True)
class _Outcome(Generic[T]):
    round: str  # the leader's lock token: a follower takes only its own leader's outcome
    value: T | None = None
    failure: ProviderError | None = None

    def unwrap(self) -> T:
        if self.failure is not None:
            raise self.failure
        assert self.value is not None  # a value is never None: None means "not there yet"
        return self.value


def shared(
    key: str,
    *,
    lookup: Callable[[], T | None],
    compute: Callable[[], T],
    wait: float,
    admit: Callable[[], None] | None = None,
) -> T:
    """`lookup()` if it has the value; else the outcome of `compute()`, run by one caller at
    a time (see the module's contract). `lookup` must not raise when the cache is down
    (use photos.sharedcache.get). `admit()`, if given, runs in a caller that missed the
    value before it leads or follows: what it raises (a limit of that caller's own) is that
    caller's alone, never shared."""
    deadline = time.monotonic() + wait
    lock_key, outcome_key = f"{key}:lock", f"{key}:outcome"
    token = uuid.uuid4().hex
    take_lock = partial(cache.add, lock_key, token, timeout=math.ceil(wait) + LOCK_MARGIN_SECONDS)
    while True:
        value = lookup()
        if value is not None:
            return value
        if admit is not None:
            admit()
            admit = None  # once per caller
        try:
            leading = sharedcache.attempt(take_lock)
            leader = None if leading else sharedcache.attempt(partial(cache.get, lock_key))
        except sharedcache.CacheUnavailable:
            return compute()  # no wait yet: computing now is not late
        if leading:
            return _lead(lock_key, outcome_key, token, compute)
        if leader is not None:
            outcome: _Outcome[T] = _follow(lock_key, outcome_key, leader, deadline, key)
            return outcome.unwrap()
        # The leader finished between our two looks: its value is there now, or we lead.


def _lead(lock_key: str, outcome_key: str, token: str, compute: Callable[[], T]) -> T:
    try:
        value = compute()
    except Exception as error:
        sharedcache.put(outcome_key, _Outcome(token, failure=_shareable(error)), OUTCOME_SECONDS)
        raise
    else:
        sharedcache.put(outcome_key, _Outcome(token, value=value), OUTCOME_SECONDS)
        return value
    finally:
        # Only our own lock: past its life, another caller may lead the next round. If the
        # cache is unavailable, the lock expires on its own.
        if sharedcache.get(lock_key) == token:
            with contextlib.suppress(sharedcache.CacheUnavailable):
                sharedcache.attempt(lambda: cache.delete(lock_key))


def _follow(
    lock_key: str, outcome_key: str, leader: str, deadline: float, key: str
) -> _Outcome[Any]:
    while True:
        try:
            # The lock first: the leader publishes before it unlocks.
            found = sharedcache.attempt(lambda: cache.get_many([lock_key, outcome_key]))
        except sharedcache.CacheUnavailable:
            raise ProviderUnavailable(f"{key}: lost sight of another request's call") from None
        outcome = found.get(outcome_key)
        if isinstance(outcome, _Outcome) and outcome.round == leader:
            return outcome
        if found.get(lock_key) != leader:
            raise ProviderUnavailable(f"{key}: another request's call ended without an outcome")
        if time.monotonic() + POLL_SECONDS > deadline:
            raise ProviderTimeout(f"{key}: gave up waiting for another request's call")
        time.sleep(POLL_SECONDS)


def _shareable(error: Exception) -> ProviderError:
    """The failure as followers will get it: itself if it is a domain error that survives
    pickling (what every cache backend does to it), else a stand-in naming its type."""
    if isinstance(error, ProviderError) and _survives_pickling(error):
        return error
    return ProviderUnavailable(f"another request's call failed ({type(error).__name__})")


def _survives_pickling(error: Exception) -> bool:
    try:
        pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes, just made
    except Exception:  # any way of failing means it cannot be shared
        return False
    return True
