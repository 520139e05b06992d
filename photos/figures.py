"""Figures for organisers: how runners used an event's pages, per day, as counts only.

Counting is one or two calls to the shared cache (Redis in production) per counted page and
never a database write: `count` adds to a counter per event, day and figure; the command
`flush_figures`, run on a schedule, moves the counters into DailyFigure in batches. Between
reading a counter and taking that much off it (Redis DECRBY, atomic), counts that arrive
stay in the counter for the next flush: none is lost or counted twice, however many
instances count. Counters live KEEP_SECONDS, so a flush at least daily loses nothing.
Without the cache, counts are dropped (logged as the cache's outage): figures are a help.

What is deliberately never recorded: IP addresses, BIBs, request IDs, email addresses,
selfies, which photos were looked at, or anything else that could tell runners apart.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial

from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from photos import sharedcache
from photos.domain import (
    ProviderError,
    ProviderMisconfigured,
    ProviderRejectedRequest,
    ProviderThrottled,
    ProviderTimeout,
)
from photos.models import DailyFigure, Event

logger = logging.getLogger(__name__)

# Every figure, in the order the admin and the CSV show them, with its words for organisers.
RUNNER_SEARCHES = ("bib", "selfie", "time")
FIGURES = {
    "searches_bib": "BIB searches",
    "searches_selfie": "selfie searches",
    "searches_time": "finish-time searches",
    "searches_all": "browsing all photos",
    "no_photos_bib": "BIB searches without photos",
    "no_photos_selfie": "selfie searches without photos",
    "no_photos_time": "finish-time searches without photos",
    "no_photos_all": "browsing all photos without photos",
    "selfie_uploads": "selfie uploads",
    "gallery_pages": "gallery pages viewed",
    "photo_pages": "photo pages viewed",
    "downloads": "downloads",
    "zips": "ZIPs",
    "zip_photos": "photos in ZIPs",
    "shares": "shares",
    "email_requests": "email requests",
    "upstream_calls": "calls to the photo provider",
    "errors_throttled": "provider errors: throttled (by it, or the event's budget)",
    "errors_timeout": "provider errors: too slow",
    "errors_refused": "provider errors: refused (key or set-up)",
    "errors_rejected": "provider errors: rejected request",
    "errors_unavailable": "provider errors: unavailable",
}
KEEP_SECONDS = 3 * 24 * 3600
# The days a flush looks at: today and the two before (the counters' life).
FLUSH_DAYS = 3
BATCH = 500
FLUSH_LOCK = "figures:flush-lock"
FLUSH_LOCK_SECONDS = 300


def _key(event_id: int, day: date, figure: str) -> str:
    return f"figures:{event_id}:{day.isoformat()}:{figure}"


def count(event: Event, figure: str, amount: int = 1) -> None:
    """Add `amount` to today's `figure` of `event`. Never raises, never writes the database."""
    if figure not in FIGURES:
        raise ValueError(f"unknown figure {figure!r}")
    key = _key(event.pk, timezone.localdate(), figure)
    with contextlib.suppress(sharedcache.CacheUnavailable):
        sharedcache.attempt(lambda: _add(key, amount))


def _add(key: str, amount: int) -> None:
    try:
        cache.incr(key, amount)
    except ValueError:  # no counter yet (or it just expired)
        if not cache.add(key, amount, KEEP_SECONDS):
            cache.incr(key, amount)  # another request made it meanwhile


def count_failure(event: Event, error: BaseException | None) -> None:
    """Count a provider failure a runner met, by kind (nothing else of it is kept)."""
    kind = failure_kind(error)
    if kind:
        count(event, f"errors_{kind}")


def failure_kind(error: BaseException | None) -> str | None:
    kinds: list[tuple[type[ProviderError], str]] = [
        (ProviderThrottled, "throttled"),
        (ProviderTimeout, "timeout"),
        (ProviderMisconfigured, "refused"),
        (ProviderRejectedRequest, "rejected"),
    ]
    if not isinstance(error, ProviderError):
        return None
    return next((kind for cls, kind in kinds if isinstance(error, cls)), "unavailable")


@dataclass(frozen=True)
class Flushed:
    counters: int
    counts: int


def flush(days: int = FLUSH_DAYS) -> Flushed | None:
    """Move every event's counters of the last `days` days into DailyFigure. None if another
    flush holds the lock (or the cache is down: nothing to flush then)."""
    token = uuid.uuid4().hex
    try:
        if not sharedcache.attempt(lambda: cache.add(FLUSH_LOCK, token, FLUSH_LOCK_SECONDS)):
            return None
    except sharedcache.CacheUnavailable:
        return None
    try:
        counters = counts = 0
        for batch in _batches(_all_keys(days)):
            for (event_id, day, figure), amount in _take(batch).items():
                _record(event_id, day, figure, amount)
                counters += 1
                counts += amount
        return Flushed(counters, counts)
    finally:
        with contextlib.suppress(sharedcache.CacheUnavailable):
            sharedcache.attempt(partial(_release, token))


def _release(token: str) -> None:
    """Free the lock if it is still this flush's (a slower one may have run out)."""
    if cache.get(FLUSH_LOCK) == token:
        cache.delete(FLUSH_LOCK)


def _all_keys(days: int) -> Iterator[tuple[int, date, str]]:
    today = timezone.localdate()
    for event_id in list(Event.objects.values_list("pk", flat=True)):
        for back in range(days):
            for figure in FIGURES:
                yield event_id, today - timedelta(days=back), figure


def _batches(keys: Iterable[tuple[int, date, str]]) -> Iterator[list[tuple[int, date, str]]]:
    batch: list[tuple[int, date, str]] = []
    for key in keys:
        batch.append(key)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _take(batch: list[tuple[int, date, str]]) -> dict[tuple[int, date, str], int]:
    """The batch's non-zero counters, each taken off its counter (what arrived since the
    read stays there). Empty if the cache fails."""
    names = {_key(*parts): parts for parts in batch}
    try:
        found = sharedcache.attempt(lambda: cache.get_many(list(names)))
    except sharedcache.CacheUnavailable:
        return {}
    taken = {}
    for name, amount in found.items():
        if not amount:
            continue
        try:
            sharedcache.attempt(partial(cache.decr, name, amount))
        except ValueError:
            pass  # expired since the read: its counts are ours all the same
        except sharedcache.CacheUnavailable:
            continue  # left in the counter for the next flush
        taken[names[name]] = amount
    return taken


def _record(event_id: int, day: date, figure: str, amount: int) -> None:
    with transaction.atomic():
        added = DailyFigure.objects.filter(event_id=event_id, day=day, figure=figure).update(
            count=F("count") + amount
        )
        if not added:
            DailyFigure.objects.create(event_id=event_id, day=day, figure=figure, count=amount)


@dataclass(frozen=True)
class Day:
    """One day's figures of an event, as flushed."""

    day: date
    counts: dict[str, int]

    @property
    def searches(self) -> int:
        """Searches for a runner's photos (browsing all is none)."""
        return sum(self.counts[f"searches_{method}"] for method in RUNNER_SEARCHES)

    @property
    def no_photos_share(self) -> str:
        """Searches that found no photos, as a percentage of searches ("–" without any)."""
        if not self.searches:
            return "–"
        without = sum(self.counts[f"no_photos_{method}"] for method in RUNNER_SEARCHES)
        return f"{100 * without / self.searches:.0f}%"


def days_of(event: Event, days: int | None = None) -> list[Day]:
    """The event's flushed figures, a Day each, oldest first: every day of the last `days`
    (those without figures all zero), or every day that has any if `days` is None."""
    rows = DailyFigure.objects.filter(event=event)
    first = None
    if days is not None:
        first = timezone.localdate() - timedelta(days=days - 1)
        rows = rows.filter(day__gte=first)
    found: dict[date, dict[str, int]] = {}
    for day, figure, amount in rows.values_list("day", "figure", "count"):
        if figure in FIGURES:
            found.setdefault(day, dict.fromkeys(FIGURES, 0))[figure] = amount
    if first is None:
        return [Day(day, counts) for day, counts in sorted(found.items())]
    every_day = (first + timedelta(days=n) for n in range(days or 0))
    return [Day(day, found.get(day) or dict.fromkeys(FIGURES, 0)) for day in every_day]
