"""Rendering an event's runner page: the one place that makes embed pages frameable."""

from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from photos.domain import SearchMethod
from photos.forms import SearchForm, TimeSearchForm
from photos.models import Event
from photos.origins import parse_origin
from photos.providers import provider_for
from photos.web.embedding import allow_framing, is_embed


def render_event_page(
    request: HttpRequest, event: Event, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """Render an event's runner page; embed pages may be framed by the event's sites."""
    response = render(request, template, {"event": event, **context}, status=status)
    if is_embed(request):
        allow_framing(response, event.embed_origin_list)
    # An uploaded logo is the portal's own unless a storage serves it from elsewhere.
    if (logo_src := event.logo_src) and (logo := image_source(logo_src)):
        # Read by django-csp's middleware, as its @csp_update decorator sets it.
        response._csp_update = {"img-src": [logo]}  # type: ignore[attr-defined]
    return response


def image_source(url: str) -> str | None:
    """The CSP source allowing an image at `url`: its origin, or None if it has none a
    browser would report (the admin takes only https addresses) or is on the portal's own."""
    try:
        return parse_origin(f"https://{urlsplit(url).netloc.rpartition('@')[2]}")
    except ValidationError:
        return None


def render_search_page(
    request: HttpRequest,
    event: Event,
    *,
    form: SearchForm | None = None,
    time_form: TimeSearchForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The event's search page: the searches it offers, `form` or `time_form` filled in
    where the runner must correct one, and browsing all photos if the organiser allows it."""
    provider = provider_for(event)
    methods = provider.search_methods
    if time_form is None and SearchMethod.TIME in methods:
        time_form = TimeSearchForm.of(event)
    context = {
        "form": form or SearchForm.of(provider),
        "time_form": time_form,
        "offers_all": SearchMethod.ALL in methods,
    }
    return render_event_page(request, event, "photos/event.html", context, status=status)
