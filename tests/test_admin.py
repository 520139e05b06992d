"""The organiser's side: the event admin, its connection checks and the RunSignUp sync."""

import re

import pytest
import responses

from photos.domain import SearchMethod
from photos.models import Event
from photos.providers import provider_for
from standins.runsignup import catalogue
from tests import ninepic_answers

PING = f"{ninepic_answers.API}/ping"
PONG = {"responseType": "success", "message": "pong", "data": {"status": "ok"}}
NOBODY = {"responseType": "error", "message": "Not found", "data": None}


@pytest.fixture
def connected(upstream):
    """9Pic answers Ping, Event Details (BIB and selfie search on), both search listings and
    a selfie upload (finding no face in the check's plain picture)."""
    upstream.get(PING, json=PONG)
    upstream.get(re.compile(rf"{ninepic_answers.API}/bibs/.*"), json=ninepic_answers.listing([]))
    upstream.get(re.compile(rf"{ninepic_answers.API}/faces/.*"), status=404, json=NOBODY)
    upstream.post(
        f"{ninepic_answers.API}/faces",
        status=400,
        json={"responseType": "error", "message": "No face detected"},
    )
    return upstream


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


def test_connection_check_success(admin_client, event, connected):
    page = check(admin_client, event).content.decode()
    assert (
        "Connected: the key works and can read organisation 903, event 456. 9Pic has BIB "
        "search on, selfie search on and the photo timeline off for it. BIB galleries: 9Pic&#x27;s "
        "BIB Search, with "
        "9Pic&#x27;s previews. Selfie galleries: 9Pic&#x27;s Face Search, with 9Pic&#x27;s "
        "previews. Selfie upload works (9Pic found no face in the test)."
    ) in page
    calls = [
        (c.request.method, c.request.url.split("/456/")[1].split("?")[0]) for c in connected.calls
    ]
    assert [(method, path.split("/")[0]) for method, path in calls] == [
        ("GET", "ping"),
        ("GET", "details"),
        ("GET", "bibs"),
        ("GET", "faces"),
        ("POST", "faces"),
    ]


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (401, "9Pic says the API key is missing (401)."),
        (403, "the API key is invalid or inactive, this server is not approved, or "),
        (404, "The key works, but 9Pic does not know event 456."),
        (500, "Could not reach 9Pic for organisation 903, event 456"),
    ],
)
def test_connection_check_explains_a_refusal(admin_client, event, upstream, status, words):
    upstream.get(PING, status=status, json={"responseType": "error", "message": "no"})
    page = check(admin_client, event).content.decode()
    assert words in page.replace("&#x27;", "'")
    assert "Connected" not in page


def test_connection_check_says_which_searches_9pic_switched_off(admin_client, event, connected):
    connected.replace(
        responses.GET, ninepic_answers.DETAILS, json=ninepic_answers.details(selfie_search=False)
    )
    page = check(admin_client, event).content.decode()
    assert "BIB search on, selfie search off" in page
    assert "Selfie galleries" not in page


def test_connection_check_says_the_fallback_is_forced(admin_client, event, connected, settings):
    settings.NINEPIC_GALLERY_LISTING = "originals"
    page = check(admin_client, event).content.decode()
    assert (
        "BIB galleries: Download Originals, with previews the portal makes from the originals "
        "(NINEPIC_GALLERY_LISTING)."
    ) in page


def test_connection_check_finds_a_search_listing_9pic_lacks(admin_client, event, connected):
    connected.replace(
        responses.GET,
        re.compile(rf"{ninepic_answers.API}/bibs/.*"),
        status=404,
        json={"detail": "Not Found"},
    )
    page = check(admin_client, event).content.decode()
    assert (
        "BIB galleries: Download Originals, with previews the portal makes from the originals, as "
        in page
    )
    assert "no such endpoint (404)" in page
    assert not provider_for(event).lists_by_search(SearchMethod.BIB)


def test_connection_check_of_an_event_9pic_switched_off(admin_client, event, connected):
    connected.replace(
        responses.GET, ninepic_answers.DETAILS, json=ninepic_answers.details(event_enabled=False)
    )
    page = check(admin_client, event).content.decode()
    assert "But 9Pic has switched the event off: no photo can be read." in page
    assert "messagelist" in page and 'class="error"' in page


def test_connection_check_without_event_details_still_connects(admin_client, event, connected):
    connected.replace(responses.GET, ninepic_answers.DETAILS, status=503)
    page = check(admin_client, event).content.decode()
    assert "Connected: the key works" in page
    assert "Event Details could not be read" in page


def test_connection_check_without_a_key(admin_client, event, upstream, settings):
    settings.NINEPIC_API_KEY = ""
    page = check(admin_client, event).content.decode()
    assert "No 9Pic API key is configured (NINEPIC_API_KEY)." in page
    assert len(upstream.calls) == 0


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
    "time_zone": "UTC",
    "accent_colour": "#0b5fff",
}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"accent_colour": "red"}, "six hex digits"),
        ({"logo_url": "http://example.org/logo.png"}, "Enter a valid URL"),
        ({"org_id": "0"}, "greater than or equal to 1"),
        ({"time_zone": "Mars/Olympus_Mons"}, "Select a valid choice."),
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
        "time_zone": "UTC",
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
