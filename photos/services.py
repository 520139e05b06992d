"""What the portal does with an event's photo provider; views call these, nothing else."""

from django.conf import settings

from photos.models import Event
from photos.providers.base import ConnectionCheck, GalleryPage, Original, Photo, SearchMethod
from photos.providers.ninepic import NinePicClient, NinePicEvent


def _ninepic(event: Event) -> tuple[NinePicClient, NinePicEvent]:
    return NinePicClient.from_settings(), NinePicEvent(org_id=event.org_id, event_id=event.event_id)


def find_photos(*, event: Event, method: SearchMethod, identifier: str, page: int) -> GalleryPage:
    client, ref = _ninepic(event)
    return client.search(
        ref, method=method, identifier=identifier, page=page, page_size=settings.GALLERY_PAGE_SIZE
    )


def fresh_photo(*, event: Event, image_id: str) -> Photo:
    """The photo with a URL signed just now: never one rendered into an earlier page."""
    client, ref = _ninepic(event)
    return client.photo(ref, image_id=image_id)


def open_original(*, event: Event, photo: Photo) -> Original:
    client, _ = _ninepic(event)
    return client.open_original(photo)


def check_connection(*, event: Event) -> ConnectionCheck:
    client, ref = _ninepic(event)
    return client.check(ref)
