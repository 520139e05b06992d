"""Everything that goes wrong on a runner page, in runner words, with the right status.

Views raise; `event_page` (the decorator every event page wears) renders the problem page
once, branded for the event and framed like the page it replaces. The table below is the
one place where a failure becomes words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from photos import figures, selectors
from photos.domain import (
    PhotoNotFound,
    ProviderError,
    ProviderMisconfigured,
    ProviderRejectedRequest,
    ProviderThrottled,
    ProviderTimeout,
    SearchNotOffered,
    SelfieNotUsable,
)
from photos.forms import SearchForm, TimeSearchForm
from photos.models import Event
from photos.providers import provider_for
from photos.ratelimits import RateLimited
from photos.selfies import SelfieRefused
from photos.web.rendering import render_event_page, render_search_page

# How long to ask runners to wait when a provider throttles without saying for how long.
THROTTLED_RETRY_AFTER = 30


@dataclass
class Problem(Exception):
    """A runner page that cannot be shown, and what to tell the runner instead."""

    status: int
    title: str
    message: str
    retry_after: int | None = None
    form: SearchForm | None = None  # the search form again, filled in, where it helps
    selfie_tips: bool = False  # how to take a selfie that finds you, where it helps


def problem_for(error: Exception) -> Problem:
    """The runner's words and status for a failure of the event's provider or a limit."""
    if isinstance(error, Problem):
        return error
    if isinstance(error, RateLimited):
        return Problem(
            429,
            _("That was a lot of requests in a short time"),
            ngettext(
                "To keep photos quick for every runner, please wait %(seconds)s second and "
                "try again.",
                "To keep photos quick for every runner, please wait %(seconds)s seconds and "
                "try again.",
                error.wait,
            )
            % {"seconds": error.wait},
            retry_after=error.wait,
        )
    if isinstance(error, ProviderThrottled):
        wait = error.retry_after or THROTTLED_RETRY_AFTER
        return Problem(
            503,
            _("Lots of runners are looking for their photos right now"),
            ngettext(
                "Please try again in %(seconds)s second.",
                "Please try again in %(seconds)s seconds.",
                wait,
            )
            % {"seconds": wait},
            retry_after=wait,
        )
    if isinstance(error, ProviderTimeout):
        return Problem(
            504,
            _("The photo service took too long to answer"),
            _("Please try again in a moment."),
        )
    if isinstance(error, ProviderMisconfigured):
        return Problem(
            503,
            _("Photos for this event are not available right now"),
            _(
                "The event's photo service is not set up correctly. "
                "The organisers can fix this; please try again later."
            ),
        )
    if isinstance(error, SelfieRefused):
        return Problem(
            error.refusal.status, _("We could not use that picture"), error.refusal.message
        )
    if isinstance(error, SelfieNotUsable):
        return Problem(
            422,
            _("We could not find a face in that picture"),
            _("Try again with another selfie."),
            selfie_tips=True,
        )
    if isinstance(error, SearchNotOffered):
        return Problem(
            404,
            _("Selfie search is not available for this event"),
            _("Search with your BIB number instead."),
        )
    if isinstance(error, ProviderRejectedRequest):
        return Problem(
            400,
            _("The photo service could not look that up"),
            _("Check the number and try again."),
        )
    if isinstance(error, PhotoNotFound):
        return Problem(
            404,
            _("We could not find that photo"),
            _(
                "It may have been removed by the photographers. Search again to see "
                "the photos that are available."
            ),
        )
    return Problem(
        502,
        _("The photo service is having trouble"),
        _("Please try again in a minute."),
    )


class InvalidSearch(Exception):  # noqa: N818 - the runner's input, not a fault
    """The address names a search the runner must correct: the search page again, with the
    form showing what is wrong (status 400)."""

    def __init__(self, form: SearchForm | None = None, *, time_form: TimeSearchForm | None = None):
        super().__init__("invalid search")
        self.form = form
        self.time_form = time_form


def not_published() -> Problem:
    """The event is on the portal, but its photos are a draft (or switched off) at the
    provider: no error, just not yet."""
    return Problem(
        503,
        _("Photos are not published yet"),
        _("The photographers have not published this event's photos yet. Please come back later."),
    )


def bad_photo_link() -> Problem:
    return Problem(
        400,
        _("That photo link is not valid"),
        _("Go back to your gallery and open the photo again."),
    )


def render_problem(request: HttpRequest, event: Event, problem: Problem) -> HttpResponse:
    context = {
        "title": problem.title,
        "message": problem.message,
        "form": problem.form,
        "selfie_tips": problem.selfie_tips,
    }
    response = render_event_page(
        request, event, "photos/problem.html", context, status=problem.status
    )
    if problem.retry_after:
        response["Retry-After"] = str(problem.retry_after)
    return response


EventView = Callable[..., HttpResponseBase]


def event_page(view: EventView) -> Callable[..., HttpResponseBase]:
    """For views of one published event: passes the event (404 if unknown or unpublished)
    instead of its slug, and turns what they raise into the event's search page (input to
    correct) or problem page (everything above)."""

    @wraps(view)
    def wrapper(request: HttpRequest, slug: str, **kwargs: Any) -> HttpResponseBase:
        event = selectors.get_published_event(slug)
        try:
            return view(request, event, **kwargs)
        except InvalidSearch as invalid:
            return render_search_page(
                request, event, form=invalid.form, time_form=invalid.time_form, status=400
            )
        except (Problem, ProviderError, RateLimited) as error:
            figures.count_failure(event, error.__cause__ if isinstance(error, Problem) else error)
            problem = problem_for(error)
            # Refused because the provider holds the photos back: say "not yet", not "broken".
            if (
                isinstance(error, ProviderMisconfigured)
                and provider_for(event).unpublished_reason()
            ):
                problem = not_published()
            return render_problem(request, event, problem)

    return wrapper
