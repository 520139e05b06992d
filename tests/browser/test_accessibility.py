"""axe-core finds no accessibility violations on any runner page, normal or embedded."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from photos.providers.runsignup.sync import sync_event
from standins.ninepic import catalogue
from standins.runsignup import catalogue as runsignup_catalogue

PAGES = [
    "/",
    "/en/events/demo/",
    "/en/events/demo/search?bib=12_34",
    f"/en/events/demo/bib/{catalogue.BIB_WITH_MANY_PHOTOS}/",
    f"/en/events/demo/bib/{catalogue.BIB_WITH_MANY_PHOTOS}/?page=2",
    f"/en/events/demo/selfie/{catalogue.DEMO_SELFIE_REQUEST_ID}/",
    "/en/events/demo/selfie/00000000-0000-4000-8000-000000000000/",  # none: selfie tips
    "/en/events/demo/bib/5555/",
    "/en/events/demo/bib/5555/email/",
    f"/en/events/demo/bib/{catalogue.BIB_WITH_MANY_PHOTOS}/photos/{catalogue.all_photos()[2].image_id}/",
    "/en/events/unknown/",
    # Translated pages: longer words, other accessible names.
    f"/de/events/demo/bib/{catalogue.BIB_WITH_MANY_PHOTOS}/",
    "/fr/events/demo/bib/5555/",
]


@pytest.mark.parametrize(
    "path",
    PAGES + [p.replace("/events/", "/embed/events/", 1) for p in PAGES if "/events/demo" in p],
)
@pytest.mark.parametrize("width", [390, 768, 1280])
def test_no_violations(browser, live_standin, event, path, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    # Every request answered before the check (and before the test database goes away).
    page.goto(live_standin.url + path, wait_until="networkidle")
    results = Axe().run(page)
    page.close()
    assert results.violations_count == 0, results.generate_report()


def test_the_check_can_fail(browser):
    page = browser.new_page()
    page.set_content("<html><body><img src='photo.jpg'><input type='text'></body></html>")
    results = Axe().run(page)
    page.close()
    assert results.violations_count >= 2  # image without alt, field without label


RUNSIGNUP_PAGES = [
    ("event", []),
    ("gallery", ["bib", runsignup_catalogue.DEMO_BIB]),
    ("gallery", ["bib", "A-17"]),
    (
        "photo",
        [
            "bib",
            runsignup_catalogue.DEMO_BIB,
            runsignup_catalogue.bibs_index()[runsignup_catalogue.DEMO_BIB][0].photo_id,
        ],
    ),
]


@pytest.mark.parametrize(("name", "args"), RUNSIGNUP_PAGES)
@pytest.mark.parametrize("width", [390, 768, 1280])
def test_no_violations_on_a_runsignup_event(
    browser, live_runsignup, runsignup_event, name, args, width
):
    sync_event(event=runsignup_event)
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(live_runsignup.url + reverse(f"photos:{name}", args=["trail", *args]))
    results = Axe().run(page)
    page.close()
    assert results.violations_count == 0, results.generate_report()


GALLERY = f"/en/events/demo/bib/{catalogue.BIB_WITH_MANY_PHOTOS}/"
PHOTO_PAGE = f"{GALLERY}photos/{catalogue.all_photos()[2].image_id}/"


@pytest.mark.parametrize("path", [GALLERY, PHOTO_PAGE, "/en/events/demo/"])
@pytest.mark.parametrize(("width", "height"), [(360, 640), (1366, 768)])
def test_no_violations_at_the_smallest_phone_and_a_laptop(
    browser, live_standin, event, path, width, height
):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(live_standin.url + path, wait_until="networkidle")
    results = Axe().run(page)
    page.close()
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("width", [390, 1280])
def test_no_violations_in_selection_mode_and_while_saving(browser, live_standin, event, width):
    context = browser.new_context(
        viewport={"width": width, "height": 900}, is_mobile=width < 500, has_touch=width < 500
    )
    # A phone's share sheet that never closes: the bar stays mid-save.
    context.add_init_script(
        "navigator.canShare = () => true; navigator.share = () => new Promise(() => {});"
    )
    page = context.new_page()
    page.goto(live_standin.url + GALLERY, wait_until="networkidle")
    page.get_by_role("button", name="Select").click()
    page.locator("input[name=photo]").nth(1).check()
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    page.get_by_role("button", name="Download selected").click()
    page.get_by_role("button", name="Save photo 1").wait_for()
    results = Axe().run(page)
    page.wait_for_load_state("networkidle")
    context.close()
    assert results.violations_count == 0, results.generate_report()
