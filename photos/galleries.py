"""Where a photo stands in its search's gallery, across the gallery's pages."""

from __future__ import annotations

from dataclasses import dataclass

from photos.domain import GalleryPage, SearchMethod
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
