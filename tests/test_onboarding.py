"""An organisation's events imported from its 9Pic account (against the stand-in): the key
check, the listing, events with 9Pic's flags and cover, and drafts handled for runners."""

import dataclasses
import io

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from photos.domain import SearchMethod
from photos.models import Event, Organisation
from photos.providers import provider_for
from standins.ninepic import catalogue
from tests.conftest import CREDENTIALS


@pytest.fixture
def city(live_standin) -> Organisation:
    """Organisation 903 with its own key (the stand-in's, as the server's is too)."""
    organisation = Organisation(name="City Races", ninepic_org_id=catalogue.DEMO_ORG_ID)
    organisation.set_ninepic_api_key(CREDENTIALS["the 9Pic API key"])
    organisation.save()
    return organisation


def import_url(organisation: Organisation) -> str:
    return f"/admin/photos/organisation/{organisation.pk}/import/"


def import_events(client, organisation: Organisation, *event_ids: int):
    return client.post(
        import_url(organisation),
        {"page": "1", "event_id": [str(i) for i in event_ids]},
        follow=True,
    )


def test_check_key_lists_the_organisations_events(admin_client, city):
    page = admin_client.post(
        f"/admin/photos/organisation/{city.pk}/check-key/", follow=True
    ).content.decode()
    assert "The key works: 9Pic lists 5 events of organisation 903." in page


def test_check_key_of_an_organisation_whose_key_is_another_organisations(admin_client, city):
    city.set_ninepic_api_key(CREDENTIALS["the second organisation's 9Pic API key"])
    city.save()
    page = admin_client.post(
        "/admin/photos/organisation/",
        {"action": "check_key", "_selected_action": [city.pk]},
        follow=True,
    ).content.decode()
    assert "9Pic refused the key for organisation 903 (403)" in page


def test_the_import_page_lists_the_events_at_9pic_with_drafts_marked(admin_client, city):
    page = admin_client.get(import_url(city)).content.decode()
    for event_id in (456, 457, 458, 459, 460):
        assert f'name="event_id" value="{event_id}"' in page
    assert "Demo Night Run" in page
    assert "<strong>draft</strong>" in page
    assert "/_standin/9pic/cdn/imgs/456/cover.jpg" in page


def test_import_creates_unpublished_events_with_9pics_flags_and_cover(admin_client, city):
    page = import_events(admin_client, city, 456, 458).content.decode()
    assert "imported (unpublished)" in page

    marathon = Event.objects.get(event_id=456)
    assert (marathon.organisation, marathon.org_id) == (city, 903)
    assert marathon.slug == "demo-city-marathon"
    assert str(marathon.date) == "2026-01-19"
    assert not marathon.is_published
    with Image.open(marathon.hero_image.open("rb")) as hero:
        assert hero.format == "JPEG"
        assert hero.width <= 1600 and hero.height <= 900

    assert provider_for(marathon).search_methods == [
        SearchMethod.BIB,
        SearchMethod.SELFIE,
        SearchMethod.TIME,
    ]
    night_run = Event.objects.get(event_id=458)
    assert provider_for(night_run).search_methods == [SearchMethod.BIB]  # selfie off at 9Pic


def test_an_imported_event_is_not_imported_twice(admin_client, city):
    import_events(admin_client, city, 456)
    import_events(admin_client, city, 456)
    assert Event.objects.filter(event_id=456).count() == 1
    page = admin_client.get(import_url(city)).content.decode()
    assert 'name="event_id" value="456"' not in page
    assert ">imported</a>" in page


def test_only_events_9pic_lists_now_are_imported(admin_client, city):
    # 789 belongs to organisation 904: whatever the form says, the listing decides.
    import_events(admin_client, city, 789)
    assert not Event.objects.filter(event_id=789).exists()


def test_a_refused_key_shows_on_the_import_page_without_a_traceback(admin_client, city):
    city.set_ninepic_api_key("revoked-key-of-organisation-903")
    city.save()
    page = admin_client.get(import_url(city))
    assert page.status_code == 200
    assert "9Pic refused the key for organisation 903" in page.content.decode()


def test_an_organiser_cannot_import_into_another_organisation(client, city):
    other = Organisation.objects.create(name="Harbour Timing", ninepic_org_id=904)
    user = User.objects.create_user("harbour-staff", password="pw", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["add_event", "change_organisation"])
    )
    other.managers.add(user)
    client.force_login(user)
    assert client.get(import_url(city)).status_code == 404
    assert client.post(import_url(city), {"event_id": ["456"]}).status_code == 404
    assert not Event.objects.exists()


def test_flags_switched_at_9pic_show_after_a_connection_check(admin_client, city, monkeypatch):
    import_events(admin_client, city, 456)
    event = Event.objects.get(event_id=456)
    assert SearchMethod.SELFIE in provider_for(event).search_methods

    switched = dataclasses.replace(catalogue.EVENTS[456], selfie_search=False)
    monkeypatch.setitem(catalogue.EVENTS, 456, switched)
    admin_client.post(
        "/admin/photos/event/",
        {"action": "check_connection", "_selected_action": [event.pk]},
        follow=True,
    )
    assert SearchMethod.SELFIE not in provider_for(event).search_methods


def test_a_search_switched_on_at_9pic_later_shows_up(admin_client, city, monkeypatch):
    import_events(admin_client, city, 458)
    event = Event.objects.get(event_id=458)
    assert provider_for(event).search_methods == [SearchMethod.BIB]
    switched = dataclasses.replace(catalogue.EVENTS[458], selfie_search=True)
    monkeypatch.setitem(catalogue.EVENTS, 458, switched)
    page = admin_client.post(
        "/admin/photos/event/",
        {"action": "check_connection", "_selected_action": [event.pk]},
        follow=True,
    ).content.decode()
    assert "9Pic has BIB search on, selfie search on and" in page
    assert provider_for(event).search_methods == [SearchMethod.BIB, SearchMethod.SELFIE]
    status = admin_client.get(f"/admin/photos/event/{event.pk}/change/").content.decode()
    assert "<dt>searches at 9Pic</dt><dd>BIB on, selfie on</dd>" in status


@pytest.fixture
def draft(admin_client, city) -> Event:
    import_events(admin_client, city, catalogue.DRAFT_EVENT_ID)
    event = Event.objects.get(event_id=catalogue.DRAFT_EVENT_ID)
    Event.objects.filter(pk=event.pk).update(is_published=True)
    return event


def test_a_draft_event_tells_runners_photos_are_not_published_yet(client, draft):
    for address in (f"/en/events/{draft.slug}/", f"/en/events/{draft.slug}/bib/1234/"):
        page = client.get(address)
        assert page.status_code == 503
        assert "Photos are not published yet" in page.content.decode()


def test_a_draft_event_is_flagged_in_the_admin(admin_client, draft):
    page = admin_client.get(f"/admin/photos/event/{draft.pk}/change/").content.decode()
    assert "9Pic has switched the event off: runners are told" in page


def test_the_hero_picture_is_served_from_the_portal(client, admin_client, city):
    import_events(admin_client, city, 456)
    Event.objects.filter(event_id=456).update(is_published=True)
    page = client.get("/en/events/demo-city-marathon/").content.decode()
    assert 'class="event-hero" src="/en/events/demo-city-marathon/hero.jpg?v=' in page
    picture = client.get("/en/events/demo-city-marathon/hero.jpg")
    assert picture.status_code == 200
    assert picture["Content-Type"] == "image/jpeg"


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "teal").save(out, "PNG")
    return out.getvalue()


def test_an_uploaded_hero_picture_is_scaled_down(admin_client, event):
    form = {
        "name": event.name,
        "slug": event.slug,
        "provider": "ninepic",
        "org_id": "903",
        "event_id": "456",
        "offers_bib_search": "on",
        "default_language": "en",
        "time_zone": "UTC",
        "accent_colour": "#0b5fff",
        "embed_origins": "",
        "hero_image": SimpleUploadedFile("big.png", png(4000, 3000), "image/png"),
    }
    answer = admin_client.post(f"/admin/photos/event/{event.pk}/change/", form)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    event.refresh_from_db()
    assert (event.hero_image_width, event.hero_image_height) == (1200, 900)


def test_an_upload_that_is_no_picture_is_refused(admin_client, event):
    form = {
        "name": event.name,
        "slug": event.slug,
        "provider": "ninepic",
        "org_id": "903",
        "event_id": "456",
        "offers_bib_search": "on",
        "default_language": "en",
        "accent_colour": "#0b5fff",
        "hero_image": SimpleUploadedFile("fake.png", b"not a picture", "image/png"),
    }
    page = admin_client.post(f"/admin/photos/event/{event.pk}/change/", form)
    assert page.status_code == 200
    assert "Upload a valid image" in page.content.decode()
