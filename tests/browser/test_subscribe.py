"""A runner asks to be emailed when their photos are ready, on a phone and a desktop, on the
portal and inside a race site's iframe with third-party cookies blocked; the pages pass axe."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail

from photos.models import PhotoSubscription
from tests.browser.test_embed import blocking_browser, host_site, snippet  # noqa: F401 - fixtures

ADDRESS = "runner@example.org"
WIDTHS = [390, 1280]


def assert_accessible(page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def link_in(message, label: str) -> str:
    return re.search(rf"{re.escape(label)}: (\S+)", message.body)[1]


@pytest.mark.parametrize("width", WIDTHS)
def test_ask_confirm_and_unsubscribe(browser, live_standin, event, settings, width):
    settings.PORTAL_URL = live_standin.url
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(f"{live_standin.url}/en/events/demo/")
    page.get_by_label("BIB number").fill("# 5 555.")  # tidied to 5555
    page.get_by_role("button", name="Find my photos", exact=True).click()
    page.get_by_role("heading", name="No photos yet for BIB 5555").wait_for()

    field = page.get_by_label("Your email address")
    assert field.get_attribute("type") == "email"
    assert "delete it once it is sent" in page.locator("#email-privacy").inner_text()
    page.get_by_role("button", name="Email me", exact=True).click()
    assert page.get_by_label("Your email address").get_attribute("aria-invalid") == "true"
    assert page.evaluate("document.activeElement.id") == "id_email"
    assert_accessible(page)

    page.get_by_label("Your email address").fill(ADDRESS)
    page.get_by_role("button", name="Email me", exact=True).click()
    page.get_by_role("heading", name="Check your inbox").wait_for()
    assert_accessible(page)

    [confirmation] = mail.outbox
    page.goto(link_in(confirmation, "Yes, email me"))
    assert_accessible(page)
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("heading", name="Confirmed").wait_for()
    assert PhotoSubscription.objects.get().confirmed_at is not None

    page.goto(link_in(confirmation, "Unsubscribe"))
    assert_accessible(page)
    page.get_by_role("button", name="Unsubscribe").click()
    page.get_by_role("heading", name="You are unsubscribed").wait_for()
    assert not PhotoSubscription.objects.exists()
    page.close()


def test_a_bib_in_a_heading_wraps_as_a_whole(browser, live_standin, event):
    page = browser.new_page(viewport={"width": 320, "height": 800})
    page.goto(f"{live_standin.url}/en/events/demo/bib/ABCDEFGHIJK-123456/")
    bib = page.locator("h1 .unbroken")
    assert bib.inner_text() == "ABCDEFGHIJK-123456"
    heading_lines = page.locator("h1").evaluate(
        "h => Math.round(h.offsetHeight / parseFloat(getComputedStyle(h).lineHeight))"
    )
    assert heading_lines > 1  # the heading does wrap at this width…
    assert bib.evaluate("span => span.getClientRects().length") == 1  # …but not inside the BIB
    page.close()


def test_ask_from_inside_a_race_sites_iframe(blocking_browser, live_standin, event, host_site):  # noqa: F811
    event.embed_origins = host_site.origin
    event.save()
    page = blocking_browser.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(host_site.page_with(snippet(live_standin.url)))
    frame = page.frame_locator("iframe")
    frame.get_by_label("BIB number").fill("5555")
    frame.get_by_role("button", name="Find my photos", exact=True).click()
    frame.get_by_label("Your email address").fill(ADDRESS)
    frame.get_by_role("button", name="Email me", exact=True).click()
    frame.get_by_role("heading", name="Check your inbox").wait_for()

    inner = page.frames[1]
    assert inner.url == f"{live_standin.url}/en/embed/events/demo/bib/5555/email/"
    assert inner.evaluate("document.cookie") == ""  # no cookie was needed, or set
    assert [m.to for m in mail.outbox] == [[ADDRESS]]
    assert PhotoSubscription.objects.get().identifier == "5555"
    assert_accessible(inner)
