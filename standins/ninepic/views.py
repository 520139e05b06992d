"""9Pic's Download Originals API as documented, and the storage its presigned links point at."""

import hashlib
import hmac
import json
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from . import catalogue, faults
from .images import original_path

DEFAULT_PAGE_SIZE = 30
MAX_PAGE_SIZE = 60
METHODS = ("bib", "selfie", "image_id", "image_ids")
LEGACY_METHODS = ("bib", "selfie")
AMZ_DATE = "%Y%m%dT%H%M%SZ"


# Calls served by this process, for load tests to compare with the pages the portal served.
_calls = Counter()
_calls_lock = threading.Lock()


def _count(kind: str) -> None:
    with _calls_lock:
        _calls[kind] += 1


@require_GET
def stats(request: HttpRequest) -> JsonResponse:
    with _calls_lock:
        return JsonResponse(dict(_calls))


class Refusal(Exception):
    def __init__(self, status: int, message: str):
        self.status = status
        self.message = message


def envelope_error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"responseType": "error", "message": message, "data": None}, status=status)


@csrf_exempt
@require_POST
def original_photos(request: HttpRequest, org_id: int, event_id: int) -> HttpResponse:
    _count("api_calls")
    # The real API is a network hop and a database away: benchmarks set how far.
    time.sleep(settings.NINEPIC_STANDIN_LATENCY_MS / 1000)
    if fault := faults.pick():
        return fault
    try:
        _check_access(request, org_id, event_id)
        method, identifier = _read_body(request, event_id)
        page, page_size = _read_paging(request)
        return _answer(request, event_id, method, identifier, page, page_size)
    except Refusal as refusal:
        return envelope_error(refusal.status, refusal.message)


def _check_access(request: HttpRequest, org_id: int, event_id: int) -> None:
    key = request.headers.get("X-API-Key")
    if not key:
        raise Refusal(401, "API key is missing. Send it in the X-API-Key header.")
    if not _same(key, settings.NINEPIC_STANDIN_API_KEY):
        raise Refusal(403, "API key is invalid or inactive.")
    owner = catalogue.event_owner(event_id)
    if owner is None:
        raise Refusal(404, "Event not found.")
    if owner != org_id:
        raise Refusal(
            403, "Token/event ownership mismatch: the organisation does not own this event."
        )


def _same(given: str, expected: str) -> bool:
    # Bytes, because compare_digest refuses non-ASCII str and a header may hold anything.
    return hmac.compare_digest(given.encode(), expected.encode())


def _read_body(request: HttpRequest, event_id: int) -> tuple[str, Any]:
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
    methods = LEGACY_METHODS if event_id == catalogue.LEGACY_EVENT_ID else METHODS
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


def _read_paging(request: HttpRequest) -> tuple[int, int]:
    try:
        page = int(request.GET.get("page", 1))
        page_size = int(request.GET.get("page_size", DEFAULT_PAGE_SIZE))
    except ValueError:
        raise Refusal(422, "page and page_size must be integers.") from None
    if page < 1 or page_size < 1:
        raise Refusal(422, "page and page_size must be at least 1.")
    return page, min(page_size, MAX_PAGE_SIZE)


def _answer(
    request: HttpRequest, event_id: int, method: str, identifier: Any, page: int, page_size: int
) -> JsonResponse:
    # Each requested image: the photo, or None where storage has no such file.
    found: list[tuple[str, catalogue.DemoPhoto | None]]
    if method == "bib":
        found = [(p.image_id, p) for p in catalogue.photos_for_bib(event_id, identifier)]
        if not found:
            raise Refusal(404, f"No photos found for BIB {identifier}.")
    elif method == "selfie":
        found = [(p.image_id, p) for p in catalogue.photos_for_selfie(event_id, identifier)]
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
    on_page = found[(page - 1) * page_size : page * page_size]
    total_pages = -(-total // page_size)
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
        "pagination": None
        if total == 0
        else {
            "total": total,
            "currentPage": page,
            "totalPages": total_pages,
            "hasNextPage": page < total_pages,
            "hasPreviousPage": page > 1,
            "page_size": page_size,
        },
    }
    if total == 0:
        message = f"No images found for {method} identifier {identifier}"
    else:
        message = f"Generated {len(presigned)} presigned URLs for download."
    if event_id == catalogue.LEGACY_EVENT_ID:
        return JsonResponse({**data, "message": None if total else message})
    return JsonResponse({"responseType": "success", "message": message, "data": data})


# --- Storage ------------------------------------------------------------------------


def _signature(path: str, date: str, expires: str) -> str:
    key = hashlib.sha256(f"ninepic-standin:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, f"{path}\n{date}\n{expires}".encode(), hashlib.sha256).hexdigest()


def presigned_url(request: HttpRequest, event_id: int, image_id: str) -> str:
    path = reverse("ninepic_standin:object", args=[event_id, image_id])
    date = datetime.now(UTC).strftime(AMZ_DATE)
    expires = str(settings.NINEPIC_STANDIN_LINK_LIFETIME)
    query = (
        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=standin"
        f"&X-Amz-Date={date}&X-Amz-Expires={expires}"
        f"&X-Amz-Signature={_signature(path, date, expires)}"
    )
    return request.build_absolute_uri(f"{path}?{query}")


def _s3_error(status: int, code: str, message: str) -> HttpResponse:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    )
    return HttpResponse(body, status=status, content_type="application/xml")


@require_GET
def storage_object(request: HttpRequest, event_id: int, image_id: str) -> HttpResponse:
    _count("storage_gets")
    date = request.GET.get("X-Amz-Date", "")
    expires = request.GET.get("X-Amz-Expires", "")
    given = request.GET.get("X-Amz-Signature", "")
    if not _same(given, _signature(request.path, date, expires)):
        return _s3_error(
            403,
            "AccessDenied",
            "The request signature we calculated does not match the signature you provided.",
        )
    signed_at = datetime.strptime(date, AMZ_DATE).replace(tzinfo=UTC)
    if datetime.now(UTC) > signed_at + timedelta(seconds=int(expires)):
        return _s3_error(403, "AccessDenied", "Request has expired")
    photo = catalogue.photo(event_id, image_id)
    if photo is None:
        return _s3_error(404, "NoSuchKey", "The specified key does not exist.")
    path = original_path(settings.NINEPIC_STANDIN_MEDIA_DIR, event_id, photo)
    response = FileResponse(path.open("rb"), content_type="image/jpeg")
    # FileResponse names the file inline; a presigned R2 object carries no such header.
    del response["Content-Disposition"]
    return response
