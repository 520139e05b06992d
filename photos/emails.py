"""What the portal emails runners, and the signed links in those emails.

Every email is HTML and plain text in the runner's language, carries the event's name and
accent colour, and has a one-click unsubscribe: a link in the text and the List-Unsubscribe
and List-Unsubscribe-Post headers (RFC 8058) that mail apps turn into a button. Links carry
a signed subscription number, never the address, and start with PORTAL_URL: emails sent by
the scheduled command have no request to take the portal's address from.
"""

from __future__ import annotations

import smtplib
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from photos.domain import SearchMethod

if TYPE_CHECKING:
    from photos.models import PhotoSubscription

CONFIRM = "confirm"
UNSUBSCRIBE = "unsubscribe"
_SALT = "photos.emails"


class EmailNotSent(Exception):  # noqa: N818 - what happened, for the caller to report
    """The mail server did not take an email. The message names no address: safe to log."""


class InvalidLink(Exception):  # noqa: N818 - the runner's link, not a fault
    """A link from an email that this portal did not sign for that purpose, or that expired."""


def link_token(subscription: PhotoSubscription, purpose: str) -> str:
    return signing.dumps([subscription.pk, purpose], salt=_SALT, compress=False)


def read_link(token: str, purpose: str) -> int:
    """The subscription number a link of `purpose` names. A link to confirm lives
    SUBSCRIPTION_CONFIRM_HOURS; one to unsubscribe as long as its subscription."""
    max_age = settings.SUBSCRIPTION_CONFIRM_HOURS * 3600 if purpose == CONFIRM else None
    try:
        number, signed_for = signing.loads(token, salt=_SALT, max_age=max_age)
    except (signing.BadSignature, ValueError, TypeError):  # expired, forged, not a pair
        raise InvalidLink(purpose) from None
    if signed_for != purpose or not isinstance(number, int):
        raise InvalidLink(purpose)
    return number


def describe_search(method: str, identifier: str) -> str:
    """The search in a few words for a sentence: "BIB 1234", "your selfie search"."""
    if method == SearchMethod.BIB:
        return _("BIB %(bib)s") % {"bib": identifier}
    return _("your selfie search")


def confirm_url(subscription: PhotoSubscription) -> str:
    token = link_token(subscription, CONFIRM)
    return _absolute(subscription, "photos:subscription-confirm", subscription.event.slug, token)


def unsubscribe_url(subscription: PhotoSubscription) -> str:
    return _absolute(subscription, "photos:unsubscribe", link_token(subscription, UNSUBSCRIBE))


def gallery_url(subscription: PhotoSubscription) -> str:
    search = (subscription.event.slug, subscription.method, subscription.identifier)
    return _absolute(subscription, "photos:gallery", *search)


def send_confirmation(subscription: PhotoSubscription) -> None:
    """The one email an unconfirmed address gets: the link to confirm. EmailNotSent if the
    mail server does not take it within EMAIL_TIMEOUT."""
    _send(subscription, "confirm", {"confirm_url": confirm_url(subscription)})


def send_photos_ready(
    subscription: PhotoSubscription, total: int, *, connection: BaseEmailBackend | None = None
) -> None:
    """The email the runner asked for: how many photos there are now, and the gallery's
    link. EmailNotSent if the mail server does not take it. A `connection` given is opened
    if need be and left open for more emails: its owner closes it."""
    context = {"total": total, "gallery_url": gallery_url(subscription)}
    _send(subscription, "photos_ready", context, connection=connection)


def _absolute(subscription: PhotoSubscription, name: str, *args: str) -> str:
    """The page's address in the runner's language."""
    with translation.override(subscription.language):
        return settings.PORTAL_URL + reverse(name, args=args)


def _send(
    subscription: PhotoSubscription,
    template: str,
    extra: dict[str, object],
    *,
    connection: BaseEmailBackend | None = None,
) -> None:
    unsubscribe = unsubscribe_url(subscription)
    with translation.override(subscription.language):
        context = {
            "event": subscription.event,
            "search": describe_search(subscription.method, subscription.identifier),
            "unsubscribe_url": unsubscribe,
            "days": settings.SUBSCRIPTION_DAYS,
            "hours": settings.SUBSCRIPTION_CONFIRM_HOURS,
            **extra,
        }
        subject = render_to_string(f"photos/emails/{template}_subject.txt", context)
        text = render_to_string(f"photos/emails/{template}.txt", context)
        html = render_to_string(f"photos/emails/{template}.html", context)
    message = EmailMultiAlternatives(
        " ".join(subject.split()),
        text,
        to=[subscription.email],
        connection=connection,
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    try:
        if connection is not None:
            connection.open()  # and left open for the caller's next emails
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        # Not str(error): a refused recipient's error names the address.
        raise EmailNotSent(f"the mail server did not take it ({type(error).__name__})") from None
