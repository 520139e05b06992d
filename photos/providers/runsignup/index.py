"""Reads of the portal's index of RunSignUp photos (written by sync.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db.models import Count, QuerySet, Window

from photos.models import RunSignUpPhoto

if TYPE_CHECKING:
    from photos.models import Event


def photos_of(event: Event) -> QuerySet[RunSignUpPhoto]:
    """The event's indexed photos in gallery order."""
    return RunSignUpPhoto.objects.filter(event=event).order_by("uploaded_at", "photo_id")


def photos_showing(event: Event, bib: int) -> QuerySet[RunSignUpPhoto]:
    """The event's indexed photos of `bib`, in gallery order, through the (event, bib) index."""
    return photos_of(event).filter(bibs__event=event, bibs__bib=bib)


def photos_by_upload(event: Event, *, newest_first: bool) -> QuerySet[RunSignUpPhoto]:
    """Every indexed photo of the event, with a BIB or none, oldest or newest upload first."""
    photos = photos_of(event)
    return photos.reverse() if newest_first else photos


def page_of(
    photos: QuerySet[RunSignUpPhoto], *, offset: int, limit: int
) -> tuple[Sequence[RunSignUpPhoto], int]:
    """A slice of `photos` and how many there are in all.

    One query: the total comes along as a window count, and only a page past the end needs
    a second query to learn it.
    """
    rows = list(photos.annotate(total=Window(Count("pk")))[offset : offset + limit])
    total = rows[0].total if rows else (photos.count() if offset else 0)
    return rows, total
