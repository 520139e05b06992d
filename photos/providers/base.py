"""The one interface every photo provider offers, for one event.

Views, the admin and the ZIP code ask `photos.providers.provider_for(event)` and call
these methods; they never ask which provider it is. A provider keeps whatever it needs
behind them: 9Pic is asked live (with caches and single flight), RunSignUp is read from
the portal's index of its photos.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO, ClassVar

from django.db.models import QuerySet

from photos.domain import (
    ConnectionCheck,
    GalleryPage,
    Original,
    OriginalLink,
    PhotoHour,
    SearchMethod,
    SearchNotOffered,
)

if TYPE_CHECKING:
    from photos.models import Event


@dataclass(frozen=True)
class Preview:
    """A photo's preview: the provider's own picture (a redirect) or a JPEG the portal made,
    open for reading (the response closes it)."""

    redirect_to: str | None = None
    file: BinaryIO | None = None


@dataclass(frozen=True)
class StatusLine:
    """One fact about the event's photos at its provider, for the organiser's admin page."""

    label: str
    value: str


class PhotoProvider(ABC):
    """One event's photos at one provider. Every method either answers or raises an error of
    `photos.domain` (ProviderError and its kinds, PhotoNotFound, TooManyPhotos)."""

    key: ClassVar[str]  # the Event.provider value
    label: ClassVar[str]  # what organisers call it
    supported_searches: ClassVar[frozenset[SearchMethod]]
    # The Event fields that name the event at this provider (the admin shows them together),
    # and those of them without which nothing can be asked.
    event_fields: ClassVar[tuple[str, ...]]
    required_event_fields: ClassVar[tuple[str, ...]]
    # Shown above the provider's fields in the admin.
    admin_description: ClassVar[str] = ""
    # Whether gallery_page may call the provider (spending the event's upstream budget), so
    # that scheduled work pacing itself must; False where searches read the portal's index.
    searches_cost_upstream_calls: ClassVar[bool] = True

    def __init__(self, event: Event, *, spender: str | None = None):
        """`spender` is the client the calls made now are for (photos.ratelimits.client_key),
        whose share of the event's budget of upstream calls they count against; None for
        the portal's own (the admin, commands)."""
        self.event = event
        self.spender = spender

    @property
    def search_methods(self) -> list[SearchMethod]:
        """The searches runners get: those the organiser offers that the provider supports."""
        offered = {
            SearchMethod.BIB: self.event.offers_bib_search,
            SearchMethod.SELFIE: self.event.offers_selfie_search,
            # A clock time names a moment only on a known race day.
            SearchMethod.TIME: self.event.date is not None,
            SearchMethod.ALL: self.event.allows_browse_all,
        }
        return [m for m in SearchMethod if offered[m] and m in self.supported_searches]

    @property
    def numeric_bibs(self) -> bool:
        """Whether every BIB of the event is digits only (phones then offer a number pad)."""
        return self.event.bibs_are_numbers

    @abstractmethod
    def clean_photo_id(self, image_id: str) -> str:
        """The photo ID as this provider writes it, or ValueError: checked before any call."""

    @abstractmethod
    def gallery_page(self, *, method: SearchMethod, identifier: str, page: int) -> GalleryPage:
        """One page of a search's photos (GALLERY_PAGE_SIZE a page). No photos is not an error.
        `identifier` is in canonical form: a BIB, a request ID, a `TimeSearch`'s or an
        `Order`'s (ALL)."""

    def capture_hours(self) -> list[PhotoHour]:
        """How many photos were taken in each hour, for TIME galleries' histogram: only a
        provider that supports TIME searches answers."""
        return []

    def search_by_selfie(self, selfie: bytes) -> str:
        """Search the event's photos for the runner in `selfie` (a JPEG made by
        photos.selfies, held in memory only): the identifier of the selfie gallery that shows
        them (its request ID). Providers without face search raise SearchNotOffered."""
        raise SearchNotOffered(f"{self.label} has no selfie search")

    @abstractmethod
    def fresh_original(self, image_id: str) -> OriginalLink:
        """A link to the photo's original valid right now, or PhotoNotFound."""

    @abstractmethod
    def open_original(self, link: OriginalLink) -> Original:
        """Start streaming the original from the provider's storage."""

    @abstractmethod
    def originals_for_zip(
        self, *, method: SearchMethod, identifier: str, image_ids: list[str], limit: int
    ) -> tuple[int, Iterator[Original]]:
        """How many photos, and their originals one by one, opened as the ZIP is written.

        `image_ids` picks photos of the search; empty means all of them. Raises
        TooManyPhotos beyond `limit` and any failure of the first call before anything is
        sent, so that they still become a proper page.
        """

    @abstractmethod
    def preview(self, image_id: str, size: str) -> Preview:
        """The photo's preview for `size` ("small" for the grid, "large" for viewing)."""

    def preview_etag(self, image_id: str, size: str) -> str | None:
        """An ETag for a preview the portal makes, known without making it; None otherwise."""
        return None

    @abstractmethod
    def check_connection(self) -> ConnectionCheck:
        """Tell the organiser in plain words whether the portal can read the event's photos."""

    def refresh(self) -> str:
        """Bring what the portal keeps of the event's photos up to date; say what was done.
        Raises ProviderError (or RefreshFailed) with words for the organiser."""
        return f"{self.label} is asked live: there is nothing to refresh."

    def unpublished_reason(self) -> str | None:
        """Why runners are told the photos are not published yet although the portal
        publishes the event (the provider has it as a draft, or switched off), in words for
        the organiser; None if nothing at the provider holds them back."""
        return None

    def status(self) -> list[StatusLine]:
        """What the organiser should know about the event's photos at the provider."""
        return []

    def summary(self) -> str:
        """The status in a few words, for the admin's list of events."""
        return "–"

    @classmethod
    def missing_settings(cls) -> list[str]:
        """The settings this provider cannot work without that are not set (keys, secrets)."""
        return []

    @classmethod
    def with_status(cls, events: QuerySet[Event]) -> QuerySet[Event]:
        """`events` fetching, in the same query, what `status()` and `summary()` read."""
        return events


class RefreshFailed(Exception):
    """A refresh stopped; the message (words for the organiser) says why."""
