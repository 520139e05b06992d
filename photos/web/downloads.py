"""What runners take away: originals (one, or a search's as a ZIP) and previews.

Originals are asked for at click time and streamed: never whole in memory or on disk.
"""

import itertools
import logging
import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import TypeVar

import zipstream
from django.conf import settings
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import redirect
from django.utils import translation
from django.utils.cache import get_conditional_response
from django.utils.http import content_disposition_header, quote_etag
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from photos import figures, ratelimits
from photos.domain import Original, PhotoNotFound, ProviderError, SearchMethod, TooManyPhotos
from photos.models import Event
from photos.providers import provider_for
from photos.web.addresses import gallery_url, read_search
from photos.web.problems import Problem, bad_photo_link, event_page

T = TypeVar("T")

logger = logging.getLogger(__name__)


@require_safe
@event_page
def download(request: HttpRequest, event: Event, image_id: str) -> HttpResponseBase:
    """Ask for the original afresh at click time, then stream it as an attachment (or
    redirect to it)."""
    ratelimits.check(request, "download")
    provider = provider_for(event, spender=ratelimits.client_key(request))
    try:
        image_id = provider.clean_photo_id(image_id)
    except ValueError:
        raise bad_photo_link() from None
    link = provider.fresh_original(image_id)
    if settings.DOWNLOAD_MODE == "redirect":
        response: HttpResponseBase = HttpResponseRedirect(link.url)
    else:
        original = provider.open_original(link)
        response = StreamingHttpResponse(
            _started(original.chunks), content_type=original.content_type
        )
        response["Content-Disposition"] = content_disposition_header(True, original.filename)
        if original.content_length is not None:
            response["Content-Length"] = str(original.content_length)
    response["Cache-Control"] = "private, no-store"
    figures.count(event, "downloads")
    return response


@require_safe
@event_page
def photos_zip(
    request: HttpRequest, event: Event, method: SearchMethod, identifier: str
) -> HttpResponseBase:
    """The search's photos (or the ones ticked) as one ZIP, streamed while it is written,
    each original fetched with a freshly signed link."""
    search = read_search(request, event, method, identifier)
    limit = settings.ZIP_MAX_PHOTOS
    try:
        picked = list(
            dict.fromkeys(search.provider.clean_photo_id(i) for i in request.GET.getlist("photo"))
        )
    except ValueError:
        raise Problem(
            400,
            _("That selection is not valid"),
            _("Go back to your gallery and tick the photos again."),
        ) from None
    if request.GET.get("selected") and not picked:
        raise Problem(
            400,
            _("No photos ticked"),
            _("Tick the photos you want, then press “Download selected” again."),
        )
    try:
        if len(picked) > limit:
            raise TooManyPhotos(len(picked))
        count, originals = search.provider.originals_for_zip(
            method=method, identifier=search.identifier, image_ids=picked, limit=limit
        )
    except TooManyPhotos as too_many:
        raise Problem(
            400,
            _("%(count)s photos are too many for one ZIP") % {"count": too_many.count},
            _(
                "Tick up to %(limit)s photos and download them together, or download "
                "photos one by one."
            )
            % {"limit": limit},
        ) from too_many
    except PhotoNotFound as not_found:
        raise Problem(
            404,
            _("We could not find those photos"),
            _("Search again to see the photos that are available."),
        ) from not_found
    if not count:
        return redirect(gallery_url(request, event, method, search.identifier))

    gallery = request.build_absolute_uri(gallery_url(request, event, method, search.identifier))
    zipped = _zip(_started(originals), count=count, gallery=gallery)
    response = StreamingHttpResponse(zipped, content_type="application/zip")
    # A time search's "08:41~10min" is no file name on Windows: letters, digits, hyphens.
    name = re.sub(r"[^A-Za-z0-9-]+", "-", f"{event.slug}-{method.value}-{search.identifier}")
    name = f"{name}.zip"
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["Cache-Control"] = "private, no-store"
    figures.count(event, "zips")
    figures.count(event, "zip_photos", count)
    return response


def _started(items: Iterator[T]) -> Iterator[T]:
    """`items`, the first one taken now: a failure to get it (storage refusing, too slow)
    is still a page with the right status. Once a streamed answer has begun, a failure can
    only cut it short."""
    first = next(items, None)
    return items if first is None else itertools.chain([first], items)


def _zip(originals: Iterator[Original], *, count: int, gallery: str) -> Iterator[bytes]:
    """The ZIP of `originals`, one at a time: the next is only opened once the previous one
    is written. An original storage breaks off is left out, and one it cannot open ends the
    photos early; either way the ZIP is finished with a note of what is missing and where to
    get it, because a streamed ZIP cut short has no table of contents and most tools then
    open none of it."""
    archive = zipstream.ZipStream(compress_type=zipstream.ZIP_STORED)  # JPEGs do not shrink
    taken: set[str] = set()
    written = 0
    language = translation.get_language()
    while True:
        try:
            original = next(originals)
        except StopIteration:
            break
        except ProviderError as error:
            logger.warning("ZIP ends after %d of %d photos: %s", written, count, error)
            break
        try:
            archive.add(original.chunks, _unique_name(original.filename, taken))
            yield from archive.file()
            written += 1
        except ProviderError as error:
            logger.warning("ZIP leaves out %s: %s", original.filename, error)
            original.close()
    if written < count:
        with translation.override(language):
            note = _missing_photos_note(count - written, count, gallery)
            archive.add(note.encode(), _unique_name(_("MISSING-PHOTOS.txt"), taken))
        yield from archive.file()
    yield from archive.finalize()


def _missing_photos_note(missing: int, count: int, gallery: str) -> str:
    return (
        ngettext(
            "%(missing)s of the %(count)s photos could not be fetched for this ZIP.",
            "%(missing)s of the %(count)s photos could not be fetched for this ZIP.",
            missing,
        )
        % {"missing": missing, "count": count}
        + "\r\n"
        + _("Download them one by one from your gallery, or try the ZIP again later:")
        + f"\r\n{gallery}\r\n"
    )


def _unique_name(name: str, taken: set[str]) -> str:
    """`name`, or `name (2).jpg`, `name (3).jpg`… if the archive holds it already: unzip
    tools would overwrite or skip a repeated entry (Windows and macOS in any letter case)."""
    path, number, unique = PurePosixPath(name), 1, name
    while unique.casefold() in taken:
        number += 1
        unique = path.with_stem(f"{path.stem} ({number})").name
    taken.add(unique.casefold())
    return unique


@require_safe
@event_page
def preview(request: HttpRequest, event: Event, image_id: str, size: str) -> HttpResponseBase:
    """A small JPEG of a photo, made once, that browsers and CDNs may keep for a year; or a
    redirect to the provider's own."""
    ratelimits.check(request, "preview")
    provider = provider_for(event, spender=ratelimits.client_key(request))
    try:
        image_id = provider.clean_photo_id(image_id)
    except ValueError:
        return HttpResponse("Not a photo ID.", status=400, content_type="text/plain")
    etag = provider.preview_etag(image_id, size)
    not_modified = etag and get_conditional_response(request, etag=quote_etag(etag))
    if not_modified:
        response: HttpResponseBase = not_modified
    else:
        try:
            image = provider.preview(image_id, size)
        except PhotoNotFound:
            return HttpResponse("No such photo.", status=404, content_type="text/plain")
        if image.redirect_to:
            response = HttpResponseRedirect(image.redirect_to)
            # A day, not a year: the photo may be removed or replaced upstream.
            response["Cache-Control"] = "public, max-age=86400"
            return response
        assert image.file is not None  # a Preview is the provider's picture or a file
        response = FileResponse(image.file, content_type="image/jpeg")
    if etag:
        response["ETag"] = quote_etag(etag)
    # The address names one rendering of one photo: it never changes.
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
