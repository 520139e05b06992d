"""Runner pages: the events, an event's search, its galleries and photo pages.

Each view reads the address, asks the event's provider, and renders. What can go wrong
is raised and turned into the runner's page once, by `problems.event_page`.
"""

from dataclasses import replace

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from photos import figures, ratelimits, selectors
from photos.domain import ProviderError, SearchMethod
from photos.forms import SearchForm
from photos.galleries import find_in_gallery
from photos.models import Event
from photos.providers import provider_for
from photos.web import presenters, subscriptions
from photos.web.addresses import gallery_url, page_namespace, photo_url, read_search
from photos.web.problems import Problem, bad_photo_link, event_page, not_published, problem_for
from photos.web.rendering import render_event_page, render_search_page


@require_safe
def event_list(request: HttpRequest) -> HttpResponse:
    return render(request, "photos/event_list.html", {"events": selectors.published_events()})


@require_safe
@event_page
def event_home(request: HttpRequest, event: Event) -> HttpResponse:
    provider = provider_for(event)
    if provider.unpublished_reason():
        raise not_published()
    return render_search_page(request, event, SearchForm.of(provider))


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
        return render_search_page(request, event, form, status=400)
    return redirect(
        gallery_url(request, event, form.cleaned_data["method"], form.cleaned_data["identifier"])
    )


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
    }
    response = render_event_page(request, event, "photos/gallery.html", context)
    # What the provider has changes as photos are processed: browsers must ask again.
    patch_cache_control(response, private=True, no_cache=True)
    return response


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
