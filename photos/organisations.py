"""Who sees which organisations and events in the admin.

A staff user belongs either to organisations (Organisation.managers) or to the site itself.
Organisers see and change only their organisations' events; the site's own staff, who
manage no organisation, see the default organisation's events (those without one), as
before organisations existed; superusers see everything. Every admin page, action and
download that reads an event goes through `visible_events`.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from photos.models import Event, Organisation

User = AbstractBaseUser | AnonymousUser


def managed_by(user: User) -> QuerySet[Organisation]:
    """The organisations whose events and keys `user` may see: all for superusers."""
    if getattr(user, "is_superuser", False):
        return Organisation.objects.all()
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(managers=user.pk)


def is_organiser(user: User) -> bool:
    """Whether `user` is confined to organisations (a manager of one, not a superuser)."""
    return not getattr(user, "is_superuser", False) and managed_by(user).exists()


def visible_events(user: User, events: QuerySet[Event]) -> QuerySet[Event]:
    """Those of `events` that `user` may see and change (see the module's docstring)."""
    if getattr(user, "is_superuser", False):
        return events
    if not user.is_authenticated:
        return events.none()
    if is_organiser(user):
        return events.filter(organisation__managers=user.pk)
    return events.filter(organisation__isnull=True)
