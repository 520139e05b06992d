"""RunSignUp's Get Race Photos API as documented, and the public image URLs it lists.

Errors carry RunSignUp's body and codes (runsignup.com/Api/ErrorCodes) with these statuses:
400 with 3 "Invalid parameters" or 10 "Response format not supported", 401 (key or secret
missing) and 403 (wrong) with 6 "Key authentication failed", 404 with 201 "Race not found."
or 15 "Invalid ID." (an event days id the race does not have), 405 with 2, and 429 with 14
"Request throttled" and Retry-After.

RUNSIGNUP_STANDIN_FAULTS spoils listings that would have succeeded ("name:share,…", see
standins/faults.py): `out-of-range` (the first photo of a page says uploaded_ts 10**12 and
photo_id 2**64), `endless` (every page full, however far: the listing wraps round),
`odd-filenames` (uploaded_filename climbs out of folders, splits headers, is empty…: see
standins.faults.ODD_FILENAMES), `backslash-links` (image URLs like
`http://127.0.0.1:8000\\@localhost/…`, which parsers split into different hosts) and
`slow-drip` (the answer a byte every STANDIN_DRIP_MS).
RUNSIGNUP_STANDIN_STORAGE_FAULTS makes the image URLs misbehave (redirects and the rest of
standins.faults.STORAGE_FAULTS).
"""

import hmac
import json
import re
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from standins import faults

from . import catalogue
from .images import image_path

DEFAULT_NUM = 100
# The docs name no limit; a real API has one, and a client must page rather than ask for all.
MAX_NUM = 1000
RETRY_AFTER_SECONDS = 1
_UINT = re.compile(r"[0-9]+")
_INT = re.compile(r"-?[0-9]+")
FAULTS = ("out-of-range", "endless", "odd-filenames", "backslash-links", "slow-drip")


# Calls served by this process since the last reset: tests read them, throttling counts them.
_calls = Counter()
_calls_lock = threading.Lock()


def _count(kind: str) -> int:
    with _calls_lock:
        _calls[kind] += 1
        return _calls[kind]


def call_count(kind: str = "api_calls") -> int:
    """Listing calls ("api_calls") or image requests ("image_gets") since the last reset."""
    with _calls_lock:
        return _calls[kind]


def reset_call_count() -> None:
    with _calls_lock:
        _calls.clear()


@require_GET
def stats(request: HttpRequest) -> JsonResponse:
    with _calls_lock:
        return JsonResponse(dict(_calls))


class Refusal(Exception):
    def __init__(self, status: int, code: int, message: str):
        self.status = status
        self.code = code
        self.message = message


def _rsu_text(body: dict[str, Any]) -> str:
    # RunSignUp's PHP encoder escapes every slash (https:\/\/…); a client must not mind.
    return json.dumps(body).replace("/", "\\/")


def rsu_json(body: dict[str, Any], status: int = 200) -> HttpResponse:
    return HttpResponse(_rsu_text(body), status=status, content_type="application/json")


def rsu_error(status: int, code: int, message: str) -> HttpResponse:
    return rsu_json({"error": {"error_code": code, "error_msg": message}}, status=status)


@csrf_exempt
def get_race_photos(request: HttpRequest) -> HttpResponse:
    calls = _count("api_calls")
    if _throttled(calls):
        response = rsu_error(429, 14, "Request throttled")
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if request.method != "GET":
        response = rsu_error(405, 2, "HTTP method not supported for this REST method")
        response["Allow"] = "GET"
        return response
    try:
        if _param(request, "format") not in (None, "json"):
            raise Refusal(400, 10, "Response format not supported for this REST method")
        _check_access(request)
        race_id = _uint(request, "race_id", required=True)
        event_days_id = _uint(request, "race_event_days_id", required=True)
        page = _int(request, "page", default=1, least=1)
        num = min(_int(request, "num", default=DEFAULT_NUM, least=1), MAX_NUM)
        listed = _listing_filter(request)
        if race_id not in catalogue.RACE_EVENT_DAYS:
            raise Refusal(404, 201, "Race not found.")
        if event_days_id not in catalogue.RACE_EVENT_DAYS[race_id]:
            raise Refusal(404, 15, "Invalid ID.")
    except Refusal as refusal:
        return rsu_error(refusal.status, refusal.code, refusal.message)

    # No total and no page count, as documented: a short or empty page ends the listing.
    matching = [p for p in catalogue.photos(race_id, event_days_id) if listed(p)]
    fault = faults.pick(settings.RUNSIGNUP_STANDIN_FAULTS, FAULTS)
    return _listing_page(request, matching, page, num, fault)


def _listing_page(
    request: HttpRequest,
    matching: list[catalogue.DemoPhoto],
    page: int,
    num: int,
    fault: str | None,
) -> HttpResponse:
    """Page `page` of `matching`, `num` photos a page, spoilt as `fault` says."""
    if fault == "endless" and matching:
        on_page = [matching[n % len(matching)] for n in range((page - 1) * num, page * num)]
    else:
        on_page = matching[(page - 1) * num : page * num]
    photos = [_photo_json(request, p) for p in on_page]
    if fault == "out-of-range" and photos:
        photos[0].update(uploaded_ts=10**12, photo_id=2**64)
    if fault == "odd-filenames":
        for n, photo in enumerate(photos):
            odd = faults.ODD_FILENAMES[n % len(faults.ODD_FILENAMES)]
            photo["uploaded_filename"] = odd.format(image_id=photo["photo_id"])
    if fault == "backslash-links":
        for photo in photos:
            for variant in catalogue.VARIANTS:
                url = urlsplit(photo[variant]["image_url"])
                photo[variant]["image_url"] = f"{url.scheme}://{url.netloc}\\@localhost{url.path}"
    if fault == "slow-drip":
        return faults.dripped(_rsu_text({"photos": photos}).encode(), "application/json")
    return rsu_json({"photos": photos})


def _throttled(call: int) -> bool:
    # Calls 1..AFTER are answered, the next THROTTLE_CALLS refused, later ones answered again.
    after = settings.RUNSIGNUP_STANDIN_THROTTLE_AFTER
    return after is not None and after < call <= after + settings.RUNSIGNUP_STANDIN_THROTTLE_CALLS


def _check_access(request: HttpRequest) -> None:
    key = _param(request, "rsu_api_key")
    secret = request.headers.get("X-RSU-API-SECRET")
    if not key or not secret:
        raise Refusal(401, 6, "Key authentication failed")
    if not (
        _same(key, settings.RUNSIGNUP_STANDIN_API_KEY)
        and _same(secret, settings.RUNSIGNUP_STANDIN_API_SECRET)
    ):
        raise Refusal(403, 6, "Key authentication failed")


def _same(given: str, expected: str) -> bool:
    # Bytes, because compare_digest refuses non-ASCII str and a header may hold anything.
    return hmac.compare_digest(given.encode(), expected.encode())


def _param(request: HttpRequest, name: str) -> str | None:
    # An empty value (`num=`) counts as not sent.
    return request.GET.get(name) or None


def _uint(request: HttpRequest, name: str, *, required: bool = False) -> int | None:
    value = _param(request, name)
    if value is None:
        if required:
            raise Refusal(400, 3, f"Invalid parameters: {name} is required.")
        return None
    if not _UINT.fullmatch(value):
        raise Refusal(400, 3, f"Invalid parameters: {name} must be an unsigned integer.")
    return int(value)


def _int(request: HttpRequest, name: str, *, default: int, least: int) -> int:
    value = _param(request, name)
    if value is None:
        return default
    if not _INT.fullmatch(value) or int(value) < least:
        raise Refusal(400, 3, f"Invalid parameters: {name} must be an integer of at least {least}.")
    return int(value)


def _listing_filter(request: HttpRequest) -> Callable[[catalogue.DemoPhoto], bool]:
    """Whether a photo is in this listing: on RunSignUp now and matching the query's filters."""
    raw_since = _param(request, "uploaded_since_timestamp")
    if raw_since is not None and not _INT.fullmatch(raw_since):
        raise Refusal(400, 3, "Invalid parameters: uploaded_since_timestamp must be an integer.")
    since = None if raw_since is None else int(raw_since)
    participants = _param(request, "include_participant_uploads") or "T"
    if participants not in ("T", "F"):
        raise Refusal(400, 3, 'Invalid parameters: include_participant_uploads must be "T" or "F".')
    album_id = _uint(request, "generic_photo_album_id")
    published = _published()

    def listed(photo: catalogue.DemoPhoto) -> bool:
        return (
            published(photo)
            # "Since" includes the second itself: a photo uploaded at that timestamp is listed.
            and (since is None or photo.uploaded_ts >= since)
            and (participants == "T" or not photo.participant_upload)
            and (album_id is None or photo.album_id == album_id)
        )

    return listed


def _published() -> Callable[[catalogue.DemoPhoto], bool]:
    """Whether a photo is on RunSignUp at this moment, as the tests' controls say."""
    # Read per request, so that a test changing settings steers a live server too.
    now = settings.RUNSIGNUP_STANDIN_NOW
    removed = frozenset(settings.RUNSIGNUP_STANDIN_REMOVED_PHOTO_IDS)
    return lambda photo: photo.photo_id not in removed and (now is None or photo.uploaded_ts <= now)


def _photo_json(request: HttpRequest, photo: catalogue.DemoPhoto) -> dict[str, Any]:
    def variant(name: str) -> dict[str, Any]:
        width, height = photo.size(name)
        url = request.build_absolute_uri(
            reverse("runsignup_standin:image", args=[photo.photo_id, name])
        )
        return {"image_url": url, "height": height, "width": width}

    return {
        "photo_id": photo.photo_id,
        "album_id": photo.album_id,
        "race_event_days_id": photo.race_event_days_id,
        "bibs": list(photo.bibs),
        "original": variant("original"),
        "thumbnail": variant("thumbnail"),
        "large": variant("large"),
        "uploaded_filename": photo.uploaded_filename,
        "uploaded_ts": photo.uploaded_ts,
    }


# --- Images --------------------------------------------------------------------------


@require_GET
def image(request: HttpRequest, photo_id: int, variant: str) -> HttpResponse:
    """A photo's public, unexpiring URL: gone once the photo is removed (or not yet uploaded)."""
    _count("image_gets")
    photo = catalogue.photo(photo_id)
    if variant not in catalogue.VARIANTS or photo is None or not _published()(photo):
        return HttpResponse(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message>"
            "</Error>",
            status=404,
            content_type="application/xml",
        )
    fault = faults.storage_fault(request, settings.RUNSIGNUP_STANDIN_STORAGE_FAULTS)
    path = image_path(settings.RUNSIGNUP_STANDIN_MEDIA_DIR, photo, variant)
    return faults.storage_answer(fault, request, path)
