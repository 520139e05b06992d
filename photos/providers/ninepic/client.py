"""9Pic's API: the only code in the product that talks to 9Pic.

Every call goes to `{NINEPIC_BASE_URL}/api/v1/ext/{org_id}/…` with the organisation's key
in `X-API-Key` (shared API docs: 9pic-download-originals.md, 9pic-other-endpoints.md):

- listing a runner's photos with their previews: BIB Search, the Face Search result, All
  Photos and the Photo Timeline, as `photos.domain.GalleryPage`s of ImageItems;
- the event: Ping, Event Details, List Events;
- Download Originals: presigned links to the originals, asked for when one is fetched.

Answers come in the current envelope (`responseType` / `message` / `data`) or, where 9Pic's
older pages show one, the flat shape; both are declared below as msgspec models, decoded
strictly, and turned into the portal's types. Photos whose ID is not a UUID are left out
(logged as a count); file names are made safe; preview links are kept only on 9Pic's
preview hosts (NINEPIC_PREVIEW_HOSTS), else the photo has no preview.

Failure contract: every call either returns a typed result or raises a `ProviderError`
subclass within `NINEPIC_TIME_BUDGET` seconds. 429, 5xx and connection failures are retried
with exponential backoff (honouring `Retry-After`) while the budget allows. 401 and 403 are
ProviderMisconfigured (a search 9Pic has switched off for the event is a 403 too), 400 and
422 ProviderRejectedRequest, a 404 that carries 9Pic's message "nothing there" (no photos,
an empty list), and a 404 or 405 without one EndpointMissing (an older API without that
endpoint). The key is sent only to the API, never to storage or the CDN, and never logged:
9Pic's answers are read without it, should they echo it back; signed URLs are logged
without their query string.
"""

from __future__ import annotations

import io
import logging
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar
from urllib.parse import parse_qs, quote, urlsplit

import msgspec
import requests
from django.conf import settings
from msgspec import UNSET, UnsetType
from PIL import Image

from photos import identifiers
from photos.domain import (
    FailedPhoto,
    GalleryPage,
    Original,
    OriginalLink,
    Pagination,
    Photo,
    PhotoNotFound,
    ProviderError,
    ProviderMisconfigured,
    ProviderRejectedRequest,
    ProviderThrottled,
    ProviderUnavailable,
    SearchMethod,
    SearchNotOffered,
    SelfieNotUsable,
)
from photos.providers.answers import HttpUrl, Text, decoder
from photos.providers.deadlines import Deadline
from photos.providers.http import (
    CallPolicy,
    Retry,
    StorageHosts,
    open_download,
    read_capped,
    redact_url,
    retry_after_seconds,
    with_retries,
)
from photos.providers.http import session as session_for_thread

if TYPE_CHECKING:
    from photos.models import Event

logger = logging.getLogger(__name__)
T = TypeVar("T")

R2_STORAGE = StorageHosts(("*.r2.cloudflarestorage.com",))
CDN = StorageHosts(("photos.9pic.ai",))

# Download Originals gives at most 60 links a call; the listing endpoints 100 photos a page.
MAX_PAGE_SIZE = 60
MAX_LISTING_PAGE_SIZE = 100
# 100 ImageItems or 60 links are about 40 KB; anything near this is not an answer we can use.
MAX_ANSWER_BYTES = 2 * 1024 * 1024
# Photos are at most this many pixels a side: a larger `width` or `height` is no size.
MAX_SIDE = 100_000


class EndpointMissing(ProviderError):
    """9Pic has no such endpoint (a 404 or 405 without its message): an older API."""


def image_id_from(filename: str, url: str) -> str:
    """9Pic names each original `<image_id>.jpg`, and its link's path ends the same way: the
    ID is the link's (the storage check holds a download to it), else the name's; "" if
    neither is a UUID."""
    for name in (PurePosixPath(urlsplit(url).path).name, filename):
        if identifiers.is_clean_uuid(stem := PurePosixPath(name).stem):
            return stem
    return ""


def expires_at(url: str) -> float | None:
    """When a signed link stops working (Unix time), if it says: S3's `X-Amz-Date` plus
    `X-Amz-Expires`, or CloudFront's and S3's older `Expires` (Unix seconds). A link whose
    signature cannot be read counts as expired now."""
    query = parse_qs(urlsplit(url).query)

    def one(name: str) -> str | None:
        values = query.get(name)
        return values[0] if values else None

    signed_at, lifetime, expires = one("X-Amz-Date"), one("X-Amz-Expires"), one("Expires")
    if signed_at is None and lifetime is None and expires is None:
        return None
    try:
        if expires is not None:
            return float(int(expires))
        if signed_at is None or lifetime is None:
            raise ValueError("half an S3 signature")
        start = datetime.strptime(signed_at, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        return start.timestamp() + int(lifetime)
    except ValueError:
        return 0.0


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes


@dataclass(frozen=True)
class NinePicEvent:
    org_id: int
    event_id: int

    @classmethod
    def of(cls, event: Event) -> NinePicEvent:
        """The event's IDs at 9Pic; ProviderRejectedRequest if it lacks one (the admin
        requires both of a 9Pic event: only one saved some other way lacks them)."""
        if event.org_id is None or event.event_id is None:
            raise ProviderRejectedRequest(
                f"event {event.slug} has no 9Pic organisation or event ID"
            )
        return cls(org_id=event.org_id, event_id=event.event_id)


@dataclass(frozen=True)
class OriginalsPage:
    """A page of Download Originals: links signed just now, and the images 9Pic could not
    sign (`failed`). `total` and `pagination` are 9Pic's."""

    links: list[OriginalLink]
    failed: list[FailedPhoto]
    total: int
    pagination: Pagination | None
    message: str = ""


class NinePicClient:
    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        policy: CallPolicy,
        storage: StorageHosts = R2_STORAGE,
        previews: StorageHosts = CDN,
        session: requests.Session | None = None,
    ):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.policy = policy
        self.storage = storage
        self.previews = previews
        self.session = session or session_for_thread()

    @classmethod
    def from_settings(
        cls, *, api_key: str | None = None, time_budget: float | None = None
    ) -> NinePicClient:
        """The client the settings describe, with `api_key` (an organisation's) instead of
        NINEPIC_API_KEY if given; `time_budget` shortens NINEPIC_TIME_BUDGET."""
        policy = CallPolicy.from_settings("NINEPIC")
        if time_budget is not None:
            policy = replace(policy, time_budget=min(policy.time_budget, time_budget))
        return cls(
            base_url=settings.NINEPIC_BASE_URL,
            api_key=settings.NINEPIC_API_KEY if api_key is None else api_key,
            policy=policy,
            storage=StorageHosts(
                tuple(settings.NINEPIC_STORAGE_HOSTS), settings.NINEPIC_STORAGE_ALLOW_HTTP
            ),
            previews=StorageHosts(
                tuple(settings.NINEPIC_PREVIEW_HOSTS), settings.NINEPIC_PREVIEW_ALLOW_HTTP
            ),
        )

    # --- The event ----------------------------------------------------------------------

    def ping(self, event: NinePicEvent) -> None:
        """Returns if the key, the calling host, the organisation and the event's ownership
        check out (9Pic reads no photos for it); ProviderMisconfigured (401, 403, or 404: no
        such event configuration) or another ProviderError if not."""
        body = self._get(event, "ping", where=self._where(event, "ping"))
        if body is None:
            raise ProviderMisconfigured(f"{self._where(event, 'ping')}: unknown event", status=404)
        self._decode(PING, body, where=self._where(event, "ping"))

    def event_details(self, event: NinePicEvent) -> EventDetails:
        """The event's name, status and which searches 9Pic has switched on for it (an
        older 9Pic gives only `event_enabled`, `bib_search`, `selfie_search` and
        `name_search`; the others read false). ProviderMisconfigured with status 404 if
        9Pic does not know the event."""
        where = self._where(event, "details")
        body = self._get(event, "details", where=where)
        if body is None:
            raise ProviderMisconfigured(f"{where}: unknown event", status=404)
        answer = self._decode(EVENT_DETAILS, body, where=where)
        if answer.response_type is UNSET and answer.data is UNSET:
            return self._decode(FLAT_EVENT_DETAILS, body, where=where)
        if answer.data is None or answer.data is UNSET:
            logger.error("%s sent an answer without the event's details", where)
            raise ProviderUnavailable(f"{where}: answer without details")
        return answer.data

    def list_events(self, org_id: int, *, page: int = 1, page_size: int = 10) -> EventList:
        """One page of the organisation's events (9Pic: 10 a page by default, 100 at most)."""
        where = f"9Pic org {org_id} (events)"
        url = f"{self.base_url}/api/v1/ext/{org_id}/events"
        body = self._body(
            self._call("GET", url, where=where, params=_paging(page, page_size, 100)),
            where=where,
        )
        data = None if body is None else self._decode(EVENT_LIST, body, where=where).data
        if data is None:
            return EventList(events=[], pagination=None)
        events = [
            ListedEvent(
                event_id=e.event_id,
                name=e.event_name,
                slug=e.event_slug,
                date=e.event_date,
                status=e.status,
                cover_image=self._preview_link(e.cover_image, where=where),
            )
            for e in data.events
        ]
        return EventList(events=events, pagination=_pagination(data.pagination))

    # --- Listings: a runner's photos with their previews ------------------------------

    def bib_search(
        self, event: NinePicEvent, bib: str, *, page: int = 1, page_size: int = 32
    ) -> GalleryPage:
        """A page of the photos 9Pic read `bib` on (it matches any letter case). No photos
        (an empty 200, or the 404 some versions send) is an empty page. Needs the event's
        `bib_search`: else ProviderMisconfigured (403)."""
        path = f"bibs/{quote(bib, safe='')}"
        return self._listing(event, path, "BIB Search", page=page, page_size=page_size)

    def face_result(
        self, event: NinePicEvent, request_id: str, *, page: int = 1, page_size: int = 32
    ) -> GalleryPage:
        """A page of the stored result of the Face Search `request_id` (no new matching, no
        upload). An unknown `request_id` (404) is an empty page. Needs `selfie_search`."""
        path = f"faces/{quote(request_id, safe='')}"
        return self._listing(event, path, "Face Search", page=page, page_size=page_size)

    def all_photos(self, event: NinePicEvent, *, page: int = 1, page_size: int = 32) -> GalleryPage:
        """A page of every photo of the event, by capture time (photos without one last)."""
        return self._listing(event, "images", "All Photos", page=page, page_size=page_size)

    def timeline_days(self, event: NinePicEvent) -> list[TimelineDay]:
        """The days (UTC) with photos and how many each hour has. Needs `timeline_search`."""
        where = self._where(event, "timeline/days")
        body = self._get(event, "timeline/days", where=where)
        data = None if body is None else self._decode(TIMELINE_DAYS, body, where=where).data
        return [] if data is None else data.days

    def timeline_images(
        self, event: NinePicEvent, *, start: int, end: int, page: int = 1, page_size: int = 32
    ) -> GalleryPage:
        """A page of the photos captured in [start, end) (Unix seconds), under the query
        names NINEPIC_TIMELINE_FROM_PARAM and _TO_PARAM (9Pic's docs leave them open)."""
        window = {
            settings.NINEPIC_TIMELINE_FROM_PARAM: start,
            settings.NINEPIC_TIMELINE_TO_PARAM: end,
        }
        return self._listing(
            event, "timeline/images", "Timeline", page=page, page_size=page_size, **window
        )

    def _listing(
        self,
        event: NinePicEvent,
        path: str,
        endpoint: str,
        *,
        page: int,
        page_size: int,
        **query: int,
    ) -> GalleryPage:
        where = self._where(event, endpoint)
        params = {**query, **_paging(page, page_size, MAX_LISTING_PAGE_SIZE)}
        body = self._get(event, path, where=where, params=params)
        if body is None:
            return GalleryPage(photos=[], failed=[], total=0, pagination=None)
        answer = self._decode(LISTING, body, where=where)
        data = answer.data
        listed = data.images
        photos = [photo for item in listed if (photo := self._photo(item, where)) is not None]
        if dropped := len(listed) - len(photos):
            logger.warning("%s listed %d photos without a 9Pic image ID: left out", where, dropped)
        pagination = _pagination(data.pagination)
        expiries = [
            moment
            for photo in photos
            for url in (photo.thumbnail_url, photo.large_url)
            if url and (moment := expires_at(url)) is not None
        ]
        return GalleryPage(
            photos=photos,
            failed=[],
            total=len(listed) if pagination is None else pagination.total,
            pagination=pagination,
            message=str(answer.message),
            links_expire_at=min(expiries, default=None),
        )

    def _photo(self, item: ImageItem, where: str) -> Photo | None:
        """The photo, or None if its ID is not a 9Pic image ID (a UUID in canonical form)."""
        if not identifiers.is_clean_uuid(item.image_id):
            return None
        width, height = _side(item.width), _side(item.height)
        return Photo(
            image_id=item.image_id,
            # 9Pic names originals `<image_id>.jpg`; Download Originals names the download.
            filename=f"{item.image_id}.jpg",
            thumbnail_url=self._preview_link(item.thumbnail_url, where=where),
            large_url=self._preview_link(item.img_url, where=where),
            width=width if height else None,
            height=height if width else None,
        )

    def _preview_link(self, url: str | None, *, where: str) -> str | None:
        """`url` if it is a link to 9Pic's preview hosts; None if missing or elsewhere."""
        if not url:
            return None
        if not self.previews.hold(url):
            logger.error("%s gave a preview link outside its CDN: %s", where, redact_url(url))
            return None
        return url

    # --- Download Originals -----------------------------------------------------------

    def originals(
        self,
        event: NinePicEvent,
        *,
        method: SearchMethod,
        identifier: str,
        page: int = 1,
        page_size: int = 30,
    ) -> OriginalsPage:
        """A page of links to a runner's originals by BIB or selfie `request_id`. No photos
        is not an error."""
        return self._original_photos(
            event, method=str(method), identifier=identifier, page=page, page_size=page_size
        )

    def original(self, event: NinePicEvent, *, image_id: str) -> OriginalLink:
        """A link to one original, signed just now; `PhotoNotFound` if 9Pic does not know it."""
        result = self._original_photos(event, method="image_id", identifier=image_id)
        for link in result.links:
            if link.image_id == image_id:
                self._check_storage_link(link)
                return link
        raise PhotoNotFound(f"9Pic returned no URL for image {image_id}")

    def originals_of(
        self, event: NinePicEvent, *, image_ids: list[str], page: int = 1, page_size: int = 60
    ) -> OriginalsPage:
        """Links to several originals; unknown ones come back in `failed`, all unknown is
        PhotoNotFound."""
        return self._original_photos(
            event, method="image_ids", identifier=image_ids, page=page, page_size=page_size
        )

    def open_original(self, link: OriginalLink, *, time_limit: float) -> Original:
        """Stream an original from the storage URL 9Pic signed (no API key is sent there),
        within `time_limit` seconds of waiting on storage (see `open_download`)."""
        self._check_storage_link(link)
        return open_download(
            self.session,
            link.url,
            hosts=self.storage,
            storage="9Pic storage",
            filename=link.filename,
            timeout=self.policy.timeouts,
            time_limit=time_limit,
        )

    def face_search(
        self,
        event: NinePicEvent,
        *,
        selfie: bytes,
        request_id: str,
        field: str | None = None,
        request_id_in: str | None = None,
    ) -> FaceSearchUpload:
        """Upload a runner's selfie (a JPEG) to Face Search under `request_id`, a UUID the
        caller made: a retry after a 5xx, a 429 or a timeout sends the same one, which 9Pic
        answers from the stored search without matching (or charging) again.

        The picture goes in the multipart field NINEPIC_SELFIE_FIELD and `request_id` where
        NINEPIC_SELFIE_REQUEST_ID_IN says (`field` and `request_id_in` override them, for the
        connection check). Raises SelfieFieldMismatch (422 naming another field),
        SearchNotOffered (403: selfie search off for the event, or the key refused),
        SelfieNotUsable (400: no face, or a picture 9Pic cannot use), ProviderMisconfigured
        (401), ProviderThrottled (429 past retries), or the usual ProviderError kinds, within
        NINEPIC_TIME_BUDGET."""
        field = field or settings.NINEPIC_SELFIE_FIELD
        request_id_in = request_id_in or settings.NINEPIC_SELFIE_REQUEST_ID_IN
        url = f"{self.base_url}/api/v1/ext/{event.org_id}/event/{event.event_id}/faces"
        where = f"9Pic org {event.org_id} event {event.event_id} (face search)"
        in_query = request_id_in == "query"
        # Only the first page's size: the gallery reads its pages with the result GET.
        params: dict[str, str | int] = {"page": 1, "page_size": 1}
        form: dict[str, str] = {}
        (params if in_query else form)["request_id"] = request_id

        answer = self._call(
            "POST",
            url,
            where=where,
            params=params,
            form=form,
            files={field: (SELFIE_FILENAME, selfie, "image/jpeg")},
        )
        status, message = answer.status, error_message(answer.body)
        if status == 422:
            mismatch = SelfieFieldMismatch.read(message, field=field, request_id_in=request_id_in)
            if mismatch is not None:
                logger.error("%s: %s", where, mismatch)
                raise mismatch
            logger.warning("%s rejected the upload: 422 %s", where, message)
            raise ProviderRejectedRequest(f"{where}: 422 {message}")
        if status == 400:
            logger.info("%s could not use the selfie: %s", where, message)
            raise SelfieNotUsable(f"{where}: 400 {message}")
        if status == 403:
            logger.error("%s refused selfie search: 403 %s", where, message)
            raise SearchNotOffered(f"{where}: 403 {message}")
        if status == 401:
            logger.error("%s refused our credentials: 401 %s", where, message)
            raise ProviderMisconfigured(f"{where}: 401 {message}", status=401)
        if status != 200:
            logger.error("%s answered unexpected status %s", where, status)
            raise ProviderUnavailable(f"{where}: unexpected status {status}")
        try:
            found = FACE_SEARCH_UPLOAD.decode(answer.body).data
        except msgspec.DecodeError as error:
            logger.error("%s sent an unreadable answer: %s", where, error)
            raise ProviderUnavailable(f"{where}: unreadable answer") from error
        if identifiers.clean_uuid(found.request_id) != request_id:
            # It read no request_id where we put it: retries would search (and charge) again.
            logger.warning(
                "%s kept the search under another request_id than ours: is "
                "NINEPIC_SELFIE_REQUEST_ID_IN=%s right?",
                where,
                request_id_in,
            )
        return found

    def read_picture(self, url: str, *, max_bytes: int, time_limit: float) -> bytes:
        """A picture on 9Pic's preview hosts (an event's cover image), whole: no key is sent.
        ProviderUnavailable if it is larger than `max_bytes` or not on those hosts, and
        every failure of `open_download` within `time_limit` seconds."""
        if not self.previews.hold(url):
            raise ProviderUnavailable(f"{redact_url(url)} is not on 9Pic's preview hosts")
        picture = open_download(
            self.session,
            url,
            hosts=self.previews,
            storage="9Pic's CDN",
            filename="cover",
            timeout=self.policy.timeouts,
            time_limit=time_limit,
        )
        body = bytearray()
        try:
            for chunk in picture.chunks:
                body += chunk
                if len(body) > max_bytes:
                    raise ProviderUnavailable(f"{redact_url(url)} is over {max_bytes} bytes")
        finally:
            picture.close()
        return bytes(body)

    def _check_storage_link(self, link: OriginalLink) -> None:
        """Only ever fetch or redirect to 9Pic's storage, and to the file of that very photo."""
        if (
            not self.storage.hold(link.url)
            or PurePosixPath(urlsplit(link.url).path).stem != link.image_id
        ):
            logger.error("9Pic gave a link outside its storage: %s", redact_url(link.url))
            raise ProviderUnavailable(f"untrusted storage link {redact_url(link.url)}")

    def _original_photos(
        self,
        event: NinePicEvent,
        *,
        method: str,
        identifier: str | list[str],
        page: int = 1,
        page_size: int = 30,
    ) -> OriginalsPage:
        url = f"{self._event_url(event)}/original-photos"
        where = f"9Pic org {event.org_id} event {event.event_id} ({method})"
        answer = self._call(
            "POST",
            url,
            where=where,
            params=_paging(page, page_size, MAX_PAGE_SIZE),
            body={"method": method, "identifier": identifier},
        )
        if answer.status == 404:
            # Download Originals' 404 means "no photos for that identifier" (or no such event).
            return OriginalsPage(
                links=[], failed=[], total=0, pagination=None, message=error_message(answer.body)
            )
        if answer.status == 400 and method in ("image_id", "image_ids"):
            raise PhotoNotFound(f"{where}: {error_message(answer.body)}")
        body = self._body(answer, where=where)
        assert body is not None  # only a 404 has no body, and it was answered above
        try:
            return parse_original_photos(body, where=where)
        except msgspec.DecodeError as error:
            logger.error("%s sent an unreadable answer: %s", where, error)
            raise ProviderUnavailable(f"{where}: unreadable answer") from error

    # --- Transport ----------------------------------------------------------------------

    def _event_url(self, event: NinePicEvent) -> str:
        return f"{self.base_url}/api/v1/ext/{event.org_id}/event/{event.event_id}"

    @staticmethod
    def _where(event: NinePicEvent, endpoint: str) -> str:
        return f"9Pic org {event.org_id} event {event.event_id} ({endpoint})"

    def _get(
        self,
        event: NinePicEvent,
        path: str,
        *,
        where: str,
        params: dict[str, int] | None = None,
    ) -> bytes | None:
        answer = self._call("GET", f"{self._event_url(event)}/{path}", where=where, params=params)
        return self._body(answer, where=where)

    @staticmethod
    def _body(answer: Answer, *, where: str) -> bytes | None:
        """A 200's body; None for a 404 in 9Pic's words (nothing there); raises for the rest."""
        status, message = answer.status, error_message(answer.body)
        if status == 200:
            return answer.body
        if status == 404 and says_something(answer.body):
            return None
        if status in (404, 405):
            logger.warning("%s: 9Pic has no such endpoint (%s)", where, status)
            raise EndpointMissing(f"{where}: no such endpoint ({status})")
        if status in (401, 403):
            logger.error("%s refused our credentials: %s %s", where, status, message)
            raise ProviderMisconfigured(f"{where}: {status} {message}", status=status)
        if status in (400, 422):
            logger.warning("%s rejected the request: %s %s", where, status, message)
            raise ProviderRejectedRequest(f"{where}: {status} {message}")
        logger.error("%s answered unexpected status %s", where, status)
        raise ProviderUnavailable(f"{where}: unexpected status {status}")

    @staticmethod
    def _decode(decoder: msgspec.json.Decoder[T], body: bytes, *, where: str) -> T:
        try:
            return decoder.decode(body)
        except msgspec.DecodeError as error:
            logger.error("%s sent an unreadable answer: %s", where, error)
            raise ProviderUnavailable(f"{where}: unreadable answer") from error

    def _call(
        self,
        method: str,
        url: str,
        *,
        where: str,
        params: Mapping[str, str | int] | None = None,
        body: dict[str, Any] | None = None,
        form: dict[str, str] | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
    ) -> Answer:
        """The answer to one request (a JSON `body`, or a multipart `form` with `files`), sent
        again after 429, 5xx and connection failures while the time budget allows (see
        http.with_retries); its body read up to MAX_ANSWER_BYTES."""

        def attempt(deadline: Deadline) -> Answer:
            response = self.session.request(
                method,
                url,
                params=params,
                json=body,
                data=form,
                files=files,
                headers={"X-API-Key": self.api_key, "Accept": "application/json"},
                timeout=deadline.within(self.policy.timeouts),
                stream=True,
            )
            with response:
                status = response.status_code
                if status == 429:
                    retry_after = retry_after_seconds(response)
                    raise Retry(
                        ProviderThrottled(
                            f"{where}: rate limited by 9Pic",
                            retry_after=None if retry_after is None else max(1, round(retry_after)),
                        ),
                        retry_after=retry_after,
                    )
                if status >= 500:
                    raise Retry(ProviderUnavailable(f"{where}: 9Pic answered {status}"))
                received = read_capped(
                    response,
                    deadline=deadline,
                    limit=MAX_ANSWER_BYTES,
                    logger=logger,
                    secrets=(self.api_key,),
                )
                return Answer(status=status, body=received)

        return with_retries(attempt, where=where, logger=logger, policy=self.policy)


def _paging(page: int, page_size: int, maximum: int) -> dict[str, int]:
    return {"page": max(page, 1), "page_size": min(max(page_size, 1), maximum)}


def _side(value: Any) -> int | None:
    """A photo's width or height as 9Pic sent it (a number, or null), if it can be one."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return int(value) if 1 <= value <= MAX_SIDE else None


# --- The answers, declared -----------------------------------------------------------
# 9Pic sends numbers as numbers: decoded strictly, a count sent as "47" is no answer.

Count = Annotated[int, msgspec.Meta(ge=0)]


class PaginationInfo(msgspec.Struct):
    total: Count
    current_page: Count = msgspec.field(name="currentPage")
    total_pages: Count = msgspec.field(name="totalPages")
    has_next: bool | None = msgspec.field(name="hasNextPage", default=False)
    has_previous: bool | None = msgspec.field(name="hasPreviousPage", default=False)
    page_size: Count = 0

    def as_pagination(self) -> Pagination:
        return Pagination(
            total=self.total,
            current_page=self.current_page,
            total_pages=self.total_pages,
            has_next=bool(self.has_next),
            has_previous=bool(self.has_previous),
            page_size=self.page_size,
        )


def _pagination(info: PaginationInfo | None) -> Pagination | None:
    """9Pic's pagination; None for its "no pages" (an empty list says `totalPages` 0)."""
    return None if info is None or not info.total_pages else info.as_pagination()


class Envelope(msgspec.Struct):
    # An envelope that says anything but "success" in a 200 is no answer.
    response_type: Literal["success"] | None | UnsetType = msgspec.field(
        name="responseType", default=UNSET
    )
    message: Text = Text()


# Ping: the answer only has to be one; its `data` (or flat fields) repeat our IDs.
PING = decoder(Envelope, strict=True)


class EventDetails(msgspec.Struct):
    """Event Details' `data`, or the whole of the older flat answer (four flags only)."""

    event_enabled: bool
    bib_search: bool
    selfie_search: bool
    name_search: bool
    video_search: bool = False
    video_selfie_search: bool = False
    timeline_search: bool = False
    event_name: Text = Text()
    event_slug: Text = Text()
    event_date: Text = Text()
    status: Text = Text()


class EventDetailsAnswer(Envelope):
    data: EventDetails | None | UnsetType = UNSET


EVENT_DETAILS = decoder(EventDetailsAnswer, strict=True)
# The older answer: the details at the top, beside `message`.
FLAT_EVENT_DETAILS = decoder(EventDetails, strict=True)


class EventItem(msgspec.Struct):
    event_id: int
    event_name: Text = Text()
    event_slug: Text = Text()
    event_date: Text = Text()  # ISO 8601 without a zone: the race's local time
    status: Text = Text()
    cover_image: Text = Text()


class EventListData(msgspec.Struct):
    events: list[EventItem] = msgspec.field(default_factory=list)
    pagination: PaginationInfo | None = None


class EventListAnswer(Envelope):
    data: EventListData | None = None


EVENT_LIST = decoder(EventListAnswer, strict=True)


@dataclass(frozen=True)
class ListedEvent:
    event_id: int
    name: str
    slug: str
    date: str  # ISO 8601 without a zone, as 9Pic shows it; "" if none
    status: str  # "active", "draft", or ""
    cover_image: str | None  # on 9Pic's preview hosts, or None


@dataclass(frozen=True)
class EventList:
    events: list[ListedEvent]
    pagination: Pagination | None


class ImageItem(msgspec.Struct):
    image_id: Text = Text()
    img_url: Text = Text()  # the large, watermarked preview
    thumbnail_url: Text = Text()
    # Numbers or null; anything else reads as no size (checked in _side), never an error.
    width: Any = None
    height: Any = None


class ListingData(msgspec.Struct):
    images: list[ImageItem]
    pagination: PaginationInfo | None = None


class ListingAnswer(Envelope, kw_only=True):
    data: ListingData


LISTING = decoder(ListingAnswer, strict=True)


class HourCount(msgspec.Struct):
    hour: Annotated[int, msgspec.Meta(ge=0, le=23)]
    count: Count


class TimelineDay(msgspec.Struct):
    date: date  # UTC
    total: Count
    hours: list[HourCount] = msgspec.field(default_factory=list)


class TimelineData(msgspec.Struct):
    days: list[TimelineDay] = msgspec.field(default_factory=list)


class TimelineAnswer(Envelope):
    data: TimelineData | None = None


TIMELINE_DAYS = decoder(TimelineAnswer, strict=True)


class PresignedUrl(msgspec.Struct):
    url: HttpUrl
    filename: Text = Text()

    def link(self) -> OriginalLink | None:
        """The link, or None if its photo's ID is not a 9Pic image ID (a UUID): a photo
        that cannot be named in a link is left out."""
        image_id = image_id_from(self.filename, self.url)
        if not image_id:
            return None
        filename = identifiers.safe_filename(self.filename, image_id=image_id)
        return OriginalLink(image_id=image_id, filename=filename, url=self.url)


class FailedUrl(msgspec.Struct):
    image_id: Text = Text()
    error: Text = Text()


class DownloadData(msgspec.Struct):
    """The links: the envelope's `data`, or the whole of a legacy flat answer."""

    presigned_urls: list[PresignedUrl] | None = None
    failed_urls: list[FailedUrl] | None = None
    total_images: Count | None = None
    pagination: PaginationInfo | None = None


class OriginalPhotosAnswer(DownloadData):
    """A 200 answer in either shape: the envelope (`responseType`, `message`, `data`), or
    the legacy flat one, whose links sit beside `message` at the top."""

    response_type: Literal["success"] | None | UnsetType = msgspec.field(
        name="responseType", default=UNSET
    )
    message: Text = Text()
    data: DownloadData | None | UnsetType = UNSET


class ErrorAnswer(msgspec.Struct):
    message: Text | UnsetType = UNSET
    response_type: Any = msgspec.field(name="responseType", default=UNSET)


ORIGINAL_PHOTOS = decoder(OriginalPhotosAnswer, strict=True)
ERROR = decoder(ErrorAnswer, strict=True)


def parse_original_photos(body: bytes, *, where: str) -> OriginalsPage:
    """Parse a 200 answer; msgspec.DecodeError if it is none.

    Photos whose ID is not a UUID are left out (and logged, as a count). The total and the
    pagination stay 9Pic's: page N is still 9Pic's page N, and the number of photos cannot
    be corrected without reading every page."""
    answer = ORIGINAL_PHOTOS.decode(body)
    legacy = answer.response_type is UNSET and answer.data is UNSET
    # A legacy answer is its own data; an envelope without `data` has none.
    data = answer if legacy else (answer.data or None)
    message = str(answer.message)
    if data is None:
        return OriginalsPage(links=[], failed=[], total=0, pagination=None, message=message)
    listed = data.presigned_urls or []
    links = [link for item in listed if (link := item.link()) is not None]
    if dropped := len(listed) - len(links):
        logger.warning("%s listed %d photos without a 9Pic image ID: left out", where, dropped)
    pagination = _pagination(data.pagination)
    if pagination is not None:
        total = pagination.total
    else:
        total = len(listed) if data.total_images is None else data.total_images
    return OriginalsPage(
        links=links,
        failed=[FailedPhoto(str(f.image_id), str(f.error)) for f in data.failed_urls or []],
        total=total,
        pagination=pagination,
        message=message,
    )


def error_message(body: bytes) -> str:
    """The `message` of an error envelope, if the body has one; never the raw body."""
    try:
        message = ERROR.decode(body).message
    except msgspec.DecodeError:
        return ""
    return "" if message is UNSET else message[:200]


def says_something(body: bytes) -> bool:
    """Whether an error body is 9Pic's own (its envelope, or a flat `message`), not a
    router's or a proxy's (FastAPI's `{"detail": "Not Found"}`, an HTML page)."""
    try:
        answer = ERROR.decode(body)
    except msgspec.DecodeError:
        return False
    return answer.message is not UNSET or answer.response_type is not UNSET


# --- Face Search: the selfie upload ---------------------------------------------------

SELFIE_FILENAME = "selfie.jpg"


def probe_picture() -> bytes:
    """A small plain grey JPEG for the connection check: a picture, but nobody's face."""
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (128, 128, 128)).save(out, "JPEG")
    return out.getvalue()


# FastAPI's schema errors name where each field was looked for: "body.file: Field required",
# "query.request_id: Input should be a valid UUID".
_FIELD_ERROR = re.compile(r"\b(body|query)\.([A-Za-z0-9_-]+): ([^;]*)")


class SelfieFieldMismatch(ProviderMisconfigured):
    """Face Search wants the selfie, or `request_id`, elsewhere than the settings send it:
    `setting` is what to change and `value` what to set it to."""

    def __init__(self, *, setting: str, value: str, reason: str):
        super().__init__(f"{reason}: set {setting}={value}", status=422)
        self.setting = setting
        self.value = value

    @classmethod
    def read(cls, message: str, *, field: str, request_id_in: str) -> SelfieFieldMismatch | None:
        """The mismatch a 422's `message` names, if it names one: a required multipart field
        other than `field` (the picture's), or `request_id` looked for where it was not sent."""
        sent_in = "query" if request_id_in == "query" else "body"
        for place, name, problem in _FIELD_ERROR.findall(message):
            if name == "request_id" and place != sent_in:
                wanted = "query" if place == "query" else "form"
                return cls(
                    setting="NINEPIC_SELFIE_REQUEST_ID_IN",
                    value=wanted,
                    reason=f"9Pic wants request_id in the {wanted}",
                )
            if place == "body" and name not in (field, "request_id") and "required" in problem:
                return cls(
                    setting="NINEPIC_SELFIE_FIELD",
                    value=name,
                    reason=f"9Pic wants the selfie in the multipart field {name!r}, not {field!r}",
                )
        return None


# 36 characters, hyphenated, any case: identifiers.clean_uuid makes it canonical.
Uuid = Annotated[str, msgspec.Meta(pattern=r"^[0-9A-Fa-f]{8}(-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}$")]


class FaceSearchUpload(msgspec.Struct):
    """The `data` of Face Search's answer to an upload (FaceSearchResponse). Its first page of
    matches (`images`, `pagination`) is not read here: the gallery pages through the stored
    result by `request_id`."""

    request_id: Uuid
    confidence_percentage: float | None = None


class FaceSearchAnswer(msgspec.Struct):
    response_type: Literal["success"] = msgspec.field(name="responseType")
    data: FaceSearchUpload
    message: Text = Text()


FACE_SEARCH_UPLOAD = decoder(FaceSearchAnswer, strict=True)
