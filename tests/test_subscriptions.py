"""Requests to be emailed when photos are ready: the form, its protection and limits, the
links in the emails, expiry, the scheduled check's pace within the event's budget, and what
organisers see. The portal asks the 9Pic stand-in over real HTTP; emails land in Django's
test outbox (tests/test_photo_emails.py sends them through a real SMTP server)."""

import io
import logging
import re
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.core.management import CommandError, call_command
from django.utils import timezone

from bench.servers import free_port
from photos import emails
from photos.models import Event, PhotoSubscription
from photos.providers.runsignup.sync import sync_event
from photos.subscriptions import notify_subscribers
from standins.ninepic import catalogue, stats

PORTAL = "http://testserver"
ADDRESS = "runner@example.org"
UNKNOWN_BIB = "5555"
ONE_PHOTO_BIB = "42"


@pytest.fixture
def portal(live_standin, event):
    stats.reset()
    return live_standin


def form_of(html: str) -> tuple[str, str]:
    """Where the page's "email me" form posts, and its token."""
    action = re.search(r'<form class="subscribe-form" method="post" action="([^"]+)"', html)
    token = re.search(r'name="form_token" value="([^"]+)"', html)
    return action[1], token[1]


def request_email(client, bib: str = UNKNOWN_BIB, address: str = ADDRESS, language: str = "en"):
    action, token = form_of(client.get(f"/{language}/events/demo/bib/{bib}/").content.decode())
    return client.post(action, {"email": address, "form_token": token}, HTTP_ORIGIN=PORTAL)


def link_in(message, label: str) -> str:
    return re.search(rf"{re.escape(label)}: {re.escape(PORTAL)}(\S+)", message.body)[1]


def subscription(*, bib: str, photos_seen: int, confirmed: bool = True, **fields):
    return PhotoSubscription.objects.create(
        event=Event.objects.get(slug="demo"),
        email=fields.pop("email", ADDRESS),
        method="bib",
        identifier=bib,
        language="en",
        photos_seen=photos_seen,
        confirmed_at=timezone.now() if confirmed else None,
        **fields,
    )


def notify(**kwargs) -> str:
    out = io.StringIO()
    call_command("notify_photo_subscribers", stdout=out, stderr=out, **kwargs)
    return out.getvalue()


# --- The form ----------------------------------------------------------------------------


def test_galleries_offer_the_form_and_say_what_is_kept(client, portal):
    empty = client.get(f"/en/events/demo/bib/{UNKNOWN_BIB}/").content.decode()
    assert '<h2 id="subscribe-heading">Email me when my photos are ready</h2>' in empty
    assert (
        "We use your address only for this one email, and delete it once it is sent, when "
        "you unsubscribe, or after 30 days." in empty
    )
    assert form_of(empty)[0] == f"/en/events/demo/bib/{UNKNOWN_BIB}/email/"
    some = client.get(f"/en/events/demo/bib/{catalogue.BIB_WITH_MANY_PHOTOS}/").content.decode()
    assert "Tell me when new photos of me appear" in some
    embedded = client.get(f"/de/embed/events/demo/bib/{UNKNOWN_BIB}/").content.decode()
    assert form_of(embedded)[0] == f"/de/embed/events/demo/bib/{UNKNOWN_BIB}/email/"


def test_without_email_set_up_nothing_is_offered(client, portal, settings):
    settings.SENDS_EMAIL = False
    assert b"subscribe-form" not in client.get(f"/en/events/demo/bib/{UNKNOWN_BIB}/").content
    assert client.get(f"/en/events/demo/bib/{UNKNOWN_BIB}/email/").status_code == 404
    with pytest.raises(CommandError, match="EMAIL_URL is not set"):
        notify()


def test_the_form_has_a_page_of_its_own_at_the_canonical_address(client, portal):
    page = client.get("/en/events/demo/bib/%23%2042./email/")
    assert page.status_code == 302
    assert page["Location"] == f"/en/events/demo/bib/{ONE_PHOTO_BIB}/email/"
    page = client.get(page["Location"])
    assert "We will email you once when there are photos for BIB 42" in page.content.decode()
    assert "no-store" in page["Cache-Control"]


def test_a_request_sends_one_email_the_link_to_confirm(client, portal):
    sent = request_email(client, bib=ONE_PHOTO_BIB)
    assert sent.status_code == 200
    assert "Check your inbox" in sent.content.decode()
    [confirmation] = mail.outbox
    assert confirmation.to == [ADDRESS]
    request = PhotoSubscription.objects.get()
    assert (request.identifier, request.photos_seen, request.confirmed_at) == ("42", 1, None)

    # As if a photo appeared after the request: an unconfirmed address still gets nothing.
    PhotoSubscription.objects.update(photos_seen=0)
    assert "0 searches checked, 0 emails sent" in notify()
    assert len(mail.outbox) == 1

    client.post(link_in(confirmation, "Yes, email me"))
    assert "1 searches checked, 1 emails sent" in notify()
    ready = mail.outbox[1]
    assert ready.subject == "Your race photos are ready · Demo City Marathon"
    assert link_in(ready, "See and download your photos") == "/en/events/demo/bib/42/"
    assert not PhotoSubscription.objects.exists()


def test_emails_speak_the_language_of_the_page_the_request_came_from(client, portal):
    request_email(client, language="fr")
    [confirmation] = mail.outbox
    assert confirmation.subject.startswith("Merci de confirmer")
    assert "pour le dossard 5555" in confirmation.body
    assert link_in(confirmation, "Oui, écrivez-moi").startswith("/fr/events/demo/email/confirm/")
    html = confirmation.alternatives[0][0]
    assert '<html lang="fr">' in html
    assert "border-top:6px solid #c2410c" in html  # the event's accent


@pytest.mark.parametrize(
    ("headers", "token"),
    [({}, None), ({"HTTP_ORIGIN": "https://evil.example"}, None), ({"HTTP_ORIGIN": PORTAL}, "x")],
)
def test_a_post_not_from_the_portals_own_form_is_refused(client, portal, headers, token):
    action, issued = form_of(client.get(f"/en/events/demo/bib/{UNKNOWN_BIB}/").content.decode())
    refused = client.post(action, {"email": ADDRESS, "form_token": token or issued}, **headers)
    assert refused.status_code == 403
    assert not PhotoSubscription.objects.exists()
    assert mail.outbox == []


def test_an_address_to_correct_gets_the_form_back(client, portal):
    action, token = form_of(client.get(f"/en/events/demo/bib/{UNKNOWN_BIB}/").content.decode())
    page = client.post(action, {"email": "runner@", "form_token": token}, HTTP_ORIGIN=PORTAL)
    assert page.status_code == 400
    html = page.content.decode()
    assert "Check the email address: it looks like name@example.com." in html
    assert 'aria-invalid="true"' in html
    assert mail.outbox == []


def test_asking_again_resends_a_pending_link_and_nothing_once_confirmed(client, portal):
    request_email(client)
    request_email(client)
    assert len(mail.outbox) == 2
    assert PhotoSubscription.objects.count() == 1
    client.post(link_in(mail.outbox[1], "Yes, email me"))
    again = request_email(client)
    assert "Check your inbox" in again.content.decode()  # the same page either way
    assert len(mail.outbox) == 2


def test_limits_per_address_and_per_event(client, portal, settings):
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "subscribe": "",
        "subscribe-address": "2/d",
        "subscribe-event": "3/h",
    }
    assert request_email(client, bib="1").status_code == 200
    assert request_email(client, bib="2").status_code == 200
    refused = request_email(client, bib="3")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 3600  # the address may ask again tomorrow
    # However it is written, an address is one address.
    assert request_email(client, bib="3", address="RUNNER@example.ORG").status_code == 429
    assert request_email(client, bib="3", address="friend@example.org").status_code == 200
    assert request_email(client, bib="3", address="another@example.org").status_code == 429
    assert len(mail.outbox) == 3
    assert PhotoSubscription.objects.count() == 3


def test_limit_per_client(client, portal, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "subscribe": "1/h"}
    assert request_email(client, bib="1").status_code == 200
    assert request_email(client, bib="2", address="friend@example.org").status_code == 429
    assert len(mail.outbox) == 1


# --- The links in the emails --------------------------------------------------------------


def test_confirming_takes_a_post_not_a_visit(client, portal):
    request_email(client)
    link = link_in(mail.outbox[0], "Yes, email me")
    page = client.get(link)  # what a mail scanner does
    assert page.status_code == 200
    assert '<button type="submit" class="button">Confirm</button>' in page.content.decode()
    assert PhotoSubscription.objects.get().confirmed_at is None
    done = client.post(link)  # no Origin, no cookie: the signed link is the credential
    assert done.status_code == 200
    assert "We will email you once when there are photos for BIB 5555" in done.content.decode()
    assert PhotoSubscription.objects.get().confirmed_at is not None


def test_a_link_to_confirm_expires_and_is_only_good_for_its_event(
    client, portal, settings, monkeypatch
):
    request_email(client)
    # The link as an email sent 48 hours and a minute ago had it.
    sent = timezone.now() - timedelta(hours=settings.SUBSCRIPTION_CONFIRM_HOURS, minutes=1)
    with monkeypatch.context() as past:
        past.setattr(
            signing.TimestampSigner,
            "timestamp",
            lambda self: signing.b62_encode(int(sent.timestamp())),
        )
        token = emails.link_token(PhotoSubscription.objects.get(), emails.CONFIRM)
    expired = client.post(f"/en/events/demo/email/confirm/{token}/")
    assert expired.status_code == 404
    assert "This link is no longer valid" in expired.content.decode()

    link = link_in(mail.outbox[0], "Yes, email me")
    Event.objects.create(name="Other", slug="other", org_id=903, event_id=457, is_published=True)
    assert client.post(link.replace("/events/demo/", "/events/other/")).status_code == 404
    assert client.post(link[:-4] + "abc/").status_code == 404  # altered
    assert not PhotoSubscription.objects.filter(confirmed_at__isnull=False).exists()


def test_unsubscribing_takes_a_post_and_any_unsubscribe_link_can_be_used_twice(client, portal):
    request_email(client)
    link = link_in(mail.outbox[0], "Unsubscribe")
    assert link.startswith("/en/email/unsubscribe/")
    assert mail.outbox[0].extra_headers["List-Unsubscribe"] == f"<{PORTAL}{link}>"
    page = client.get(link)
    assert "Stop emails about these photos?" in page.content.decode()
    assert PhotoSubscription.objects.exists()
    assert "You are unsubscribed" in client.post(link).content.decode()
    assert not PhotoSubscription.objects.exists()
    assert client.post(link).status_code == 200  # again: nothing left, same answer
    confirm = link_in(mail.outbox[0], "Yes, email me").split("/confirm/")[1]
    assert client.post(f"/en/email/unsubscribe/{confirm}").status_code == 400  # another purpose


# --- The scheduled check --------------------------------------------------------------------


class FakeClock:
    """Time that passes only when the check sleeps."""

    def __init__(self):
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_each_search_is_asked_once_at_a_bounded_pace(portal, settings):
    settings.SUBSCRIPTION_CHECKS_PER_MINUTE = 30
    for n in range(3):
        subscription(bib=catalogue.BIB_WITH_MANY_PHOTOS, photos_seen=47, email=f"{n}@example.org")
    subscription(bib=UNKNOWN_BIB, photos_seen=0)
    subscription(bib=ONE_PHOTO_BIB, photos_seen=1)
    clock = FakeClock()

    report = notify_subscribers(time_limit=600, clock=clock, sleep=clock.sleep)
    assert (report.searches_checked, report.emails_sent, report.searches_left) == (3, 0, 0)
    assert clock.sleeps == [0, 2, 2]  # 30 a minute
    # One per search, however many asked; and the event's Event Details (its searches).
    assert stats.snapshot()["api_calls.bib-search"] == 3
    assert stats.snapshot()["api_calls"] == 4
    assert PhotoSubscription.objects.filter(checked_at__isnull=False).count() == 5

    # Out of time before the third: it is first in line next run.
    settings.GALLERY_CACHE_SECONDS = settings.EMPTY_GALLERY_CACHE_SECONDS = 0
    clock = FakeClock()
    report = notify_subscribers(time_limit=3, clock=clock, sleep=clock.sleep)
    assert (report.searches_checked, report.searches_left) == (2, 1)


def test_the_check_stays_within_the_events_upstream_budget(portal, settings):
    settings.UPSTREAM_CALLS_PER_MINUTE_PER_EVENT = 3  # Event Details, then two searches
    for bib in ("1", "2", "3", "4"):
        subscription(bib=bib, photos_seen=0)
    output = notify()
    assert "2 searches checked, 0 emails sent" in output
    assert "2 searches left for the next run" in output
    assert "demo: event demo spent its 9Pic budget for this minute" in output
    assert stats.snapshot()["api_calls"] == 3


def test_searches_of_the_portals_own_index_are_not_paced(live_runsignup, runsignup_event):
    sync_event(event=runsignup_event)
    for bib in ("1179", "1145", "1308"):
        PhotoSubscription.objects.create(
            event=runsignup_event,
            email=ADDRESS,
            method="bib",
            identifier=bib,
            language="en",
            photos_seen=0,
            confirmed_at=timezone.now(),
        )
    clock = FakeClock()
    report = notify_subscribers(time_limit=1, clock=clock, sleep=clock.sleep)
    assert (report.searches_checked, report.emails_sent) == (3, 3)
    assert clock.sleeps == [0, 0, 0]


def test_requests_past_their_time_are_deleted_unsent(portal, settings):
    now = timezone.now()
    subscription(bib="1", photos_seen=0, confirmed=False, created_at=now - timedelta(hours=49))
    subscription(bib="2", photos_seen=0, created_at=now - timedelta(days=31))
    subscription(bib="3", photos_seen=0, confirmed=False, created_at=now - timedelta(hours=47))
    subscription(bib=UNKNOWN_BIB, photos_seen=0, created_at=now - timedelta(days=29))
    assert "2 expired requests deleted" in notify()
    assert sorted(PhotoSubscription.objects.values_list("identifier", flat=True)) == [
        "3",
        UNKNOWN_BIB,
    ]
    assert mail.outbox == []


def test_requests_of_an_unpublished_event_wait(portal, event):
    subscription(bib=ONE_PHOTO_BIB, photos_seen=0)
    Event.objects.filter(pk=event.pk).update(is_published=False)
    assert "0 searches checked" in notify()
    assert mail.outbox == []


# --- Privacy and failures -------------------------------------------------------------------


def test_organisers_see_counts_never_addresses(admin_client, portal, event):
    subscription(bib="1", photos_seen=0, email="first@example.org")
    subscription(bib="2", photos_seen=0, email="second@example.org")
    subscription(bib="3", photos_seen=0, email="third@example.org", confirmed=False)
    pages = [
        admin_client.get("/admin/photos/event/"),
        admin_client.get(f"/admin/photos/event/{event.pk}/change/"),
        admin_client.get("/admin/"),
    ]
    for page in pages:
        assert page.status_code == 200
        assert "example.org" not in page.content.decode()
    assert "2 waiting, 1 unconfirmed" in pages[0].content.decode()
    assert "2 waiting, 1 unconfirmed" in pages[1].content.decode()
    assert admin_client.get("/admin/photos/photosubscription/").status_code == 404


def test_a_mail_server_that_fails_keeps_nothing_and_logs_no_address(
    client, portal, settings, caplog
):
    caplog.set_level(logging.DEBUG)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    failed = request_email(client)
    assert failed.status_code == 503
    assert "We could not send the email just now" in failed.content.decode()
    assert not PhotoSubscription.objects.exists()

    subscription(bib=ONE_PHOTO_BIB, photos_seen=0)
    with pytest.raises(CommandError, match="mail server did not take an email"):
        notify()
    assert PhotoSubscription.objects.exists()  # kept for the next run
    assert ADDRESS not in caplog.text
