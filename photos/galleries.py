"""Where a photo stands in its search's gallery, across the gallery's pages; a listing read
from its end."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from photos.domain import GalleryPage, Pagination, SearchMethod
from photos.providers.base import PhotoProvider


@dataclass(frozen=True)
class PhotoInGallery:
    result: GalleryPage  # the gallery page that holds the photo
    index: int  # its place on that page
    previous: tuple[str, int] | None  # (image id, page) of the photo before it, if any
    following: tuple[str, int] | None  # and of the one after it


def find_in_gallery(
    provider: PhotoProvider, *, method: SearchMethod, identifier: str, page: int, image_id: str
) -> PhotoInGallery | None:
    """The photo on page `page` of the search with its neighbours (reaching into the pages
    around for the first and last photo of a page), or None if it is not on that page."""
    result = provider.gallery_page(method=method, identifier=identifier, page=page)
    photos = result.photos
    index = next((i for i, p in enumerate(photos) if p.image_id == image_id), None)
    if index is None:
        return None
    previous = following = None
    if index > 0:
        previous = (photos[index - 1].image_id, page)
    elif page > 1:
        before = provider.gallery_page(method=method, identifier=identifier, page=page - 1)
        previous = (before.photos[-1].image_id, page - 1) if before.photos else None
    if index < len(photos) - 1:
        following = (photos[index + 1].image_id, page)
    elif result.pagination and result.pagination.has_next:
        after = provider.gallery_page(method=method, identifier=identifier, page=page + 1)
        following = (after.photos[0].image_id, page + 1) if after.photos else None
    return PhotoInGallery(result, index, previous, following)


def newest_first(
    oldest_first: Callable[[int], GalleryPage], *, page: int, page_size: int
) -> GalleryPage:
    """Page `page` (of `page_size`) of a listing read from its end, made of the pages of the
    same listing read from its start, `oldest_first(n)`: its first page (for the count), then
    the one or two that hold the photos asked for. The caller caches those pages."""
    first = oldest_first(1)
    total = first.total
    if not total:
        return first
    end = total - (page - 1) * page_size  # the page's photos, as places from the start
    start = max(end - page_size, 0)
    held: list[GalleryPage] = []
    if end > 0:
        numbers = range(start // page_size + 1, (end - 1) // page_size + 2)
        held = [first if number == 1 else oldest_first(number) for number in numbers]
        skipped = (numbers[0] - 1) * page_size
        photos = [photo for listed in held for photo in listed.photos][
            start - skipped : end - skipped
        ]
    else:
        photos = []
    return GalleryPage(
        photos=photos[::-1],
        failed=[failed for listed in held for failed in listed.failed],
        total=total,
        pagination=Pagination.of(total=total, page=page, page_size=page_size),
        message=first.message,
        links_expire_at=min(
            (moment for listed in held if (moment := listed.links_expire_at) is not None),
            default=None,
        ),
    )
