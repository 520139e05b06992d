"""Rendering an event's runner page: the one place that makes embed pages frameable."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from photos.forms import SearchForm
from photos.models import Event
from photos.web.embedding import allow_framing, is_embed


def render_event_page(
    request: HttpRequest, event: Event, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """Render an event's runner page; embed pages may be framed by the event's sites."""
    response = render(request, template, {"event": event, **context}, status=status)
    if is_embed(request):
        allow_framing(response, event.embed_origin_list)
    return response


def render_search_page(
    request: HttpRequest, event: Event, form: SearchForm, status: int = 200
) -> HttpResponse:
    return render_event_page(request, event, "photos/event.html", {"form": form}, status=status)
