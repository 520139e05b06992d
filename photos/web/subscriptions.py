"""Email me when my photos are ready: the runner's form, and the pages its emails link to.

The form posts from the portal's own pages, inside a race site's iframe too, protected by
`runner_forms` instead of Django's CSRF cookie. The pages behind the emails' links act only
on a POST (their button, or a mail app's one-click unsubscribe), so mail scanners that open
every link confirm and unsubscribe nothing; the signed link in the address is what lets the
POST through, so they need no CSRF cookie either.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from photos import emails, figures, ratelimits, subscriptions
from photos.domain import SearchMethod
from photos.forms import SubscribeForm
from photos.models import Event
from photos.web import runner_forms
from photos.web.addresses import GallerySearch, gallery_url, page_namespace, read_search
from photos.web.problems import Problem, event_page
from photos.web.rendering import render_event_page

PURPOSE = "subscribe"


@dataclass(frozen=True)
class SubscribeOffer:
    """The form a gallery shows: where it posts, its runner_forms token, its field."""

    url: str
    token: str
    form: SubscribeForm
    token_field: str = runner_forms.FIELD

    @property
    def days(self) -> int:
        """How long the request is kept at most (the form says so)."""
        return settings.SUBSCRIPTION_DAYS


def offer(
    request: HttpRequest, search: GallerySearch, form: SubscribeForm | None = None
) -> SubscribeOffer | None:
    """The "email me" form for this search; None where the portal sends no email, or the
    search shows everyone's photos (by time, all)."""
    if not settings.SENDS_EMAIL or not search.method.finds_a_runner:
        return None
    token = runner_forms.token_for(search.event, PURPOSE)
    return SubscribeOffer(subscribe_url(request, search), token, form or SubscribeForm())


def subscribe_url(request: HttpRequest, search: GallerySearch) -> str:
    return reverse(
        "photos:subscribe",
        args=[search.event.slug, search.method, search.identifier],
        current_app=page_namespace(request),
    )


@require_http_methods(["GET", "HEAD", "POST"])
@event_page
@runner_forms.runner_form(PURPOSE)
def subscribe(
    request: HttpRequest, event: Event, method: SearchMethod, identifier: str
) -> HttpResponse:
    """GET: the form on a page of its own. POST: the request recorded and the link to confirm
    it emailed, within the per-client, per-address and per-event limits."""
    if not settings.SENDS_EMAIL:
        raise Http404("This portal sends no email.")
    if not method.finds_a_runner:
        raise Http404("Emails are about a runner's own photos.")
    search = read_search(request, event, method, identifier)
    if request.method != "POST":
        if search.identifier != identifier:
            return redirect(subscribe_url(request, search))
        return _form_page(request, search, SubscribeForm())
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        return _form_page(request, search, form, status=400)
    ratelimits.check(request, "subscribe")
    _record_request(request, search, form.cleaned_data["email"])
    figures.count(event, "email_requests")
    return _step_page(
        request,
        event,
        title=_("Check your inbox"),
        message=_(
            "We have emailed a link to confirm to that address, unless it is already waiting "
            "for these photos. Until you open it, we send nothing else."
        ),
        link=(_("Back to the photos"), gallery_url(request, event, method, search.identifier)),
    )


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
@event_page
def confirm(request: HttpRequest, event: Event, token: str) -> HttpResponse:
    """GET: what is being confirmed, and a button. POST: confirmed."""
    try:
        subscription = subscriptions.requested(token=token, event=event)
    except emails.InvalidLink:
        raise Problem(
            404,
            _("This link is no longer valid"),
            _(
                "Links to confirm last %(hours)s hours. Ask again from your gallery, and open "
                "the new link we email you."
            )
            % {"hours": settings.SUBSCRIPTION_CONFIRM_HOURS},
        ) from None
    search = emails.describe_search(subscription.method, subscription.identifier)
    photos = gallery_url(request, event, SearchMethod(subscription.method), subscription.identifier)
    if request.method != "POST":
        return _step_page(
            request,
            event,
            title=_("Email me when my photos are ready"),
            message=_("Confirm that we may email you once when there are photos for %(search)s.")
            % {"search": search},
            action=_("Confirm"),
        )
    subscriptions.confirm(subscription)
    return _step_page(
        request,
        event,
        title=_("Confirmed"),
        message=_(
            "We will email you once when there are photos for %(search)s, or more of them, and "
            "then delete your address."
        )
        % {"search": search},
        link=(_("See the photos so far"), photos),
    )


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a button. POST (the button, or a mail app's one-click unsubscribe): the request
    deleted. Not an event's page, so that it works whatever became of the event."""
    try:
        if request.method == "POST":
            subscriptions.unsubscribe(token=token)
        else:
            emails.read_link(token, emails.UNSUBSCRIBE)
    except emails.InvalidLink:
        return _unsubscribe_page(
            request, {"invalid": True, "days": settings.SUBSCRIPTION_DAYS}, status=400
        )
    return _unsubscribe_page(request, {"done": request.method == "POST"})


def _record_request(request: HttpRequest, search: GallerySearch, email: str) -> None:
    """Record the request and email the link to confirm it, within the limits per address
    and per event. An address already waiting for these photos gets nothing more, and the
    page says the same either way: it tells nobody who asked for what."""
    event, method, identifier = search.event, search.method, search.identifier
    if subscriptions.is_waiting(event=event, method=method, identifier=identifier, email=email):
        return
    ratelimits.check(request, "subscribe-address", per=email.lower())
    ratelimits.check(request, "subscribe-event", per=str(event.pk))
    # The photos the runner has seen (the page they came from, cached): more than these is
    # what they will be emailed about.
    seen = search.provider.gallery_page(method=method, identifier=identifier, page=1).total
    try:
        subscriptions.subscribe(
            event=event,
            method=method,
            identifier=identifier,
            email=email,
            language=translation.get_language(),
            photos_seen=seen,
        )
    except emails.EmailNotSent:
        raise Problem(
            503,
            _("We could not send the email just now"),
            _("Please try again in a few minutes."),
        ) from None


def _form_page(
    request: HttpRequest, search: GallerySearch, form: SubscribeForm, status: int = 200
) -> HttpResponse:
    context = {
        "method": search.method,
        "identifier": search.identifier,
        "search": emails.describe_search(search.method, search.identifier),
        "subscribe": offer(request, search, form),
        "gallery_url": gallery_url(request, search.event, search.method, search.identifier),
    }
    return _private(
        render_event_page(request, search.event, "photos/subscribe.html", context, status)
    )


def _step_page(request: HttpRequest, event: Event, **context: Any) -> HttpResponse:
    return _private(render_event_page(request, event, "photos/subscription_step.html", context))


def _unsubscribe_page(
    request: HttpRequest, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    return _private(render(request, "photos/unsubscribe.html", context, status=status))


def _private(response: HttpResponse) -> HttpResponse:
    # These pages hold a runner's own request: never kept by a browser or a proxy.
    add_never_cache_headers(response)
    return response
