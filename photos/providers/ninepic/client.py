"""9Pic's Download Originals API: the only code in the product that talks to 9Pic.

`POST {NINEPIC_BASE_URL}/api/v1/ext/{org_id}/event/{event_id}/original-photos`
with the organisation's key in `X-API-Key`. Answers come in the current
envelope (`responseType` / `message` / `data`) or the older flat shape; both are
declared below as msgspec models, decoded strictly, and turned into the types of
`photos.domain`. Photos whose ID is not a UUID are left out; file names are made safe.

Failure contract: every call either returns a typed result or raises a
`ProviderError` subclass within `NINEPIC_TIME_BUDGET` seconds. 429, 5xx and
connection failures are retried with exponential backoff (honouring
`Retry-After`) while the budget allows. The key is sent only to the API, never
to the storage host, and never logged: 9Pic's answers are read without it, should
they echo it back; presigned URLs are logged without their query string.
"""

from __future__ import annotations

import io
import logging
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Annotated, Any, Literal
from urllib.parse import urlsplit

import msgspec
import requests
from django.conf import settings
from msgspec import UNSET, UnsetType
from PIL import Image

from photos import identifiers
from photos.domain import (
    ConnectionCheck,
    FailedPhoto,
    GalleryPage,
    Original,
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

R2_STORAGE = StorageHosts(("*.r2.cloudflarestorage.com",))

MAX_PAGE_SIZE = 60
# 60 links are about 30 KB; anything near this is not an answer we can use.
MAX_ANSWER_BYTES = 2 * 1024 * 1024


def image_id_from(filename: str, url: str) -> str:
    """9Pic names each original `<image_id>.jpg`, and its link's path ends the same way: the
    ID is the link's (the storage check holds a download to it), else the name's; "" if
    neither is a UUID."""
    for name in (PurePosixPath(urlsplit(url).path).name, filename):
        if identifiers.is_clean_uuid(stem := PurePosixPath(name).stem):
            return stem
    return ""


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


class NinePicClient:
    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        policy: CallPolicy,
        storage: StorageHosts = R2_STORAGE,
        session: requests.Session | None = None,
    ):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.policy = policy
        self.storage = storage
        self.session = session or session_for_thread()

    @classmethod
    def from_settings(cls) -> NinePicClient:
        return cls(
            base_url=settings.NINEPIC_BASE_URL,
            api_key=settings.NINEPIC_API_KEY,
            policy=CallPolicy.from_settings("NINEPIC"),
            storage=StorageHosts(
                tuple(settings.NINEPIC_STORAGE_HOSTS), settings.NINEPIC_STORAGE_ALLOW_HTTP
            ),
        )

    # --- The four methods -------------------------------------------------

    def search(
        self,
        event: NinePicEvent,
        *,
        method: SearchMethod,
        identifier: str,
        page: int = 1,
        page_size: int = 30,
    ) -> GalleryPage:
        """A page of a runner's photos by BIB or selfie `request_id`. No photos is not an error."""
        return self._original_photos(
            event, method=str(method), identifier=identifier, page=page, page_size=page_size
        )

    def photo(self, event: NinePicEvent, *, image_id: str) -> Photo:
        """One photo with a freshly signed URL; `PhotoNotFound` if 9Pic does not know it."""
        result = self._original_photos(event, method="image_id", identifier=image_id)
        for photo in result.photos:
            if photo.image_id == image_id:
                self._check_storage_link(photo)
                return photo
        raise PhotoNotFound(f"9Pic returned no URL for image {image_id}")

    def photos(
        self, event: NinePicEvent, *, image_ids: list[str], page: int = 1, page_size: int = 60
    ) -> GalleryPage:
        """Fresh URLs for several images; unknown ones come back in `failed`."""
        return self._original_photos(
            event, method="image_ids", identifier=image_ids, page=page, page_size=page_size
        )

    def open_original(self, photo: Photo, *, time_limit: float) -> Original:
        """Stream an original from the storage URL 9Pic signed (no API key is sent there),
        within `time_limit` seconds of waiting on storage (see `open_download`)."""
        self._check_storage_link(photo)
        return open_download(
            self.session,
            photo.url,
            hosts=self.storage,
            storage="9Pic storage",
            filename=photo.filename,
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

        def send(timeout: tuple[float, float]) -> requests.Response:
            return self.session.post(
                url,
                params=params,
                data=form,
                files={field: (SELFIE_FILENAME, selfie, "image/jpeg")},
                headers={"X-API-Key": self.api_key, "Accept": "application/json"},
                timeout=timeout,
                stream=True,
            )

        answer = self._send_with_retries(send, where=where)
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

    def check(self, event: NinePicEvent) -> ConnectionCheck:
        """Tell an organiser in plain words whether the key works and owns the event."""
        where = f"organisation {event.org_id}, event {event.event_id}"
        if not self.api_key:
            return ConnectionCheck(False, "No 9Pic API key is configured (NINEPIC_API_KEY).")
        try:
            # A BIB nobody wears: 9Pic still checks key and ownership first.
            result = self.search(event, method=SearchMethod.BIB, identifier="0", page_size=1)
        except ProviderMisconfigured as error:
            if error.status == 401:
                return ConnectionCheck(False, "9Pic says the API key is missing (401).")
            return ConnectionCheck(
                False,
                f"9Pic refused access to {where} (403): the API key is invalid or inactive, "
                f"or organisation {event.org_id} does not own event {event.event_id}.",
            )
        except ProviderError as error:
            return ConnectionCheck(False, f"Could not reach 9Pic for {where}: {error}")
        if result.message.lower().startswith("event not found"):
            return ConnectionCheck(
                False, f"The key works, but 9Pic does not know event {event.event_id}."
            )
        return ConnectionCheck(True, f"Connected: the key works and can read {where}.")

    def check_selfie_upload(self, event: NinePicEvent) -> ConnectionCheck:
        """Tell an organiser whether Face Search takes selfies as the settings send them, by
        uploading a small plain picture (it shows no face: no match, or a 400, is success);
        a 422 naming another field says which setting to change."""
        sent_id = str(uuid.uuid4())
        try:
            found = self.face_search(event, selfie=probe_picture(), request_id=sent_id)
        except SelfieFieldMismatch as mismatch:
            return ConnectionCheck(False, f"Selfie upload refused (422): {mismatch}.")
        except SelfieNotUsable:
            return ConnectionCheck(True, "Selfie upload works (9Pic found no face in the test).")
        except SearchNotOffered:
            return ConnectionCheck(
                False,
                f"9Pic refused selfie search for event {event.event_id} (403): switch it on "
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

    def _check_storage_link(self, photo: Photo) -> None:
        """Only ever fetch or redirect to 9Pic's storage, and to the file of that very photo."""
        if (
            not self.storage.hold(photo.url)
            or PurePosixPath(urlsplit(photo.url).path).stem != photo.image_id
        ):
            logger.error("9Pic gave a link outside its storage: %s", redact_url(photo.url))
            raise ProviderUnavailable(f"untrusted storage link {redact_url(photo.url)}")

    # --- Transport ----------------------------------------------------------

    def _original_photos(
        self,
        event: NinePicEvent,
        *,
        method: str,
        identifier: str | list[str],
        page: int = 1,
        page_size: int = 30,
    ) -> GalleryPage:
        url = f"{self.base_url}/api/v1/ext/{event.org_id}/event/{event.event_id}/original-photos"
        params = {"page": max(page, 1), "page_size": min(max(page_size, 1), MAX_PAGE_SIZE)}
        where = f"9Pic org {event.org_id} event {event.event_id} ({method})"
        answer = self._post_with_retries(
            url, where=where, params=params, body={"method": method, "identifier": identifier}
        )
        status, message = answer.status, error_message(answer.body)
        if status == 404:
            # 9Pic's 404 means "no photos for that identifier" (or no such event).
            return GalleryPage(photos=[], failed=[], total=0, pagination=None, message=message)
        if status in (401, 403):
            logger.error("%s refused our credentials: %s %s", where, status, message)
            raise ProviderMisconfigured(f"{where}: {status} {message}", status=status)
        if status in (400, 422):
            if method in ("image_id", "image_ids") and status == 400:
                raise PhotoNotFound(f"{where}: {message}")
            logger.warning("%s rejected the request: %s %s", where, status, message)
            raise ProviderRejectedRequest(f"{where}: {status} {message}")
        if status != 200:
            logger.error("%s answered unexpected status %s", where, status)
            raise ProviderUnavailable(f"{where}: unexpected status {status}")
        try:
            return parse_original_photos(answer.body, where=where)
        except msgspec.DecodeError as error:
            logger.error("%s sent an unreadable answer: %s", where, error)
            raise ProviderUnavailable(f"{where}: unreadable answer") from error

    def _post_with_retries(
        self, url: str, *, where: str, params: dict[str, int], body: dict[str, Any]
    ) -> Answer:
        def attempt(deadline: Deadline) -> Answer:
            response = self.session.post(
                url,
                params=params,
                json=body,
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

    def _send_with_retries(
        self, send: Callable[[tuple[float, float]], requests.Response], *, where: str
    ) -> Answer:
        """The answer to `send((connect, read) timeouts)`, sent again after 429, 5xx and
        connection failures while the time budget allows (see http.with_retries)."""

        def attempt(deadline: Deadline) -> Answer:
            with send(deadline.within(self.policy.timeouts)) as response:
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


# --- The answers, declared -----------------------------------------------------------
# 9Pic sends numbers as numbers: decoded strictly, a count sent as "47" is no answer.

Count = Annotated[int, msgspec.Meta(ge=0)]


class PresignedUrl(msgspec.Struct):
    url: HttpUrl
    filename: Text = Text()

    def photo(self) -> Photo | None:
        """The photo, or None if its ID is not a 9Pic image ID (a UUID): a photo that
        cannot be named in a link is left out."""
        image_id = image_id_from(self.filename, self.url)
        if not image_id:
            return None
        filename = identifiers.safe_filename(self.filename, image_id=image_id)
        return Photo(image_id=image_id, filename=filename, url=self.url)


class FailedUrl(msgspec.Struct):
    image_id: Text = Text()
    error: Text = Text()


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


class DownloadData(msgspec.Struct):
    """The links: the envelope's `data`, or the whole of a legacy flat answer."""

    presigned_urls: list[PresignedUrl] | None = None
    failed_urls: list[FailedUrl] | None = None
    total_images: Count | None = None
    pagination: PaginationInfo | None = None


class OriginalPhotosAnswer(DownloadData):
    """A 200 answer in either shape: the envelope (`responseType`, `message`, `data`), or
    the legacy flat one, whose links sit beside `message` at the top."""

    # An envelope that says anything but "success" in a 200 is no answer.
    response_type: Literal["success"] | None | UnsetType = msgspec.field(
        name="responseType", default=UNSET
    )
    message: Text = Text()
    data: DownloadData | None | UnsetType = UNSET


class ErrorAnswer(msgspec.Struct):
    message: Text = Text()


ORIGINAL_PHOTOS = decoder(OriginalPhotosAnswer, strict=True)
ERROR = decoder(ErrorAnswer, strict=True)


def parse_original_photos(body: bytes, *, where: str) -> GalleryPage:
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
        return GalleryPage(photos=[], failed=[], total=0, pagination=None, message=message)
    listed = data.presigned_urls or []
    photos = [photo for item in listed if (photo := item.photo()) is not None]
    if dropped := len(listed) - len(photos):
        logger.warning("%s listed %d photos without a 9Pic image ID: left out", where, dropped)
    pagination = None if data.pagination is None else data.pagination.as_pagination()
    if pagination is not None:
        total = pagination.total
    else:
        total = len(listed) if data.total_images is None else data.total_images
    return GalleryPage(
        photos=photos,
        failed=[FailedPhoto(str(f.image_id), str(f.error)) for f in data.failed_urls or []],
        total=total,
        pagination=pagination,
        message=message,
    )


def error_message(body: bytes) -> str:
    """The `message` of an error envelope, if the body has one; never the raw body."""
    try:
        return ERROR.decode(body).message[:200]
    except msgspec.DecodeError:
        return ""


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
