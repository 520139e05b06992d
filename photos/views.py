"""Runner-facing pages: parse the request, call a service, render a template."""

from collections.abc import Iterator
from dataclasses import dataclass

import zipstream
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header, quote_etag
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from photos import previews, ratelimits, selectors, services
from photos.embedding import allow_framing, is_embed
from photos.forms import SearchForm, clean_page
from photos.languages import without_language
from photos.models import Event
from photos.providers.base import (
    GalleryPage,
    Original,
    Photo,
    PhotoNotFound,
    ProviderError,
    ProviderMisconfigured,
    ProviderRejectedRequest,
    ProviderThrottled,
    ProviderTimeout,
    SearchMethod,
    TooManyPhotos,
)

THROTTLED_RETRY_AFTER = 30
# A preview is the same picture in every language: one address for all of them, so that
# browsers and CDNs keep one copy, whichever language the page around it speaks.
PREVIEW_LANGUAGE = settings.LANGUAGE_CODE


@require_safe
def event_list(request: HttpRequest) -> HttpResponse:
    return render(request, "photos/event_list.html", {"events": selectors.published_events()})


@require_safe
def event_page(request: HttpRequest, slug: str) -> HttpResponse:
    event = selectors.get_published_event(slug)
    return _search_page(request, event, SearchForm(methods=event.search_methods))


@require_safe
def search(request: HttpRequest, slug: str) -> HttpResponse:
    """The search form's GET target: no cookies, so it works inside third-party iframes."""
    event = selectors.get_published_event(slug)
    if wait := ratelimits.seconds_until_allowed(request, "search"):
        return _too_many_requests(request, event, wait)
    form = SearchForm(request.GET, methods=event.search_methods)
    if not form.is_valid():
        return _search_page(request, event, form, status=400)
    cleaned = form.cleaned_data
    return redirect(_gallery_url(request, event, cleaned["method"], cleaned["identifier"]))


@dataclass(frozen=True)
class GallerySearch:
    """A gallery address, checked: the event offers the search, the input is valid."""

    event: Event
    method: SearchMethod
    identifier: str  # canonical form
    page: int
    form: SearchForm


def _read_gallery_address(
    request: HttpRequest, slug: str, method: str, identifier: str
) -> GallerySearch | HttpResponse:
    """The search a gallery or photo address names, or the response that refuses it."""
    event = selectors.get_published_event(slug)
    method = SearchMethod(method)
    if method not in event.search_methods:
        raise Http404("This event does not offer that search.")
    if wait := ratelimits.seconds_until_allowed(request, "gallery"):
        return _too_many_requests(request, event, wait)
    form = SearchForm({method.value: identifier}, methods=event.search_methods)
    if not form.is_valid():
        return _search_page(request, event, form, status=400)
    try:
        page = clean_page(request.GET.get("page"))
    except ValidationError as error:
        form.add_error(None, error)
        return _search_page(request, event, form, status=400)
    return GallerySearch(event, method, form.cleaned_data["identifier"], page, form)


@require_safe
def gallery(request: HttpRequest, slug: str, method: str, identifier: str) -> HttpResponse:
    search = _read_gallery_address(request, slug, method, identifier)
    if isinstance(search, HttpResponse):
        return search
    event, method, canonical, page = search.event, search.method, search.identifier, search.page
    if canonical != identifier:
        return redirect(_gallery_url(request, event, method, canonical, page))

    try:
        result = services.find_photos(event=event, method=method, identifier=canonical, page=page)
    except ProviderError as error:
        return _provider_problem(request, event, error, form=search.form)

    pagination = result.pagination
    if pagination and result.total and page > pagination.total_pages:
        return redirect(_gallery_url(request, event, method, canonical, pagination.total_pages))
    context = {
        "method": method,
        "identifier": canonical,
        "result": result,
        "page": page,
        "share": share_card(
            request,
            search,
            reverse(f"photos:gallery-{method.value}", args=[event.slug, canonical]),
            result.photos[0] if result.photos else None,
            title=_gallery_title(search, result.total),
        ),
        "cards": photo_cards(
            request,
            search,
            result.photos,
            first_number=_first_number(result, page),
            total=result.total,
        ),
        "page_numbers": page_numbers(page, pagination.total_pages) if pagination else [],
        "zip_url": reverse(
            f"photos:zip-{method.value}",
            args=[event.slug, canonical],
            current_app=request.resolver_match.namespace,
        ),
        "form": search.form,
    }
    response = _render(request, event, "photos/gallery.html", context)
    # What 9Pic has changes as photos are processed: browsers must ask again.
    patch_cache_control(response, private=True, no_cache=True)
    return response


@require_safe
def photo_page(
    request: HttpRequest, slug: str, method: str, identifier: str, image_id: str
) -> HttpResponse:
    """One photo large, with the previous and next of the same search (across its pages)."""
    search = _read_gallery_address(request, slug, method, identifier)
    if isinstance(search, HttpResponse):
        return search
    event, page = search.event, search.page
    try:
        image_id = services.clean_image_id(event=event, image_id=image_id)
    except ValueError:
        return _bad_photo_link(request, event)
    if (search.identifier, image_id) != (identifier, request.resolver_match.kwargs["image_id"]):
        return redirect(_photo_url(request, search, image_id, page))
    try:
        result = services.find_photos(
            event=event, method=search.method, identifier=search.identifier, page=page
        )
        index = next((i for i, p in enumerate(result.photos) if p.image_id == image_id), None)
        if index is None:
            return _problem(
                request,
                event,
                status=404,
                title=_("This photo is not in this gallery"),
                message=_("It may have moved to another page: open the gallery to find it."),
            )
        previous, following = _neighbours(search, result, index)
    except ProviderError as error:
        return _provider_problem(request, event, error)

    card = photo_cards(
        request,
        search,
        [result.photos[index]],
        first_number=_first_number(result, page) + index,
        total=result.total,
    )[0]
    context = {
        "method": search.method,
        "identifier": search.identifier,
        "result": result,
        "card": card,
        "share": share_card(
            request,
            search,
            _photo_url(request, search, image_id, page, namespace="photos"),
            card.photo,
            title=_photo_title(search),
        ),
        "gallery_url": _gallery_url(request, event, search.method, search.identifier, page),
        "previous_url": previous and _photo_url(request, search, *previous),
        "next_url": following and _photo_url(request, search, *following),
    }
    response = _render(request, event, "photos/photo.html", context)
    patch_cache_control(response, private=True, no_cache=True)
    return response


@require_safe
def photos_zip(request: HttpRequest, slug: str, method: str, identifier: str) -> HttpResponse:
    """The search's photos (or the ones ticked) as one ZIP, streamed while it is written:
    never whole in memory or on disk, each original fetched with a freshly signed link."""
    search = _read_gallery_address(request, slug, method, identifier)
    if isinstance(search, HttpResponse):
        return search
    event, limit = search.event, settings.ZIP_MAX_PHOTOS
    try:
        picked = list(
            dict.fromkeys(
                services.clean_image_id(event=event, image_id=i)
                for i in request.GET.getlist("photo")
            )
        )
    except ValueError:
        return _problem(
            request,
            event,
            status=400,
            title=_("That selection is not valid"),
            message=_("Go back to your gallery and tick the photos again."),
        )
    if request.GET.get("selected") and not picked:
        return _problem(
            request,
            event,
            status=400,
            title=_("No photos ticked"),
            message=_("Tick the photos you want, then press “Download selected” again."),
        )
    try:
        if len(picked) > limit:
            raise TooManyPhotos(len(picked))
        count, originals = services.originals_for_zip(
            event=event,
            method=search.method,
            identifier=search.identifier,
            image_ids=picked,
            limit=limit,
        )
    except TooManyPhotos as too_many:
        return _problem(
            request,
            event,
            status=400,
            title=_("%(count)s photos are too many for one ZIP") % {"count": too_many.count},
            message=_(
                "Tick up to %(limit)s photos and download them together, or download "
                "photos one by one."
            )
            % {"limit": limit},
        )
    except PhotoNotFound:
        return _problem(
            request,
            event,
            status=404,
            title=_("We could not find those photos"),
            message=_("Search again to see the photos that are available."),
        )
    except ProviderError as error:
        return _provider_problem(request, event, error)
    if not count:
        return redirect(_gallery_url(request, event, search.method, search.identifier))

    response = StreamingHttpResponse(_zip(originals), content_type="application/zip")
    name = f"{event.slug}-{search.method.value}-{search.identifier}.zip"
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["Cache-Control"] = "private, no-store"
    return response


def _zip(originals: Iterator[Original]) -> Iterator[bytes]:
    # One original at a time: the next is only opened once the previous one is written.
    archive = zipstream.ZipStream(compress_type=zipstream.ZIP_STORED)  # JPEGs do not shrink
    for original in originals:
        archive.add(original.chunks, original.filename)
        yield from archive.file()
    yield from archive.finalize()


def _neighbours(
    search: GallerySearch, result: GalleryPage, index: int
) -> tuple[tuple[str, int] | None, tuple[str, int] | None]:
    """(image id, page) of the photos before and after, reaching into the pages around."""
    photos, page = result.photos, search.page
    previous = following = None
    if index > 0:
        previous = (photos[index - 1].image_id, page)
    elif page > 1:
        before = services.find_photos(
            event=search.event, method=search.method, identifier=search.identifier, page=page - 1
        )
        previous = (before.photos[-1].image_id, page - 1) if before.photos else None
    if index < len(photos) - 1:
        following = (photos[index + 1].image_id, page)
    elif result.pagination and result.pagination.has_next:
        after = services.find_photos(
            event=search.event, method=search.method, identifier=search.identifier, page=page + 1
        )
        following = (after.photos[0].image_id, page + 1) if after.photos else None
    return previous, following


@dataclass(frozen=True)
class ShareCard:
    title: str
    url: str
    image_url: str | None


def share_card(
    request: HttpRequest, search: GallerySearch, path: str, photo: Photo | None, *, title: str
) -> ShareCard:
    """What a shared link shows in chat and social apps: absolute addresses of the normal
    (not embedded) page, and a preview made by the portal: never an expiring 9Pic link.
    The page's address names no language, so each recipient reads it in theirs."""
    image = None
    if photo is not None:
        with translation.override(PREVIEW_LANGUAGE):
            preview = reverse("photos:preview-large", args=[search.event.slug, photo.image_id])
        image = request.build_absolute_uri(preview)
    url = request.build_absolute_uri(without_language(path))
    return ShareCard(title=f"{title} · {search.event.name}", url=url, image_url=image)


def _gallery_title(search: GallerySearch, count: int) -> str:
    if search.method is SearchMethod.BIB:
        return ngettext(
            "%(count)s race photo for BIB %(bib)s", "%(count)s race photos for BIB %(bib)s", count
        ) % {"count": count, "bib": search.identifier}
    return ngettext(
        "%(count)s race photo from a selfie", "%(count)s race photos from a selfie", count
    ) % {"count": count}


def _photo_title(search: GallerySearch) -> str:
    if search.method is SearchMethod.BIB:
        return _("Race photo for BIB %(bib)s") % {"bib": search.identifier}
    return _("Race photo from a selfie")


def _first_number(result: GalleryPage, page: int) -> int:
    return (page - 1) * (result.pagination.page_size if result.pagination else 0) + 1


def _photo_url(
    request: HttpRequest,
    search: GallerySearch,
    image_id: str,
    page: int,
    namespace: str | None = None,
) -> str:
    url = reverse(
        f"photos:photo-{search.method.value}",
        args=[search.event.slug, search.identifier, image_id],
        current_app=namespace or request.resolver_match.namespace,
    )
    return url if page == 1 else f"{url}?page={page}"


@require_safe
def download(request: HttpRequest, slug: str, image_id: str) -> HttpResponse:
    """Sign the original afresh at click time, then stream it as an attachment (or redirect)."""
    event = selectors.get_published_event(slug)
    if wait := ratelimits.seconds_until_allowed(request, "download"):
        return _too_many_requests(request, event, wait)
    try:
        image_id = services.clean_image_id(event=event, image_id=image_id)
    except ValueError:
        return _bad_photo_link(request, event)
    try:
        photo = services.fresh_photo(event=event, image_id=image_id)
        if settings.DOWNLOAD_MODE == "redirect":
            response = HttpResponseRedirect(photo.url)
        else:
            original = services.open_original(event=event, photo=photo)
            response = StreamingHttpResponse(original.chunks, content_type=original.content_type)
            response["Content-Disposition"] = content_disposition_header(True, original.filename)
            if original.content_length is not None:
                response["Content-Length"] = str(original.content_length)
    except PhotoNotFound:
        return _problem(
            request,
            event,
            status=404,
            title=_("We could not find that photo"),
            message=_(
                "It may have been removed by the photographers. Search again to see "
                "the photos that are available."
            ),
        )
    except ProviderError as error:
        return _provider_problem(request, event, error)
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
def preview(request: HttpRequest, slug: str, image_id: str, size: str) -> HttpResponse:
    """A small JPEG of a photo, made once; browsers and CDNs may keep it for a year.
    Where the provider hosts previews of its own, a redirect to them."""
    event = selectors.get_published_event(slug)
    if wait := ratelimits.seconds_until_allowed(request, "preview"):
        return _too_many_requests(request, event, wait)
    try:
        image_id = services.clean_image_id(event=event, image_id=image_id)
    except ValueError:
        return HttpResponse("Not a photo ID.", status=400, content_type="text/plain")
    try:
        hosted = services.hosted_preview_url(event=event, image_id=image_id, size=size)
    except PhotoNotFound:
        return HttpResponse("No such photo.", status=404, content_type="text/plain")
    if hosted:
        response = HttpResponseRedirect(hosted)
        # A day, not a year: the photo may be removed or replaced upstream.
        response["Cache-Control"] = "public, max-age=86400"
        return response
    preview_size = previews.SIZES[size]
    tag = quote_etag(previews.etag(event, image_id, preview_size))
    if tag in request.headers.get("If-None-Match", ""):
        response = HttpResponse(status=304)
    else:
        try:
            path = previews.preview_file(event=event, image_id=image_id, size=preview_size)
        except PhotoNotFound:
            return HttpResponse("No such photo.", status=404, content_type="text/plain")
        except ProviderError as error:
            return _provider_problem(request, event, error)
        response = FileResponse(path.open("rb"), content_type="image/jpeg")
    response["ETag"] = tag
    # The address names one rendering of one photo: it never changes.
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


@require_safe
def event_theme(request: HttpRequest, slug: str) -> HttpResponse:
    """The event's colours as a stylesheet, so pages need no inline styles."""
    event = selectors.get_published_event(slug)
    response = render(request, "photos/theme.css", {"event": event}, content_type="text/css")
    # The link carries ?v=<last change>, so a long cache is safe.
    patch_cache_control(response, public=True, max_age=7 * 24 * 3600)
    return response


@dataclass(frozen=True)
class PhotoCard:
    number: int
    label: str  # "Photo 5 of 47": its alt text, and what its buttons say to screen readers
    photo: Photo
    page_url: str
    preview_url: str
    large_preview_url: str
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
    namespace = request.resolver_match.namespace
    links = {
        "download": reverse("photos:download", args=[slug, placeholder], current_app=namespace),
        "page": _photo_url(request, search, placeholder, search.page),
    }
    with translation.override(PREVIEW_LANGUAGE):
        for name in ("preview", "preview-large"):
            links[name] = reverse(f"photos:{name}", args=[slug, placeholder], current_app=namespace)

    def link(name: str, photo: Photo) -> str:
        return links[name].replace(placeholder, photo.image_id)

    return [
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
            download_url=link("download", photo),
        )
        for number, photo in enumerate(photos, start=first_number)
    ]


def page_numbers(current: int, total: int, around: int = 2) -> list[int | None]:
    """Page links to show: first, last and `around` either side of current; None is a gap."""
    shown = {1, total, *range(current - around, current + around + 1)}
    numbers: list[int | None] = []
    for number in sorted(n for n in shown if 1 <= n <= total):
        if numbers and number - numbers[-1] > 1:  # type: ignore[operator]
            numbers.append(None)
        numbers.append(number)
    return numbers


def _gallery_url(
    request: HttpRequest, event: Event, method: SearchMethod, identifier: str, page: int = 1
) -> str:
    url = reverse(
        f"photos:gallery-{method.value}",
        args=[event.slug, identifier],
        current_app=request.resolver_match.namespace,  # stay inside the embed
    )
    return url if page == 1 else f"{url}?page={page}"


def _render(
    request: HttpRequest, event: Event, template: str, context: dict, status: int = 200
) -> HttpResponse:
    """Render an event's runner page; embed pages may be framed by the event's sites."""
    response = render(request, template, {"event": event, **context}, status=status)
    if is_embed(request):
        allow_framing(response, event.embed_origin_list)
    return response


def _search_page(
    request: HttpRequest, event: Event, form: SearchForm, status: int = 200
) -> HttpResponse:
    return _render(request, event, "photos/event.html", {"form": form}, status=status)


def _problem(
    request: HttpRequest,
    event: Event,
    *,
    status: int,
    title: str,
    message: str,
    form: SearchForm | None = None,
    retry_after: int | None = None,
) -> HttpResponse:
    context = {"title": title, "message": message, "form": form}
    response = _render(request, event, "photos/problem.html", context, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def _bad_photo_link(request: HttpRequest, event: Event) -> HttpResponse:
    return _problem(
        request,
        event,
        status=400,
        title=_("That photo link is not valid"),
        message=_("Go back to your gallery and open the photo again."),
    )


def _too_many_requests(request: HttpRequest, event: Event, wait: int) -> HttpResponse:
    return _problem(
        request,
        event,
        status=429,
        retry_after=wait,
        title=_("That was a lot of requests in a short time"),
        message=ngettext(
            "To keep photos quick for every runner, please wait %(seconds)s second and try again.",
            "To keep photos quick for every runner, please wait %(seconds)s seconds and try again.",
            wait,
        )
        % {"seconds": wait},
    )


def _provider_problem(
    request: HttpRequest, event: Event, error: ProviderError, form: SearchForm | None = None
) -> HttpResponse:
    """The one place that turns a provider failure into words and a status for runners."""
    if isinstance(error, ProviderThrottled):
        retry_after = error.retry_after or THROTTLED_RETRY_AFTER
        return _problem(
            request,
            event,
            status=503,
            form=form,
            retry_after=retry_after,
            title=_("Lots of runners are looking for their photos right now"),
            message=ngettext(
                "Please try again in %(seconds)s second.",
                "Please try again in %(seconds)s seconds.",
                retry_after,
            )
            % {"seconds": retry_after},
        )
    if isinstance(error, ProviderTimeout):
        return _problem(
            request,
            event,
            status=504,
            form=form,
            title=_("The photo service took too long to answer"),
            message=_("Please try again in a moment."),
        )
    if isinstance(error, ProviderMisconfigured):
        return _problem(
            request,
            event,
            status=503,
            form=form,
            title=_("Photos for this event are not available right now"),
            message=_(
                "The event's photo service is not set up correctly. "
                "The organisers can fix this; please try again later."
            ),
        )
    if isinstance(error, ProviderRejectedRequest):
        return _problem(
            request,
            event,
            status=400,
            form=form,
            title=_("The photo service could not look that up"),
            message=_("Check the number and try again."),
        )
    return _problem(
        request,
        event,
        status=502,
        form=form,
        title=_("The photo service is having trouble"),
        message=_("Please try again in a minute."),
    )
