"""Copy a RunSignUp event's photo listing into the portal's index (RunSignUpPhoto).

Used by `manage.py sync_runsignup_photos` and the admin's "refresh now". A sync is
incremental when the event has been synced before: it lists the photos uploaded since
the newest one it saw, minus RUNSIGNUP_SYNC_OVERLAP_SECONDS, and saves them (updating
the ones it has). A full sync lists everything and then removes the photos the listing
no longer has. Progress is saved after every page, so a sync cut short (throttling
beyond the time budget, a crash, a deploy) is resumed at the same page by the next one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
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

# How long a running sync holds its event after its last page before another may start.
LOCK_SECONDS = 600


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
    finally:
        RunSignUpSync.objects.filter(pk=event.pk).update(locked_until=None)


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
        trusted = [p for p in listing.photos if _on_storage(client, p)]
        with transaction.atomic():
            _save(event, trusted, listing=state.listing if is_full else None)
            newest = max((p.uploaded_ts for p in trusted), default=None)
            if newest is not None:
                seen = datetime.fromtimestamp(newest, UTC)
                if state.listing_uploaded_until is None or seen > state.listing_uploaded_until:
                    state.listing_uploaded_until = seen
            state.next_page = page + 1
            state.locked_until = timezone.now() + timedelta(seconds=LOCK_SECONDS)
            state.save()
        pages += 1
        saved += len(trusted)
        skipped = len(listing.photos) - len(trusted) + listing.skipped
        progress(
            f"{event.slug}: page {page} ({kind}): {len(trusted)} photos saved"
            + (f", {skipped} unusable skipped" if skipped else "")
        )
        if listing.is_last:
            break
        page += 1
    with transaction.atomic():
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
    # One conditional UPDATE: atomic on SQLite and PostgreSQL alike, without a long transaction.
    claimed = (
        RunSignUpSync.objects.filter(pk=event.pk)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .update(locked_until=now + timedelta(seconds=LOCK_SECONDS))
    )
    if not claimed:
        raise SyncFailed("Another sync of this event is running; try again in a few minutes.")
    return RunSignUpSync.objects.get(pk=event.pk)


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
    state.save()


def _on_storage(client: RunSignUpClient, photo: RacePhoto) -> bool:
    """The index only keeps links the portal may fetch or send runners to."""
    images = (photo.original, photo.large, photo.thumbnail)
    return all(client.is_storage_link(image.url) for image in images)


def _save(event: Event, photos: list[RacePhoto], *, listing: int | None) -> None:
    """Insert or update the photos and replace their BIBs; `listing` marks them seen by a
    full listing (an incremental one leaves the mark alone)."""
    if not photos:
        return
    rows = [
        RunSignUpPhoto(
            event=event,
            photo_id=p.photo_id,
            album_id=p.album_id,
            uploaded_filename=p.uploaded_filename[:255],
            uploaded_at=datetime.fromtimestamp(p.uploaded_ts, UTC),
            original_url=p.original.url,
            large_url=p.large.url,
            large_width=p.large.width,
            large_height=p.large.height,
            thumbnail_url=p.thumbnail.url,
            thumbnail_width=p.thumbnail.width,
            thumbnail_height=p.thumbnail.height,
            seen_in_listing=listing or 0,
        )
        for p in photos
    ]
    fields = [
        f.name
        for f in RunSignUpPhoto._meta.concrete_fields
        if f.name not in ("id", "event", "photo_id")
        and (listing is not None or f.name != "seen_in_listing")
    ]
    RunSignUpPhoto.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["event", "photo_id"], update_fields=fields
    )
    ids = dict(
        RunSignUpPhoto.objects.filter(
            event=event, photo_id__in=[p.photo_id for p in photos]
        ).values_list("photo_id", "pk")
    )
    RunSignUpPhotoBib.objects.filter(photo_id__in=ids.values()).delete()
    RunSignUpPhotoBib.objects.bulk_create(
        RunSignUpPhotoBib(photo_id=ids[p.photo_id], event=event, bib=bib)
        for p in photos
        for bib in p.bibs
    )


def _failed(event: Event, message: str) -> SyncFailed:
    RunSignUpSync.objects.update_or_create(
        event=event, defaults={"last_error": message, "last_error_at": timezone.now()}
    )
    return SyncFailed(message)


def _photos(count: int) -> str:
    return f"{count} photo{'' if count == 1 else 's'}"
