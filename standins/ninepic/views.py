"""9Pic's API as its reference describes it (shared API docs: 9pic-download-originals.md and
9pic-other-endpoints.md), at /_standin/9pic/api/v1/ext/….

Every call: no `X-API-Key` → 401; a key of no organisation → 403; an unknown event → 404;
an event of another organisation, or an organisation that is not the key's → 403. A switched-off
event (`event_enabled` false) refuses its photo endpoints, and a search whose flag is off
refuses the search, with 403. Errors are the envelope with `data: null`. `page` counts from
1 and `page_size` is capped at the endpoint's maximum; a non-number or a number under 1 is a
422. A list with nothing in it says "no pages" (`currentPage` and `totalPages` 0), except
Download Originals, whose `pagination` is then null.

Where the docs leave it open, the stand-in chooses (and the portal must cope with either):
- an unknown BIB at BIB Search is an empty 200 at some events and a 404 at others
  (catalogue.DemoEvent.unknown_bib_is_404), while Download Originals always says 404;
- the selfie's multipart field is NINEPIC_STANDIN_SELFIE_FIELD, and `request_id` goes in the
  form or the query as NINEPIC_STANDIN_SELFIE_REQUEST_ID_IN says; a missing field is a 422
  naming it (`body.file: Field required`), an empty file, one over 10 MB or one that is not
  a picture a 400;
- Timeline's window is read from the query parameters NINEPIC_STANDIN_TIMELINE_FROM_PARAM
  and _TO_PARAM (Unix seconds; missing or not a number: 422; `to` not after `from`: 400),
  and its images are paged like the other searches (32, at most 100); days list only the
  hours that have photos;
- a switched-off event still answers Ping and Event Details.
"""

import hmac
import json
import re
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from . import catalogue, facefind, faults, images, stats
from .catalogue import DemoEvent, DemoPhoto
from .storage import cover_url, presigned_url, preview_url

# (default, maximum) page size of each endpoint.
EVENTS_PAGING = (10, 100)
SEARCH_PAGING = (32, 100)
DOWNLOAD_PAGING = (30, 60)
METHODS = ("bib", "selfie", "image_id", "image_ids")
LEGACY_METHODS = ("bib", "selfie")
MAX_SELFIE_BYTES = 10 * 1024 * 1024
_UNIX_SECONDS = re.compile(r"-?[0-9]{1,15}")
NOT_A_UUID = "Input should be a valid UUID"

OWNERSHIP_MISMATCH = "Token/event ownership mismatch: the organisation does not own this event."
ORGANISATION_MISMATCH = "Token/organisation mismatch: the API key belongs to another organisation."


class Refusal(Exception):
    def __init__(self, status: int, message: str):
        self.status = status
        self.message = message


def envelope_error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"responseType": "error", "message": message, "data": None}, status=status)


def _success(message: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"responseType": "success", "message": message, "data": data}


def endpoint(method: str) -> Callable[[Callable[..., dict[str, Any]]], Callable[..., HttpResponse]]:
    """An API view, answering `method` only: counted, slowed by NINEPIC_STANDIN_LATENCY_MS and
    struck by NINEPIC_STANDIN_FAULTS. The view returns the successful answer's body or raises
    Refusal."""

    def decorate(view: Callable[..., dict[str, Any]]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @require_http_methods([method])
        @wraps(view)
        def api_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            stats.count("api_calls")
            stats.count(f"api_calls.{request.resolver_match.url_name}")
            # The real API is a network hop and a database away: benchmarks set how far.
            time.sleep(settings.NINEPIC_STANDIN_LATENCY_MS / 1000)
            fault = faults.pick()
            if replaced := faults.replacement(fault):
                return replaced
            try:
                body = view(request, *args, **kwargs)
            except Refusal as refusal:
                return envelope_error(refusal.status, refusal.message)
            return faults.answer(fault, body)

        return api_view

    return decorate


@require_GET
def stats_view(request: HttpRequest) -> JsonResponse:
    return JsonResponse(stats.snapshot())


# --- Access -------------------------------------------------------------------------


def _key_organisation(request: HttpRequest) -> int:
    key = request.headers.get("X-API-Key")
    if not key:
        raise Refusal(401, "API key is missing. Send it in the X-API-Key header.")
    for org_id, setting in catalogue.KEY_SETTINGS.items():
        # Bytes, because compare_digest refuses non-ASCII str and a header may hold anything.
        if hmac.compare_digest(key.encode(), getattr(settings, setting).encode()):
            return org_id
    raise Refusal(403, "API key is invalid or inactive.")


def _organisation(request: HttpRequest, org_id: int) -> None:
    if _key_organisation(request) != org_id:
        raise Refusal(403, ORGANISATION_MISMATCH)


def _event(request: HttpRequest, org_id: int, event_id: int) -> DemoEvent:
    key_org_id = _key_organisation(request)
    event = catalogue.event(event_id)
    if event is None:
        raise Refusal(404, "Event not found.")
    if event.org_id != org_id:
        raise Refusal(403, OWNERSHIP_MISMATCH)
    if key_org_id != org_id:
        raise Refusal(403, ORGANISATION_MISMATCH)
    return event


def _require(event: DemoEvent, switched_on: bool = True, feature: str = "") -> None:
    """Refuses a switched-off event's photos, or a search (`feature`) the event does not offer."""
    if not event.enabled:
        raise Refusal(403, "This event is disabled.")
    if not switched_on:
        raise Refusal(403, f"{feature} is not enabled for this event.")


# --- Paging and shapes ----------------------------------------------------------------


def _paging(request: HttpRequest, paging: tuple[int, int]) -> tuple[int, int]:
    default, maximum = paging
    try:
        page = int(request.GET.get("page", 1))
        page_size = int(request.GET.get("page_size", default))
    except ValueError:
        raise Refusal(422, "page and page_size must be integers.") from None
    if page < 1 or page_size < 1:
        raise Refusal(422, "page and page_size must be at least 1.")
    return page, min(page_size, maximum)


def _page(items: Sequence[Any], page: int, page_size: int) -> Sequence[Any]:
    return items[(page - 1) * page_size : page * page_size]


def _pagination(total: int, page: int, page_size: int) -> dict[str, Any]:
    if total == 0:  # 9Pic's "no pages"
        page = total_pages = 0
    else:
        total_pages = -(-total // page_size)
    return {
        "total": total,
        "currentPage": page,
        "totalPages": total_pages,
        "hasNextPage": page < total_pages,
        "hasPreviousPage": page > 1,
        "page_size": page_size,
    }


def _image_item(request: HttpRequest, event_id: int, photo: DemoPhoto) -> dict[str, Any]:
    width, height = images.original_size(photo)
    return {
        "image_id": photo.image_id,
        "img_url": preview_url(request, event_id, photo.image_id, "large"),
        "thumbnail_url": preview_url(request, event_id, photo.image_id, "small"),
        "width": width,
        "height": height,
        "original_url": None,  # originals come from Download Originals only
    }


def _images(
    request: HttpRequest,
    event: DemoEvent,
    photos: Sequence[DemoPhoto],
    *,
    found: str,
    none: str,
    **fields: Any,
) -> dict[str, Any]:
    """A page of `photos` as ImageItems, with `fields` before them in `data`."""
    page, page_size = _paging(request, SEARCH_PAGING)
    listed = [_image_item(request, event.event_id, p) for p in _page(photos, page, page_size)]
    return _success(
        found if photos else none,
        {**fields, "images": listed, "pagination": _pagination(len(photos), page, page_size)},
    )


def _uuid(value: str) -> str | None:
    """`value` in the UUID's canonical form, or None if it is not one."""
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


# --- Organisation and event ------------------------------------------------------------


@endpoint("GET")
def list_events(request: HttpRequest, org_id: int) -> dict[str, Any]:
    _organisation(request, org_id)
    page, page_size = _paging(request, EVENTS_PAGING)
    events = catalogue.events_of(org_id)
    listed = [
        {
            "event_id": event.event_id,
            "event_name": event.name,
            "event_slug": event.slug,
            "event_date": event.date,
            "status": event.status,
            "cover_image": cover_url(request, event.event_id) if event.has_cover else None,
        }
        for event in _page(events, page, page_size)
    ]
    return _success(
        "Events retrieved" if events else "No events found",
        {"events": listed, "pagination": _pagination(len(events), page, page_size)},
    )


@endpoint("GET")
def ping(request: HttpRequest, org_id: int, event_id: int) -> dict[str, Any]:
    event = _event(request, org_id, event_id)
    data = {"status": "ok", "org_id": org_id, "event_id": event_id}
    return data if event.legacy else _success("pong", data)


@endpoint("GET")
def event_details(request: HttpRequest, org_id: int, event_id: int) -> dict[str, Any]:
    event = _event(request, org_id, event_id)
    searches = {
        "event_enabled": event.enabled,
        "bib_search": event.bib_search,
        "selfie_search": event.selfie_search,
        "name_search": event.name_search,
    }
    if event.legacy:
        return searches
    return _success(
        "Event details retrieved",
        {
            "event_id": event.event_id,
            "event_name": event.name,
            "event_slug": event.slug,
            "event_date": event.date,
            "status": event.status,
            **searches,
            "video_search": event.video_search,
            "video_selfie_search": event.video_selfie_search,
            "timeline_search": event.timeline_search,
        },
    )


# --- Searches ----------------------------------------------------------------------------


@endpoint("GET")
def bib_search(request: HttpRequest, org_id: int, event_id: int, bib: str) -> dict[str, Any]:
    event = _event(request, org_id, event_id)
    _require(event, event.bib_search, "BIB search")
    found = catalogue.photos_for_bib(event_id, bib, ignore_case=True)
    if not found and event.unknown_bib_is_404:
        raise Refusal(404, f"BIB number {bib} not found for this event")
    return _images(
        request,
        event,
        found,
        found=f"Records for bib number {bib}",
        none=f"No records for bib number {bib}",
    )


@endpoint("POST")
def face_search(request: HttpRequest, org_id: int, event_id: int) -> dict[str, Any]:
    """A selfie upload: the stored result of a known `request_id`, else the matcher's, kept
    under the given `request_id` or a new one (see facefind.py)."""
    event = _event(request, org_id, event_id)
    _require(event, event.selfie_search, "Selfie search")
    field = settings.NINEPIC_STANDIN_SELFIE_FIELD
    place = settings.NINEPIC_STANDIN_SELFIE_REQUEST_ID_IN
    try:
        upload = request.FILES.get(field)
        given = (request.GET if place == "query" else request.POST).get("request_id")
    except MultiPartParserError:
        raise Refusal(400, "There was an error parsing the body.") from None
    errors = [] if upload is not None else [f"body.{field}: Field required"]
    request_id = _uuid(given) if given else None
    if given and request_id is None:
        errors.append(f"{'query' if place == 'query' else 'body'}.request_id: {NOT_A_UUID}")
    if errors:
        raise Refusal(422, "; ".join(errors))
    if request_id and (stored := facefind.result(event_id, request_id)) is not None:
        return _face_result(request, event, request_id, stored)
    if upload.size == 0:
        raise Refusal(400, "The uploaded selfie file is empty.")
    if upload.size > MAX_SELFIE_BYTES:
        raise Refusal(400, "The uploaded selfie is larger than 10 MB.")
    try:
        found = facefind.match(event_id, upload)
    except facefind.NotAPicture:
        raise Refusal(400, "The uploaded file is not a picture.") from None
    request_id = request_id or str(uuid.uuid4())
    facefind.remember(event_id, request_id, found)
    return _face_result(request, event, request_id, found)


@endpoint("GET")
def face_search_result(
    request: HttpRequest, org_id: int, event_id: int, request_id: str
) -> dict[str, Any]:
    event = _event(request, org_id, event_id)
    _require(event, event.selfie_search, "Selfie search")
    request_id = _uuid(request_id)
    if request_id is None:
        raise Refusal(422, f"path.request_id: {NOT_A_UUID}")
    found = facefind.result(event_id, request_id)
    if found is None:
        raise Refusal(404, f"No face search {request_id} for this event.")
    return _face_result(request, event, request_id, found)


def _face_result(
    request: HttpRequest, event: DemoEvent, request_id: str, found: Sequence[DemoPhoto]
) -> dict[str, Any]:
    return _images(
        request,
        event,
        found,
        found="Face search results",
        none="No matching faces found",
        request_id=request_id,
        confidence_percentage=event.confidence_percentage,
    )


@endpoint("GET")
def all_photos(request: HttpRequest, org_id: int, event_id: int) -> dict[str, Any]:
    event = _event(request, org_id, event_id)
    _require(event)
    return _images(
        request,
        event,
        catalogue.photos_by_capture_time(event_id),
        found="Images retrieved",
        none="No images found",
    )


@endpoint("GET")
def timeline_days(request: HttpRequest, org_id: int, event_id: int) -> dict[str, Any]:
    event = _event(request, org_id, event_id)
    _require(event, event.timeline_search, "Timeline search")
    hours_of_day: dict[str, Counter[int]] = {}
    for photo in catalogue.photos_by_capture_time(event_id):
        if photo.captured_at:
            day = photo.captured_at.date().isoformat()
            hours_of_day.setdefault(day, Counter())[photo.captured_at.hour] += 1
    days = [
        {
            "date": day,
            "total": hours.total(),
            "hours": [{"hour": hour, "count": count} for hour, count in sorted(hours.items())],
        }
        for day, hours in hours_of_day.items()
    ]
    return _success("Timeline retrieved" if days else "No timeline data", {"days": days})


@endpoint("GET")
def timeline_images(request: HttpRequest, org_id: int, event_id: int) -> dict[str, Any]:
    event = _event(request, org_id, event_id)
    _require(event, event.timeline_search, "Timeline search")
    start, end = _window(request)
    return _images(
        request,
        event,
        catalogue.captured_between(event_id, start, end),
        found="Images retrieved",
        none="No images found",
    )


def _window(request: HttpRequest) -> tuple[int, int]:
    """The half-open window [from, to) of Unix seconds, from the configured query names."""
    names = (
        settings.NINEPIC_STANDIN_TIMELINE_FROM_PARAM,
        settings.NINEPIC_STANDIN_TIMELINE_TO_PARAM,
    )
    bounds, errors = [], []
    for name in names:
        value = request.GET.get(name)
        if value is None:
            errors.append(f"query.{name}: Field required")
        elif not _UNIX_SECONDS.fullmatch(value):
            errors.append(f"query.{name}: Input should be a valid integer")
        else:
            bounds.append(int(value))
    if errors:
        raise Refusal(422, "; ".join(errors))
    start, end = bounds
    if end <= start:
        raise Refusal(400, f"{names[1]} must be later than {names[0]}.")
    return start, end


# --- Download Originals -------------------------------------------------------------------


@endpoint("POST")
def original_photos(request: HttpRequest, org_id: int, event_id: int) -> dict[str, Any]:
    event = _event(request, org_id, event_id)
    _require(event)
    method, identifier = _read_body(request, event)
    page, page_size = _paging(request, DOWNLOAD_PAGING)
    return _download(request, event, method, identifier, page, page_size)


def _read_body(request: HttpRequest, event: DemoEvent) -> tuple[str, Any]:
    try:
        body = json.loads(request.body)
    except ValueError:
        raise Refusal(400, "Request body must be JSON.") from None
    if not isinstance(body, dict):
        raise Refusal(400, "Request body must be a JSON object.")
    if "method" not in body:
        raise Refusal(400, "Field 'method' is required.")
    method, identifier = body["method"], body.get("identifier")
    # The legacy API predates image ids: it only knew BIB and selfie searches.
    methods = LEGACY_METHODS if event.legacy else METHODS
    if method not in methods:
        raise Refusal(422, f"method must be one of {', '.join(methods)}.")
    if method == "image_ids":
        if not isinstance(identifier, list) or not all(isinstance(i, str) for i in identifier):
            raise Refusal(400, "identifier must be a non-empty list of strings for image_ids.")
        if not identifier:
            raise Refusal(400, "identifier must not be empty.")
    elif not isinstance(identifier, str):
        raise Refusal(400, f"identifier must be a string for {method}.")
    elif not identifier:
        raise Refusal(400, "identifier must not be empty.")
    return method, identifier


def _download(
    request: HttpRequest,
    event: DemoEvent,
    method: str,
    identifier: Any,
    page: int,
    page_size: int,
) -> dict[str, Any]:
    event_id = event.event_id
    # Each requested image: the photo, or None where storage has no such file.
    found: list[tuple[str, DemoPhoto | None]]
    if method == "bib":
        found = [(p.image_id, p) for p in catalogue.photos_for_bib(event_id, identifier)]
        if not found:
            raise Refusal(404, f"No photos found for BIB {identifier}.")
    elif method == "selfie":
        found = [(p.image_id, p) for p in facefind.result(event_id, identifier) or ()]
    else:
        wanted = [identifier] if method == "image_id" else identifier
        found = [(image_id, catalogue.photo(event_id, image_id)) for image_id in wanted]
        if not any(p for _, p in found):
            raise Refusal(
                400,
                "The provided image_id is invalid. The requested image was not found."
                if method == "image_id"
                else "All provided image_ids are invalid. None of the requested images were found.",
            )

    total = len(found)
    on_page = _page(found, page, page_size)
    presigned = [
        {"url": presigned_url(request, event_id, image_id), "filename": f"{image_id}.jpg"}
        for image_id, p in on_page
        if p
    ]
    failed = [
        {
            "image_id": image_id,
            "error": "File not found in raw-memories bucket",
            "path": f"imgs/{event_id}/large/{image_id}.jpg",
        }
        for image_id, p in on_page
        if not p
    ]
    data = {
        "presigned_urls": presigned,
        "failed_urls": failed,
        "total_images": total,
        "successful_count": len(presigned),
        "failed_count": len(failed),
        "identifier": None if method == "image_ids" else identifier,
        "pagination": _pagination(total, page, page_size) if total else None,
    }
    if total == 0:
        message = f"No images found for {method} identifier {identifier}"
    else:
        message = f"Generated {len(presigned)} presigned URLs for download."
    if event.legacy:
        return {**data, "message": None if total else message}
    return _success(message, data)
