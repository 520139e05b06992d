"""9Pic's Download Originals API: the only code in the product that talks to 9Pic.

`POST {NINEPIC_BASE_URL}/api/v1/ext/{org_id}/event/{event_id}/original-photos`
with the organisation's key in `X-API-Key`. Answers come in the current
envelope (`responseType` / `message` / `data`) or the older flat shape; both
parse into the types of `photos.domain`.

Failure contract: every call either returns a typed result or raises a
`ProviderError` subclass within `NINEPIC_TIME_BUDGET` seconds. 429, 5xx and
connection failures are retried with exponential backoff (honouring
`Retry-After`) while the budget allows. The key is sent only to the API, never
to the storage host, and never logged: 9Pic's answers are read without it, should
they echo it back; presigned URLs are logged without their query string.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings

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
)
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

logger = logging.getLogger(__name__)

R2_STORAGE = StorageHosts(("*.r2.cloudflarestorage.com",))

MAX_PAGE_SIZE = 60
# 60 links are about 30 KB; anything near this is not an answer we can use.
MAX_ANSWER_BYTES = 2 * 1024 * 1024


def image_id_from(filename: str, url: str) -> str:
    """9Pic names each original `<image_id>.jpg`; the URL path ends the same way."""
    name = filename or PurePosixPath(urlsplit(url).path).name
    return PurePosixPath(name).stem


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes


@dataclass(frozen=True)
class NinePicEvent:
    org_id: int
    event_id: int


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
        status, message = answer.status, _error_message(answer.body)
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
            return parse_original_photos(json.loads(answer.body))
        except (ValueError, TypeError, KeyError) as error:
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


def parse_original_photos(payload: Any) -> GalleryPage:
    """Parse an enveloped or legacy flat answer. Raises ValueError/TypeError on a bad shape."""
    if not isinstance(payload, dict):
        raise TypeError("answer is not a JSON object")
    if "responseType" in payload or "data" in payload:
        if payload.get("responseType") not in (None, "success"):
            raise ValueError(f"responseType {payload.get('responseType')!r} in a 200 answer")
        data = payload.get("data")
        message = payload.get("message")
    else:
        data = payload
        message = payload.get("message")
    if data is None:
        return GalleryPage(
            photos=[],
            failed=[],
            total=0,
            pagination=None,
            message=_text(message),
        )
    if not isinstance(data, dict):
        raise TypeError("data is not an object")
    photos = [_photo(item) for item in _list(data.get("presigned_urls"))]
    failed = [_failed(item) for item in _list(data.get("failed_urls"))]
    pagination = _pagination(data.get("pagination"))
    if pagination is not None:
        total = pagination.total
    else:
        total = _int(data.get("total_images", len(photos)))
    return GalleryPage(
        photos=photos,
        failed=failed,
        total=total,
        pagination=pagination,
        message=_text(message),
    )


def _photo(item: Any) -> Photo:
    if not isinstance(item, dict):
        raise TypeError("presigned_urls item is not an object")
    url = item["url"]
    if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https"):
        raise ValueError("presigned URL is not an http(s) URL")
    filename = _text(item.get("filename"))
    image_id = image_id_from(filename, url)
    return Photo(image_id=image_id, filename=filename or f"{image_id}.jpg", url=url)


def _failed(item: Any) -> FailedPhoto:
    if not isinstance(item, dict):
        raise TypeError("failed_urls item is not an object")
    return FailedPhoto(image_id=_text(item.get("image_id")), error=_text(item.get("error")))


def _pagination(value: Any) -> Pagination | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise TypeError("pagination is not an object")
    return Pagination(
        total=_int(value["total"]),
        current_page=_int(value["currentPage"]),
        total_pages=_int(value["totalPages"]),
        has_next=bool(value.get("hasNextPage", False)),
        has_previous=bool(value.get("hasPreviousPage", False)),
        page_size=_int(value.get("page_size", 0)),
    )


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise TypeError("expected a list")
    return value


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise TypeError(f"expected a non-negative integer, got {type(value).__name__}")
    return value


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _error_message(body: bytes) -> str:
    """The `message` of an error envelope, if the body has one; never the raw body."""
    try:
        payload = json.loads(body)
    except ValueError:
        return ""
    return _text(payload.get("message"))[:200] if isinstance(payload, dict) else ""
