"""Gallery addresses: reading the search one names, and making the addresses of its pages.

Every link stays in the namespace of the page it is on, so embed pages link to embed pages.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from photos import ratelimits
from photos.domain import Order, SearchMethod
from photos.forms import SearchForm, TimeSearchForm, clean_page
from photos.models import Event
from photos.providers import provider_for
from photos.providers.base import PhotoProvider
from photos.timewindows import SEPARATOR, TimeSearch
from photos.web.problems import InvalidSearch, Problem, not_published


class SearchMethodConverter:
    """`<search:method>` in a route: "bib", "selfie", "time" or "all", as a SearchMethod."""

    regex = "|".join(method.value for method in SearchMethod)

    def to_python(self, value: str) -> SearchMethod:
        return SearchMethod(value)

    def to_url(self, value: SearchMethod | str) -> str:
        return str(value)


@dataclass(frozen=True)
class GallerySearch:
    """A gallery address, checked: the event offers the search, the input is valid."""

    event: Event
    provider: PhotoProvider
    method: SearchMethod
    identifier: str  # canonical form
    page: int
    form: SearchForm  # the event's search form, filled in with this search if it is one


def read_search(
    request: HttpRequest, event: Event, method: SearchMethod, identifier: str
) -> GallerySearch:
    """The search a gallery, photo or ZIP address names. Http404 if the event does not offer
    it (or an address names no such browsing), RateLimited past the gallery limit,
    InvalidSearch for input to correct. Nothing is asked upstream."""
    provider = provider_for(event, spender=ratelimits.client_key(request))
    if provider.unpublished_reason():
        raise not_published()
    if method not in provider.search_methods:
        raise Http404("This event does not offer that search.")
    ratelimits.check(request, "gallery")
    form = SearchForm.of(provider, {method.value: identifier} if method.finds_a_runner else None)
    canonical = _canonical(event, form, method, identifier)
    try:
        page = clean_page(request.GET.get("page"))
    except ValidationError as error:
        if not method.finds_a_runner:  # no search of the runner's to show again
            raise Problem(
                400, error.messages[0], _("Open the photos from their first page.")
            ) from None
        form.add_error(None, error)
        raise InvalidSearch(form) from None
    return GallerySearch(event, provider, method, canonical, page, form)


def _canonical(event: Event, form: SearchForm, method: SearchMethod, identifier: str) -> str:
    """The identifier in canonical form, or why not (see read_search)."""
    if method.finds_a_runner:
        if not form.is_valid():
            raise InvalidSearch(form)
        return str(form.cleaned_data["identifier"])
    if method is SearchMethod.ALL:
        if identifier not in (Order.NEWEST, Order.OLDEST):
            raise Http404("Photos are browsed newest or oldest first.")
        return identifier
    try:
        return TimeSearch.parse(identifier).identifier
    except ValueError:
        clock = identifier.split(SEPARATOR)[0]
        time_form = TimeSearchForm.of(event, {"finish": clock})
        if time_form.is_valid():  # a good time with options no link makes
            raise Http404("No such time search.") from None
        raise InvalidSearch(time_form=time_form) from None


def page_namespace(request: HttpRequest) -> str:
    """The URL namespace of the page being served ("photos", or "embed" inside an iframe):
    links made for a page stay in its namespace."""
    match = request.resolver_match
    return match.namespace if match is not None else "photos"


def with_page(url: str, page: int) -> str:
    return url if page == 1 else f"{url}?page={page}"


def gallery_url(
    request: HttpRequest, event: Event, method: SearchMethod, identifier: str, page: int = 1
) -> str:
    url = reverse(
        "photos:gallery",
        args=[event.slug, method, identifier],
        current_app=page_namespace(request),
    )
    return with_page(url, page)


def photo_url(
    request: HttpRequest,
    search: GallerySearch,
    image_id: str,
    page: int,
    namespace: str | None = None,
) -> str:
    url = reverse(
        "photos:photo",
        args=[search.event.slug, search.method, search.identifier, image_id],
        current_app=namespace or page_namespace(request),
    )
    return with_page(url, page)
