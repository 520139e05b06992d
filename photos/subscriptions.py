"""Email me when my photos are ready: a runner's request, its confirmation, and the
scheduled check that emails them once.

Double opt-in: a request sends one email, the link to confirm it (photos/emails.py);
nothing else goes to an address that has not confirmed, and a request never confirmed is
deleted after SUBSCRIPTION_CONFIRM_HOURS. `notify_subscribers` (run on a schedule by
`manage.py notify_photo_subscribers`) asks each event's provider about confirmed requests
at a bounded pace, and when a search has more photos than the runner saw, sends one email
and deletes the request. Requests older than SUBSCRIPTION_DAYS are deleted unsent.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db.models import F, Q
from django.utils import timezone

from photos import emails
from photos.domain import ProviderError, ProviderThrottled, SearchMethod
from photos.models import Event, PhotoSubscription
from photos.providers import provider_for
from photos.providers.base import PhotoProvider

logger = logging.getLogger(__name__)


def is_waiting(*, event: Event, method: SearchMethod, identifier: str, email: str) -> bool:
    """Whether this address has already confirmed a request for this search."""
    return PhotoSubscription.objects.filter(
        event=event, method=method, identifier=identifier, email=email, confirmed_at__isnull=False
    ).exists()


def subscribe(
    *,
    event: Event,
    method: SearchMethod,
    identifier: str,
    email: str,
    language: str,
    photos_seen: int,
) -> None:
    """Record a request (or renew one not yet confirmed) and email the link to confirm it.
    A request already confirmed is left as it is, and nothing is sent. EmailNotSent if the
    mail server does not take the email; a new request is then forgotten."""
    subscription, created = PhotoSubscription.objects.get_or_create(
        event=event,
        method=method,
        identifier=identifier,
        email=email,
        defaults={"language": language, "photos_seen": photos_seen},
    )
    if subscription.confirmed_at is not None:
        return
    if not created:  # asked again before confirming: as of this request
        subscription.language, subscription.photos_seen = language, photos_seen
        subscription.created_at = timezone.now()
        subscription.save(update_fields=["language", "photos_seen", "created_at"])
    try:
        emails.send_confirmation(subscription)
    except emails.EmailNotSent as error:
        logger.warning("%s: confirmation not sent: %s", subscription, error)
        if created:
            subscription.delete()
        raise


def requested(*, token: str, event: Event) -> PhotoSubscription:
    """The request a confirmation link names. InvalidLink if the link is not one this portal
    signed for this event, has expired, or its request is gone."""
    number = emails.read_link(token, emails.CONFIRM)
    subscription = PhotoSubscription.objects.filter(pk=number, event=event).first()
    if subscription is None:
        raise emails.InvalidLink(emails.CONFIRM)
    return subscription


def confirm(subscription: PhotoSubscription) -> None:
    """From now on the request is checked; confirming twice is no harm."""
    if subscription.confirmed_at is None:
        subscription.confirmed_at = timezone.now()
        subscription.save(update_fields=["confirmed_at"])


def unsubscribe(*, token: str) -> None:
    """Delete the request an unsubscribe link names, if it is still there. InvalidLink for a
    link this portal did not sign for that."""
    number = emails.read_link(token, emails.UNSUBSCRIBE)
    PhotoSubscription.objects.filter(pk=number).delete()


def expire() -> int:
    """Delete requests never confirmed within SUBSCRIPTION_CONFIRM_HOURS and any older
    than SUBSCRIPTION_DAYS; how many."""
    now = timezone.now()
    unconfirmed = Q(
        confirmed_at__isnull=True,
        created_at__lt=now - timedelta(hours=settings.SUBSCRIPTION_CONFIRM_HOURS),
    )
    too_old = Q(created_at__lt=now - timedelta(days=settings.SUBSCRIPTION_DAYS))
    deleted, _ = PhotoSubscription.objects.filter(unconfirmed | too_old).delete()
    return deleted


@dataclass
class NotifyReport:
    expired: int = 0
    searches_checked: int = 0
    emails_sent: int = 0
    searches_left: int = 0  # for the next run: out of time, or the event's budget spent
    problems: list[str] = field(default_factory=list)
    mail_failed: bool = False


# The confirmed requests for one search of one event, checked with one call.
Search = list[PhotoSubscription]


def notify_subscribers(
    *,
    time_limit: float,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> NotifyReport:
    """Expire old requests, then check confirmed ones, least recently checked first, until
    all are checked or `time_limit` seconds have passed; a check already started may run
    past it by the provider's time budget and the sending of its emails.

    Requests for the same search share one check. A provider asked live is asked about an
    event's searches at most SUBSCRIPTION_CHECKS_PER_MINUTE times a minute, and each ask
    counts against the event's upstream budget: when that is spent (ProviderThrottled), the
    event's other searches wait for the next run. Other provider errors are reported and the
    search is checked again next run. If the mail server fails, the run stops there.
    """
    report = NotifyReport(expired=expire())
    queues = _searches_by_event()
    interval = 60 / settings.SUBSCRIPTION_CHECKS_PER_MINUTE
    deadline = clock() + time_limit
    next_turn = dict.fromkeys(queues, clock())
    connection = get_connection()  # one for every email of the run, opened at the first
    try:
        while queues:
            event_id = min(queues, key=next_turn.__getitem__)
            wait = max(0.0, next_turn[event_id] - clock())
            if clock() + wait >= deadline:
                break
            sleep(wait)
            search = queues[event_id].popleft()
            if not queues[event_id]:
                del queues[event_id]
            provider = provider_for(search[0].event)
            if provider.searches_cost_upstream_calls:
                next_turn[event_id] = clock() + interval
            try:
                _check(search, provider, report, connection)
            except ProviderThrottled as error:
                report.problems.append(f"{search[0].event.slug}: {error}")
                report.searches_left += 1 + len(queues.pop(event_id, ()))
            except emails.EmailNotSent as error:
                report.problems.append(f"{search[0].event.slug}: an email was not sent: {error}")
                report.mail_failed = True
                report.searches_left += 1 + sum(len(q) for q in queues.values())
                return report
        report.searches_left += sum(len(q) for q in queues.values())
        return report
    finally:
        connection.close()


def _searches_by_event() -> dict[int, deque[Search]]:
    """Confirmed requests of published events for searches the event still offers, grouped
    by search, each event's searches in the order their longest-waiting request came."""
    waiting = (
        PhotoSubscription.objects.filter(confirmed_at__isnull=False, event__is_published=True)
        .select_related("event")
        .order_by(F("checked_at").asc(nulls_first=True), "created_at", "pk")
    )
    searches: dict[tuple[int, str, str], Search] = {}
    for subscription in waiting:
        key = (subscription.event_id, subscription.method, subscription.identifier)
        searches.setdefault(key, []).append(subscription)
    queues: dict[int, deque[Search]] = {}
    for (event_id, method, _identifier), search in searches.items():
        if SearchMethod(method) in provider_for(search[0].event).search_methods:
            queues.setdefault(event_id, deque()).append(search)
    return queues


def _check(
    search: Search, provider: PhotoProvider, report: NotifyReport, connection: BaseEmailBackend
) -> None:
    """Ask the provider how many photos the search has; email (and delete) the requests
    that saw fewer, and note the others as checked."""
    first = search[0]
    try:
        total = provider.gallery_page(
            method=SearchMethod(first.method), identifier=first.identifier, page=1
        ).total
    except ProviderThrottled:
        raise
    except ProviderError as error:
        report.problems.append(f"{first.event.slug}: {error}")
        total = None
    else:
        report.searches_checked += 1
    unchanged = []
    for subscription in search:
        if total is not None and total > subscription.photos_seen:
            emails.send_photos_ready(subscription, total, connection=connection)
            subscription.delete()
            report.emails_sent += 1
        else:
            unchanged.append(subscription.pk)
    PhotoSubscription.objects.filter(pk__in=unchanged).update(checked_at=timezone.now())
