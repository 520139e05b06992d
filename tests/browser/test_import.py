"""An organiser checks their organisation's 9Pic key and imports events from its 9Pic account
in the admin, in Chromium against the stand-in."""

from django.contrib.auth.models import Permission, User

from photos.models import Event, Organisation
from standins.ninepic import catalogue
from tests.conftest import CREDENTIALS

PASSWORD = "organiser-pass-5521"


def test_an_organiser_checks_the_key_and_imports_events(page, live_standin):
    organisation = Organisation(name="City Races", ninepic_org_id=catalogue.DEMO_ORG_ID)
    organisation.set_ninepic_api_key(CREDENTIALS["the 9Pic API key"])
    organisation.save()
    organiser = User.objects.create_user("organiser", password=PASSWORD, is_staff=True)
    organiser.user_permissions.set(
        Permission.objects.filter(
            codename__in=["add_event", "change_event", "view_event", "change_organisation"]
        )
    )
    organisation.managers.add(organiser)

    page.goto(f"{live_standin.url}/admin/login/")
    page.get_by_label("Username").fill("organiser")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Organisations").click()
    page.get_by_role("link", name="City Races").click()
    page.get_by_role("button", name="Check key").wait_for()
    # The stored key is never on the page; how it ends is.
    assert CREDENTIALS["the 9Pic API key"] not in page.content()
    assert f"ends …{CREDENTIALS['the 9Pic API key'][-4:]}" in page.content()

    page.get_by_role("button", name="Check key").click()
    page.get_by_text("The key works: 9Pic lists 5 events of organisation 903.").wait_for()

    page.get_by_role("link", name="Import events from 9Pic").click()
    table = page.locator("#events-at-9pic")
    table.get_by_text("Demo Night Run").wait_for()
    assert "draft" in table.locator("tr", has_text="#459").inner_text()
    page.get_by_label("Import Demo City Marathon", exact=True).check()
    page.get_by_label("Import Demo Night Run").check()
    page.get_by_role("button", name="Import selected events").click()

    page.get_by_text("imported (unpublished): check it, then publish it.").first.wait_for()
    assert table.locator("tr", has_text="#456").get_by_role("link", name="imported").is_visible()
    imported = Event.objects.filter(organisation=organisation).order_by("event_id")
    assert [(e.event_id, e.is_published) for e in imported] == [(456, False), (458, False)]

    page.get_by_role("link", name="Demo City Marathon").first.click()
    page.get_by_role("heading", name="Change event").wait_for()
    assert page.locator("#id_org_id").input_value() == "903"
    assert "events/heroes/" in page.content()  # the cover became the hero picture
