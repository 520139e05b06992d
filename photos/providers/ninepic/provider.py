"""Photos of 9Pic events, asked from 9Pic live: it searches by BIB and selfie itself.

Gallery answers are cached well inside the life of their signed links, a photo 9Pic does
not know is remembered briefly, identical concurrent searches share one upstream call
(photos/singleflight.py), and every call counts against the event's upstream budget and
the asking client's share of it (photos/providers/budget.py). Previews are made by the
portal from the originals (previews.py).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator

from django.conf import settings

from photos import identifiers, sharedcache, singleflight
from photos.domain import (
    ConnectionCheck,
    GalleryPage,
    Original,
    Photo,
    PhotoNotFound,
    SearchMethod,
    TooManyPhotos,
)
from photos.providers import budget
from photos.providers.base import PhotoProvider, Preview
from photos.providers.ninepic import previews
from photos.providers.ninepic.client import MAX_PAGE_SIZE, NinePicClient, NinePicEvent

logger = logging.getLogger(__name__)


class NinePicProvider(PhotoProvider):
    key = "ninepic"
    label = "9Pic"
    supported_searches = frozenset({SearchMethod.BIB, SearchMethod.SELFIE})
    event_fields = ("org_id", "event_id")
    required_event_fields = ("org_id", "event_id")
    admin_description = "The API key comes from the server's environment (NINEPIC_API_KEY)."

    @classmethod
    def missing_settings(cls) -> list[str]:
        return [] if settings.NINEPIC_API_KEY else ["NINEPIC_API_KEY"]

    @property
    def _client(self) -> NinePicClient:
        return NinePicClient.from_settings()

    @property
    def _ref(self) -> NinePicEvent:
        return NinePicEvent.of(self.event)

    def _admit(self) -> None:
        """Before a call (or a wait for one) on the spender's behalf: within its share?"""
        budget.admit(self.event, self.spender)

    def _spend_upstream_call(self) -> None:
        budget.spend(self.event, provider=self.label, spender=self.spender)

    def clean_photo_id(self, image_id: str) -> str:
        """9Pic names photos by UUID."""
        return identifiers.clean_uuid(image_id)

    def _photo_key(self, image_id: str) -> str:
        return f"photo:9pic:{self.event.org_id}:{self.event.event_id}:{image_id}"

    def gallery_page(self, *, method: SearchMethod, identifier: str, page: int) -> GalleryPage:
        page_size = settings.GALLERY_PAGE_SIZE
        ref = self._ref
        key = f"gallery:9pic:{ref.org_id}:{ref.event_id}:{method}:{identifier}:{page}:{page_size}"

        def fetch() -> GalleryPage:
            self._spend_upstream_call()
            result = self._client.search(
                ref, method=method, identifier=identifier, page=page, page_size=page_size
            )
            lifetime = (
                settings.EMPTY_GALLERY_CACHE_SECONDS
                if result.is_empty
                else settings.GALLERY_CACHE_SECONDS
            )
            # Previews need an original's signed link: keep the ones this page brought.
            sharedcache.put_many({self._photo_key(p.image_id): p for p in result.photos}, lifetime)
            sharedcache.put(key, result, lifetime)
            return result

        gallery: GalleryPage = singleflight.shared(
            key,
            lookup=lambda: sharedcache.get(key),
            compute=fetch,
            wait=settings.NINEPIC_TIME_BUDGET,
            admit=self._admit,
        )
        return gallery

    def search_by_selfie(self, selfie: bytes) -> str:
        """Face Search with the selfie under a request ID made here, so that the client's
        retries (after a timeout or a 5xx) reuse it and 9Pic never matches twice. Counts in
        the event's upstream budget and the client's share of it."""
        self._admit()
        self._spend_upstream_call()
        found = self._client.face_search(self._ref, selfie=selfie, request_id=str(uuid.uuid4()))
        return identifiers.clean_uuid(found.request_id)

    def fresh_photo(self, image_id: str) -> Photo:
        """The photo with a URL signed just now: never one rendered into an earlier page."""
        self._admit()
        return self._signed_now(image_id)

    def photo_signed_recently(self, image_id: str) -> Photo:
        """The photo with a link signed recently enough to fetch now: from a gallery page
        cached within GALLERY_CACHE_SECONDS if any, else signed now (and kept as long)."""
        photo: Photo | None = sharedcache.get(self._photo_key(image_id))
        if photo is None:
            photo = self._signed_now(image_id)
            sharedcache.put(self._photo_key(image_id), photo, settings.GALLERY_CACHE_SECONDS)
        return photo

    def _signed_now(self, image_id: str) -> Photo:
        """One call to 9Pic for the photo, or PhotoNotFound. Not found is remembered for
        UNKNOWN_PHOTO_CACHE_SECONDS: asking again for a made-up ID costs no call."""
        unknown_key = f"{self._photo_key(image_id)}:unknown"
        if sharedcache.get(unknown_key):
            raise PhotoNotFound(f"9Pic did not know image {image_id} a moment ago")
        self._spend_upstream_call()
        try:
            return self._client.photo(self._ref, image_id=image_id)
        except PhotoNotFound:
            sharedcache.put(unknown_key, True, settings.UNKNOWN_PHOTO_CACHE_SECONDS)
            raise

    def open_original(self, photo: Photo) -> Original:
        return self._client.open_original(photo, time_limit=settings.ORIGINAL_TIME_LIMIT)

    def originals_for_zip(
        self, *, method: SearchMethod, identifier: str, image_ids: list[str], limit: int
    ) -> tuple[int, Iterator[Original]]:
        """The first batch of links is fetched before returning; later ones only as the ZIP
        is being written, so that no link is older than a few minutes when it is fetched.
        However 9Pic pages, the ZIP holds at most the count its first page promised (or
        the photos ticked), and asks for no more pages than that count fills."""
        client, ref = self._client, self._ref

        def batch(page: int) -> GalleryPage:
            self._spend_upstream_call()
            if image_ids:
                return client.photos(ref, image_ids=image_ids, page=page, page_size=MAX_PAGE_SIZE)
            return client.search(
                ref, method=method, identifier=identifier, page=page, page_size=MAX_PAGE_SIZE
            )

        self._admit()
        first = batch(1)
        count = len(image_ids) or first.total
        if count > limit:
            raise TooManyPhotos(count)
        last_page = -(-count // MAX_PAGE_SIZE)

        def originals() -> Iterator[Original]:
            result, page, left = first, 1, count
            while True:
                for photo in result.photos[:left]:
                    yield client.open_original(photo, time_limit=settings.ORIGINAL_TIME_LIMIT)
                left -= min(left, len(result.photos))
                more = result.pagination is not None and result.pagination.has_next
                if not (left and more and page < last_page):
                    return
                page += 1
                result = batch(page)

        return count, originals()

    def preview(self, image_id: str, size: str) -> Preview:
        """9Pic's originals are all it lists: the portal makes previews from them, once."""

        def open_original() -> Original:
            # A runner waits for the preview: its original gets the runner's time budget.
            photo = self.photo_signed_recently(image_id)
            return self._client.open_original(photo, time_limit=settings.NINEPIC_TIME_BUDGET)

        name = self._preview_name(image_id, size)
        return Preview(
            file=previews.preview_file(name, previews.SIZES[size], open_original, admit=self._admit)
        )

    def preview_etag(self, image_id: str, size: str) -> str:
        return previews.etag(self._preview_name(image_id, size))

    def _preview_name(self, image_id: str, size: str) -> str:
        photo_key = f"{self.event.org_id}-{self.event.event_id}-{image_id}"
        return previews.preview_name(photo_key, previews.SIZES[size])

    def check_connection(self) -> ConnectionCheck:
        client, ref = self._client, self._ref
        check = client.check(ref)
        if not check.ok or SearchMethod.SELFIE not in self.search_methods:
            return check
        upload = client.check_selfie_upload(ref)
        return ConnectionCheck(upload.ok, f"{check.message} {upload.message}")
