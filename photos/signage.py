"""QR codes for an event's signage: the finish line's banner, the race-day email. They lead
to the portal's search page (in the runner's language), or to the race website's page that
embeds it where the organiser gave one."""

from __future__ import annotations

import io
from dataclasses import dataclass

import segno
from django.http import HttpRequest
from django.urls import reverse

from photos.models import Event
from photos.web.languages import without_language

# Medium error correction: a banner survives some dirt or a fold, the code stays small.
ERROR_CORRECTION = "m"
# PNG modules of 20 pixels: about 700 pixels wide for a search page's address, enough
# for A3 print; SVG scales to any size.
PNG_SCALE = 20
BORDER = 4  # the quiet zone the standard asks for, in modules


@dataclass(frozen=True)
class QrCode:
    content: bytes
    content_type: str
    filename: str


KINDS = {"svg": "image/svg+xml", "png": "image/png"}


def targets(request: HttpRequest, event: Event) -> dict[str, str]:
    """What the event's QR codes may lead to: its search page, and the race website's photo
    page if the organiser set one."""
    found = {
        "search": request.build_absolute_uri(
            without_language(reverse("photos:event", args=[event.slug]))
        )
    }
    if event.race_photos_page:
        found["race-site"] = event.race_photos_page
    return found


def qr_code(url: str, *, kind: str, name: str) -> QrCode:
    """`url` as a QR code, `kind` "svg" or "png" (KeyError otherwise)."""
    content_type = KINDS[kind]
    code = segno.make(url, error=ERROR_CORRECTION)
    out = io.BytesIO()
    if kind == "svg":
        code.save(out, kind="svg", scale=1, border=BORDER, xmldecl=True)
    else:
        code.save(out, kind="png", scale=PNG_SCALE, border=BORDER)
    return QrCode(out.getvalue(), content_type, f"{name}.{kind}")
