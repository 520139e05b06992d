"""Photos of 9Pic events, asked from 9Pic live: it searches by BIB and selfie itself.

Galleries are listed by 9Pic's search endpoints (BIB Search, the Face Search result), whose
ImageItems carry 9Pic's own previews: one call a gallery page, no original read. Where
they cannot serve an event (the search switched off: 403; an older API without them; photos
listed without previews) or NINEPIC_GALLERY_LISTING says "originals", a gallery is listed
by Download Originals instead and its previews are the portal's own, made from the
originals (previews.py); the switch is logged once and kept for the event and search for
NINEPIC_LISTING_FALLBACK_SECONDS before the search listing is tried again.

Originals are always asked for at click time (Download Originals). Gallery answers are
cached within the life of their links, a photo 9Pic does not know is remembered briefly,
identical concurrent searches share one upstream call (photos/singleflight.py), and every
call counts against the event's upstream budget and the asking client's share of it
(photos/providers/budget.py). Which searches runners get also depends on what 9Pic has
switched on for the event (Event Details, cached NINEPIC_EVENT_DETAILS_CACHE_SECONDS).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from functools import cached_property
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache

from photos import galleries, identifiers, sharedcache, singleflight
from photos.domain import (
    ConnectionCheck,
    GalleryPage,
    Order,
    Original,
    OriginalLink,
    Photo,
    PhotoHour,
    PhotoNotFound,
    ProviderError,
    ProviderMisconfigured,
    ProviderRejectedRequest,
    SearchMethod,
    SearchNotOffered,
    SelfieNotUsable,
    TooManyPhotos,
)
from photos.providers import budget
from photos.providers.base import PhotoProvider, Preview, StatusLine
from photos.providers.ninepic import previews
from photos.providers.ninepic.accounts import api_key_of
from photos.providers.ninepic.client import (
    MAX_PAGE_SIZE,
    EndpointMissing,
    EventDetails,
    NinePicClient,
    NinePicEvent,
    OriginalsPage,
    SelfieFieldMismatch,
    TimelineDay,
    probe_picture,
)
from photos.timewindows import TimeSearch

logger = logging.getLogger(__name__)
T = TypeVar("T")

# A page served from the cache at the end of its life still leaves the browser this long
# to load its previews before their links expire.
PREVIEW_LINK_MARGIN = 120
# Event Details only trims the searches an event page offers: it never holds a page long,
# and when it cannot be read the organiser's choice stands, asked again after this long.
EVENT_DETAILS_TIME_BUDGET = 2.0
EVENT_DETAILS_RETRY_SECONDS = 60
UNREADABLE = "unreadable"
SEARCHES_AT_9PIC = {SearchMethod.BIB: "bib_search", SearchMethod.SELFIE: "selfie_search"}
LISTING_NAMES = {SearchMethod.BIB: "BIB Search", SearchMethod.SELFIE: "Face Search"}


class WithoutPreviews(ProviderError):
    """The search listing gave photos without a preview on 9Pic's preview hosts."""


class NinePicProvider(PhotoProvider):
    key = "ninepic"
    label = "9Pic"
    supported_searches = frozenset(SearchMethod)
    event_fields = ("org_id", "event_id")
    required_event_fields = ("org_id", "event_id")
    admin_description = (
        "The API key is the event's organisation's (set on the organisation), or the "
        "server's NINEPIC_API_KEY for events without an organisation."
    )

    @classmethod
    def missing_settings(cls) -> list[str]:
        return [] if settings.NINEPIC_API_KEY else ["NINEPIC_API_KEY"]

    @cached_property
    def _api_key(self) -> str:
        """The event's organisation's key, or the server's (see accounts.api_key_of)."""
        return api_key_of(self.event.organisation)

    @property
    def _client(self) -> NinePicClient:
        return self._client_within()

    def _client_within(self, time_budget: float | None = None) -> NinePicClient:
        """The client with the event's key; ProviderMisconfigured, asking nothing, for an
        organisation's event without a key."""
        if not self._api_key and self.event.organisation is not None:
            raise ProviderMisconfigured(
                f"{self.event.organisation} has no 9Pic API key yet", status=0
            )
        return NinePicClient.from_settings(api_key=self._api_key, time_budget=time_budget)

    @property
    def _ref(self) -> NinePicEvent:
        return NinePicEvent.of(self.event)

    @property
    def _event_key(self) -> str:
        """Names the event in cache keys. An organisation's events (asked with its own key)
        never share an entry with the same 9Pic event asked with another key."""
        key = f"9pic:{self.event.org_id}:{self.event.event_id}"
        organisation_id = self.event.organisation_id
        return key if organisation_id is None else f"{key}@{organisation_id}"

    def _admit(self) -> None:
        """Before a call (or a wait for one) on the spender's behalf: within its share?"""
        budget.admit(self.event, self.spender)

    def _spend_upstream_call(self) -> None:
        budget.spend(self.event, provider=self.label, spender=self.spender)

    def clean_photo_id(self, image_id: str) -> str:
        """9Pic names photos by UUID."""
        return identifiers.clean_uuid(image_id)

    # --- Which searches -------------------------------------------------------------------

    @property
    def search_methods(self) -> list[SearchMethod]:
        """The organiser's searches that 9Pic has switched on for the event. Where Event
        Details cannot be read, or 9Pic has switched off both BIB and selfie search, the
        organiser's choice of those stands (galleries then fall back to Download Originals
        if they must); a time search needs 9Pic's `timeline_search`, browsing all only the
        organiser's switch (All Photos has no flag)."""
        offered = super().search_methods
        details = self._details
        runners = [m for m in offered if m.finds_a_runner]
        if details is not None:
            runners = [m for m in runners if getattr(details, SEARCHES_AT_9PIC[m])] or runners
        # The Timeline answers only where 9Pic has switched it on: never offered unread.
        timeline = details is not None and details.timeline_search
        return [
            m
            for m in offered
            if m in runners or m is SearchMethod.ALL or (m is SearchMethod.TIME and timeline)
        ]

    @property
    def _details_key(self) -> str:
        return f"details:{self._event_key}"

    @cached_property
    def _details(self) -> EventDetails | None:
        """Event Details, cached; None if it cannot be read (asked again a minute later)."""
        key = self._details_key

        def fetch() -> EventDetails | str:
            try:
                # The event's call, read once for every runner: no runner's share spends it.
                budget.spend(self.event, provider=self.label, spender=None)
                client = self._client_within(EVENT_DETAILS_TIME_BUDGET)
                details: EventDetails | str = client.event_details(self._ref)
                lifetime = settings.NINEPIC_EVENT_DETAILS_CACHE_SECONDS
            except ProviderError:  # the client logged why
                details, lifetime = UNREADABLE, EVENT_DETAILS_RETRY_SECONDS
            sharedcache.put(key, details, lifetime)
            return details

        found = singleflight.shared(
            key,
            lookup=lambda: sharedcache.get(key),
            compute=fetch,
            wait=EVENT_DETAILS_TIME_BUDGET,
        )
        return found if isinstance(found, EventDetails) else None

    def unpublished_reason(self) -> str | None:
        """From Event Details (cached): 9Pic's draft status or its switch for the event."""
        details = self._details
        if details is None:
            return None
        if not details.event_enabled:
            held_back = "9Pic has switched the event off"
        elif str(details.status) == "draft":
            held_back = "9Pic has the event as a draft"
        else:
            return None
        return f"{held_back}: runners are told its photos are not published yet."

    def status(self) -> list[StatusLine]:
        """What 9Pic's Event Details (cached) says of the event, if it could be read."""
        details = self._details
        if details is None:
            return []
        searches = ", ".join(
            f"{name} {_on(getattr(details, flag))}"
            for name, flag in (("BIB", "bib_search"), ("selfie", "selfie_search"))
        )
        return [
            StatusLine("at 9Pic", self.unpublished_reason() or "published"),
            StatusLine("searches at 9Pic", searches),
        ]

    # --- Galleries ------------------------------------------------------------------------

    def gallery_page(self, *, method: SearchMethod, identifier: str, page: int) -> GalleryPage:
        page_size = settings.GALLERY_PAGE_SIZE
        if not method.finds_a_runner:
            return self._browsing_page(method, identifier, page, page_size)
        return self._shared_page(
            f"gallery:{self._event_key}:{method}:{identifier}:{page}:{page_size}",
            lambda: self._listed(method, identifier, page, page_size),
        )

    def _shared_page(self, key: str, listed: Callable[[], GalleryPage]) -> GalleryPage:
        """`listed()`'s page, cached for its life and computed once for concurrent askers."""
        return self._shared(key, listed, cache_lifetime)

    def _shared(self, key: str, compute: Callable[[], T], lifetime: Callable[[T], int]) -> T:
        """`compute()`'s answer, cached for `lifetime(answer)` seconds; concurrent askers wait
        for one call (within NINEPIC_TIME_BUDGET, each within its share of the budget)."""

        def fetch() -> T:
            answer = compute()
            sharedcache.put(key, answer, lifetime(answer))
            return answer

        found: T = singleflight.shared(
            key,
            lookup=lambda: sharedcache.get(key),
            compute=fetch,
            wait=settings.NINEPIC_TIME_BUDGET,
            admit=self._admit,
        )
        return found

    def _browsing_page(
        self, method: SearchMethod, identifier: str, page: int, page_size: int
    ) -> GalleryPage:
        """TIME (the Photo Timeline's window) and ALL (All Photos): 9Pic lists both oldest
        first; newest first is the same listing read from its end. Photos listed without
        9Pic's previews get the portal's (made from their originals)."""
        window: tuple[int, int] | None = None
        if method is SearchMethod.TIME:
            if self.event.date is None:
                raise ProviderRejectedRequest(f"event {self.event.slug} has no race day")
            search = TimeSearch.parse(identifier)
            window, order = search.window(self.event.date, self.event.zone), search.order
        else:
            order = Order(identifier)
        listing = "all" if window is None else f"{window[0]}-{window[1]}"

        def oldest_first(number: int) -> GalleryPage:
            return self._shared_page(
                f"browse:{self._event_key}:{listing}:{number}:{page_size}",
                lambda: self._browsing_listing(window, number, page_size),
            )

        if order is Order.OLDEST:
            return oldest_first(page)
        return galleries.newest_first(oldest_first, page=page, page_size=page_size)

    def _browsing_listing(
        self, window: tuple[int, int] | None, page: int, page_size: int
    ) -> GalleryPage:
        self._spend_upstream_call()
        if window is None:
            return self._client.all_photos(self._ref, page=page, page_size=page_size)
        start, end = window
        return self._client.timeline_images(
            self._ref, start=start, end=end, page=page, page_size=page_size
        )

    def capture_hours(self) -> list[PhotoHour]:
        """The Photo Timeline's days and hours, cached like a gallery page."""

        def fetch() -> list[PhotoHour]:
            self._spend_upstream_call()
            return photo_hours(self._client.timeline_days(self._ref))

        def lifetime(hours: list[PhotoHour]) -> int:
            return settings.GALLERY_CACHE_SECONDS if hours else settings.EMPTY_GALLERY_CACHE_SECONDS

        return self._shared(f"timeline-days:{self._event_key}", fetch, lifetime)

    def _listed(
        self, method: SearchMethod, identifier: str, page: int, page_size: int
    ) -> GalleryPage:
        """One upstream call: the search listing, or Download Originals where it cannot serve
        (and two the first time it finds that out)."""
        if self.lists_by_search(method):
            try:
                return self._search_listing(method, identifier, page, page_size)
            except ProviderMisconfigured as error:
                if error.status != 403:
                    raise
                why = refused(method)
            except (EndpointMissing, WithoutPreviews) as error:
                why = str(error)
            result = self._originals_listing(method, identifier, page, page_size)
            # Only once Download Originals answered: a key 9Pic refuses everywhere is no
            # reason to switch.
            self._fall_back(method, why)
            return result
        return self._originals_listing(method, identifier, page, page_size)

    def lists_by_search(self, method: SearchMethod) -> bool:
        """Whether `method`'s galleries come from 9Pic's search listing just now."""
        return (
            settings.NINEPIC_GALLERY_LISTING == "search"
            and sharedcache.get(self._fallback_key(method)) is None
        )

    def _fallback_key(self, method: SearchMethod) -> str:
        return f"listing-fallback:{self._event_key}:{method}"

    def _fall_back(self, method: SearchMethod, why: str) -> None:
        """Remember for a while that `method`'s listing cannot serve, and say so once (without
        the shared cache nothing is remembered: its outage is logged already)."""
        lifetime = settings.NINEPIC_LISTING_FALLBACK_SECONDS
        try:
            first = sharedcache.attempt(
                lambda: cache.add(self._fallback_key(method), why, lifetime)
            )
        except sharedcache.CacheUnavailable:
            first = False
        if first:
            logger.warning(
                "event %s: %s cannot list galleries (%s): listing them with Download Originals "
                "and the portal's previews for %ss",
                self.event.slug,
                LISTING_NAMES[method],
                why,
                lifetime,
            )

    def _search_listing(
        self, method: SearchMethod, identifier: str, page: int, page_size: int
    ) -> GalleryPage:
        self._spend_upstream_call()
        client, ref = self._client, self._ref
        if method is SearchMethod.BIB:
            result = client.bib_search(ref, identifier, page=page, page_size=page_size)
        else:
            result = client.face_result(ref, identifier, page=page, page_size=page_size)
        if any(p.thumbnail_url is None or p.large_url is None for p in result.photos):
            raise WithoutPreviews("photos listed without previews on 9Pic's preview hosts")
        return result

    def _originals_listing(
        self, method: SearchMethod, identifier: str, page: int, page_size: int
    ) -> GalleryPage:
        self._spend_upstream_call()
        result = self._client.originals(
            self._ref, method=method, identifier=identifier, page=page, page_size=page_size
        )
        # The portal's previews need an original's signed link: keep the ones this page brought.
        lifetime = settings.GALLERY_CACHE_SECONDS
        sharedcache.put_many(
            {self._link_key(link.image_id): link for link in result.links}, lifetime
        )
        return GalleryPage(
            photos=[Photo(image_id=link.image_id, filename=link.filename) for link in result.links],
            failed=result.failed,
            total=result.total,
            pagination=result.pagination,
            message=result.message,
        )

    def search_by_selfie(self, selfie: bytes) -> str:
        """Face Search with the selfie under a request ID made here, so that the client's
        retries (after a timeout or a 5xx) reuse it and 9Pic never matches twice. Counts in
        the event's upstream budget and the client's share of it."""
        self._admit()
        self._spend_upstream_call()
        found = self._client.face_search(self._ref, selfie=selfie, request_id=str(uuid.uuid4()))
        return identifiers.clean_uuid(found.request_id)

    # --- Originals ------------------------------------------------------------------------

    def fresh_original(self, image_id: str) -> OriginalLink:
        """A link signed just now: never one rendered into an earlier page."""
        self._admit()
        return self._signed_now(image_id)

    def _link_key(self, image_id: str) -> str:
        return f"original:{self._event_key}:{image_id}"

    def link_signed_recently(self, image_id: str) -> OriginalLink:
        """A link to the original signed recently enough to fetch now: from a gallery page
        listed by Download Originals within GALLERY_CACHE_SECONDS if any, else signed now
        (and kept as long)."""
        link: OriginalLink | None = sharedcache.get(self._link_key(image_id))
        if link is None:
            link = self._signed_now(image_id)
            sharedcache.put(self._link_key(image_id), link, settings.GALLERY_CACHE_SECONDS)
        return link

    def _signed_now(self, image_id: str) -> OriginalLink:
        """One call to 9Pic for the photo's link, or PhotoNotFound. Not found is remembered
        for UNKNOWN_PHOTO_CACHE_SECONDS: asking again for a made-up ID costs no call."""
        unknown_key = f"{self._link_key(image_id)}:unknown"
        if sharedcache.get(unknown_key):
            raise PhotoNotFound(f"9Pic did not know image {image_id} a moment ago")
        self._spend_upstream_call()
        try:
            return self._client.original(self._ref, image_id=image_id)
        except PhotoNotFound:
            sharedcache.put(unknown_key, True, settings.UNKNOWN_PHOTO_CACHE_SECONDS)
            raise

    def open_original(self, link: OriginalLink) -> Original:
        return self._client.open_original(link, time_limit=settings.ORIGINAL_TIME_LIMIT)

    def originals_for_zip(
        self, *, method: SearchMethod, identifier: str, image_ids: list[str], limit: int
    ) -> tuple[int, Iterator[Original]]:
        """The first batch of links is fetched before returning; later ones only as the ZIP
        is being written, so that no link is older than a few minutes when it is fetched.
        However 9Pic pages, the ZIP holds at most the count its first page promised (or
        the photos ticked), and asks for no more pages than that count fills."""
        # Photos found by time or browsed have no Download Originals method: only their IDs.
        if not image_ids and (not method.finds_a_runner or self.lists_by_search(method)):
            return self._zip_of_gallery(method, identifier, limit)
        client, ref = self._client, self._ref

        def batch(page: int) -> OriginalsPage:
            self._spend_upstream_call()
            if image_ids:
                return client.originals_of(
                    ref, image_ids=image_ids, page=page, page_size=MAX_PAGE_SIZE
                )
            return client.originals(
                ref, method=method, identifier=identifier, page=page, page_size=MAX_PAGE_SIZE
            )

        self._admit()
        first = batch(1)
        count = len(image_ids) or first.total
        if count > limit:
            raise TooManyPhotos(count)
        last_page = -(-count // MAX_PAGE_SIZE)

        def originals() -> Iterator[Original]:
            result, page, left = first, 1, count
            while True:
                for link in result.links[:left]:
                    yield client.open_original(link, time_limit=settings.ORIGINAL_TIME_LIMIT)
                left -= min(left, len(result.links))
                more = result.pagination is not None and result.pagination.has_next
                if not (left and more and page < last_page):
                    return
                page += 1
                result = batch(page)

        return count, originals()

    def _zip_of_gallery(
        self, method: SearchMethod, identifier: str, limit: int
    ) -> tuple[int, Iterator[Original]]:
        """Exactly the gallery's photos: its pages (cached, as the runner just saw them),
        then their links by image_ids, MAX_PAGE_SIZE at a time as the ZIP is written. However
        9Pic pages, at most the count its first page promised, from no more pages than that
        count fills."""
        first = self.gallery_page(method=method, identifier=identifier, page=1)
        count = first.total
        if count > limit:
            raise TooManyPhotos(count)
        image_ids = [photo.image_id for photo in first.photos]
        last_page, page, listed = -(-count // settings.GALLERY_PAGE_SIZE), 1, first
        while page < last_page and listed.pagination and listed.pagination.has_next:
            page += 1
            listed = self.gallery_page(method=method, identifier=identifier, page=page)
            image_ids += [photo.image_id for photo in listed.photos]
        image_ids = list(dict.fromkeys(image_ids))[:count]
        batches = [
            image_ids[start : start + MAX_PAGE_SIZE]
            for start in range(0, len(image_ids), MAX_PAGE_SIZE)
        ]
        if not batches:
            return 0, iter(())
        client, ref = self._client, self._ref

        def links(ids: list[str]) -> list[OriginalLink]:
            self._spend_upstream_call()
            return client.originals_of(ref, image_ids=ids, page_size=MAX_PAGE_SIZE).links

        first_links = links(batches[0])

        def originals() -> Iterator[Original]:
            for number, ids in enumerate(batches):
                for link in first_links if number == 0 else links(ids):
                    yield client.open_original(link, time_limit=settings.ORIGINAL_TIME_LIMIT)

        return len(image_ids), originals()

    # --- The portal's own previews (the fallback listing, share cards) ----------------------

    def preview(self, image_id: str, size: str) -> Preview:
        """Made by the portal from the original, once: for galleries listed by Download
        Originals, and for share cards, which must not depend on links that expire."""

        def open_original() -> Original:
            # A runner waits for the preview: its original gets the runner's time budget.
            link = self.link_signed_recently(image_id)
            return self._client.open_original(link, time_limit=settings.NINEPIC_TIME_BUDGET)

        name = self._preview_name(image_id, size)
        return Preview(
            file=previews.preview_file(name, previews.SIZES[size], open_original, admit=self._admit)
        )

    def preview_etag(self, image_id: str, size: str) -> str:
        return previews.etag(self._preview_name(image_id, size))

    def _preview_name(self, image_id: str, size: str) -> str:
        photo_key = f"{self.event.org_id}-{self.event.event_id}-{image_id}"
        if self.event.organisation_id is not None:  # as in _event_key
            photo_key = f"{photo_key}-o{self.event.organisation_id}"
        return previews.preview_name(photo_key, previews.SIZES[size])

    # --- For organisers ----------------------------------------------------------------------

    def check_connection(self) -> ConnectionCheck:
        """Ping (key, host, organisation, ownership), then Event Details (the searches 9Pic
        has switched on), a look at each search listing the event's galleries use, and a
        selfie upload where selfie search is offered (field and request_id placement)."""
        where = f"organisation {self.event.org_id}, event {self.event.event_id}"
        if not self._api_key:
            organisation = self.event.organisation
            if organisation is not None:
                return ConnectionCheck(False, f"{organisation} has no 9Pic API key yet: set it.")
            return ConnectionCheck(False, "No 9Pic API key is configured (NINEPIC_API_KEY).")
        client, ref = self._client, self._ref
        try:
            client.ping(ref)
        except ProviderMisconfigured as error:
            return ConnectionCheck(False, _refusal(error, ref))
        except ProviderError as error:
            return ConnectionCheck(False, f"Could not reach 9Pic for {where}: {error}")
        lines = [f"Connected: the key works and can read {where}."]
        try:
            details = client.event_details(ref)
        except ProviderError as error:
            lines.append(
                f"9Pic's Event Details could not be read ({error}): runners are offered the "
                "searches chosen here."
            )
        else:
            lifetime = settings.NINEPIC_EVENT_DETAILS_CACHE_SECONDS
            sharedcache.put(self._details_key, details, lifetime)
            if not details.event_enabled:
                return ConnectionCheck(
                    False, f"{lines[0]} But 9Pic has switched the event off: no photo can be read."
                )
            lines.append(
                f"9Pic has BIB search {_on(details.bib_search)}, selfie search "
                f"{_on(details.selfie_search)} and the photo timeline "
                f"{_on(details.timeline_search)} for it."
            )
            if details.timeline_search:
                lines.append(self._timeline_report())
        methods = [m for m in self.search_methods if m.finds_a_runner]
        lines += [self._listing_report(method) for method in methods]
        if SearchMethod.SELFIE not in methods:
            return ConnectionCheck(True, " ".join(lines))
        upload = self._selfie_upload_check()
        return ConnectionCheck(upload.ok, " ".join([*lines, upload.message]))

    def _timeline_report(self) -> str:
        """Whether the Timeline takes its window under the query names the settings give
        (9Pic's docs leave them open): asked for the busiest hour it counts, it must answer
        that count, and asked for the first second of 1970, none."""
        names = "NINEPIC_TIMELINE_FROM_PARAM and NINEPIC_TIMELINE_TO_PARAM"
        now = f"{settings.NINEPIC_TIMELINE_FROM_PARAM!r} and {settings.NINEPIC_TIMELINE_TO_PARAM!r}"
        client, ref = self._client, self._ref
        try:
            self._spend_upstream_call()
            hours = photo_hours(client.timeline_days(ref))
            if not hours:
                return (
                    "Time search: the photo timeline has no photos with a capture time yet; "
                    f"its window's query names ({names}: {now}) are checked once it has."
                )
            busiest = max(hours, key=lambda hour: hour.count)
            count, start = busiest.count, int(busiest.start.timestamp())
            self._spend_upstream_call()
            in_hour = client.timeline_images(ref, start=start, end=start + 3600, page_size=1)
            self._spend_upstream_call()
            never = client.timeline_images(ref, start=0, end=1, page_size=1)
        except ProviderRejectedRequest as error:
            return (
                f"Time search: the photo timeline refused its window ({error}). Its message "
                f"names the query names 9Pic expects: set {names} (now {now}) to them."
            )
        except ProviderError as error:
            return f"Time search: the photo timeline could not be checked just now ({error})."
        if in_hour.total != count or never.total:
            return (
                f"Time search: the photo timeline ignores its window ({in_hour.total} photos for "
                f"an hour it counts {count} in, {never.total} taken in 1970). Check {names} "
                f"(now {now}) against 9Pic's API reference: time searches would show the "
                "wrong photos."
            )
        return f"Time search: the photo timeline takes its window as {now} ({names})."

    def _listing_report(self, method: SearchMethod) -> str:
        """Which listing `method`'s galleries use, after looking at the search listing."""
        search = "BIB" if method is SearchMethod.BIB else "Selfie"
        fallback = "Download Originals, with previews the portal makes from the originals"
        if settings.NINEPIC_GALLERY_LISTING != "search":
            return f"{search} galleries: {fallback} (NINEPIC_GALLERY_LISTING)."
        try:
            self._spend_upstream_call()
            if method is SearchMethod.BIB:
                self._client.bib_search(self._ref, "0", page_size=1)  # a BIB nobody wears
            else:
                self._client.face_result(self._ref, str(uuid.UUID(int=0)), page_size=1)
        except ProviderMisconfigured as error:
            if error.status == 403:
                self._fall_back(method, refused(method))
        except EndpointMissing as error:
            self._fall_back(method, str(error))
        except ProviderError:
            pass  # a passing failure: what is remembered stands
        why = sharedcache.get(self._fallback_key(method))
        if why is None:
            return f"{search} galleries: 9Pic's {LISTING_NAMES[method]}, with 9Pic's previews."
        return f"{search} galleries: {fallback}, as {why}."

    def _selfie_upload_check(self) -> ConnectionCheck:
        """Tell an organiser whether Face Search takes selfies as the settings send them, by
        uploading a small plain picture (it shows no face: no match, or a 400, is success);
        a 422 naming another field says which setting to change."""
        sent_id = str(uuid.uuid4())
        self._spend_upstream_call()
        try:
            found = self._client.face_search(self._ref, selfie=probe_picture(), request_id=sent_id)
        except SelfieFieldMismatch as mismatch:
            return ConnectionCheck(False, f"Selfie upload refused (422): {mismatch}.")
        except SelfieNotUsable:
            return ConnectionCheck(True, "Selfie upload works (9Pic found no face in the test).")
        except SearchNotOffered:
            return ConnectionCheck(
                False,
                f"9Pic refused selfie search for event {self.event.event_id} (403): switch it on "
                "at 9Pic, or stop offering selfie search for this event.",
            )
        except ProviderError as error:
            return ConnectionCheck(False, f"Selfie upload failed: {error}")
        if identifiers.clean_uuid(found.request_id) != sent_id:
            other = "query" if settings.NINEPIC_SELFIE_REQUEST_ID_IN == "form" else "form"
            return ConnectionCheck(
                False,
                "Selfie upload works, but 9Pic did not keep our request_id, so a retried "
                f"upload would be searched (and charged) again: set "
                f"NINEPIC_SELFIE_REQUEST_ID_IN={other}.",
            )
        return ConnectionCheck(True, "Selfie upload works.")


def photo_hours(days: list[TimelineDay]) -> list[PhotoHour]:
    """The Timeline's hours with photos, each from its start (UTC)."""
    return [
        PhotoHour(
            start=datetime(day.date.year, day.date.month, day.date.day, hour.hour, tzinfo=UTC),
            count=hour.count,
        )
        for day in days
        for hour in day.hours
        if hour.count
    ]


def refused(method: SearchMethod) -> str:
    return f"{LISTING_NAMES[method]} answered 403: switched off for the event"


def _on(flag: bool) -> str:
    return "on" if flag else "off"


def _refusal(error: ProviderMisconfigured, ref: NinePicEvent) -> str:
    if error.status == 401:
        return "9Pic says the API key is missing (401)."
    if error.status == 404:
        return f"The key works, but 9Pic does not know event {ref.event_id}."
    return (
        f"9Pic refused access to organisation {ref.org_id}, event {ref.event_id} (403): the "
        f"API key is invalid or inactive, this server is not approved, or organisation "
        f"{ref.org_id} does not own event {ref.event_id}."
    )


def cache_lifetime(result: GalleryPage) -> int:
    """How long a gallery page may be reused: briefly if empty (photos are still being
    processed), never past PREVIEW_LINK_MARGIN before its first preview link expires."""
    lifetime = (
        settings.EMPTY_GALLERY_CACHE_SECONDS if result.is_empty else settings.GALLERY_CACHE_SECONDS
    )
    if result.links_expire_at is not None:
        left = int(result.links_expire_at - time.time()) - PREVIEW_LINK_MARGIN
        lifetime = min(lifetime, max(left, 0))
    return lifetime
