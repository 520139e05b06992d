"""The organiser's side: the event admin and its 9Pic connection check."""

import pytest
import responses

from photos.models import Event

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


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"accent_colour": "red"}, "six hex digits"),
        ({"logo_url": "http://example.org/logo.png"}, "Enter a valid URL"),
        ({"org_id": "0"}, "greater than or equal to 1"),
        (
            {"offers_bib_search": "", "offers_selfie_search": ""},
            "Offer at least one way to search",
        ),
    ],
)
def test_event_form_validation(admin_client, db, data, message):
    form = {
        "name": "Spring 10K",
        "slug": "spring-10k",
        "org_id": "903",
        "event_id": "456",
        "offers_bib_search": "on",
        "offers_selfie_search": "on",
        "accent_colour": "#0b5fff",
        **data,
    }
    form = {k: v for k, v in form.items() if v != ""}
    page = admin_client.post("/admin/photos/event/add/", form)
    assert page.status_code == 200
    assert message in page.content.decode()
    assert not Event.objects.filter(slug="spring-10k").exists()


@pytest.mark.parametrize(
    ("accent", "text"), [("#0b5fff", "#ffffff"), ("#ffd60a", "#000000"), ("#c2410c", "#ffffff")]
)
def test_text_on_the_accent_is_readable(accent, text):
    assert Event(accent_colour=accent).accent_text_colour == text
