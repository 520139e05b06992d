"""What the portal does with an event's photos; views and the admin call these, nothing else.

Each function hands over to the event's photo source (photos/sources/): views and
templates never know which provider serves an event.
"""

from collections.abc import Iterator

from photos.models import Event, Provider
from photos.providers.base import (
    ConnectionCheck,
    GalleryPage,
    Original,
    Photo,
    SearchMethod,
)
from photos.sources import PhotoSource
from photos.sources import ninepic as ninepic_source
from photos.sources import runsignup as runsignup_source

SOURCES: dict[Provider, PhotoSource] = {
    Provider.NINEPIC: ninepic_source,
    Provider.RUNSIGNUP: runsignup_source,
}


def _source(event: Event) -> PhotoSource:
    return SOURCES[Provider(event.provider)]


def clean_image_id(*, event: Event, image_id: str) -> str:
    """A photo ID as the event's provider writes it, or ValueError (no call made)."""
    return _source(event).clean_image_id(image_id)


def find_photos(*, event: Event, method: SearchMethod, identifier: str, page: int) -> GalleryPage:
    return _source(event).find_photos(event=event, method=method, identifier=identifier, page=page)


def fresh_photo(*, event: Event, image_id: str) -> Photo:
    """The photo with a link valid right now: never one rendered into an earlier page."""
    return _source(event).fresh_photo(event=event, image_id=image_id)


def recent_photo(*, event: Event, image_id: str) -> Photo:
    """The photo with a link valid for fetching now (from a cached gallery if any)."""
    return _source(event).recent_photo(event=event, image_id=image_id)


def originals_for_zip(
    *, event: Event, method: SearchMethod, identifier: str, image_ids: list[str], limit: int
) -> tuple[int, Iterator[Original]]:
    """How many photos, and their originals one by one, opened as the ZIP is written.

    `image_ids` picks photos of the search; empty means all of them. Raises
    providers.base.TooManyPhotos beyond `limit`, before anything is sent.
    """
    return _source(event).originals_for_zip(
        event=event, method=method, identifier=identifier, image_ids=image_ids, limit=limit
    )


def open_original(*, event: Event, photo: Photo) -> Original:
    return _source(event).open_original(event=event, photo=photo)


def hosted_preview_url(*, event: Event, image_id: str, size: str) -> str | None:
    """The provider's own preview of the photo, if it hosts one; None: make it from the original."""
    return _source(event).hosted_preview_url(event=event, image_id=image_id, size=size)


def check_connection(*, event: Event) -> ConnectionCheck:
    return _source(event).check_connection(event=event)
