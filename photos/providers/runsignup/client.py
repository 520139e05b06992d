"""RunSignUp's Get Race Photos API: the only code in the product that talks to RunSignUp.

`GET {RUNSIGNUP_BASE_URL}/rest/v2/photos/get-race-photos.json` with the race's ids and
`rsu_api_key` in the query and the secret in `X-RSU-API-SECRET`. It lists a race's
photos page by page (no total: a short page is the last) and cannot search by BIB, so
the portal keeps an index (sync.py) and only calls this to fill it,
plus the storage host to stream an original.

Failure contract: every call returns a typed result or raises a `ProviderError`
subclass within `RUNSIGNUP_TIME_BUDGET` seconds. Throttling (HTTP 429 or error 14),
5xx and connection failures are retried with exponential backoff, honouring
`Retry-After`. RunSignUp also reports errors with status 200, as `{"error": …}`
bodies; unknown shapes are failures, never tracebacks. Listings are declared below as
msgspec models, decoded laxly (numbers may come as strings); a photo that does not fit
them (an ID a link cannot name, a number the index cannot hold) is skipped with its
reason. The key and secret are never logged and never sent to the storage host;
RunSignUp's answers are read without them, should it echo them back.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any

import msgspec
import requests
from django.conf import settings
from msgspec import UNSET, UnsetType

from photos import identifiers
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
from photos.providers.answers import HttpUrl, Text, decoder
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
CREDENTIALS_HINT = "check RUNSIGNUP_API_KEY / RUNSIGNUP_API_SECRET"


@dataclass(frozen=True)
class RunSignUpRace:
    race_id: int
    event_days_id: int
    album_id: int | None = None

    @classmethod
    def of(cls, event: Event) -> RunSignUpRace:
        """The event's race; ProviderRejectedRequest if it names none (the admin requires
        both IDs of a RunSignUp event: only one saved some other way lacks them)."""
        if event.runsignup_race_id is None or event.runsignup_event_days_id is None:
            raise ProviderRejectedRequest(f"event {event.slug} has no race or event days ID")
        return cls(
            race_id=event.runsignup_race_id,
            event_days_id=event.runsignup_event_days_id,
            album_id=event.runsignup_album_id,
        )


# --- The answers, declared -----------------------------------------------------------
# RunSignUp's PHP sends numbers as numbers or as strings ("21"): decoded laxly, both read
# as 21 (a bool is never a number). The bounds are the index's columns: 32-bit integers
# for BIBs and sizes, and photo IDs the portal's links can name (which fit its 64-bit one).

MAX_INTEGER = 2**31 - 1
MAX_BIG_INTEGER = 2**63 - 1
# Uploads from 1970 to 2100: beyond, a number is no time the index can hold (10**12 is
# the year 33658).
MAX_UPLOADED_TS = 4_102_444_800

PhotoId = Annotated[int, msgspec.Meta(ge=1, le=identifiers.MAX_NUMBER)]
AlbumId = Annotated[int, msgspec.Meta(ge=0, le=MAX_BIG_INTEGER)]
Bib = Annotated[int, msgspec.Meta(ge=0, le=MAX_INTEGER)]
Size = Annotated[int, msgspec.Meta(ge=0, le=MAX_INTEGER)]
UploadedTs = Annotated[int, msgspec.Meta(ge=0, le=MAX_UPLOADED_TS)]


class Image(msgspec.Struct, frozen=True):
    url: HttpUrl = msgspec.field(name="image_url")
    width: Size
    height: Size


@dataclass(frozen=True)
class RacePhoto:
    photo_id: int
    album_id: int | None
    bibs: tuple[int, ...]
    original: Image
    large: Image
    thumbnail: Image
    uploaded_filename: str  # a safe name (identifiers.safe_filename)
    uploaded_ts: int


class ListedPhoto(msgspec.Struct):
    photo_id: PhotoId
    original: Image
    large: Image
    thumbnail: Image
    uploaded_ts: UploadedTs
    album_id: AlbumId | None = None
    # Each BIB read on its own: one that is no number ("A-17") leaves the photo usable.
    bibs: list[msgspec.Raw] | None = None
    uploaded_filename: Text = Text()

    def race_photo(self) -> RacePhoto:
        return RacePhoto(
            photo_id=self.photo_id,
            album_id=self.album_id,
            # BIBs are numbers at RunSignUp; anything else cannot be searched for.
            bibs=tuple(sorted({bib for raw in self.bibs or [] if (bib := _bib(raw)) is not None})),
            original=self.original,
            large=self.large,
            thumbnail=self.thumbnail,
            uploaded_filename=identifiers.safe_filename(
                self.uploaded_filename, image_id=str(self.photo_id)
            ),
            uploaded_ts=self.uploaded_ts,
        )


class PhotoListing(msgspec.Struct):
    # Each photo read on its own: one too malformed to use is skipped, not the page.
    photos: list[msgspec.Raw]


class ErrorDetail(msgspec.Struct):
    error_code: int | None = None
    error_msg: Text = Text()


class ErrorAnswer(msgspec.Struct):
    # {"error": {"error_code": 6, "error_msg": "…"}}, {"error": "text"} or anything else:
    # an "error" of any shape is an error.
    error: msgspec.Raw | UnsetType = UNSET


LISTING = decoder(PhotoListing, strict=False)
LISTED_PHOTO = decoder(ListedPhoto, strict=False)
BIB: msgspec.json.Decoder[int] = decoder(Bib, strict=False)
ERROR = decoder(ErrorAnswer, strict=False)
ERROR_DETAIL: msgspec.json.Decoder[ErrorDetail | str | None] = decoder(
    ErrorDetail | str | None, strict=False
)


@dataclass(frozen=True)
class PhotoListPage:
    photos: list[RacePhoto]
    is_last: bool  # a short or empty page: RunSignUp sends no total
    # Why photos of the page were skipped, as too malformed to use, and how many for each
    # reason (which field, and what was wrong with it; never its value).
    skip_reasons: Counter[str] = field(default_factory=Counter)

    @property
    def skipped(self) -> int:
        return self.skip_reasons.total()


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
        body = self._get_with_retries(params, where=where)
        try:
            listing = parse_photo_page(body, page_size=params["num"])
        except msgspec.DecodeError as error:
            logger.error("%s sent an unreadable answer: %s", where, error)
            raise ProviderUnavailable(f"{where}: unreadable answer") from error
        if listing.skipped:
            logger.warning(
                "%s listed %d photos the portal cannot use: %s",
                where,
                listing.skipped,
                "; ".join(f"{count} × {reason}" for reason, count in listing.skip_reasons.items()),
            )
        return listing

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

    def _get_with_retries(self, params: dict[str, Any], *, where: str) -> bytes:
        """The body of a 200 answer that is not an error body."""
        url = f"{self.base_url}{PATH}"

        def attempt(deadline: Deadline) -> bytes:
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
            error = _error(body)
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
            return body

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


def _error(body: bytes) -> tuple[int | None, str] | None:
    """(code, message) of a RunSignUp error body, whatever its shape; None if it is not one."""
    try:
        error = ERROR.decode(body).error
    except msgspec.DecodeError:
        return None  # not a JSON object: not an error body (nor a listing)
    if error is UNSET:
        return None
    try:
        detail = ERROR_DETAIL.decode(error)
    except msgspec.DecodeError:
        return None, ""  # an error, but none RunSignUp describes
    if isinstance(detail, ErrorDetail):
        return detail.error_code, detail.error_msg[:200]
    return None, (detail or "")[:200]


def parse_photo_page(body: bytes, *, page_size: int) -> PhotoListPage:
    """Parse one page; msgspec.DecodeError if it is not a listing at all. Single photos too
    malformed to use are skipped, with the reason, so one bad photo cannot stop a sync."""
    listed = LISTING.decode(body).photos
    photos: list[RacePhoto] = []
    skip_reasons: Counter[str] = Counter()
    for raw in listed:
        try:
            photos.append(LISTED_PHOTO.decode(raw).race_photo())
        except msgspec.ValidationError as error:
            skip_reasons[str(error)] += 1
    return PhotoListPage(photos=photos, is_last=len(listed) < page_size, skip_reasons=skip_reasons)


def _bib(raw: msgspec.Raw) -> int | None:
    try:
        return BIB.decode(raw)
    except msgspec.ValidationError:
        return None
