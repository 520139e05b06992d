"""Reads of events for runner pages."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from photos.models import Event


def published_events() -> QuerySet[Event]:
    # The organisation holds the key its provider asks with.
    return Event.objects.filter(is_published=True).select_related("organisation")


def get_published_event(slug: str) -> Event:
    """The event runners may see, or Http404 (unknown and unpublished look alike)."""
    return get_object_or_404(published_events(), slug=slug)


def event_default_language(slug: str) -> str | None:
    return published_events().filter(slug=slug).values_list("default_language", flat=True).first()
