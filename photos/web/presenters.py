"""What runner pages show of a search: photo cards, titles, share cards, page numbers."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from photos.domain import GalleryPage, Photo, SearchMethod
from photos.web.addresses import GallerySearch, page_namespace, photo_url
from photos.web.languages import without_language

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
    return ShareCard(title=f"{title} · {search.event.name}", url=url, image_url=image)


def gallery_title(search: GallerySearch, count: int) -> str:
    if search.method is SearchMethod.BIB:
        return ngettext(
            "%(count)s race photo for BIB %(bib)s", "%(count)s race photos for BIB %(bib)s", count
        ) % {"count": count, "bib": search.identifier}
    return ngettext(
        "%(count)s race photo from a selfie", "%(count)s race photos from a selfie", count
    ) % {"count": count}


def photo_title(search: GallerySearch) -> str:
    if search.method is SearchMethod.BIB:
        return _("Race photo for BIB %(bib)s") % {"bib": search.identifier}
    return _("Race photo from a selfie")
