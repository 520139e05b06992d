"""The gallery on a phone and a computer: a compact grid, one bar of actions, selection mode
with ticks kept across pages, and saving the whole search to a phone."""

import zipfile

import pytest

from standins.ninepic import catalogue

BIB = catalogue.BIB_WITH_MANY_PHOTOS
PHOTOS = catalogue.photos_for_bib(catalogue.DEMO_EVENT_ID, BIB)
TOTAL = len(PHOTOS)
# What a download of each is called (the stand-in's originals are named after their IDs).
FILES = [f"{photo.image_id}.jpg" for photo in PHOTOS]

# A phone's share sheet that takes files as Android's Chrome does (ten at most) and records
# what it was handed and whether each call came right after a tap, as browsers require.
SHARE_SHEET = """
window.shareCalls = [];
navigator.canShare = data => Array.isArray(data.files) && data.files.length <= 10;
navigator.share = data => {
  window.shareCalls.push({
    names: data.files.map(f => f.name),
    sizes: data.files.map(f => f.size),
    afterTap: navigator.userActivation.isActive,
  });
  if (data.files.length > 10) return Promise.reject(new TypeError("too many files"));
  return Promise.resolve();
};
"""


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    context.add_init_script(SHARE_SHEET)
    page = context.new_page()
    yield page
    page.wait_for_load_state("networkidle")
    context.close()


def gallery(live_server, page_number: int = 1) -> str:
    address = f"{live_server.url}/en/events/demo/bib/{BIB}/"
    return address if page_number == 1 else f"{address}?page={page_number}"


def test_phones_get_two_columns_and_a_photo_opens_its_page(page, live_standin, event):
    page.goto(gallery(live_standin))
    tiles = page.locator(".photo-card")
    lefts = {round(tiles.nth(i).bounding_box()["x"]) for i in range(4)}
    assert len(lefts) == 2
    assert tiles.first.bounding_box()["width"] < 390 / 2
    page.get_by_role("link", name=f"Photo 1 of {TOTAL}", exact=True).click()
    page.wait_for_url(f"**/photos/{PHOTOS[0].image_id}/")


@pytest.mark.parametrize(("width", "columns"), [(768, 3), (1280, 4)])
def test_wider_screens_get_more_columns(page, live_standin, event, width, columns):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(gallery(live_standin))
    tiles = page.locator(".photo-card")
    tops = [tiles.nth(i).bounding_box()["y"] for i in range(columns + 1)]
    assert tops[:columns] == [tops[0]] * columns
    assert tops[columns] > tops[0]


def test_a_tile_keeps_its_shape_on_a_neutral_tone_until_its_photo_arrives(
    page, live_standin, event
):
    page.route("**/cdn/**", lambda route: route.abort())  # previews that never arrive
    page.goto(gallery(live_standin))
    tile = page.locator(".photo-link").first
    box = tile.bounding_box()
    assert box["height"] == pytest.approx(box["width"] * 2 / 3, abs=1)
    colour = tile.evaluate("link => getComputedStyle(link).backgroundColor")
    assert colour not in ("rgba(0, 0, 0, 0)", "transparent")


def test_the_save_bar_stays_in_reach_and_never_covers_the_pagination(page, live_standin, event):
    page.goto(gallery(live_standin))
    save = page.get_by_role("link", name=f"Save all {TOTAL} photos")
    for scrolled in (0, 900):
        page.evaluate(f"window.scrollTo(0, {scrolled})")
        box = save.bounding_box()
        assert box["y"] > 844 / 2 and box["y"] + box["height"] <= 844
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    bar = page.locator("[data-save-bar]").bounding_box()
    last_tile = page.locator(".photo-card").last.bounding_box()
    pagination = page.get_by_role("navigation", name="Gallery pages").bounding_box()
    assert last_tile["y"] + last_tile["height"] <= bar["y"]
    assert bar["y"] + bar["height"] <= pagination["y"]


def test_ticks_are_kept_across_pages_and_download_together(page, live_standin, event, tmp_path):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(gallery(live_standin))
    page.get_by_role("button", name="Select").click()
    download_selected = page.get_by_role("button", name="Download selected (ZIP)")
    assert download_selected.is_disabled()
    page.get_by_label(f"Select: Photo 2 of {TOTAL}").check()
    page.get_by_role("link", name=f"Photo 5 of {TOTAL}", exact=True).click()  # a tap ticks
    assert page.get_by_label(f"Select: Photo 5 of {TOTAL}").is_checked()
    assert page.locator("[data-selection-count]").inner_text() == "2 selected"

    page.get_by_role("link", name="Next page").click()
    page.wait_for_url("**/?page=2")
    assert page.locator("[data-selection-count]").inner_text() == "2 selected"
    page.get_by_label(f"Select: Photo 31 of {TOTAL}").check()
    assert page.locator("[data-selection-count]").inner_text() == "3 selected"
    with page.expect_download() as pending:
        download_selected.click()
    saved = tmp_path / pending.value.suggested_filename
    pending.value.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        names = sorted(archive.namelist())
    assert names == sorted(FILES[i] for i in (1, 4, 30))

    page.get_by_role("link", name="Previous page").click()
    page.wait_for_url(gallery(live_standin))
    assert page.get_by_label(f"Select: Photo 2 of {TOTAL}").is_checked()
    assert not page.get_by_label(f"Select: Photo 3 of {TOTAL}").is_checked()


def test_a_phone_saves_the_whole_search_in_six_taps(phone, live_standin, event):
    phone.goto(gallery(live_standin))
    status = phone.locator("[data-save-status]")
    phone.get_by_role("link", name=f"Save all {TOTAL} photos").click()
    taps = 1
    for first in range(1, TOTAL + 1, 10):
        last = min(first + 9, TOTAL)
        left = (TOTAL - first) // 10 + 1
        # Once the next ten are fetched, the bar says how far it is and what is left.
        taps_left = f"{left} tap{'s' if left > 1 else ''} to go"
        status.filter(has_text=f"{first - 1} of {TOTAL} saved. {taps_left}").wait_for()
        phone.get_by_role("button", name=f"Save photos {first}–{last}").click()
        taps += 1
    status.filter(has_text=f"{TOTAL} of {TOTAL} saved.").wait_for()
    calls = phone.evaluate("window.shareCalls")
    assert taps == 6
    assert [len(call["names"]) for call in calls] == [10, 10, 10, 10, 7]
    assert all(call["afterTap"] for call in calls)
    shared = [name for call in calls for name in call["names"]]
    assert shared == FILES
    assert min(size for call in calls for size in call["sizes"]) > 100_000
    # Done: the bar offers the whole search again.
    assert phone.get_by_role("link", name=f"Save all {TOTAL} photos").is_visible()


def test_a_phone_saves_the_photos_ticked_on_two_pages(phone, live_standin, event):
    phone.goto(gallery(live_standin))
    phone.get_by_role("button", name="Select").click()
    phone.get_by_label(f"Select: Photo 3 of {TOTAL}").check()
    phone.goto(gallery(live_standin, 2))
    phone.get_by_label(f"Select: Photo 40 of {TOTAL}").check()
    phone.get_by_role("button", name="Download selected").click()
    phone.get_by_role("button", name="Save photos 1–2").click()
    phone.locator("[data-save-status]").filter(has_text="2 of 2 saved.").wait_for()
    calls = phone.evaluate("window.shareCalls")
    assert calls[0]["names"] == [FILES[2], FILES[39]]


def test_without_javascript_ticks_show_and_download_as_one_zip(
    browser, live_standin, event, tmp_path
):
    context = browser.new_context(java_script_enabled=False, accept_downloads=True)
    page = context.new_page()
    page.goto(gallery(live_standin))
    assert page.get_by_role("button", name="Select", exact=True).count() == 0
    page.get_by_label(f"Select: Photo 2 of {TOTAL}").check()
    with page.expect_download() as pending:
        page.get_by_role("button", name="Download selected (ZIP)").click()
    saved = tmp_path / pending.value.suggested_filename
    pending.value.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        assert archive.namelist() == [FILES[1]]
    context.close()
