"""Copy a RunSignUp event's photo listing into the portal's index (RunSignUpPhoto).

Used by `manage.py sync_runsignup_photos` and the admin's "refresh now". A sync is
incremental when the event has been synced before: it lists the photos uploaded since
the newest one it saw, minus RUNSIGNUP_SYNC_OVERLAP_SECONDS, and saves them (updating
the ones it has). A full sync lists everything and then removes the photos the listing
no longer has. Progress is saved after every page, so a sync cut short (throttling
beyond the time budget, a crash, a deploy) is resumed at the same page by the next one.

A photo the index cannot hold (a link off RunSignUp's storage, a number out of range) is
skipped, and the reason kept for the organiser: one bad photo never stops a sync. Any
other failure ends the sync with SyncFailed and a saved reason, never a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from photos.domain import ProviderError
from photos.models import Event, Provider, RunSignUpPhoto, RunSignUpPhotoBib, RunSignUpSync
from photos.providers.base import RefreshFailed
from photos.providers.runsignup.client import (
    RacePhoto,
    RunSignUpClient,
    RunSignUpRace,
    problem_for_organisers,
)

logger = logging.getLogger(__name__)

# A running sync holds its event from the start of each page for RUNSIGNUP_TIME_BUDGET (the
# most a page of the listing may take, every wait included) plus this, to save the page.
LOCK_MARGIN_SECONDS = 60
# The reasons kept of photos a listing skipped (all are counted).
MAX_SKIP_REASONS = 20


class SyncFailed(RefreshFailed):
    """The sync stopped; the message (also saved as the event's last error) says why."""


@dataclass(frozen=True)
class SyncResult:
    full: bool
    pages: int
    saved: int
    removed: int
    indexed: int  # photos in the index after the sync


def sync_event(
    *,
    event: Event,
    full: bool = False,
    progress: Callable[[str], None] = lambda line: None,
) -> SyncResult:
    """List the event's photos from RunSignUp into the index; SyncFailed if it cannot finish."""
    if event.provider != Provider.RUNSIGNUP:
        raise SyncFailed(f"Its photos are on {event.get_provider_display()}: nothing to sync.")
    if not (event.runsignup_race_id and event.runsignup_event_days_id):
        raise _failed(event, "Set the event's RunSignUp race ID and event days ID first.")
    state = _claim(event)
    try:
        return _sync(event, state, full=full, progress=progress)
    except SyncFailed:
        raise
    except Exception as error:
        logger.exception("The sync of %s stopped", event.slug)
        raise _failed(
            event,
            f"The sync stopped on an unexpected error ({type(error).__name__}); the details "
            "are in the server's log. The next sync resumes where this one stopped.",
        ) from error
    finally:
        # Only this sync's hold: one that ran out may already be another's.
        RunSignUpSync.objects.filter(pk=event.pk, locked_until=state.locked_until).update(
            locked_until=None
        )


def _sync(
    event: Event,
    state: RunSignUpSync,
    *,
    full: bool,
    progress: Callable[[str], None],
) -> SyncResult:
    client = RunSignUpClient.from_settings()
    page_size = settings.RUNSIGNUP_PAGE_SIZE
    # A cut listing is finished first, unless a full one is asked for instead of an
    # incremental one: only a full listing can tell which photos are gone.
    if state.next_page is None or (full and state.listing_since is not None):
        _start_listing(event, state, full=full)
    else:
        progress(f"{event.slug}: resuming the interrupted sync at page {state.next_page}")
    is_full = state.listing_since is None
    kind = "full" if is_full else f"since {state.listing_since:%Y-%m-%d %H:%M:%S} UTC"
    since = None if state.listing_since is None else int(state.listing_since.timestamp())
    pages = saved = 0
    page = state.next_page or 1  # a new listing starts at page 1
    while True:
        _renew(event, state)
        try:
            listing = client.race_photos(
                RunSignUpRace.of(event), page=page, page_size=page_size, uploaded_since=since
            )
        except ProviderError as error:
            raise _failed(
                event,
                f"{problem_for_organisers(error)} Stopped at page {page}; "
                "the next sync resumes there.",
            ) from error
        rows, reasons = _rows(
            event, client, listing.photos, listing=state.listing if is_full else None
        )
        reasons += [
            f"{_photos(count)} on page {page}: {reason}"
            for reason, count in listing.skip_reasons.items()
        ]
        skipped = len(listing.photos) - len(rows) + listing.skipped
        with transaction.atomic():
            _renew(event, state)  # still this sync's: nothing is saved otherwise
            _save(event, rows, full=is_full)
            newest = max((row.uploaded_at for _, row in rows), default=None)
            if newest is not None and (
                state.listing_uploaded_until is None or newest > state.listing_uploaded_until
            ):
                state.listing_uploaded_until = newest
            state.next_page = page + 1
            _note_skipped(state, reasons, count=skipped)
            state.save()
        pages += 1
        saved += len(rows)
        progress(
            f"{event.slug}: page {page} ({kind}): {len(rows)} photos saved"
            + (f", {skipped} unusable skipped" if skipped else "")
        )
        if listing.is_last:
            break
        page += 1
    with transaction.atomic():
        _renew(event, state)
        removed = 0
        if is_full:
            _, deleted = (
                RunSignUpPhoto.objects.filter(event=event)
                .exclude(seen_in_listing=state.listing)
                .delete()
            )
            removed = deleted.get(RunSignUpPhoto._meta.label, 0)  # not counting their BIBs
        state.uploaded_until = state.listing_uploaded_until
        state.next_page = state.listing_since = None
        state.last_synced_at = timezone.now()
        state.last_error, state.last_error_at = "", None
        state.save()
    indexed = RunSignUpPhoto.objects.filter(event=event).count()
    progress(
        f"{event.slug}: done ({'full' if is_full else 'incremental'}): {saved} photos saved, "
        f"{_photos(removed)} removed, {_photos(indexed)} indexed"
    )
    return SyncResult(full=is_full, pages=pages, saved=saved, removed=removed, indexed=indexed)


def _claim(event: Event) -> RunSignUpSync:
    """The event's sync state, held for this sync; SyncFailed if another sync holds it."""
    RunSignUpSync.objects.get_or_create(event=event)
    now = timezone.now()
    until = now + _hold()
    # One conditional UPDATE: atomic on SQLite and PostgreSQL alike, without a long transaction.
    claimed = (
        RunSignUpSync.objects.filter(pk=event.pk)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .update(locked_until=until)
    )
    if not claimed:
        raise SyncFailed("Another sync of this event is running; try again in a few minutes.")
    state = RunSignUpSync.objects.get(pk=event.pk)
    state.locked_until = until  # this sync's token: the value it wrote
    return state


def _hold() -> timedelta:
    return timedelta(seconds=settings.RUNSIGNUP_TIME_BUDGET + LOCK_MARGIN_SECONDS)


def _renew(event: Event, state: RunSignUpSync) -> None:
    """Hold the event for one more page; SyncFailed if this sync no longer holds it (its
    hold ran out and another sync took the event)."""
    until = timezone.now() + _hold()
    renewed = RunSignUpSync.objects.filter(pk=event.pk, locked_until=state.locked_until).update(
        locked_until=until
    )
    if not renewed:
        raise SyncFailed("Another sync took this event over; this one stopped.")
    state.locked_until = until


def _start_listing(event: Event, state: RunSignUpSync, *, full: bool) -> None:
    overlap = timedelta(seconds=settings.RUNSIGNUP_SYNC_OVERLAP_SECONDS)
    state.listing_since = (
        None if full or state.uploaded_until is None else (state.uploaded_until - overlap)
    )
    newest_listing = RunSignUpPhoto.objects.filter(event=event).aggregate(n=Max("seen_in_listing"))[
        "n"
    ]
    state.listing = max(state.listing, newest_listing or 0) + 1
    state.listing_uploaded_until = state.uploaded_until
    state.next_page = 1
    state.skipped_photos, state.skip_reasons = 0, ""
    state.save()


def _rows(
    event: Event, client: RunSignUpClient, photos: list[RacePhoto], *, listing: int | None
) -> tuple[list[tuple[RacePhoto, RunSignUpPhoto]], list[str]]:
    """The photos the index can hold, each with its row (`listing` marks them seen by a full
    listing), and why each of the others was skipped."""
    rows: list[tuple[RacePhoto, RunSignUpPhoto]] = []
    reasons: list[str] = []
    for photo in photos:
        try:
            rows.append((photo, _row(event, client, photo, listing=listing)))
        except ValueError as unusable:
            reasons.append(f"photo {photo.photo_id}: {unusable}")
    return rows, reasons


def _row(
    event: Event, client: RunSignUpClient, photo: RacePhoto, *, listing: int | None
) -> RunSignUpPhoto:
    """The photo as a row of the index; ValueError saying why the index cannot hold it."""
    images = (photo.original, photo.large, photo.thumbnail)
    # The index only keeps links the portal may fetch or send runners to.
    if not all(client.is_storage_link(image.url) for image in images):
        raise ValueError("a link off RunSignUp's storage (RUNSIGNUP_STORAGE_HOSTS)")
    try:
        uploaded_at = datetime.fromtimestamp(photo.uploaded_ts, UTC)
    except (ValueError, OverflowError, OSError):
        raise ValueError(f"uploaded_ts {photo.uploaded_ts} is no date") from None
    row = RunSignUpPhoto(
        event=event,
        photo_id=photo.photo_id,
        album_id=photo.album_id,
        uploaded_filename=photo.uploaded_filename[:255],
        uploaded_at=uploaded_at,
        original_url=photo.original.url,
        large_url=photo.large.url,
        large_width=photo.large.width,
        large_height=photo.large.height,
        thumbnail_url=photo.thumbnail.url,
        thumbnail_width=photo.thumbnail.width,
        thumbnail_height=photo.thumbnail.height,
        seen_in_listing=listing or 0,
    )
    try:
        # The columns' own checks: the database's integer ranges, the links' length.
        row.clean_fields(exclude=["event"])
    except ValidationError as error:
        said = error.message_dict.items()
        raise ValueError("; ".join(f"{field}: {' '.join(m)}" for field, m in said)) from None
    return row


def _save(event: Event, rows: list[tuple[RacePhoto, RunSignUpPhoto]], *, full: bool) -> None:
    """Insert or update the rows and replace their BIBs; a full listing marks them seen (an
    incremental one leaves the mark alone)."""
    if not rows:
        return
    fields = [
        f.name
        for f in RunSignUpPhoto._meta.concrete_fields
        if f.name not in ("id", "event", "photo_id") and (full or f.name != "seen_in_listing")
    ]
    RunSignUpPhoto.objects.bulk_create(
        [row for _, row in rows],
        update_conflicts=True,
        unique_fields=["event", "photo_id"],
        update_fields=fields,
    )
    ids = dict(
        RunSignUpPhoto.objects.filter(
            event=event, photo_id__in=[p.photo_id for p, _ in rows]
        ).values_list("photo_id", "pk")
    )
    RunSignUpPhotoBib.objects.filter(photo_id__in=ids.values()).delete()
    RunSignUpPhotoBib.objects.bulk_create(
        RunSignUpPhotoBib(photo_id=ids[p.photo_id], event=event, bib=bib)
        for p, _ in rows
        for bib in p.bibs
    )


def _note_skipped(state: RunSignUpSync, reasons: list[str], *, count: int) -> None:
    """Add a page's skipped photos to the listing's, keeping the first reasons."""
    state.skipped_photos += count
    kept = [line for line in state.skip_reasons.splitlines() if line]
    state.skip_reasons = "\n".join((kept + reasons)[:MAX_SKIP_REASONS])


def _failed(event: Event, message: str) -> SyncFailed:
    RunSignUpSync.objects.update_or_create(
        event=event, defaults={"last_error": message, "last_error_at": timezone.now()}
    )
    return SyncFailed(message)


def _photos(count: int) -> str:
    return f"{count} photo{'' if count == 1 else 's'}"
