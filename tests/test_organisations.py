"""Several organisations: each event asked with its organisation's key, keys stored encrypted
and write-only, and organisers confined to their own events in the admin."""

import io

import pytest
import requests
from cryptography.fernet import Fernet
from django.contrib.auth.models import Permission, User
from django.core import checks
from django.core.management import call_command

from photos import credentials
from photos.checks import organisation_keys_readable
from photos.domain import ProviderMisconfigured, SearchMethod
from photos.models import Event, Organisation
from photos.providers import provider_for
from standins.ninepic import catalogue
from tests.conftest import CREDENTIALS

OTHER_KEY = CREDENTIALS["the second organisation's 9Pic API key"]
HARBOUR_BIB = "5001"


@pytest.fixture
def harbour(db) -> Organisation:
    """Organisation 904 with its own key, and its event 789."""
    organisation = Organisation(name="Harbour Timing", ninepic_org_id=catalogue.OTHER_ORG_ID)
    organisation.set_ninepic_api_key(OTHER_KEY)
    organisation.save()
    Event.objects.create(
        name="Demo Harbour 10K",
        slug="harbour",
        organisation=organisation,
        org_id=catalogue.OTHER_ORG_ID,
        event_id=catalogue.OTHER_EVENT_ID,
        is_published=True,
    )
    return organisation


@pytest.fixture
def city(db) -> Organisation:
    """Organisation 903, with no key yet (the server's NINEPIC_API_KEY is 903's key too)."""
    return Organisation.objects.create(name="City Races", ninepic_org_id=catalogue.DEMO_ORG_ID)


def gallery(portal: str, slug: str, bib: str) -> requests.Response:
    return requests.get(f"{portal}/en/events/{slug}/bib/{bib}/", timeout=30)


# --- Each event with its organisation's key ---------------------------------------------


def test_each_event_is_asked_with_its_organisations_key(live_standin, event, harbour):
    assert "12 photos" in gallery(live_standin.url, "harbour", HARBOUR_BIB).text
    assert "47 photos" in gallery(live_standin.url, "demo", "1234").text


def test_a_wrong_key_affects_only_its_organisations_events(live_standin, event, harbour):
    harbour.set_ninepic_api_key("revoked-key-of-organisation-904")
    harbour.save()
    refused = gallery(live_standin.url, "harbour", HARBOUR_BIB)
    assert refused.status_code == 503
    assert "not set up correctly" in refused.text
    assert "47 photos" in gallery(live_standin.url, "demo", "1234").text


def test_the_server_key_is_not_lent_to_an_organisation_whose_key_is_unreadable(
    live_standin, harbour, settings
):
    settings.CREDENTIALS_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    event = Event.objects.get(slug="harbour")
    with pytest.raises(ProviderMisconfigured, match="cannot be read"):
        provider_for(event).gallery_page(method=SearchMethod.BIB, identifier="5001", page=1)


def test_an_organisation_without_a_key_is_not_lent_the_servers(
    live_standin, event, city, admin_client
):
    Event.objects.filter(pk=event.pk).update(organisation=city)
    assert gallery(live_standin.url, "demo", "1234").status_code == 503
    page = admin_client.post(
        "/admin/photos/event/",
        {"action": "check_connection", "_selected_action": [event.pk]},
        follow=True,
    ).content.decode()
    assert "City Races has no 9Pic API key yet: set it." in page


def test_the_same_9pic_event_under_two_organisations_shares_no_cache_entry(event, harbour):
    other = Organisation.objects.create(name="Agency", ninepic_org_id=None)
    twin = Event.objects.create(
        name="Twin", slug="twin", org_id=903, event_id=456, organisation=other
    )
    keys = {provider_for(e)._event_key for e in (event, twin)}
    assert len(keys) == 2
    assert provider_for(event)._event_key == "9pic:903:456"  # the default's keys are unchanged


# --- Encrypted at rest, write-only ----------------------------------------------------------


def test_a_database_dump_holds_no_key_in_plain_text(harbour):
    dump = io.StringIO()
    call_command("dumpdata", "photos", stdout=dump)
    assert OTHER_KEY not in dump.getvalue()
    assert harbour.ninepic_api_key_token in dump.getvalue()
    assert Organisation.objects.get(pk=harbour.pk).ninepic_api_key() == OTHER_KEY


def test_rotation_keeps_stored_keys_readable(harbour, settings):
    old = settings.CREDENTIALS_ENCRYPTION_KEYS[0]
    new = Fernet.generate_key().decode()
    settings.CREDENTIALS_ENCRYPTION_KEYS = [new, old]
    assert Organisation.objects.get(pk=harbour.pk).ninepic_api_key() == OTHER_KEY

    call_command("rotate_credentials", stdout=io.StringIO())
    settings.CREDENTIALS_ENCRYPTION_KEYS = [new]
    assert Organisation.objects.get(pk=harbour.pk).ninepic_api_key() == OTHER_KEY

    settings.CREDENTIALS_ENCRYPTION_KEYS = [old]
    with pytest.raises(credentials.CredentialUnreadable):
        Organisation.objects.get(pk=harbour.pk).ninepic_api_key()


def test_deploy_check_refuses_missing_or_wrong_encryption_keys(harbour, settings):
    assert organisation_keys_readable(None) == []
    settings.CREDENTIALS_ENCRYPTION_KEYS = []
    assert [e.id for e in organisation_keys_readable(None)] == ["photos.E005"]
    settings.CREDENTIALS_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    errors = organisation_keys_readable(None)
    assert [e.id for e in errors] == ["photos.E006"]
    assert "Harbour Timing" in errors[0].msg
    assert isinstance(errors[0], checks.Error)


def test_deploy_check_needs_no_encryption_key_without_organisation_keys(city, settings):
    settings.CREDENTIALS_ENCRYPTION_KEYS = []
    assert organisation_keys_readable(None) == []


def test_the_admin_never_shows_a_stored_key(admin_client, harbour):
    page = admin_client.get(f"/admin/photos/organisation/{harbour.pk}/change/").content.decode()
    assert OTHER_KEY not in page
    assert harbour.ninepic_api_key_token not in page
    assert f"ends …{OTHER_KEY[-4:]}" in page
    listing = admin_client.get("/admin/photos/organisation/").content.decode()
    assert f"ends …{OTHER_KEY[-4:]}" in listing


def organisation_form(organisation: Organisation, **fields: str) -> dict:
    return {"name": organisation.name, "ninepic_org_id": str(organisation.ninepic_org_id), **fields}


def test_an_empty_key_field_keeps_the_stored_key(admin_client, harbour):
    answer = admin_client.post(
        f"/admin/photos/organisation/{harbour.pk}/change/", organisation_form(harbour)
    )
    assert answer.status_code == 302
    assert Organisation.objects.get(pk=harbour.pk).ninepic_api_key() == OTHER_KEY


def test_a_new_key_replaces_the_stored_one_and_can_be_removed(admin_client, harbour):
    url = f"/admin/photos/organisation/{harbour.pk}/change/"
    new_key = "new-key-of-organisation-904-7e1d"
    admin_client.post(url, organisation_form(harbour, ninepic_api_key=new_key))
    assert Organisation.objects.get(pk=harbour.pk).ninepic_api_key() == new_key
    admin_client.post(url, organisation_form(harbour, forget_ninepic_api_key="on"))
    stored = Organisation.objects.get(pk=harbour.pk)
    assert not stored.has_ninepic_api_key
    assert "No key yet" in stored.ninepic_api_key_summary


def test_a_key_cannot_be_stored_without_encryption_keys(admin_client, harbour, settings):
    settings.CREDENTIALS_ENCRYPTION_KEYS = []
    page = admin_client.post(
        f"/admin/photos/organisation/{harbour.pk}/change/",
        organisation_form(harbour, ninepic_api_key="another-key-entirely-1234"),
    )
    assert page.status_code == 200
    assert "CREDENTIALS_ENCRYPTION_KEYS is not set" in page.content.decode()
    assert "another-key-entirely-1234" not in page.content.decode()


def test_an_events_9pic_organisation_must_be_its_organisations(admin_client, harbour):
    event = Event.objects.get(slug="harbour")
    event.org_id = 903
    with pytest.raises(Exception, match="organisation 904 at 9Pic"):
        event.full_clean()


# --- Organisers see only their own ----------------------------------------------------------


def organiser(name: str, organisation: Organisation) -> User:
    user = User.objects.create_user(name, password="pw", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["view_event", "change_event", "add_event"])
        | Permission.objects.filter(codename__in=["view_organisation", "change_organisation"])
    )
    organisation.managers.add(user)
    return user


@pytest.fixture
def city_organiser(client, event, city):
    Event.objects.filter(pk=event.pk).update(organisation=city)
    client.force_login(organiser("city-staff", city))
    return client


def test_an_organiser_lists_only_their_organisations_events(city_organiser, harbour):
    page = city_organiser.get("/admin/photos/event/").content.decode()
    assert "Demo City Marathon" in page
    assert "Demo Harbour 10K" not in page
    assert "Harbour Timing" not in page  # not even in the filters


def test_an_organiser_cannot_open_or_change_another_organisations_event(city_organiser, harbour):
    other = Event.objects.get(slug="harbour")
    url = f"/admin/photos/event/{other.pk}/change/"
    assert city_organiser.get(url).status_code == 302  # "does not exist"
    city_organiser.post(url, {"name": "Taken over", "slug": "harbour"})
    assert Event.objects.get(pk=other.pk).name == "Demo Harbour 10K"


def test_an_organiser_cannot_act_on_another_organisations_event(city_organiser, harbour):
    other = Event.objects.get(slug="harbour")
    page = city_organiser.post(
        "/admin/photos/event/",
        {"action": "check_connection", "_selected_action": [other.pk]},
        follow=True,
    )
    assert "Demo Harbour 10K" not in page.content.decode()


def test_an_organiser_sees_only_their_organisation_and_not_its_managers(city_organiser, harbour):
    listing = city_organiser.get("/admin/photos/organisation/").content.decode()
    assert "City Races" in listing and "Harbour Timing" not in listing
    assert city_organiser.get(f"/admin/photos/organisation/{harbour.pk}/change/").status_code == 302
    city = Organisation.objects.get(name="City Races")
    page = city_organiser.get(f"/admin/photos/organisation/{city.pk}/change/").content.decode()
    assert 'name="managers"' not in page and 'name="ninepic_org_id"' not in page
    assert city_organiser.get("/admin/photos/organisation/add/").status_code == 403


def test_an_organiser_creates_events_only_in_their_organisations(city_organiser, harbour):
    page = city_organiser.get("/admin/photos/event/add/").content.decode()
    assert "City Races" in page and "Harbour Timing" not in page
    form = {
        "name": "Sneaky 5K",
        "slug": "sneaky",
        "organisation": str(harbour.pk),
        "provider": "ninepic",
        "org_id": "904",
        "event_id": "789",
        "offers_bib_search": "on",
        "default_language": "en",
        "accent_colour": "#0b5fff",
    }
    answer = city_organiser.post("/admin/photos/event/add/", form)
    assert answer.status_code == 200
    assert not Event.objects.filter(slug="sneaky").exists()


def test_staff_of_no_organisation_see_the_default_organisations_events(client, event, harbour):
    user = User.objects.create_user("site-staff", password="pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename="view_event"))
    client.force_login(user)
    page = client.get("/admin/photos/event/").content.decode()
    assert "Demo City Marathon" in page and "Demo Harbour 10K" not in page


def test_superusers_see_every_organisations_events(admin_client, event, harbour):
    page = admin_client.get("/admin/photos/event/").content.decode()
    assert "Demo City Marathon" in page and "Demo Harbour 10K" in page
