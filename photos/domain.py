"""The portal's neutral vocabulary: what a photo provider returns and raises.

Views, templates and the admin only ever see these types, never a provider's own, so
they serve an event without knowing which provider holds its photos.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class SearchMethod(StrEnum):
    """How a gallery's photos are found; its address names it (`/<method>/<identifier>/`)."""

    BIB = "bib"  # the runner's BIB
    SELFIE = "selfie"  # a selfie search's request ID
    TIME = "time"  # taken around a clock time on the race day (photos.timewindows)
    ALL = "all"  # every photo of the event, newest or oldest first

    @property
    def finds_a_runner(self) -> bool:
        """Whether its photos are the runner's own (TIME and ALL show everyone's): what the
        search form asks for, and what an email about new photos can be about."""
        return self in (SearchMethod.BIB, SearchMethod.SELFIE)


class Order(StrEnum):
    """Which photos a browsing gallery (TIME, ALL) shows first."""

    NEWEST = "newest"
    OLDEST = "oldest"


@dataclass(frozen=True)
class Photo:
    """A photo in a gallery: what a page shows of it. Its original is asked for at click
    time (`OriginalLink`), never put in a page."""

    image_id: str
    filename: str  # what a download of the original is called
    # The provider's own renderings, which pages show directly (RunSignUp's thumbnail and
    # large image, 9Pic's small and large previews on its CDN); None where the portal makes
    # previews from the original.
    thumbnail_url: str | None = None
    large_url: str | None = None
    # The photo's size in pixels, or its shape at least, where the provider says.
    width: int | None = None
    height: int | None = None
    # The widths of those two renderings in pixels, where the provider says them.
    thumbnail_width: int | None = None
    large_width: int | None = None


@dataclass(frozen=True)
class PhotoHour:
    """How many photos were taken in the hour from `start` (aware, UTC)."""

    start: datetime
    count: int


@dataclass(frozen=True)
class OriginalLink:
    """Where a photo's original can be fetched right now. 9Pic's links expire within the
    hour: they are asked for when needed and never rendered into a page."""

    image_id: str
    filename: str
    url: str


@dataclass(frozen=True)
class FailedPhoto:
    image_id: str
    error: str


@dataclass(frozen=True)
class Pagination:
    total: int
    current_page: int
    total_pages: int
    has_next: bool
    has_previous: bool
    page_size: int

    @classmethod
    def of(cls, *, total: int, page: int, page_size: int) -> Pagination:
        """Page `page` of `total` items, `page_size` a page (where the portal pages itself)."""
        total_pages = -(-total // page_size)
        return cls(
            total=total,
            current_page=page,
            total_pages=total_pages,
            has_next=page < total_pages,
            has_previous=page > 1,
            page_size=page_size,
        )


@dataclass(frozen=True)
class GalleryPage:
    photos: list[Photo]
    failed: list[FailedPhoto]
    total: int
    pagination: Pagination | None
    message: str = ""
    # When the first of the page's preview links stops working (Unix time), if they expire:
    # nothing may keep the page longer.
    links_expire_at: float | None = None

    @property
    def is_empty(self) -> bool:
        return self.total == 0


@dataclass
class Original:
    """An original photo being streamed from the provider's storage."""

    filename: str
    content_type: str
    content_length: int | None
    chunks: Iterator[bytes] = field(repr=False)

    def close(self) -> None:
        """Stop streaming before the end: the connection to storage is released now."""
        close = getattr(self.chunks, "close", None)
        if close is not None:
            close()


@dataclass(frozen=True)
class ConnectionCheck:
    ok: bool
    message: str


class _PicklableError(Exception):
    """Survives pickling whatever its constructor takes: single flight hands a leader's error
    to its followers through the cache, which pickles it."""

    def __reduce__(
        self,
    ) -> tuple[Callable[..., _PicklableError], tuple[object, ...], dict[str, object]]:
        # Exception's own reduce calls the class again with `args` only: a keyword-only
        # argument (`status`, `retry_after`) is refused, a message taken for a count. Rebuild
        # without calling __init__, then restore the attributes.
        return (_rebuilt, (type(self), self.args), self.__dict__)


def _rebuilt(cls: type[_PicklableError], args: tuple[object, ...]) -> _PicklableError:
    return cls.__new__(cls, *args)


class ProviderError(_PicklableError):
    """The provider could not answer. `str(error)` is safe to log: no key, no signed URL."""


class ProviderMisconfigured(ProviderError):
    """The provider refused our credentials or the event's identifiers (9Pic 401/403,
    RunSignUp 401/403 or error 6)."""

    def __init__(self, message: str, *, status: int):
        super().__init__(message)
        self.status = status


class ProviderRejectedRequest(ProviderError):
    """The provider found the request invalid (9Pic 400/422; RunSignUp's other errors, e.g.
    an unknown race) although we validated it."""


class SelfieNotUsable(ProviderRejectedRequest):
    """The provider could not search with a selfie the portal had checked (9Pic 400): most
    likely it found no face in it."""


class SearchNotOffered(ProviderError):
    """The provider does not offer that search for the event: it does not support it at all,
    or refuses it for this event (9Pic 403: the event's `selfie_search` switched off)."""


class PhotoNotFound(ProviderError):
    """The provider does not know the requested image."""


class ProviderThrottled(ProviderError):
    """The provider is rate limiting us; `retry_after` is in seconds when it said."""

    def __init__(self, message: str, *, retry_after: int | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class ProviderUnavailable(ProviderError):
    """The provider failed: 5xx, connection refused or reset, or an unreadable answer."""


class ProviderTimeout(ProviderError):
    """The provider did not answer within the time budget."""


class TooManyPhotos(_PicklableError):
    """More photos than one ZIP may hold."""

    def __init__(self, count: int):
        super().__init__(f"{count} photos")
        self.count = count
