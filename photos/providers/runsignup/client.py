"""RunSignUp's Get Race Photos API: the only code in the product that talks to RunSignUp.

`GET {RUNSIGNUP_BASE_URL}/rest/v2/photos/get-race-photos.json` with the race's ids and
`rsu_api_key` in the query and the secret in `X-RSU-API-SECRET`. It lists a race's
photos page by page (no total: a short page is the last) and cannot search by BIB, so
the portal keeps an index (photos/runsignup_sync.py) and only calls this to fill it,
plus the storage host to stream an original.

Failure contract: every call returns a typed result or raises a `ProviderError`
subclass within `RUNSIGNUP_TIME_BUDGET` seconds. Throttling (HTTP 429 or error 14),
5xx and connection failures are retried with exponential backoff, honouring
`Retry-After`. RunSignUp also reports errors with status 200, as `{"error": …}`
bodies; unknown shapes are failures, never tracebacks. The key and secret are never
logged and never sent to the storage host; RunSignUp's answers are read without them,
should it echo them back.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests
from django.conf import settings

from photos.domain import (
    ConnectionCheck,
    Original,
    ProviderError,
    ProviderMisconfigured,
    ProviderRejectedRequest,
    ProviderThrottled,
    ProviderTimeout,
    ProviderUnavailable,
)
from photos.providers.deadlines import Deadline
from photos.providers.http import (
    CallPolicy,
    Retry,
    StorageHosts,
    open_download,
    read_capped,
    retry_after_seconds,
    with_retries,
)
from photos.providers.http import session as session_for_thread

if TYPE_CHECKING:
    from photos.models import Event

logger = logging.getLogger(__name__)

S3_STORAGE = StorageHosts(("*.s3.amazonaws.com",))

PATH = "/rest/v2/photos/get-race-photos.json"
# RunSignUp's error codes for "Key authentication failed" and "Request throttled".
AUTH_FAILED = 6
THROTTLED = 14
# A page of 100 photos is about 100 KB; anything near this is not an answer we can use.
MAX_ANSWER_BYTES = 4 * 1024 * 1024
# The index keeps BIBs as 32-bit integers (SQLite and PostgreSQL alike); no race prints more.
MAX_BIB = 2**31 - 1
CREDENTIALS_HINT = "check RUNSIGNUP_API_KEY / RUNSIGNUP_API_SECRET"


@dataclass(frozen=True)
class RunSignUpRace:
    race_id: int
    event_days_id: int
    album_id: int | None = None

    @classmethod
    def of(cls, event: Event) -> RunSignUpRace:
        return cls(
            race_id=event.runsignup_race_id,
            event_days_id=event.runsignup_event_days_id,
            album_id=event.runsignup_album_id,
        )


@dataclass(frozen=True)
class Image:
    url: str
    width: int
    height: int


@dataclass(frozen=True)
class RacePhoto:
    photo_id: int
    album_id: int | None
    bibs: tuple[int, ...]
    original: Image
    large: Image
    thumbnail: Image
    uploaded_filename: str
    uploaded_ts: int


@dataclass(frozen=True)
class PhotoListPage:
    photos: list[RacePhoto]
    is_last: bool  # a short or empty page: RunSignUp sends no total
    skipped: int = 0  # photos in the answer too malformed to use


class RunSignUpClient:
    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        api_secret: str,
        policy: CallPolicy,
        storage: StorageHosts = S3_STORAGE,
        session: requests.Session | None = None,
    ):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.api_secret = api_secret
        self.policy = policy
        self.storage = storage
        self.session = session or session_for_thread()

    @classmethod
    def from_settings(cls) -> RunSignUpClient:
        return cls(
            base_url=settings.RUNSIGNUP_BASE_URL,
            api_key=settings.RUNSIGNUP_API_KEY,
            api_secret=settings.RUNSIGNUP_API_SECRET,
            policy=CallPolicy.from_settings("RUNSIGNUP"),
            storage=StorageHosts(
                tuple(settings.RUNSIGNUP_STORAGE_HOSTS), settings.RUNSIGNUP_STORAGE_ALLOW_HTTP
            ),
        )

    def race_photos(
        self, race: RunSignUpRace, *, page: int, page_size: int, uploaded_since: int | None = None
    ) -> PhotoListPage:
        """One page of the race's photos, oldest listing first; `uploaded_since` is a unix time."""
        params: dict[str, Any] = {
            "race_id": race.race_id,
            "race_event_days_id": race.event_days_id,
            "format": "json",
            "page": max(page, 1),
            "num": max(page_size, 1),
        }
        if race.album_id is not None:
            params["generic_photo_album_id"] = race.album_id
        if uploaded_since is not None:
            params["uploaded_since_timestamp"] = uploaded_since
        where = f"RunSignUp race {race.race_id} days {race.event_days_id} page {params['page']}"
        payload = self._get_with_retries(params, where=where)
        try:
            return parse_photo_page(payload, page_size=params["num"])
        except (TypeError, ValueError) as error:
            logger.error("%s sent an unreadable answer: %s", where, error)
            raise ProviderUnavailable(f"{where}: unreadable answer") from error

    def open_original(self, *, url: str, filename: str, time_limit: float) -> Original:
        """Stream a photo from RunSignUp's storage (public links: no key or secret goes there),
        within `time_limit` seconds of waiting on storage (see `open_download`)."""
        # S3 answers 403 rather than 404 for a missing file to anyone who may not list.
        return open_download(
            self.session,
            url,
            hosts=self.storage,
            storage="RunSignUp storage",
            filename=filename,
            timeout=self.policy.timeouts,
            time_limit=time_limit,
            gone_statuses=(403, 404),
        )

    def is_storage_link(self, url: str) -> bool:
        """Whether the portal may fetch `url`, or send a browser to it (`StorageHosts.hold`)."""
        return self.storage.hold(url)

    def check(self, race: RunSignUpRace) -> ConnectionCheck:
        """Tell an organiser in plain words whether the credentials can read the race's photos."""
        where = f"race {race.race_id}, event days {race.event_days_id}"
        if not self.api_key or not self.api_secret:
            return ConnectionCheck(
                False,
                "No RunSignUp API key or secret is configured (RUNSIGNUP_API_KEY, "
                "RUNSIGNUP_API_SECRET).",
            )
        try:
            listing = self.race_photos(race, page=1, page_size=1)
        except ProviderError as error:
            return ConnectionCheck(False, problem_for_organisers(error))
        found = "photos are listed" if listing.photos else "no photos are listed yet"
        return ConnectionCheck(True, f"Connected: the key and secret can read {where}; {found}.")

    # --- Transport ----------------------------------------------------------

    def _get_with_retries(self, params: dict[str, Any], *, where: str) -> Any:
        url = f"{self.base_url}{PATH}"

        def attempt(deadline: Deadline) -> Any:
            response = self.session.get(
                url,
                params={**params, "rsu_api_key": self.api_key},
                headers={"X-RSU-API-SECRET": self.api_secret, "Accept": "application/json"},
                timeout=deadline.within(self.policy.timeouts),
                stream=True,
            )
            with response:
                status = response.status_code
                if status >= 500:
                    raise Retry(ProviderUnavailable(f"{where}: RunSignUp answered {status}"))
                body = read_capped(
                    response,
                    deadline=deadline,
                    limit=MAX_ANSWER_BYTES,
                    logger=logger,
                    secrets=(self.api_key, self.api_secret),
                )
                retry_after = retry_after_seconds(response)
            try:
                payload = json.loads(body)
            except ValueError:
                payload = None
            error = _error(payload)
            if status == 429 or (error is not None and error[0] == THROTTLED):
                raise Retry(
                    ProviderThrottled(
                        f"{where}: throttled by RunSignUp",
                        retry_after=None if retry_after is None else max(1, round(retry_after)),
                    ),
                    retry_after=retry_after,
                )
            if error is not None or status != 200:
                raise self._refusal(status, error, where=where)
            if payload is None:
                logger.error("%s sent a body that is not JSON", where)
                raise ProviderUnavailable(f"{where}: unreadable answer")
            return payload

        return with_retries(attempt, where=where, logger=logger, policy=self.policy)

    def _refusal(
        self, status: int, error: tuple[int | None, str] | None, *, where: str
    ) -> ProviderError:
        code, message = error if error is not None else (None, "")
        said = f"{status} error {code}: {message}" if code is not None else f"{status} {message}"
        if status in (401, 403) or code == AUTH_FAILED:
            logger.error("%s refused our credentials: %s", where, said)
            return ProviderMisconfigured(f"{where}: {said}", status=status)
        logger.error("%s refused the request: %s", where, said)
        return ProviderRejectedRequest(f"{where}: {said}")


def problem_for_organisers(error: ProviderError) -> str:
    """What went wrong, in words for the admin (never a key or a secret)."""
    if isinstance(error, ProviderMisconfigured):
        return f"RunSignUp refused the API key or secret: {CREDENTIALS_HINT} ({error})."
    if isinstance(error, ProviderThrottled):
        wait = f" for {error.retry_after} s" if error.retry_after else ""
        return f"RunSignUp is throttling requests{wait} (error {THROTTLED}): {error}."
    if isinstance(error, ProviderRejectedRequest):
        return f"RunSignUp refused the request: check the race and event days IDs ({error})."
    if isinstance(error, ProviderTimeout):
        return f"RunSignUp did not answer in time: {error}."
    return f"Could not read from RunSignUp: {error}."


def _error(payload: Any) -> tuple[int | None, str] | None:
    """(code, message) of a RunSignUp error body, whatever its shape; None if it is not one."""
    if not isinstance(payload, dict) or "error" not in payload:
        return None
    error = payload["error"]
    if isinstance(error, dict):
        code = error.get("error_code")
        if isinstance(code, str) and code.isdigit():
            code = int(code)
        message = error.get("error_msg")
        return (
            code if isinstance(code, int) and not isinstance(code, bool) else None,
            message[:200] if isinstance(message, str) else "",
        )
    return None, error[:200] if isinstance(error, str) else ""


def parse_photo_page(payload: Any, *, page_size: int) -> PhotoListPage:
    """Parse one page. Raises TypeError/ValueError if it is not a listing at all; skips
    single photos too malformed to use, so one bad photo cannot stop a sync."""
    if not isinstance(payload, dict) or not isinstance(payload.get("photos"), list):
        raise TypeError("answer is not an object with a photos list")
    items = payload["photos"]
    photos = []
    for item in items:
        try:
            photos.append(_photo(item))
        except (TypeError, ValueError, KeyError) as error:
            logger.warning("RunSignUp listed a photo the portal cannot use: %s", error)
    return PhotoListPage(
        photos=photos, is_last=len(items) < page_size, skipped=len(items) - len(photos)
    )


def _photo(item: Any) -> RacePhoto:
    if not isinstance(item, dict):
        raise TypeError("photo is not an object")
    bibs = item.get("bibs") or []
    if not isinstance(bibs, list):
        raise TypeError("bibs is not a list")
    album_id = item.get("album_id")
    return RacePhoto(
        photo_id=_int(item["photo_id"]),
        album_id=None if album_id is None else _int(album_id),
        # BIBs are numbers at RunSignUp; anything else cannot be searched for.
        bibs=tuple(sorted({int(bib) for bib in bibs if _is_int(bib) and int(bib) <= MAX_BIB})),
        original=_image(item["original"]),
        large=_image(item["large"]),
        thumbnail=_image(item["thumbnail"]),
        uploaded_filename=item.get("uploaded_filename")
        if isinstance(item.get("uploaded_filename"), str)
        else "",
        uploaded_ts=_int(item["uploaded_ts"]),
    )


def _image(value: Any) -> Image:
    if not isinstance(value, dict):
        raise TypeError("image is not an object")
    url = value["image_url"]
    if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https"):
        raise ValueError("image_url is not an http(s) URL")
    return Image(url=url, width=_int(value["width"]), height=_int(value["height"]))


def _is_int(value: Any) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool) and value >= 0) or (
        isinstance(value, str) and value.isdigit()
    )


def _int(value: Any) -> int:
    # RunSignUp's PHP sometimes sends numbers as strings.
    if not _is_int(value):
        raise TypeError(f"expected a non-negative integer, got {type(value).__name__}")
    return int(value)
