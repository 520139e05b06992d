"""The organiser's side: the event admin, its connection checks and the RunSignUp sync."""

import pytest
import responses

from photos.domain import SearchMethod
from photos.models import Event
from photos.providers import provider_for
from standins.runsignup import catalogue

UPSTREAM = "http://testserver/_standin/9pic/api/v1/ext/903/event/456/original-photos"


@pytest.fixture
def upstream():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def check(admin_client, event):
    return admin_client.post(
        "/admin/photos/event/",
        {"action": "check_connection", "_selected_action": [event.pk]},
        follow=True,
    )


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"org_id": None}, "no 9Pic organisation or event ID"),
        (
            {"provider": "runsignup", "runsignup_event_days_id": 6568},
            "no race or event days ID",
        ),
    ],
)
def test_an_event_saved_without_its_provider_ids_is_explained_not_asked(
    admin_client, event, upstream, fields, words
):
    Event.objects.filter(pk=event.pk).update(**fields)
    page = check(admin_client, Event.objects.get(pk=event.pk))
    assert page.status_code == 200
    assert words in page.content.decode()
    assert len(upstream.calls) == 0


def test_event_list_has_search_and_filters(admin_client, event):
    page = admin_client.get("/admin/photos/event/", {"q": "Demo"})
    assert page.status_code == 200
    assert b"Demo City Marathon" in page.content
    assert b"By is published" in page.content


def test_add_form_prepopulates_the_slug(admin_client, db):
    page = admin_client.get("/admin/photos/event/add/")
    assert page.status_code == 200
    assert b"prepopulated_fields" in page.content or b"data-prepopulated-field" in page.content


def test_connection_check_success(admin_client, event, upstream):
    upstream.post(UPSTREAM, status=404, json={"responseType": "error", "message": "No photos"})
    page = check(admin_client, event)
    assert "Connected: the key works and can read organisation 903, event 456." in (
        page.content.decode()
    )


def test_connection_check_explains_403(admin_client, event, upstream):
    upstream.post(UPSTREAM, status=403, json={"responseType": "error", "message": "Forbidden"})
    page = check(admin_client, event)
    assert "organisation 903 does not own event 456" in page.content.decode()


NEW_EVENT = {
    "name": "Spring 10K",
    "slug": "spring-10k",
    "provider": "ninepic",
    "runsignup_event_days_id": "6568",
    "org_id": "903",
    "event_id": "456",
    "offers_bib_search": "on",
    "offers_selfie_search": "on",
    "default_language": "en",
    "accent_colour": "#0b5fff",
}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"accent_colour": "red"}, "six hex digits"),
        ({"logo_url": "http://example.org/logo.png"}, "Enter a valid URL"),
        ({"org_id": "0"}, "greater than or equal to 1"),
        ({"event_id": ""}, "Required for 9Pic events."),
        ({"provider": "runsignup"}, "Required for RunSignUp events."),
        (
            {"provider": "runsignup", "runsignup_race_id": "21", "offers_bib_search": ""},
            "RunSignUp photos can only be found by BIB: offer BIB search.",
        ),
        (
            {"offers_bib_search": "", "offers_selfie_search": ""},
            "Offer at least one way to search",
        ),
    ],
)
def test_event_form_validation(admin_client, db, data, message):
    form = {k: v for k, v in {**NEW_EVENT, **data}.items() if v != ""}
    page = admin_client.post("/admin/photos/event/add/", form)
    assert page.status_code == 200
    assert message in page.content.decode()
    assert not Event.objects.filter(slug="spring-10k").exists()


def test_the_organiser_sets_the_events_default_language(admin_client, client, db):
    form = {**NEW_EVENT, "is_published": "on", "default_language": "fr"}
    assert admin_client.post("/admin/photos/event/add/", form).status_code == 302
    assert client.get("/events/spring-10k/")["Location"] == "/fr/events/spring-10k/"


@pytest.mark.parametrize(
    ("accent", "text"), [("#0b5fff", "#ffffff"), ("#ffd60a", "#000000"), ("#c2410c", "#ffffff")]
)
def test_text_on_the_accent_is_readable(accent, text):
    assert Event(accent_colour=accent).accent_text_colour == text


def sync_now(admin_client, event):
    return admin_client.post(
        "/admin/photos/event/",
        {"action": "refresh_from_provider", "_selected_action": [event.pk]},
        follow=True,
    ).content.decode()


def test_a_runsignup_event_is_created_with_its_identifiers(admin_client, db):
    form = {
        "name": "Trail 21K",
        "slug": "trail-21k",
        "provider": "runsignup",
        "runsignup_race_id": "21",
        "runsignup_event_days_id": "6568",
        "offers_bib_search": "on",
        "default_language": "en",
        "accent_colour": "#0b5fff",
    }
    page = admin_client.post("/admin/photos/event/add/", form)
    assert page.status_code == 302
    event = Event.objects.get(slug="trail-21k")
    assert provider_for(event).search_methods == [SearchMethod.BIB]
    assert event.org_id is None


def test_sync_now_and_the_index_status(admin_client, runsignup_event, live_runsignup):
    change = f"/admin/photos/event/{runsignup_event.pk}/change/"
    before = admin_client.get(change).content.decode()
    assert "never" in before
    message = sync_now(admin_client, runsignup_event)
    total = len(catalogue.all_photos())
    assert f"Demo Trail Run: {total} photos saved, 0 removed; {total} in the index." in message
    page = admin_client.get(change).content.decode()
    assert f"<dt>Photos indexed</dt><dd>{total}</dd>" in page
    assert "ago (" in page
    listing = admin_client.get("/admin/photos/event/").content.decode()
    assert f"{total} photos, " in listing


def test_sync_now_explains_wrong_credentials(
    admin_client, runsignup_event, live_runsignup, settings
):
    settings.RUNSIGNUP_API_KEY = "not-the-key"
    message = sync_now(admin_client, runsignup_event)
    assert (
        "Demo Trail Run: RunSignUp refused the API key or secret: check RUNSIGNUP_API_KEY / "
        "RUNSIGNUP_API_SECRET" in message
    )
    page = admin_client.get(f"/admin/photos/event/{runsignup_event.pk}/change/").content.decode()
    assert "RunSignUp refused the API key or secret" in page
    assert "last sync failed" in admin_client.get("/admin/photos/event/").content.decode()


def test_sync_now_on_a_9pic_event_says_there_is_nothing_to_sync(admin_client, event):
    assert "9Pic is asked live: there is nothing to refresh." in sync_now(admin_client, event)
    page = admin_client.get(f"/admin/photos/event/{event.pk}/change/").content.decode()
    assert "RunSignUp race ID" in page
    assert "Photos indexed" not in page


def test_connection_check_of_a_runsignup_event(admin_client, runsignup_event, live_runsignup):
    page = check(admin_client, runsignup_event).content.decode()
    assert "Connected: the key and secret can read race 21, event days 6568" in page
