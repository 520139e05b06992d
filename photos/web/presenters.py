"""What runner pages show of a search: photo cards, titles, share cards, page numbers, and
what browsing galleries (by time, all photos) offer: orders, a wider window, a histogram."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from photos.domain import GalleryPage, Order, Photo, PhotoHour, SearchMethod
from photos.timewindows import HALF_HOUR, TimeSearch
from photos.web.addresses import GallerySearch, gallery_url, page_namespace, photo_url
from photos.web.languages import without_language

if TYPE_CHECKING:
    from photos.models import Event

# A preview is the same picture in every language: one address for all of them, so that
# browsers and CDNs keep one copy, whichever language the page around it speaks.
PREVIEW_LANGUAGE = settings.LANGUAGE_CODE
# Shown in page lists where pages are left out.
PAGE_GAP = Paginator.ELLIPSIS
# The size of the portal's own grid previews (photos.providers.ninepic.previews), for photos
# whose provider does not say theirs.
DEFAULT_SIZE = (720, 480)
# How wide a grid tile is shown, for browsers choosing between a provider's two renderings
# by width: portal.css's .photo-grid (2 columns on phones, 3 from 34rem, 4 from 60rem within
# main's 72rem).
TILE_SIZES = "(min-width: 60rem) 17rem, (min-width: 34rem) 32vw, 50vw"


@dataclass(frozen=True)
class PhotoCard:
    number: int
    label: str  # "Photo 5 of 47": its alt text, and what its buttons say to screen readers
    photo: Photo
    page_url: str
    preview_url: str
    large_preview_url: str
    # The grid's picture by width (with preview_sizes), so that dense screens get the large
    # rendering where the small one would be stretched: where the provider has both and says
    # their widths (RunSignUp); else "" and the small one alone: 9Pic says neither width,
    # and its small preview is made for grids, its large one (a full screen's) for the photo
    # page, several times what a tile needs.
    preview_srcset: str
    preview_sizes: str
    # Its size, so that browsers keep its place before it arrives.
    width: int
    height: int
    download_url: str


def photo_cards(
    request: HttpRequest,
    search: GallerySearch,
    photos: list[Photo],
    *,
    first_number: int,
    total: int,
) -> list[PhotoCard]:
    # reverse() once per link kind, not per photo: 90 reverses were half a page's render time.
    placeholder = "~photo~"  # can be neither a BIB, a selfie ID nor a photo ID
    slug = search.event.slug
    namespace = page_namespace(request)
    links = {
        "download": reverse("photos:download", args=[slug, placeholder], current_app=namespace),
        "page": photo_url(request, search, placeholder, search.page),
    }
    with translation.override(PREVIEW_LANGUAGE):
        for name in ("preview", "preview-large"):
            links[name] = reverse(f"photos:{name}", args=[slug, placeholder], current_app=namespace)

    def link(name: str, photo: Photo) -> str:
        return links[name].replace(placeholder, photo.image_id)

    def srcset(photo: Photo) -> tuple[str, str]:
        small, large = photo.thumbnail_url, photo.large_url
        if small and large and photo.thumbnail_width and photo.large_width:
            return f"{small} {photo.thumbnail_width}w, {large} {photo.large_width}w", TILE_SIZES
        return "", ""

    cards = []
    for number, photo in enumerate(photos, start=first_number):
        preview_srcset, preview_sizes = srcset(photo)
        cards.append(
            PhotoCard(
                number=number,
                # Here, not in the card's template: 90 {% blocktranslate %} were a third of a
                # page's render time.
                label=_("Photo %(number)s of %(total)s") % {"number": number, "total": total},
                photo=photo,
                page_url=link("page", photo),
                # A provider's own rendering spares the runner a redirect through the portal.
                preview_url=photo.thumbnail_url or link("preview", photo),
                large_preview_url=photo.large_url or link("preview-large", photo),
                preview_srcset=preview_srcset,
                preview_sizes=preview_sizes,
                width=photo.width or DEFAULT_SIZE[0],
                height=photo.height or DEFAULT_SIZE[1],
                download_url=link("download", photo),
            )
        )
    return cards


def first_number(result: GalleryPage, page: int) -> int:
    """The number, in the whole search, of the page's first photo."""
    return (page - 1) * (result.pagination.page_size if result.pagination else 0) + 1


def page_numbers(current: int, total_pages: int) -> list[int | str]:
    """Page links to show: the first, the last and two either side of the current one;
    PAGE_GAP where pages are left out."""
    pages = Paginator(range(total_pages), 1)
    return list(pages.get_elided_page_range(current, on_each_side=2, on_ends=1))


@dataclass(frozen=True)
class ShareCard:
    title: str
    url: str
    image_url: str | None


def share_card(
    request: HttpRequest, search: GallerySearch, path: str, photo: Photo | None, *, title: str
) -> ShareCard:
    """What a shared link shows in chat and social apps: absolute addresses of the normal
    (not embedded) page, and a preview through the portal, even where the gallery shows the
    provider's: apps fetch a card's image long after the link was shared, and 9Pic's preview
    links may expire or move. The page's address names no language, so each recipient
    reads it in theirs."""
    image = None
    if photo is not None:
        with translation.override(PREVIEW_LANGUAGE):
            preview = reverse("photos:preview-large", args=[search.event.slug, photo.image_id])
        image = request.build_absolute_uri(preview)
    url = request.build_absolute_uri(without_language(path))
    return ShareCard(title=f"{title} · {search.event.texts.name}", url=url, image_url=image)


def gallery_title(search: GallerySearch, count: int) -> str:
    if search.method is SearchMethod.BIB:
        return ngettext(
            "%(count)s race photo for BIB %(bib)s", "%(count)s race photos for BIB %(bib)s", count
        ) % {"count": count, "bib": search.identifier}
    if search.method is SearchMethod.TIME:
        return ngettext(
            "%(count)s race photo taken around %(time)s",
            "%(count)s race photos taken around %(time)s",
            count,
        ) % {"count": count, "time": clock(search)}
    if search.method is SearchMethod.ALL:
        return ngettext("%(count)s race photo", "%(count)s race photos", count) % {"count": count}
    return ngettext(
        "%(count)s race photo from a selfie", "%(count)s race photos from a selfie", count
    ) % {"count": count}


def photo_title(search: GallerySearch) -> str:
    if search.method is SearchMethod.BIB:
        return _("Race photo for BIB %(bib)s") % {"bib": search.identifier}
    if search.method is SearchMethod.TIME:
        return _("Race photo taken around %(time)s") % {"time": clock(search)}
    if search.method is SearchMethod.ALL:
        return _("Race photo")
    return _("Race photo from a selfie")


def clock(search: GallerySearch) -> str | None:
    """A time search's clock time, as runners write it; None for other searches."""
    if search.method is not SearchMethod.TIME:
        return None
    return TimeSearch.parse(search.identifier).clock.strftime("%H:%M")


# --- Browsing: by time, and all photos ---------------------------------------------------


@dataclass(frozen=True)
class Link:
    text: str
    url: str
    current: bool = False


@dataclass(frozen=True)
class HourBar:
    """One hour of the race day's histogram: when, how many photos, and its time search."""

    label: str  # "08:00–09:00", on the race's clocks
    count: int
    tenths: int  # the bar's length, in tenths of the busiest hour's
    url: str | None  # its photos; None for an hour on another day than the race day


@dataclass(frozen=True)
class HistogramDay:
    day: date
    hours: list[HourBar]


@dataclass(frozen=True)
class Browsing:
    """What a time or all-photos gallery offers besides its photos."""

    orders: list[Link]  # newest first, oldest first
    # A time gallery's: its window on the race's clocks, a wider one, when photos were taken.
    window: tuple[str, str] | None = None
    wider: Link | None = None
    histogram: list[HistogramDay] | None = None


def browsing(
    request: HttpRequest, search: GallerySearch, hours: list[PhotoHour] | None
) -> Browsing | None:
    """None for a runner's own search. `hours` is the time gallery's histogram, if known."""
    if search.method.finds_a_runner:
        return None
    event = search.event
    words = {Order.NEWEST: _("Newest first"), Order.OLDEST: _("Oldest first")}
    if search.method is SearchMethod.ALL:
        return Browsing(
            orders=[
                Link(
                    words[order],
                    gallery_url(request, event, SearchMethod.ALL, order),
                    order == search.identifier,
                )
                for order in Order
            ]
        )
    time_search = TimeSearch.parse(search.identifier)
    assert event.date is not None  # TIME is only offered with a race day

    def url(found: TimeSearch) -> str:
        return gallery_url(request, event, SearchMethod.TIME, found.identifier)

    wider = time_search.wider()
    wider_link = (
        None
        if wider is None
        else Link(
            _("Look %(minutes)s minutes either side") % {"minutes": wider.minutes}, url(wider)
        )
    )
    start, end = time_search.local_bounds(event.date, event.zone)
    return Browsing(
        orders=[
            Link(words[order], url(time_search.ordered(order)), order is time_search.order)
            for order in Order
        ],
        window=(start.strftime("%H:%M"), end.strftime("%H:%M")),
        wider=wider_link,
        histogram=None if hours is None else histogram(hours, event, time_search, url),
    )


def histogram(
    hours: list[PhotoHour],
    event: Event,
    current: TimeSearch,
    url: Callable[[TimeSearch], str],
) -> list[HistogramDay]:
    """The hours with photos, by day, on the race's clocks; each hour links to its photos
    (a time search of its middle, 30 minutes either side) where it is on the race day."""
    busiest = max((hour.count for hour in hours), default=0)
    days: dict[date, list[HourBar]] = {}
    for hour in sorted(hours, key=lambda hour: hour.start):
        start = hour.start.astimezone(event.zone)
        end = (hour.start + timedelta(hours=1)).astimezone(event.zone)
        middle = (start + timedelta(minutes=HALF_HOUR)).time()
        whole_hour = TimeSearch(middle, HALF_HOUR, current.order)
        days.setdefault(start.date(), []).append(
            HourBar(
                label=f"{start:%H:%M}–{end:%H:%M}",
                count=hour.count,
                tenths=max(1, round(10 * hour.count / busiest)),
                url=url(whole_hour) if start.date() == event.date else None,
            )
        )
    return [HistogramDay(day, bars) for day, bars in days.items()]


def ways_forward(search: GallerySearch) -> list[SearchMethod]:
    """The other ways to find photos this event offers, for a gallery that found none: by
    time and all photos (the last resort), where they are not this gallery's own."""
    return [
        method
        for method in (SearchMethod.TIME, SearchMethod.ALL)
        if method in search.provider.search_methods and method is not search.method
    ]
