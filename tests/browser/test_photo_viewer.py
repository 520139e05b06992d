"""The photo viewer by keyboard and by touch."""

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
    for _ in range(10):
        page.keyboard.press("Tab")
        names.append(page.evaluate("document.activeElement.textContent.trim()"))
    assert names[:2] == ["Skip to content", "Demo City Marathon"]
    assert names[2:6] == ["English", "Deutsch", "Español", "Français"]  # the language switcher
    assert names[6:10] == [
        f"← All {len(PHOTOS)} photos",
        "‹ Previous photo",
        "Download",
        "Next photo ›",
    ]


def swipe(page, dx: int) -> None:
    page.evaluate(
        """dx => {
            const viewer = document.querySelector('[data-viewer]');
            const touch = x => new Touch({identifier: 1, target: viewer, clientX: x, clientY: 300});
            const send = (type, x) => viewer.dispatchEvent(
                new TouchEvent(type, {changedTouches: [touch(x)], bubbles: true}));
            send('touchstart', 200);
            send('touchend', 200 + dx);
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
