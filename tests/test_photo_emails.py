""" "Email me when my photos are ready", end to end: the runner's pages, a real SMTP server on
loopback, and photos appearing at the RunSignUp stand-in over real HTTP."""

import io
import logging
import re
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from photos.models import PhotoSubscription
from photos.providers.runsignup.sync import sync_event
from standins.runsignup import catalogue

BIB = catalogue.DEMO_BIB
UPLOADS = sorted(photo.uploaded_ts for photo in catalogue.bibs_index()[BIB])
ADDRESS = "Runner.1179@Example.org"
PORTAL = "http://testserver"


@pytest.fixture
def race_day(live_runsignup, runsignup_event, settings):
    """The RunSignUp event's index as of `at(timestamp)`: photos uploaded later are not
    listed by the stand-in yet, so not in the index."""

    def at(timestamp: int | None) -> None:
        settings.RUNSIGNUP_STANDIN_NOW = timestamp
        sync_event(event=runsignup_event)

    return at


def uploaded_by(timestamp: int) -> int:
    """How many of the BIB's photos RunSignUp lists at that time."""
    return sum(1 for uploaded in UPLOADS if uploaded <= timestamp)


def path(url: str) -> str:
    """The page an email's link opens, after checking it is on the portal."""
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == PORTAL
    return parts.path


def subscribe(client, gallery: str, address: str = ADDRESS):
    """Fill in and send the "email me" form of a gallery, as the browser would."""
    html = client.get(gallery).content.decode()
    form = re.search(r'<form class="subscribe-form" method="post" action="([^"]+)"', html)
    token = re.search(r'name="form_token" value="([^"]+)"', html)
    return client.post(form[1], {"email": address, "form_token": token[1]}, HTTP_ORIGIN=PORTAL)


def header(message, name: str) -> str:
    # Long headers are folded onto a new line: unfolded, they start with a space.
    return str(message[name]).strip()


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def link_after(label: str, text: str) -> str:
    return re.search(rf"{re.escape(label)}: (\S+)", text)[1]


def address_in_logs(caplog) -> bool:
    # The SMTP server's own log (aiosmtpd's "mail.log") is the mail server's, not the portal's.
    portal_lines = [r.getMessage() for r in caplog.records if not r.name.startswith("mail")]
    return any(ADDRESS.lower() in line.lower() for line in portal_lines)


def test_subscribe_confirm_photos_appear_email_with_the_gallery_link(
    client, race_day, mail_server, caplog
):
    caplog.set_level(logging.DEBUG)
    race_day(UPLOADS[0] - 1)
    gallery = f"/en/events/trail/bib/{BIB}/"
    assert "No photos yet" in client.get(gallery).content.decode()

    sent = subscribe(client, gallery)
    assert sent.status_code == 200
    assert "Check your inbox" in sent.content.decode()
    [confirmation] = mail_server.messages()
    assert confirmation["To"] == "Runner.1179@example.org"  # the domain has no letter case
    assert header(confirmation, "Subject") == (
        "Please confirm: email me when my race photos are ready · Demo Trail Run"
    )
    assert "photos for BIB 1179 at Demo Trail Run" in text_of(confirmation)
    confirm = link_after("Yes, email me", text_of(confirmation))
    assert f'href="{confirm}"' in html_of(confirmation)

    # Opening the link confirms nothing (mail scanners open links); its button does.
    page = client.get(path(confirm))
    assert "Confirm" in page.content.decode()
    assert PhotoSubscription.objects.get().confirmed_at is None
    assert client.post(path(confirm)).status_code == 200
    assert PhotoSubscription.objects.get().confirmed_at is not None

    out = io.StringIO()
    call_command("notify_photo_subscribers", stdout=out)
    assert "1 searches checked, 0 emails sent" in out.getvalue()
    assert len(mail_server.messages()) == 1

    # The photographers upload; the next sync takes the photos in, the next run emails.
    race_day(None)
    call_command("notify_photo_subscribers", stdout=out)
    [_, ready] = mail_server.messages()
    assert header(ready, "Subject") == "Your race photos are ready · Demo Trail Run"
    assert f"There are now {len(UPLOADS)} photos for BIB 1179." in text_of(ready)
    photos = link_after("See and download your photos", text_of(ready))
    assert photos == f"{PORTAL}/en/events/trail/bib/{BIB}/"
    assert f"{len(UPLOADS)} photos for BIB" in client.get(path(photos)).content.decode()
    assert not PhotoSubscription.objects.exists()  # deleted once sent

    call_command("notify_photo_subscribers", stdout=out)
    assert len(mail_server.messages()) == 2  # one email, never another
    assert not address_in_logs(caplog)


def test_one_click_unsubscribe_from_the_email_header(client, race_day, mail_server):
    race_day(UPLOADS[0] - 1)
    subscribe(client, f"/en/events/trail/bib/{BIB}/")
    [confirmation] = mail_server.messages()
    client.post(path(link_after("Yes, email me", text_of(confirmation))))

    unsubscribe = header(confirmation, "List-Unsubscribe").strip("<>")
    assert header(confirmation, "List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    assert link_after("Unsubscribe", text_of(confirmation)) == unsubscribe
    # As a mail app's button does it (RFC 8058): a POST from its own servers, no Origin.
    done = client.post(path(unsubscribe), {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert "You are unsubscribed" in done.content.decode()
    assert not PhotoSubscription.objects.exists()

    race_day(None)
    call_command("notify_photo_subscribers", stdout=io.StringIO())
    assert len(mail_server.messages()) == 1  # the confirmation only


def test_more_photos_of_a_runner_who_has_some(client, race_day, mail_server, runsignup_event):
    runsignup_event.accent_colour = "#116611"
    runsignup_event.save()
    race_day(UPLOADS[9])
    gallery = client.get(f"/de/events/trail/bib/{BIB}/").content.decode()
    assert f"{uploaded_by(UPLOADS[9])} Fotos" in gallery
    subscribe(client, f"/de/events/trail/bib/{BIB}/")
    [confirmation] = mail_server.messages()
    assert "Startnummer 1179" in text_of(confirmation)  # in the runner's language
    client.post(path(link_after("Ja, schreib mir", text_of(confirmation))))

    race_day(UPLOADS[20])
    call_command("notify_photo_subscribers", stdout=io.StringIO())
    [_, ready] = mail_server.messages()
    now = uploaded_by(UPLOADS[20])
    assert f"Es gibt jetzt {now} Fotos für Startnummer 1179." in text_of(ready)
    assert f"{PORTAL}/de/events/trail/bib/{BIB}/" in text_of(ready)
    # The event's accent, with the text colour that reads on it.
    assert "background:#116611;color:#ffffff" in html_of(ready)
