"""Photos of RunSignUp events, read from the portal's index of them.

RunSignUp can only list a race's photos, not search them, so `sync_runsignup_photos`
(sync.py) copies the listing into RunSignUpPhoto/RunSignUpPhotoBib and runners' searches
are one indexed query: no call to RunSignUp while a runner waits, except to stream an
original from its storage. Its photo links are public and do not expire, so previews are
RunSignUp's own thumbnail and (watermarked) large images.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from django.conf import settings
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.timesince import timesince

from photos import identifiers
from photos.domain import (
    ConnectionCheck,
    GalleryPage,
    Order,
    Original,
    OriginalLink,
    Pagination,
    Photo,
    PhotoNotFound,
    ProviderUnavailable,
    SearchMethod,
    TooManyPhotos,
)
from photos.models import Event, RunSignUpPhoto, RunSignUpSync
from photos.providers.base import PhotoProvider, Preview, StatusLine
from photos.providers.runsignup import index, sync
from photos.providers.runsignup.client import RunSignUpClient, RunSignUpRace

logger = logging.getLogger(__name__)


class RunSignUpProvider(PhotoProvider):
    key = "runsignup"
    label = "RunSignUp"
    # Not TIME: the index knows when photos were uploaded, not when they were taken.
    supported_searches = frozenset({SearchMethod.BIB, SearchMethod.ALL})
    event_fields = ("runsignup_race_id", "runsignup_event_days_id", "runsignup_album_id")
    required_event_fields = ("runsignup_race_id", "runsignup_event_days_id")
    searches_cost_upstream_calls = False  # they read the index
    admin_description = (
        "Runners search a copy of the race's photo list that the portal keeps up to date "
        "(sync_runsignup_photos, or “Refresh from the photo provider now” in the list of "
        "events). The API key and secret come from the server's environment."
    )

    @classmethod
    def missing_settings(cls) -> list[str]:
        return [
            name
            for name in ("RUNSIGNUP_API_KEY", "RUNSIGNUP_API_SECRET")
            if not getattr(settings, name)
        ]

    @property
    def numeric_bibs(self) -> bool:
        """RunSignUp's BIBs are numbers."""
        return True

    def clean_photo_id(self, image_id: str) -> str:
        """RunSignUp numbers its photos."""
        return identifiers.clean_number(image_id)

    def gallery_page(self, *, method: SearchMethod, identifier: str, page: int) -> GalleryPage:
        photos = self._searched(method, identifier)
        if photos is None:
            return GalleryPage(photos=[], failed=[], total=0, pagination=None)
        page_size = settings.GALLERY_PAGE_SIZE
        rows, total = index.page_of(photos, offset=(page - 1) * page_size, limit=page_size)
        if not total:
            return GalleryPage(photos=[], failed=[], total=0, pagination=None)
        return GalleryPage(
            photos=[_photo(row) for row in rows],
            failed=[],
            total=total,
            pagination=Pagination.of(total=total, page=page, page_size=page_size),
        )

    def _searched(self, method: SearchMethod, identifier: str) -> QuerySet[RunSignUpPhoto] | None:
        """The search's photos in gallery order; None where it can find none. Browsing all
        shows photos without any BIB too, by upload time."""
        if method is SearchMethod.ALL:
            return index.photos_by_upload(self.event, newest_first=identifier == Order.NEWEST)
        bib = _bib_number(identifier) if method is SearchMethod.BIB else None
        return None if bib is None else index.photos_showing(self.event, bib)

    def _indexed(self, image_id: str) -> RunSignUpPhoto:
        try:
            return index.photos_of(self.event).get(photo_id=int(image_id))
        except RunSignUpPhoto.DoesNotExist:
            raise PhotoNotFound(f"RunSignUp photo {image_id} is not in the index") from None

    def fresh_original(self, image_id: str) -> OriginalLink:
        """RunSignUp's links do not expire: the index's is as good as a fresh one, if it is
        still on RunSignUp's storage as the settings say now (a browser may be sent there)."""
        link = _original(self._indexed(image_id))
        if not RunSignUpClient.from_settings().is_storage_link(link.url):
            logger.error("RunSignUp photo %s: its indexed link is off storage", image_id)
            raise ProviderUnavailable(f"RunSignUp photo {image_id}: link off storage")
        return link

    def open_original(self, link: OriginalLink) -> Original:
        return RunSignUpClient.from_settings().open_original(
            url=link.url, filename=link.filename, time_limit=settings.ORIGINAL_TIME_LIMIT
        )

    def originals_for_zip(
        self, *, method: SearchMethod, identifier: str, image_ids: list[str], limit: int
    ) -> tuple[int, Iterator[Original]]:
        rows = self._searched(method, identifier)
        if rows is None:
            if image_ids:
                raise PhotoNotFound("no photos in this search")
            return 0, iter(())
        if image_ids:
            rows = rows.filter(photo_id__in=[int(i) for i in image_ids])
        links = [_original(row) for row in rows[: limit + 1]]
        if len(links) > limit:
            raise TooManyPhotos(rows.count())
        if image_ids and not links:
            raise PhotoNotFound("none of the ticked photos is in this search")
        client = RunSignUpClient.from_settings()

        def originals() -> Iterator[Original]:
            for link in links:
                # Cameras reuse names (IMG_0001.jpg): the photo id keeps each one in the archive.
                name = f"{link.image_id}-{link.filename}"
                yield client.open_original(
                    url=link.url, filename=name, time_limit=settings.ORIGINAL_TIME_LIMIT
                )

        return len(links), originals()

    def preview(self, image_id: str, size: str) -> Preview:
        """RunSignUp's own rendering: its thumbnail for the grid, its large image for viewing."""
        row = self._indexed(image_id)
        url = row.thumbnail_url if size == "small" else row.large_url
        if not RunSignUpClient.from_settings().is_storage_link(url):
            raise PhotoNotFound(f"RunSignUp photo {image_id} has no preview on its storage")
        return Preview(redirect_to=url)

    def check_connection(self) -> ConnectionCheck:
        return RunSignUpClient.from_settings().check(RunSignUpRace.of(self.event))

    # --- The index, for organisers -----------------------------------------------------

    def refresh(self) -> str:
        """An incremental sync of the index (SyncFailed says why it stopped)."""
        result = sync.sync_event(event=self.event)
        return (
            f"{result.saved} photos saved, {result.removed} removed; {result.indexed} in the index."
        )

    def status(self) -> list[StatusLine]:
        state = self._sync_state()
        if state is None or not state.last_error:
            last_error = "none"
        else:
            last_error = f"{state.last_error} ({state.last_error_at:%Y-%m-%d %H:%M} UTC)"
        if state is None or not state.skipped_photos:
            skipped = "none"
        else:
            skipped = f"{state.skipped_photos}: {'; '.join(state.skip_reasons.splitlines())}"
        return [
            StatusLine("Last sync", self._last_sync()),
            StatusLine("Photos indexed", str(self._indexed_count())),
            StatusLine("Photos skipped", skipped),
            StatusLine("Last error", last_error),
        ]

    def summary(self) -> str:
        state = self._sync_state()
        if state is not None and state.last_error:
            return f"{self._indexed_count()} photos; last sync failed"
        return f"{self._indexed_count()} photos, {self._last_sync()}"

    def _last_sync(self) -> str:
        state = self._sync_state()
        if state is None or state.last_synced_at is None:
            return "never"
        ago = timesince(state.last_synced_at, timezone.now())
        return f"{ago} ago ({state.last_synced_at:%Y-%m-%d %H:%M} UTC)"

    @classmethod
    def with_status(cls, events: QuerySet[Event]) -> QuerySet[Event]:
        return events.select_related("runsignup_sync").annotate(
            indexed_photos=Count("runsignup_photos")
        )

    def _indexed_count(self) -> int:
        counted = getattr(self.event, "indexed_photos", None)
        return counted if counted is not None else index.photos_of(self.event).count()

    def _sync_state(self) -> RunSignUpSync | None:
        try:
            return self.event.runsignup_sync
        except RunSignUpSync.DoesNotExist:
            return None


def _bib_number(identifier: str) -> int | None:
    """RunSignUp's BIBs are numbers: "A-17" has no photos there. (Django finds nothing,
    without asking the database, for a number beyond the column's range.)"""
    return int(identifier) if identifier.isdigit() else None


def _filename(row: RunSignUpPhoto) -> str:
    # The sync saves safe names; this also covers rows it saved before it did.
    return identifiers.safe_filename(row.uploaded_filename, image_id=str(row.photo_id))


def _photo(row: RunSignUpPhoto) -> Photo:
    return Photo(
        image_id=str(row.photo_id),
        filename=_filename(row),
        # The sync only indexes photos whose three links are on RunSignUp's storage.
        thumbnail_url=row.thumbnail_url,
        large_url=row.large_url,
        width=row.large_width,
        height=row.large_height,
        thumbnail_width=row.thumbnail_width,
        large_width=row.large_width,
    )


def _original(row: RunSignUpPhoto) -> OriginalLink:
    return OriginalLink(image_id=str(row.photo_id), filename=_filename(row), url=row.original_url)
