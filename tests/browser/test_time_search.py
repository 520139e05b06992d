"""A runner finds their photos by their finish time, on a phone and a desktop, on the portal
and inside a race site's iframe; browsing all photos as the last resort; every page passes axe."""

from datetime import date

import pytest

from standins.ninepic import catalogue
from tests.browser.test_embed import blocking_browser, host_site, snippet  # noqa: F401 - fixtures
from tests.browser.test_subscribe import WIDTHS, assert_accessible

# Berlin's clocks read UTC+1 in January: 09:41 there is 08:41 in 9Pic's timeline.
RACE_DAY = date(2026, 1, 19)


@pytest.fixture
def race(event):
    event.date, event.time_zone, event.allows_browse_all = RACE_DAY, "Europe/Berlin", True
    event.save()
    return event


def tiles(page) -> int:
    return page.locator(".photo-grid li").count()


@pytest.mark.parametrize("width", WIDTHS)
def test_find_me_by_my_finish_time(browser, live_standin, race, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(f"{live_standin.url}/en/events/demo/", wait_until="networkidle")
    assert_accessible(page)
    page.get_by_label("Your start time").fill("08:00")
    page.get_by_label("Your race time (net or gun)").fill("1:41:27")
    page.get_by_role("button", name="Show photos from my finish").click()
    page.wait_for_url("**/en/events/demo/time/09:41/")
    heading = page.get_by_role("heading", level=1)
    assert "taken between 09:38 and 09:44" in heading.inner_text()
    assert tiles(page) > 0
    page.wait_for_load_state("networkidle")
    assert_accessible(page)

    page.get_by_role("link", name="Look 10 minutes either side").click()
    page.wait_for_url("**/time/09:41~10min/")
    page.get_by_role("link", name="Oldest first").click()
    page.wait_for_url("**/time/09:41~10min~oldest/")
    assert page.get_by_role("link", name="Oldest first").get_attribute("aria-current") == "page"

    # The histogram: a table of hours on the race's clocks, each leading to its photos.
    table = page.get_by_role("table").first
    assert table.get_by_role("columnheader", name="Photos").is_visible()
    table.get_by_role("link", name="10:00–11:00").click()
    page.wait_for_url("**/time/10:30~30min~oldest/")
    page.locator(".photo-grid li a").first.click()
    page.wait_for_url("**/time/10:30~30min~oldest/photos/**")
    assert "taken around 10:30" in page.get_by_role("heading", level=1).inner_text()
    page.wait_for_load_state("networkidle")
    assert_accessible(page)
    page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_bad_race_time_is_explained_at_its_field(browser, live_standin, race, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(f"{live_standin.url}/en/events/demo/")
    page.get_by_label("Your start time").fill("08:00")
    page.get_by_label("Your race time (net or gun)").fill("3:99")
    page.get_by_role("button", name="Show photos from my finish").click()
    field = page.get_by_label("Your race time (net or gun)")
    assert field.get_attribute("aria-invalid") == "true"
    assert page.get_by_text("Enter your race time as hours, minutes and seconds").is_visible()
    assert_accessible(page)
    page.close()


def test_an_empty_bib_gallery_leads_to_the_time_search_and_all_photos(browser, live_standin, race):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{live_standin.url}/en/events/demo/bib/5555/")
    page.get_by_role("link", name="Find me by my finish time").click()
    assert page.get_by_label("Your finish time (clock time)").is_visible()
    page.go_back()
    page.get_by_role("link", name="Browse all photos").click()
    page.wait_for_url("**/all/newest/")
    assert (
        f"All {len(catalogue.all_photos())} photos"
        in page.get_by_role("heading", level=1).inner_text()
    )
    assert tiles(page) == 30
    page.wait_for_load_state("networkidle")
    assert_accessible(page)
    page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_time_search_inside_a_race_sites_iframe(
    blocking_browser,  # noqa: F811
    live_standin,
    race,
    host_site,  # noqa: F811
    width,
):
    race.embed_origins = host_site.origin
    race.save()
    page = blocking_browser.new_page()
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(host_site.page_with(snippet(live_standin.url)))
    frame = page.frame_locator("iframe")
    frame.get_by_label("Your finish time (clock time)").fill("09:41")
    frame.get_by_role("button", name="Show photos from my finish").click()
    frame.get_by_role("link", name="Look 10 minutes either side").wait_for()
    inner = page.frames[1]
    assert inner.url == f"{live_standin.url}/en/embed/events/demo/time/09:41/"
    assert frame.locator(".photo-grid li").count() > 0
    inner.wait_for_load_state("networkidle")
    assert_accessible(inner)


@pytest.mark.parametrize(
    "path",
    [
        "/de/events/demo/",  # longer words, other accessible names
        "/de/events/demo/time/09:41/",
        "/fr/events/demo/time/03:00/",  # empty: the ways forward
        "/es/events/demo/all/oldest/?page=2",
        "/en/events/demo/time/25:99/",  # the form with its error
        "/en/embed/events/demo/time/09:41~30min~oldest/",
        "/de/embed/events/demo/all/newest/",
    ],
)
@pytest.mark.parametrize("width", WIDTHS)
def test_no_violations(browser, live_standin, race, path, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(live_standin.url + path, wait_until="networkidle")
    assert_accessible(page)
    page.close()
