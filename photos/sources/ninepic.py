"""Photos of 9Pic events, asked from 9Pic live: it searches by BIB and selfie itself.

Gallery answers are cached well inside the life of their signed links, and
identical concurrent searches share one upstream call (photos/singleflight.py).
"""

import logging
import time
from collections.abc import Iterator

from django.conf import settings
from django.core.cache import cache

from photos import singleflight
from photos.forms import clean_uuid
from photos.models import Event
from photos.providers.base import (
    ConnectionCheck,
    GalleryPage,
    Original,
    Photo,
    ProviderThrottled,
    SearchMethod,
    TooManyPhotos,
)
from photos.providers.ninepic import MAX_PAGE_SIZE, NinePicClient, NinePicEvent

logger = logging.getLogger(__name__)


def clean_image_id(image_id: str) -> str:
    """9Pic names photos by UUID."""
    return clean_uuid(image_id)


def _ninepic(event: Event) -> tuple[NinePicClient, NinePicEvent]:
    return NinePicClient.from_settings(), NinePicEvent(org_id=event.org_id, event_id=event.event_id)


def _spend_upstream_call(event: Event) -> None:
    """Count a call to 9Pic against the event's budget for this minute, or refuse it."""
    limit = settings.UPSTREAM_CALLS_PER_MINUTE_PER_EVENT
    if not limit:
        return
    now = time.time()
    key = f"upstream-budget:{event.pk}:{int(now // 60)}"
    cache.add(key, 0, timeout=120)
    try:
        used = cache.incr(key)
    except ValueError:  # evicted between add and incr
        used = 1
    if used > limit:
        if used == limit + 1:
            logger.warning(
                "event %s: %d calls to 9Pic this minute, refusing more", event.slug, limit
            )
        raise ProviderThrottled(
            f"event {event.slug} spent its 9Pic budget for this minute",
            retry_after=max(1, 60 - int(now % 60)),
        )


def _photo_key(event: Event, image_id: str) -> str:
    return f"photo:9pic:{event.org_id}:{event.event_id}:{image_id}"


def find_photos(*, event: Event, method: SearchMethod, identifier: str, page: int) -> GalleryPage:
    page_size = settings.GALLERY_PAGE_SIZE
    key = f"gallery:9pic:{event.org_id}:{event.event_id}:{method}:{identifier}:{page}:{page_size}"

    def fetch() -> GalleryPage:
        _spend_upstream_call(event)
        client, ref = _ninepic(event)
        result = client.search(
            ref, method=method, identifier=identifier, page=page, page_size=page_size
        )
        lifetime = (
            settings.EMPTY_GALLERY_CACHE_SECONDS
            if result.is_empty
            else settings.GALLERY_CACHE_SECONDS
        )
        # Previews need an original's signed link: keep the ones this page brought.
        cache.set_many({_photo_key(event, p.image_id): p for p in result.photos}, lifetime)
        cache.set(key, result, lifetime)
        return result

    return singleflight.shared(
        key, lookup=lambda: cache.get(key), compute=fetch, wait=settings.NINEPIC_TIME_BUDGET
    )


def fresh_photo(*, event: Event, image_id: str) -> Photo:
    """The photo with a URL signed just now: never one rendered into an earlier page."""
    _spend_upstream_call(event)
    client, ref = _ninepic(event)
    return client.photo(ref, image_id=image_id)


def recent_photo(*, event: Event, image_id: str) -> Photo:
    """The photo with a link signed recently enough to fetch now (from a cached gallery if any)."""
    photo = cache.get(_photo_key(event, image_id))
    if photo is None:
        photo = fresh_photo(event=event, image_id=image_id)
        cache.set(_photo_key(event, image_id), photo, settings.GALLERY_CACHE_SECONDS)
    return photo


def originals_for_zip(
    *, event: Event, method: SearchMethod, identifier: str, image_ids: list[str], limit: int
) -> tuple[int, Iterator[Original]]:
    """How many photos, and their originals one by one with links fetched as it goes.

    `image_ids` picks photos of the search; empty means all of them. The first batch of
    links is fetched before returning, so that a failure or an oversized request still
    becomes a proper error page; later ones only as the ZIP is being written.
    """
    client, ref = _ninepic(event)

    def batch(page: int) -> GalleryPage:
        _spend_upstream_call(event)
        if image_ids:
            return client.photos(ref, image_ids=image_ids, page=page, page_size=MAX_PAGE_SIZE)
        return client.search(
            ref, method=method, identifier=identifier, page=page, page_size=MAX_PAGE_SIZE
        )

    first = batch(1)
    if first.total > limit:
        raise TooManyPhotos(first.total)

    def originals() -> Iterator[Original]:
        result, page = first, 1
        while True:
            for photo in result.photos:
                yield client.open_original(photo)
            if not (result.pagination and result.pagination.has_next):
                return
            page += 1
            result = batch(page)

    return len(image_ids) or first.total, originals()


def open_original(*, event: Event, photo: Photo) -> Original:
    client, _ = _ninepic(event)
    return client.open_original(photo)


def hosted_preview_url(*, event: Event, image_id: str, size: str) -> None:
    """9Pic hosts no previews: the portal makes them from originals (photos/previews.py)."""
    return None


def check_connection(*, event: Event) -> ConnectionCheck:
    client, ref = _ninepic(event)
    return client.check(ref)
