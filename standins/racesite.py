"""A race's own website for the demo: the embed snippet on a page of another origin.

`make run` serves the portal on 127.0.0.1 (or localhost); this page answers on the other
of the two, a different origin for browsers, which the demo City Marathon lists among the
sites that may embed it (seed_demo). The demo Trail Run lists none, so its frame shows
what a site missing from an event's list gets: embed.js's link instead of a broken frame.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_safe

LOOPBACK_TWINS = {"127.0.0.1": "localhost", "localhost": "127.0.0.1"}


def site_origin(portal_url: str) -> str | None:
    """The race site's origin: the portal's with its loopback name swapped for the other;
    None where the portal is not on 127.0.0.1 or localhost."""
    parts = urlsplit(portal_url)
    twin = LOOPBACK_TWINS.get(parts.hostname or "")
    if twin is None:
        return None
    return f"{parts.scheme}://{twin}" + (f":{parts.port}" if parts.port else "")


@require_safe
def race_page(request: HttpRequest) -> HttpResponse:
    portal = settings.PORTAL_URL
    origin = site_origin(portal)
    here = f"{request.scheme}://{request.get_host()}"
    if origin and here != origin:
        return redirect(origin + request.get_full_path())
    response = render(request, "standins/race_site.html", {"portal": portal})
    # A race's site, not the portal: it runs the portal's script and frames the portal.
    response._csp_replace = {  # type: ignore[attr-defined]
        "script-src": [portal],
        "frame-src": [portal],
        "frame-ancestors": ["'self'"],
    }
    return response


urlpatterns = [path("", race_page, name="race-site")]
