"""An organisation's 9Pic account: whether its key works, which events it has, and portal
events made from them (name, date, slug, the searches 9Pic has switched on, and the cover
image as the search page's picture).

Only the admin calls these, on an organiser's click: they spend no event's budget. Every
call is bounded by NINEPIC_TIME_BUDGET (the cover by COVER_TIME_LIMIT) and fails as a
ProviderError; what 9Pic lists is untrusted: events are created only from a listing read
again when the organiser confirms, never from what the form sent back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from photos import images
from photos.credentials import CredentialUnreadable
from photos.domain import ConnectionCheck, Pagination, ProviderError, ProviderMisconfigured
from photos.models import Event, Organisation
from photos.providers.ninepic.client import EventDetails, ListedEvent, NinePicClient, NinePicEvent

logger = logging.getLogger(__name__)

IMPORT_PAGE_SIZE = 20
COVER_TIME_LIMIT = 20.0
SLUG_LENGTH = 50


def api_key_of(organisation: Organisation | None) -> str:
    """The organisation's own 9Pic key ("" if it has none yet), or for the default
    organisation (None) the server's NINEPIC_API_KEY. Never the server's key for an
    organisation: it is another organisation's, and would let one read the other's events.
    ProviderMisconfigured (status 0) if the stored key cannot be decrypted."""
    if organisation is None:
        return str(settings.NINEPIC_API_KEY)
    try:
        return organisation.ninepic_api_key()
    except CredentialUnreadable as error:
        logger.error("%s's 9Pic API key: %s", organisation, error)
        raise ProviderMisconfigured(
            f"{organisation}'s 9Pic API key cannot be read: {error}", status=0
        ) from error


def _client(organisation: Organisation) -> NinePicClient:
    return NinePicClient.from_settings(api_key=api_key_of(organisation))


def _org_id(organisation: Organisation) -> int:
    if organisation.ninepic_org_id is None:
        raise ProviderMisconfigured(
            f"{organisation} has no 9Pic organisation ID: set it first.", status=0
        )
    return organisation.ninepic_org_id


def check_key(organisation: Organisation) -> ConnectionCheck:
    """Whether 9Pic lists the organisation's events with its key (List Events, one event)."""
    try:
        org_id = _org_id(organisation)
        if not api_key_of(organisation):
            return ConnectionCheck(False, "No 9Pic API key: set the organisation's key.")
        listed = _client(organisation).list_events(org_id, page_size=1)
    except ProviderMisconfigured as error:
        return ConnectionCheck(False, refusal(error, organisation))
    except ProviderError as error:
        return ConnectionCheck(False, f"Could not reach 9Pic: {error}")
    total = listed.pagination.total if listed.pagination else len(listed.events)
    return ConnectionCheck(
        True, f"The key works: 9Pic lists {total} events of organisation {org_id}."
    )


def refusal(error: ProviderMisconfigured, organisation: Organisation) -> str:
    if error.status == 401:
        return "9Pic says the API key is missing (401)."
    if error.status in (403, 404):
        return (
            f"9Pic refused the key for organisation {organisation.ninepic_org_id} "
            f"({error.status}): the key is invalid or inactive, belongs to another "
            "organisation, or this server is not approved."
        )
    return str(error)


@dataclass(frozen=True)
class Candidate:
    """An event of the organisation at 9Pic, and the portal's event made of it, if any."""

    listed: ListedEvent
    imported: Event | None

    @property
    def is_draft(self) -> bool:
        return self.listed.status == "draft"


def events_at_9pic(
    organisation: Organisation, page: int
) -> tuple[list[Candidate], Pagination | None]:
    """One page (IMPORT_PAGE_SIZE) of the organisation's events at 9Pic. ProviderError."""
    listed = _client(organisation).list_events(
        _org_id(organisation), page=page, page_size=IMPORT_PAGE_SIZE
    )
    existing = {
        e.event_id: e
        for e in Event.objects.filter(
            org_id=organisation.ninepic_org_id,
            event_id__in=[item.event_id for item in listed.events],
        )
    }
    return [Candidate(item, existing.get(item.event_id)) for item in listed.events], (
        listed.pagination
    )


@dataclass
class ImportReport:
    created: list[Event] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def import_events(organisation: Organisation, event_ids: set[int], page: int) -> ImportReport:
    """Portal events, unpublished, for those of `event_ids` on the listing's `page` that have
    none yet: Event Details sets the searches; the cover, if any, becomes the hero picture
    (a cover that cannot be read is a problem reported, not a failed import)."""
    client = _client(organisation)
    candidates, _pagination = events_at_9pic(organisation, page)
    report = ImportReport()
    for candidate in candidates:
        item = candidate.listed
        if item.event_id not in event_ids or candidate.imported is not None:
            continue
        ref = NinePicEvent(org_id=_org_id(organisation), event_id=item.event_id)
        try:
            details = client.event_details(ref)
        except ProviderError as error:
            report.problems.append(f"{item.name or item.event_id}: {error}")
            continue
        event = _new_event(organisation, item, details)
        if item.cover_image:
            try:
                cover = client.read_picture(
                    item.cover_image, max_bytes=images.MAX_BYTES, time_limit=COVER_TIME_LIMIT
                )
                event.hero_image = images.scaled_down(cover, images.HERO, stem="hero")
            except (ProviderError, images.NotAPicture) as error:
                report.problems.append(f"{event.name}: its cover image was not imported ({error})")
        try:
            with transaction.atomic():
                event.save()
        except IntegrityError:  # imported meanwhile, or its slug just taken
            report.problems.append(f"{event.name}: already imported, or its address is taken")
            continue
        report.created.append(event)
    return report


def _new_event(organisation: Organisation, item: ListedEvent, details: EventDetails) -> Event:
    """Every search the portal has is offered: runners get those Event Details has on, now
    and whenever it is read again (a search switched on at 9Pic later shows up by itself)."""
    name = (item.name or str(details.event_name) or f"9Pic event {item.event_id}")[:120]
    return Event(
        name=name,
        slug=_free_slug(item.slug or name, item.event_id),
        organisation=organisation,
        org_id=organisation.ninepic_org_id,
        event_id=item.event_id,
        date=_day(item.date),
        offers_bib_search=True,
        offers_selfie_search=True,
        is_published=False,
    )


def _day(moment: str) -> date | None:
    """The day of 9Pic's local ISO 8601 time, or None if it gives none or a malformed one."""
    try:
        return date.fromisoformat(moment[:10])
    except ValueError:
        return None


def _free_slug(wanted: str, event_id: int) -> str:
    base = slugify(wanted)[: SLUG_LENGTH - 8].strip("-") or f"event-{event_id}"
    slug, number = base, 1
    while Event.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug
