"""9Pic's storage (the R2 bucket its presigned links point at) and its CDN (previews and covers,
photos.9pic.ai in production), as the stand-in serves them.

Storage answers only links it signed, for NINEPIC_STANDIN_LINK_LIFETIME seconds, with S3's
XML errors; NINEPIC_STANDIN_STORAGE_FAULTS makes it misbehave (standins/faults.py). The CDN
is public and its files never change (cached for a year), unless
NINEPIC_STANDIN_PREVIEW_LINK_LIFETIME is set: then preview links carry an expiry and a
signature (`Expires`, `Signature`, `Key-Pair-Id`, as CloudFront's signed URLs do) and
previews without a valid, unexpired one are refused with 403.
"""

import hashlib
import hmac
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from standins import faults

from . import catalogue, stats
from .images import PREVIEW_LONG_SIDES, cover_path, original_path, preview_path

AMZ_DATE = "%Y%m%dT%H%M%SZ"
CDN_CACHE_CONTROL = "public, max-age=31536000, immutable"


def _signature(*parts: str) -> str:
    key = hashlib.sha256(f"ninepic-standin:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, "\n".join(parts).encode(), hashlib.sha256).hexdigest()


def _same(given: str, expected: str) -> bool:
    # Bytes, because compare_digest refuses non-ASCII str and a query may hold anything.
    return hmac.compare_digest(given.encode(), expected.encode())


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


def preview_url(request: HttpRequest, event_id: int, image_id: str, variant: str) -> str:
    """The CDN address of a preview ("small" or "large"), signed if previews expire."""
    path = reverse("ninepic_standin:preview", args=[event_id, variant, image_id])
    lifetime = settings.NINEPIC_STANDIN_PREVIEW_LINK_LIFETIME
    if lifetime:
        expires = str(int(time.time()) + lifetime)
        path += f"?Expires={expires}&Signature={_signature(path, expires)}&Key-Pair-Id=standin"
    return request.build_absolute_uri(path)


def cover_url(request: HttpRequest, event_id: int) -> str:
    return request.build_absolute_uri(reverse("ninepic_standin:cover", args=[event_id]))


def _s3_error(status: int, code: str, message: str) -> HttpResponse:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    )
    return HttpResponse(body, status=status, content_type="application/xml")


def _no_such_key() -> HttpResponse:
    return _s3_error(404, "NoSuchKey", "The specified key does not exist.")


@require_GET
def storage_object(request: HttpRequest, event_id: int, image_id: str) -> HttpResponse:
    stats.count("storage_gets")
    return stats.counting_bytes(_storage_answer(request, event_id, image_id), "storage_bytes")


def _storage_answer(request: HttpRequest, event_id: int, image_id: str) -> HttpResponse:
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
        return _no_such_key()
    fault = faults.storage_fault(request, settings.NINEPIC_STANDIN_STORAGE_FAULTS)
    return faults.storage_answer(fault, request, original_path(event_id, photo))


@require_GET
def preview(request: HttpRequest, event_id: int, variant: str, image_id: str) -> HttpResponse:
    stats.count("cdn_gets")
    return stats.counting_bytes(_preview_answer(request, event_id, variant, image_id), "cdn_bytes")


def _preview_answer(
    request: HttpRequest, event_id: int, variant: str, image_id: str
) -> HttpResponse:
    if settings.NINEPIC_STANDIN_PREVIEW_LINK_LIFETIME:
        expires = request.GET.get("Expires", "")
        given = request.GET.get("Signature", "")
        if not _same(given, _signature(request.path, expires)):
            return _s3_error(403, "AccessDenied", "Missing or invalid signature.")
        if int(expires) <= time.time():
            return _s3_error(403, "AccessDenied", "Request has expired")
    photo = catalogue.photo(event_id, image_id)
    if photo is None or variant not in PREVIEW_LONG_SIDES:
        return _no_such_key()
    return _cdn_file(preview_path(event_id, photo, variant))


@require_GET
def cover(request: HttpRequest, event_id: int) -> HttpResponse:
    stats.count("cdn_gets")
    event = catalogue.event(event_id)
    if event is None or not event.has_cover:
        return stats.counting_bytes(_no_such_key(), "cdn_bytes")
    return stats.counting_bytes(_cdn_file(cover_path(event)), "cdn_bytes")


def _cdn_file(path: Path) -> HttpResponse:
    response = faults.object_response(path)
    response["Cache-Control"] = CDN_CACHE_CONTROL
    return response
