"""Trouble on demand, so the portal can be tested against every way 9Pic can fail.

NINEPIC_STANDIN_FAULTS lists faults with the share of API calls they hit, e.g.
"throttle:0.05,error-503:0.02" for a load test, or "hang" (every call) in a test.
"""

import json
import random
import time

from django.conf import settings
from django.http import HttpResponse, JsonResponse


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


FAULTS = {
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


def parse(spec: str) -> list[tuple[str, float]]:
    faults = []
    for item in filter(None, (part.strip() for part in spec.split(","))):
        name, _, rate = item.partition(":")
        if name not in FAULTS:
            raise ValueError(f"unknown stand-in fault {name!r}; known: {', '.join(FAULTS)}")
        faults.append((name, float(rate) if rate else 1.0))
    return faults


def pick() -> HttpResponse | None:
    """The response of a fault that strikes this call, if one does."""
    roll = random.random()  # noqa: S311 - a share of calls, not a secret
    for name, rate in parse(settings.NINEPIC_STANDIN_FAULTS):
        if roll < rate:
            return FAULTS[name]()
        roll -= rate
    return None
