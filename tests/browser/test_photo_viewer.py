"""The photo viewer by keyboard and by touch."""

import pytest

from standins.ninepic import catalogue

BIB = catalogue.BIB_WITH_MANY_PHOTOS
PHOTOS = [p.image_id for p in catalogue.photos_for_bib(catalogue.DEMO_EVENT_ID, BIB)]


def test_keyboard(page, live_standin, event):
    page.goto(f"{live_standin.url}/en/events/demo/bib/{BIB}/")
    page.get_by_role("link", name=f"Photo 1 of {len(PHOTOS)}", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Photo 1 of")
    page.keyboard.press("ArrowRight")
    page.wait_for_url(f"**/photos/{PHOTOS[1]}/")
    page.keyboard.press("ArrowRight")
    page.wait_for_url(f"**/photos/{PHOTOS[2]}/")
    page.keyboard.press("ArrowLeft")
    page.wait_for_url(f"**/photos/{PHOTOS[1]}/")
    page.keyboard.press("Escape")
    page.wait_for_url(f"**/bib/{BIB}/#photo-{PHOTOS[1]}")
    # Every control is reachable with Tab, in reading order, each with a clear name.
    page.goto(f"{live_standin.url}/en/events/demo/bib/{BIB}/photos/{PHOTOS[1]}/")
    names = []
    for _ in range(12):
        page.keyboard.press("Tab")
        names.append(
            page.evaluate(
                "(el => el.textContent.trim() || el.querySelector('img').alt)"
                "(document.activeElement)"
            )
        )
    assert names[:2] == ["Skip to content", "Demo City Marathon"]
    assert names[2:6] == ["English", "Deutsch", "Español", "Français"]  # the language switcher
    assert names[6:12] == [
        f"← All {len(PHOTOS)} photos",
        "Share",
        f"Photo 2 of {len(PHOTOS)} for BIB {BIB}",  # the photo: full screen
        "‹ Previous photo",
        "Download",
        "Next photo ›",
    ]


def swipe(page, dx: int) -> None:
    page.evaluate(
        """dx => {
            const viewer = document.querySelector('[data-viewer]');
            const touch = x => new Touch({identifier: 1, target: viewer, clientX: x, clientY: 300});
            // As a finger does: down, it is one of the touches; lifted, it is none.
            const send = (type, x, touches) => viewer.dispatchEvent(new TouchEvent(
                type, {touches: touches, changedTouches: [touch(x)], bubbles: true}));
            send('touchstart', 200, [touch(200)]);
            send('touchend', 200 + dx, []);
        }""",
        dx,
    )


def test_swipe(browser, live_standin, event):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True
    )
    page = context.new_page()
    page.goto(f"{live_standin.url}/en/events/demo/bib/{BIB}/photos/{PHOTOS[29]}/")
    swipe(page, -120)  # to the left: the next photo, on page 2
    page.wait_for_url(f"**/photos/{PHOTOS[30]}/?page=2")
    swipe(page, 120)
    page.wait_for_url(f"**/photos/{PHOTOS[29]}/")
    swipe(page, 20)  # too short to count
    page.wait_for_timeout(300)
    assert page.url.endswith(f"/photos/{PHOTOS[29]}/")
    context.close()


def test_share_copies_the_link_where_there_is_no_share_sheet(browser, live_standin, event):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(f"{live_standin.url}/en/events/demo/bib/{BIB}/")
    assert page.evaluate("'share' in navigator") is False  # desktop Linux Chromium
    page.get_by_role("button", name="Share").click()
    page.get_by_role("status").filter(has_text="Link copied").wait_for()
    assert (
        page.evaluate("navigator.clipboard.readText()")
        == f"{live_standin.url}/events/demo/bib/{BIB}/"  # no language: the recipient's own
    )
    context.close()


def test_share_opens_the_share_sheet_where_there_is_one(browser, live_standin, event):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    context.add_init_script(
        "navigator.share = data => { window.shared = data; return Promise.resolve(); };"
    )
    page = context.new_page()
    page.goto(f"{live_standin.url}/en/events/demo/bib/{BIB}/photos/{PHOTOS[2]}/")
    page.get_by_role("button", name="Share").click()
    shared = page.evaluate("window.shared")
    assert shared["url"] == f"{live_standin.url}/events/demo/bib/{BIB}/photos/{PHOTOS[2]}/"
    assert shared["title"].startswith("Race photo for BIB")
    context.close()


# The first photo is landscape, the fifth portrait (the stand-in's every fifth).
@pytest.mark.parametrize("size", [(1280, 900), (1366, 768), (390, 844), (360, 640)])
@pytest.mark.parametrize("index", [0, 4])
def test_every_action_is_on_the_first_screen(page, live_standin, event, size, index):
    width, height = size
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_standin.url}/en/events/demo/bib/{BIB}/photos/{PHOTOS[index]}/")
    actions = [
        page.get_by_role("link", name=f"All {len(PHOTOS)} photos"),
        page.get_by_role("button", name="Share"),
        page.get_by_role("link", name="Download"),
        page.get_by_role("link", name="Next photo"),
    ]
    if index:
        actions.append(page.get_by_role("link", name="Previous photo"))
    for action in actions:
        box = action.bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= height, action
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, action


def test_previous_and_next_line_up_with_the_photo(page, live_standin, event):
    page.set_viewport_size({"width": 1280, "height": 900})
    for index in (0, 4):
        page.goto(f"{live_standin.url}/en/events/demo/bib/{BIB}/photos/{PHOTOS[index]}/")
        photo = page.locator(".viewer-photo img").bounding_box()
        following = page.get_by_role("link", name="Next photo").bounding_box()
        assert following["x"] + following["width"] == pytest.approx(
            photo["x"] + photo["width"], abs=1
        )
        if index:
            previous = page.get_by_role("link", name="Previous photo").bounding_box()
            assert previous["x"] == pytest.approx(photo["x"], abs=1)


def test_the_keyboard_hint_shows_with_a_keyboard_and_the_gesture_hint_on_touch(
    browser, live_standin, event
):
    address = f"{live_standin.url}/en/events/demo/bib/{BIB}/photos/{PHOTOS[1]}/"
    computer = browser.new_page(viewport={"width": 1280, "height": 900})
    computer.goto(address)
    assert computer.get_by_text("the arrow keys").is_visible()
    assert not computer.get_by_text("pinch to zoom").is_visible()
    computer.close()
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    phone = context.new_page()
    phone.goto(address)
    assert not phone.get_by_text("the arrow keys").is_visible()
    assert phone.get_by_text("pinch to zoom").is_visible()
    context.close()


def test_the_photo_opens_full_screen_and_a_swipe_there_moves_nowhere(page, live_standin, event):
    page.goto(f"{live_standin.url}/en/events/demo/bib/{BIB}/photos/{PHOTOS[1]}/")
    page.get_by_role("link", name=f"Photo 2 of {len(PHOTOS)} for BIB {BIB}").click()
    page.wait_for_function("document.fullscreenElement?.tagName === 'FIGURE'")
    swipe(page, -120)
    page.wait_for_timeout(300)
    assert page.url.endswith(f"/photos/{PHOTOS[1]}/")
    page.get_by_role("link", name=f"Photo 2 of {len(PHOTOS)} for BIB {BIB}").click()
    page.wait_for_function("document.fullscreenElement === null")


def test_without_javascript_the_photo_links_to_its_large_preview(browser, live_standin, event):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_standin.url}/en/events/demo/bib/{BIB}/photos/{PHOTOS[1]}/")
    photo = page.get_by_role("link", name=f"Photo 2 of {len(PHOTOS)} for BIB {BIB}")
    assert photo.get_attribute("href") == page.locator(".viewer-photo img").get_attribute("src")
    context.close()


@pytest.mark.parametrize("index", [0, 4])  # landscape, portrait
def test_the_photos_place_is_kept_before_it_arrives(page, live_standin, event, index):
    address = f"{live_standin.url}/en/events/demo/bib/{BIB}/photos/{PHOTOS[index]}/"
    page.goto(address)
    photo = page.locator(".viewer-photo img")
    photo.evaluate("img => img.decode()")
    arrived = photo.bounding_box()
    page.route("**/cdn/**", lambda route: route.abort())  # the photo never comes
    page.goto(address)
    assert photo.bounding_box() == pytest.approx(arrived, abs=1)
