"""Photos of RunSignUp events, read from the portal's index of them.

RunSignUp can only list a race's photos, not search them, so `sync_runsignup_photos`
(photos/runsignup_sync.py) copies the listing into RunSignUpPhoto/RunSignUpPhotoBib and
runners' searches are one indexed query: no call to RunSignUp while a runner waits,
except to stream an original from its storage. Its photo links are public and do not
expire, so previews are RunSignUp's own thumbnail and (watermarked) large images.
"""

from collections.abc import Iterator
from pathlib import PurePosixPath

from django.conf import settings

from photos import selectors
from photos.forms import clean_number
from photos.models import Event, RunSignUpPhoto
from photos.providers.base import (
    ConnectionCheck,
    GalleryPage,
    Original,
    Pagination,
    Photo,
    PhotoNotFound,
    SearchMethod,
    TooManyPhotos,
)
from photos.providers.runsignup import RunSignUpClient, RunSignUpRace


def clean_image_id(image_id: str) -> str:
    """RunSignUp numbers its photos."""
    return clean_number(image_id)


def race(event: Event) -> RunSignUpRace:
    return RunSignUpRace(
        race_id=event.runsignup_race_id,
        event_days_id=event.runsignup_event_days_id,
        album_id=event.runsignup_album_id,
    )


def _bib_number(identifier: str) -> int | None:
    """RunSignUp's BIBs are numbers: "A-17" has no photos there. (Django finds nothing,
    without asking the database, for a number beyond the column's range.)"""
    return int(identifier) if identifier.isdigit() else None


def _photo(row: RunSignUpPhoto) -> Photo:
    # The name as uploaded, without any folders a browser or an unzip tool might follow.
    name = PurePosixPath(row.uploaded_filename.replace("\\", "/")).name
    return Photo(
        image_id=str(row.photo_id),
        filename=name if name not in ("", ".", "..") else f"{row.photo_id}.jpg",
        url=row.original_url,
        # The sync only indexes photos whose three links are on RunSignUp's storage.
        thumbnail_url=row.thumbnail_url,
        large_url=row.large_url,
    )


def find_photos(*, event: Event, method: SearchMethod, identifier: str, page: int) -> GalleryPage:
    bib = _bib_number(identifier) if method is SearchMethod.BIB else None
    if bib is None:
        return GalleryPage(photos=[], failed=[], total=0, pagination=None)
    page_size = settings.GALLERY_PAGE_SIZE
    rows, total = selectors.runsignup_bib_page(
        event, bib, offset=(page - 1) * page_size, limit=page_size
    )
    if not total:
        return GalleryPage(photos=[], failed=[], total=0, pagination=None)
    total_pages = -(-total // page_size)
    return GalleryPage(
        photos=[_photo(row) for row in rows],
        failed=[],
        total=total,
        pagination=Pagination(
            total=total,
            current_page=page,
            total_pages=total_pages,
            has_next=page < total_pages,
            has_previous=page > 1,
            page_size=page_size,
        ),
    )


def _indexed(event: Event, image_id: str) -> RunSignUpPhoto:
    try:
        return selectors.runsignup_photos(event).get(photo_id=int(image_id))
    except RunSignUpPhoto.DoesNotExist:
        raise PhotoNotFound(f"RunSignUp photo {image_id} is not in the index") from None


def fresh_photo(*, event: Event, image_id: str) -> Photo:
    return _photo(_indexed(event, image_id))


def recent_photo(*, event: Event, image_id: str) -> Photo:
    """RunSignUp's links do not expire: the index's is as good as a fresh one."""
    return fresh_photo(event=event, image_id=image_id)


def open_original(*, event: Event, photo: Photo) -> Original:
    return RunSignUpClient.from_settings().open_original(url=photo.url, filename=photo.filename)


def originals_for_zip(
    *, event: Event, method: SearchMethod, identifier: str, image_ids: list[str], limit: int
) -> tuple[int, Iterator[Original]]:
    """The search's photos (only those in `image_ids` if any), opened one by one as the ZIP
    is written."""
    bib = _bib_number(identifier) if method is SearchMethod.BIB else None
    if bib is None:
        if image_ids:
            raise PhotoNotFound("no photos in this search")
        return 0, iter(())
    rows = selectors.runsignup_photos_showing(event, bib)
    if image_ids:
        rows = rows.filter(photo_id__in=[int(i) for i in image_ids])
    photos = [_photo(row) for row in rows[: limit + 1]]
    if len(photos) > limit:
        raise TooManyPhotos(rows.count())
    if image_ids and not photos:
        raise PhotoNotFound("none of the ticked photos is in this search")
    client = RunSignUpClient.from_settings()

    def originals() -> Iterator[Original]:
        for photo in photos:
            # Cameras reuse names (IMG_0001.jpg): the photo id keeps each one in the archive.
            name = f"{photo.image_id}-{photo.filename}"
            yield client.open_original(url=photo.url, filename=name)

    return len(photos), originals()


def hosted_preview_url(*, event: Event, image_id: str, size: str) -> str:
    """RunSignUp's own rendering: its thumbnail for the grid, its large image for viewing."""
    row = _indexed(event, image_id)
    url = row.thumbnail_url if size == "small" else row.large_url
    if not RunSignUpClient.from_settings().is_storage_link(url):
        raise PhotoNotFound(f"RunSignUp photo {image_id} has no preview on its storage")
    return url


def check_connection(*, event: Event) -> ConnectionCheck:
    return RunSignUpClient.from_settings().check(race(event))
