"""Where an event's photos come from: one module per provider, each with the same functions.

`photos/services.py` picks the module for an event's provider; views never do. A module
answers runners from wherever suits its provider: 9Pic live (it can search), RunSignUp
from the portal's index (it can only list).
"""

from collections.abc import Iterator
from typing import Protocol

from photos.models import Event
from photos.providers.base import ConnectionCheck, GalleryPage, Original, Photo, SearchMethod


class PhotoSource(Protocol):
    def clean_image_id(self, image_id: str) -> str:
        """The canonical photo ID, or ValueError: checked before any call."""

    def find_photos(
        self, *, event: Event, method: SearchMethod, identifier: str, page: int
    ) -> GalleryPage: ...

    def fresh_photo(self, *, event: Event, image_id: str) -> Photo:
        """The photo with a link valid now, or PhotoNotFound."""

    def recent_photo(self, *, event: Event, image_id: str) -> Photo:
        """The photo with a link still valid for a fetch now (may come from a cache)."""

    def open_original(self, *, event: Event, photo: Photo) -> Original: ...

    def originals_for_zip(
        self,
        *,
        event: Event,
        method: SearchMethod,
        identifier: str,
        image_ids: list[str],
        limit: int,
    ) -> tuple[int, Iterator[Original]]: ...

    def hosted_preview_url(self, *, event: Event, image_id: str, size: str) -> str | None:
        """The provider's own preview image for `size` ("small", "large"), or None when the
        portal makes previews from the original."""

    def check_connection(self, *, event: Event) -> ConnectionCheck: ...
