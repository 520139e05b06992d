"""Protection for the runner forms that write (a selfie upload, an email subscription), also
inside a race site's iframe where the browser blocks third-party cookies.

Django's CSRF protection rests on a cookie, which such an iframe never gets, so these forms
are protected without one:

- the post must come from a page of this portal: the browser's Origin header (or, where a
  browser sends none, the Referer's origin) is this portal's own origin or one of
  CSRF_TRUSTED_ORIGINS. A page elsewhere cannot make a visitor's browser send that, and the
  race site's own page is elsewhere too: only the portal's page inside its iframe can post;
- the form carries a token the portal signed for this event and this form, valid for
  RUNNER_FORM_TOKEN_SECONDS: a form kept open too long, or copied to another event, is
  refused with a plain "reload the page".

These forms act for nobody (no session, no account), so what is left to stop is abuse, which
the per-client and per-event limits of each form do.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from photos.web.problems import Problem

if TYPE_CHECKING:
    from photos.models import Event

FIELD = "form_token"
_SALT = "photos.web.runner_forms"


def token_for(event: Event, purpose: str) -> str:
    """The token a page puts in a form of `purpose` ("selfie", "subscribe", …) for `event`."""
    return signing.dumps([event.pk, purpose], salt=_SALT, compress=False)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else ""


def _from_this_portal(request: HttpRequest) -> bool:
    sent = request.headers.get("Origin") or _origin(request.headers.get("Referer", ""))
    own = _origin(request.build_absolute_uri("/"))
    return sent.lower() in {own, *(o.lower() for o in settings.CSRF_TRUSTED_ORIGINS)}


def check(request: HttpRequest, event: Event, purpose: str) -> None:
    """Refuse (Problem 403) a post that does not come from the portal's own form for this
    event and purpose, or whose form is older than RUNNER_FORM_TOKEN_SECONDS."""
    if not _from_this_portal(request):
        raise Problem(
            403,
            _("This form can only be sent from the photo pages"),
            _("Open the event's photo search and try again there."),
        )
    try:
        issued = signing.loads(
            request.POST.get(FIELD, ""), salt=_SALT, max_age=settings.RUNNER_FORM_TOKEN_SECONDS
        )
    except signing.BadSignature:  # SignatureExpired included
        issued = None
    if issued != [event.pk, purpose]:
        raise Problem(
            403,
            _("This form was open too long"),
            _("Reload the page and send it again."),
        )


View = Callable[..., HttpResponse]


def runner_form(purpose: str) -> Callable[[View], View]:
    """For the POST view of a runner form, under `problems.event_page`: checks the post with
    `check` (GET and HEAD pass through) instead of Django's cookie-based CSRF check."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, event: Event, **kwargs: object) -> HttpResponse:
            if request.method == "POST":
                check(request, event, purpose)
            return view(request, event, **kwargs)

        return csrf_exempt(wrapper)

    return decorate
