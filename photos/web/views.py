"""Runner pages: the events, an event's search, its galleries and photo pages.

Each view reads the address, asks the event's provider, and renders. What can go wrong
is raised and turned into the runner's page once, by `problems.event_page`.
"""

from dataclasses import replace

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from photos import figures, ratelimits, selectors, selfies
from photos.domain import PhotoHour, ProviderError, ProviderThrottled, SearchMethod
from photos.forms import SearchForm, TimeSearchForm
from photos.galleries import find_in_gallery
from photos.models import Event
from photos.providers import provider_for
from photos.ratelimits import RateLimited
from photos.timewindows import TimeSearch
from photos.web import presenters, runner_forms, subscriptions, uploads
from photos.web.addresses import (
    GallerySearch,
    gallery_url,
    page_namespace,
    photo_url,
    read_search,
)
from photos.web.problems import Problem, bad_photo_link, event_page, not_published, problem_for
from photos.web.rendering import render_event_page, render_search_page


@require_safe
def event_list(request: HttpRequest) -> HttpResponse:
    return render(request, "photos/event_list.html", {"events": selectors.published_events()})


@require_safe
@event_page
def event_home(request: HttpRequest, event: Event) -> HttpResponse:
    if provider_for(event).unpublished_reason():
        raise not_published()
    return render_search_page(request, event)


@require_safe
@event_page
def search(request: HttpRequest, event: Event) -> HttpResponse:
    """The search form's GET target: no cookies, so it works inside third-party iframes."""
    ratelimits.check(request, "search")
    provider = provider_for(event)
    if provider.unpublished_reason():
        raise not_published()
    form = SearchForm.of(provider, request.GET)
    if not form.is_valid():
        return render_search_page(request, event, form=form, status=400)
    return redirect(
        gallery_url(request, event, form.cleaned_data["method"], form.cleaned_data["identifier"])
    )


# Not Django's cookie-based CSRF check, which fails inside third-party iframes:
# runner_forms.check, once the upload is known to be held in memory only.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
@event_page
def selfie_upload(request: HttpRequest, event: Event) -> HttpResponse:
    """The runner's selfie (multipart field "selfie"), checked and made into a small clean
    JPEG (photos.selfies), sent to the event's face search, then 303 to the selfie gallery.
    Never on disk, in a cache or a log: the upload stays in memory for this one request.
    A GET (a reload, an old link) goes back to the search page's selfie form."""
    if request.method != "POST":
        return redirect(
            reverse("photos:event", args=[event.slug], current_app=page_namespace(request))
            + "#selfie"
        )
    provider = provider_for(event, spender=ratelimits.client_key(request))
    if SearchMethod.SELFIE not in provider.search_methods:
        raise Http404("This event does not offer selfie search.")
    ratelimits.check(request, "selfie")
    try:
        upload = uploads.hold_in_memory(request, field="selfie", limit=settings.SELFIE_MAX_BYTES)
        runner_forms.check(request, event, "selfie")
        selfie = selfies.prepare(uploads.sent_file(request, upload))
        _check_selfie_uploads_of(request, event)
        request_id = provider.search_by_selfie(selfie.jpeg)
    except (selfies.SelfieRefused, ProviderError) as error:
        # The search page's forms below the message let the runner try again at once.
        problem = problem_for(error)
        raise replace(problem, form=SearchForm(methods=provider.search_methods)) from error
    figures.count(event, "selfie_uploads")
    # 303: the gallery is fetched with a GET, and reloading it posts nothing again.
    return HttpResponseRedirect(
        gallery_url(request, event, SearchMethod.SELFIE, request_id), status=303
    )


def _check_selfie_uploads_of(request: HttpRequest, event: Event) -> None:
    """Count an upload against the event's limit, whoever sends it (RATELIMIT_SELFIE_PER_EVENT).
    Past it the event is busy, this runner was not too quick: ProviderThrottled says so."""
    try:
        ratelimits.check(request, "selfie-event", per=str(event.pk))
    except ratelimits.RateLimited as limited:
        raise ProviderThrottled(
            f"event {event.slug}: selfie uploads limit reached", retry_after=limited.wait
        ) from None


@require_safe
@event_page
def time_search(request: HttpRequest, event: Event) -> HttpResponse:
    """The GET target of "Find me by my finish time": redirects to the time gallery of the
    finish given, or shows the search page with what to correct (400)."""
    ratelimits.check(request, "search")
    if SearchMethod.TIME not in provider_for(event).search_methods:
        raise Http404("This event does not offer a time search.")
    form = TimeSearchForm.of(event, request.GET)
    if not form.is_valid():
        return render_search_page(request, event, time_form=form, status=400)
    search = TimeSearch(form.cleaned_data["clock"])
    return redirect(gallery_url(request, event, SearchMethod.TIME, search.identifier))


@require_safe
@event_page
def gallery(
    request: HttpRequest, event: Event, method: SearchMethod, identifier: str
) -> HttpResponse:
    search = read_search(request, event, method, identifier)
    if search.identifier != identifier:
        return redirect(gallery_url(request, event, method, search.identifier, search.page))
    try:
        result = search.provider.gallery_page(
            method=method, identifier=search.identifier, page=search.page
        )
    except ProviderError as error:
        # The search form, filled in, lets the runner try again or correct the input.
        raise replace(problem_for(error), form=search.form) from error
    pagination = result.pagination
    if pagination and result.total and search.page > pagination.total_pages:
        return redirect(
            gallery_url(request, event, method, search.identifier, pagination.total_pages)
        )
    figures.count(event, "gallery_pages")
    if search.page == 1:
        figures.count(event, f"searches_{method}")
        if not result.total:
            figures.count(event, f"no_photos_{method}")

    context = {
        "method": method,
        "identifier": search.identifier,
        "result": result,
        "page": search.page,
        "share": presenters.share_card(
            request,
            search,
            reverse("photos:gallery", args=[event.slug, method, search.identifier]),
            result.photos[0] if result.photos else None,
            title=presenters.gallery_title(search, result.total),
        ),
        "cards": presenters.photo_cards(
            request,
            search,
            result.photos,
            first_number=presenters.first_number(result, search.page),
            total=result.total,
        ),
        "page_numbers": (
            presenters.page_numbers(search.page, pagination.total_pages) if pagination else []
        ),
        "page_gap": presenters.PAGE_GAP,
        "zip_url": reverse(
            "photos:zip",
            args=[event.slug, method, search.identifier],
            current_app=page_namespace(request),
        ),
        "form": search.form,
        "subscribe": subscriptions.offer(request, search),
        "browsing": presenters.browsing(request, search, _capture_hours(search)),
        "ways_forward": presenters.ways_forward(search),
        # An empty time gallery offers its form again, with its time to adjust.
        "time_form": (
            TimeSearchForm.of(event, {"finish": presenters.clock(search) or ""})
            if method is SearchMethod.TIME
            else None
        ),
    }
    response = render_event_page(request, event, "photos/gallery.html", context)
    # What the provider has changes as photos are processed: browsers must ask again.
    patch_cache_control(response, private=True, no_cache=True)
    return response


def _capture_hours(search: GallerySearch) -> list[PhotoHour] | None:
    """A time gallery's histogram counts; None for other galleries, or when the provider
    cannot say just now (the photos show without them)."""
    if search.method is not SearchMethod.TIME:
        return None
    try:
        return search.provider.capture_hours()
    except (ProviderError, RateLimited):
        return None


@require_safe
@event_page
def photo_page(
    request: HttpRequest, event: Event, method: SearchMethod, identifier: str, image_id: str
) -> HttpResponse:
    """One photo large, with the previous and next of the same search (across its pages)."""
    search = read_search(request, event, method, identifier)
    try:
        canonical_id = search.provider.clean_photo_id(image_id)
    except ValueError:
        raise bad_photo_link() from None
    if (search.identifier, canonical_id) != (identifier, image_id):
        return redirect(photo_url(request, search, canonical_id, search.page))
    place = find_in_gallery(
        search.provider,
        method=method,
        identifier=search.identifier,
        page=search.page,
        image_id=canonical_id,
    )
    if place is None:
        raise Problem(
            404,
            _("This photo is not in this gallery"),
            _("It may have moved to another page: open the gallery to find it."),
        )

    result = place.result
    card = presenters.photo_cards(
        request,
        search,
        [result.photos[place.index]],
        first_number=presenters.first_number(result, search.page) + place.index,
        total=result.total,
    )[0]
    context = {
        "method": method,
        "identifier": search.identifier,
        "result": result,
        "card": card,
        "share": presenters.share_card(
            request,
            search,
            photo_url(request, search, canonical_id, search.page, namespace="photos"),
            card.photo,
            title=presenters.photo_title(search),
        ),
        "gallery_url": gallery_url(request, event, method, search.identifier, search.page),
        "clock": presenters.clock(search),
        "previous_url": place.previous and photo_url(request, search, *place.previous),
        "next_url": place.following and photo_url(request, search, *place.following),
    }
    response = render_event_page(request, event, "photos/photo.html", context)
    figures.count(event, "photo_pages")
    patch_cache_control(response, private=True, no_cache=True)
    return response


@require_safe
@event_page
def event_theme(request: HttpRequest, event: Event) -> HttpResponse:
    """The event's colours as a stylesheet, so pages need no inline styles."""
    response = render(request, "photos/theme.css", {"event": event}, content_type="text/css")
    # The link carries ?v=<last change>, so a long cache is safe.
    patch_cache_control(response, public=True, max_age=7 * 24 * 3600)
    return response


@require_safe
@event_page
def hero_image(request: HttpRequest, event: Event) -> FileResponse:
    """The event's picture above its search form, as stored (already scaled down)."""
    if not event.hero_image:
        raise Http404("no hero picture")
    response = FileResponse(event.hero_image.open("rb"), content_type="image/jpeg")
    # The link carries ?v=<last change>, so a long cache is safe.
    patch_cache_control(response, public=True, max_age=7 * 24 * 3600)
    return response


@csrf_exempt  # a beacon from runner pages, framed on race sites without cookies
@require_POST
@event_page
def shared(request: HttpRequest, event: Event) -> HttpResponse:
    """A share button was pressed: counted for the organiser's figures, nothing else kept.
    Past RATELIMIT_SHARE a client's presses are not counted (and still answered 204)."""
    try:
        ratelimits.check(request, "share")
    except ratelimits.RateLimited:
        return HttpResponse(status=204)
    figures.count(event, "shares")
    return HttpResponse(status=204)
