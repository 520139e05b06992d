"""Trouble on demand, so the portal can be tested against every way 9Pic can fail.

NINEPIC_STANDIN_FAULTS lists faults with the share of API calls they strike, e.g.
"throttle:0.05,error-503:0.02" for a load test, or "hang" (every call) in a test.

Instead of the answer (before the key is even looked at, as a gateway would):
`hang` (NINEPIC_STANDIN_HANG_SECONDS, then 504), `throttle` (429 with Retry-After: 2),
`throttle-bare` (429 without), `error-500`, `error-502` (an HTML page), `error-503` (text),
`reset` (the connection cut mid-answer), `not-json`, `html`, `missing-fields`, `wrong-types`,
`oversized` (3 MB of JSON).

In a successful answer, on every endpoint where the field is:
- `endless-pages`: `pagination` says `total` 1 and `hasNextPage` true, page after page.
- `out-of-range`: huge and negative numbers in `pagination`, in images' `width`/`height`
  and in Download Originals' counts.
- `odd-filenames`: Download Originals' filenames climb out of folders, split headers, hide
  folders or programs, or are empty (standins.faults.ODD_FILENAMES).
- `bad-image-ids`: listed images' `image_id` empty or not a UUID.
- `backslash-links`: presigned URLs like `http://127.0.0.1:8000\\@localhost/…`, which
  parsers split into different hosts.
- `foreign-preview-links`: `thumbnail_url`, `img_url` and `cover_image` on a host that is
  not 9Pic's CDN (FOREIGN_HOST).
- `slow-drip`: the JSON answer a byte every STANDIN_DRIP_MS (see standins/faults.py).

Storage faults are another setting, NINEPIC_STANDIN_STORAGE_FAULTS (standins/faults.py).
"""

import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.http import HttpResponse, JsonResponse

from standins import faults as shared


def _truncated() -> HttpResponse:
    # Promise more than is sent: the client sees the connection cut mid-answer.
    response = HttpResponse(b'{"responseType": "succ', content_type="application/json")
    response["Content-Length"] = "4096"
    return response


def _hang() -> HttpResponse:
    time.sleep(settings.NINEPIC_STANDIN_HANG_SECONDS)
    return JsonResponse({"responseType": "error", "message": "too late", "data": None}, status=504)


def _throttle(retry_after: bool) -> HttpResponse:
    response = JsonResponse(
        {"responseType": "error", "message": "Rate limit exceeded", "data": None}, status=429
    )
    if retry_after:
        response["Retry-After"] = "2"
    return response


REPLACEMENTS: dict[str, Callable[[], HttpResponse]] = {
    "hang": _hang,
    "throttle": lambda: _throttle(retry_after=True),
    "throttle-bare": lambda: _throttle(retry_after=False),
    "error-500": lambda: JsonResponse(
        {"responseType": "error", "message": "Internal error", "data": None}, status=500
    ),
    "error-502": lambda: HttpResponse("<html><h1>502 Bad Gateway</h1></html>", status=502),
    "error-503": lambda: HttpResponse("Service Unavailable", status=503),
    "reset": _truncated,
    "not-json": lambda: HttpResponse("OK", content_type="text/plain"),
    "html": lambda: HttpResponse("<!doctype html><title>Login</title>", content_type="text/html"),
    "missing-fields": lambda: JsonResponse(
        {"responseType": "success", "data": {"presigned_urls": [{"filename": "a.jpg"}]}}
    ),
    "wrong-types": lambda: JsonResponse(
        {"responseType": "success", "data": {"presigned_urls": "3", "pagination": {"total": "47"}}}
    ),
    "oversized": lambda: HttpResponse(
        json.dumps({"responseType": "success", "message": "x" * 3_000_000, "data": None}),
        content_type="application/json",
    ),
}

FOREIGN_HOST = "previews.foreign.example"
BAD_IMAGE_IDS = ("", "not-a-uuid", "../../../etc/passwd", "<img src=x onerror=alert(1)>", "0")


def _endless_pages(data: dict[str, Any]) -> None:
    if pagination := data.get("pagination"):
        pagination.update(total=1, hasNextPage=True, totalPages=pagination["currentPage"] + 1)


def _out_of_range(data: dict[str, Any]) -> None:
    if pagination := data.get("pagination"):
        pagination.update(total=2**63, currentPage=-1, totalPages=10**18, page_size=-30)
    for image in data.get("images", ()):
        image.update(width=10**12, height=-1)
    if "total_images" in data:
        data.update(total_images=2**64, successful_count=-1, failed_count=10**9)


def _odd_filenames(data: dict[str, Any]) -> None:
    for n, item in enumerate(data.get("presigned_urls", ())):
        image_id = item["filename"].removesuffix(".jpg")
        odd = shared.ODD_FILENAMES[n % len(shared.ODD_FILENAMES)]
        item["filename"] = odd.format(image_id=image_id)


def _bad_image_ids(data: dict[str, Any]) -> None:
    for n, image in enumerate(data.get("images", ())):
        image["image_id"] = BAD_IMAGE_IDS[n % len(BAD_IMAGE_IDS)]


def _backslash_links(data: dict[str, Any]) -> None:
    for item in data.get("presigned_urls", ()):
        url = urlsplit(item["url"])
        item["url"] = f"{url.scheme}://{url.netloc}\\@localhost{url.path}?{url.query}"


def _foreign_preview_links(data: dict[str, Any]) -> None:
    def foreign(url: str | None) -> str | None:
        return url and urlunsplit(urlsplit(url)._replace(netloc=FOREIGN_HOST))

    for image in data.get("images", ()):
        image.update(
            thumbnail_url=foreign(image["thumbnail_url"]), img_url=foreign(image["img_url"])
        )
    for event in data.get("events", ()):
        event["cover_image"] = foreign(event["cover_image"])


SPOILERS: dict[str, Callable[[dict[str, Any]], None]] = {
    "endless-pages": _endless_pages,
    "out-of-range": _out_of_range,
    "odd-filenames": _odd_filenames,
    "bad-image-ids": _bad_image_ids,
    "backslash-links": _backslash_links,
    "foreign-preview-links": _foreign_preview_links,
}
FAULTS = (*REPLACEMENTS, *SPOILERS, "slow-drip")


def parse(spec: str) -> list[tuple[str, float]]:
    return shared.parse(spec, FAULTS)


def pick() -> str | None:
    """The fault that strikes this API call, if one does."""
    return shared.pick(settings.NINEPIC_STANDIN_FAULTS, FAULTS)


def replacement(fault: str | None) -> HttpResponse | None:
    """What the API sends instead of answering, if `fault` is of that kind."""
    return REPLACEMENTS[fault]() if fault in REPLACEMENTS else None


def answer(fault: str | None, body: dict[str, Any]) -> HttpResponse:
    """The successful answer `body`, spoilt or dripped as `fault` says."""
    if fault in SPOILERS:
        # Current answers carry their fields in `data`; older ones at the top level.
        SPOILERS[fault](body["data"] if "responseType" in body else body)
    if fault == "slow-drip":
        return shared.dripped(json.dumps(body).encode(), "application/json")
    return JsonResponse(body)
