"""Gallery addresses: reading the search one names, and making the addresses of its pages.

Every link stays in the namespace of the page it is on, so embed pages link to embed pages.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.urls import reverse

from photos import ratelimits
from photos.domain import SearchMethod
from photos.forms import SearchForm, clean_page
from photos.models import Event
from photos.providers import provider_for
from photos.providers.base import PhotoProvider
from photos.web.problems import InvalidSearch, not_published


class SearchMethodConverter:
    """`<search:method>` in a route: "bib" or "selfie", as a SearchMethod."""

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
    form: SearchForm


def read_search(
    request: HttpRequest, event: Event, method: SearchMethod, identifier: str
) -> GallerySearch:
    """The search a gallery, photo or ZIP address names. Http404 if the event does not offer
    it, RateLimited past the gallery limit, InvalidSearch for input to correct."""
    provider = provider_for(event, spender=ratelimits.client_key(request))
    if provider.unpublished_reason():
        raise not_published()
    if method not in provider.search_methods:
        raise Http404("This event does not offer that search.")
    ratelimits.check(request, "gallery")
    form = SearchForm.of(provider, {method.value: identifier})
    if not form.is_valid():
        raise InvalidSearch(form)
    try:
        page = clean_page(request.GET.get("page"))
    except ValidationError as error:
        form.add_error(None, error)
        raise InvalidSearch(form) from None
    return GallerySearch(event, provider, method, form.cleaned_data["identifier"], page, form)


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
