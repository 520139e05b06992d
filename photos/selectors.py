from django.db.models import Count, QuerySet, Window
from django.shortcuts import get_object_or_404

from photos.models import Event, RunSignUpPhoto


def published_events() -> QuerySet[Event]:
    return Event.objects.filter(is_published=True)


def get_published_event(slug: str) -> Event:
    """The event runners may see, or Http404 (unknown and unpublished look alike)."""
    return get_object_or_404(published_events(), slug=slug)


def event_default_language(slug: str) -> str | None:
    return published_events().filter(slug=slug).values_list("default_language", flat=True).first()


def runsignup_photos(event: Event) -> QuerySet[RunSignUpPhoto]:
    """The event's indexed photos in gallery order."""
    return RunSignUpPhoto.objects.filter(event=event).order_by("uploaded_at", "photo_id")


def runsignup_photos_showing(event: Event, bib: int) -> QuerySet[RunSignUpPhoto]:
    """The event's indexed photos of `bib`, in gallery order, through the (event, bib) index."""
    return runsignup_photos(event).filter(bibs__event=event, bibs__bib=bib)


def runsignup_bib_page(
    event: Event, bib: int, *, offset: int, limit: int
) -> tuple[list[RunSignUpPhoto], int]:
    """A slice of the photos showing `bib` and how many there are in all.

    One query on the (event, bib) index: the total comes along as a window count, and
    only a page past the end needs a second query to learn it.
    """
    photos = runsignup_photos_showing(event, bib)
    rows = list(photos.annotate(total=Window(Count("pk")))[offset : offset + limit])
    total = rows[0].total if rows else (photos.count() if offset else 0)
    return rows, total
