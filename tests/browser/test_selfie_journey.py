"""A runner finds their photos with a selfie: on a phone, on a computer, without JavaScript,
and inside a race site's iframe with third-party cookies blocked."""

import io
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from PIL import Image

from photos.web import uploads
from standins.ninepic import catalogue, facefind
from tests.browser import test_embed
from tests.selfie_pictures import MARKER, phone_photo

# The stand-in's toy matcher finds the runner in the red shirt: BIB 777.
RED_SHIRT_PHOTOS = len(catalogue.runner_photos(catalogue.DEMO_EVENT_ID, "red"))
GALLERY = re.compile(r"/en/(?:embed/)?events/demo/selfie/[0-9a-f-]{36}/$")

host_site = test_embed.host_site
blocking_browser = test_embed.blocking_browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


SEEN_ON_SUBMIT = """
window.addEventListener("submit", () => {
  const progress = document.querySelector("[role=status] [data-selfie-progress]:not([hidden])");
  const sending = document.querySelector("[data-selfie-submit]").disabled;
  sessionStorage.setItem("seen-on-submit", JSON.stringify([progress.innerText, sending]));
});
"""


@pytest.fixture
def received(monkeypatch) -> list[bytes]:
    """What the portal received as the selfie of each upload (the browser does not show
    Playwright a body holding a file)."""
    kept: list[bytes] = []
    read = uploads.sent_file

    def keep(*args, **kwargs) -> bytes:
        kept.append(read(*args, **kwargs))
        return kept[-1]

    monkeypatch.setattr(uploads, "sent_file", keep)
    return kept


@pytest.fixture
def phone_selfie(tmp_path):
    """A 12-megapixel selfie with GPS in its EXIF, as a phone saves it (a few MB)."""
    path = tmp_path / "IMG_2041.jpg"
    path.write_bytes(phone_photo())
    return path


@pytest.mark.parametrize("device", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_pick_a_selfie_see_progress_and_download_from_the_gallery(
    browser, live_standin, event, phone_selfie, received, tmp_path, device
):
    context = browser.new_context(accept_downloads=True, **device)
    page = context.new_page()
    # What the runner sees once the form is sent, kept for after the page has gone: the page
    # is leaving then, and the test cannot read it in time.
    page.add_init_script(SEEN_ON_SUBMIT)
    page.goto(f"{live_standin.url}/en/events/demo/")
    camera = page.locator("input[type=file][capture=user]")
    assert camera.get_attribute("accept") == "image/*"

    page.get_by_label("Choose a photo of yourself").set_input_files(phone_selfie)
    page.locator(".selfie-preview:not([hidden])").wait_for()  # shrunk and shown
    page.get_by_role("button", name="Find my photos with a selfie").click()
    page.wait_for_url(GALLERY)
    progress, sending = page.evaluate("JSON.parse(sessionStorage.getItem('seen-on-submit'))")
    assert "Looking for you in the photos" in progress
    assert sending  # a second tap sends nothing more

    # The browser sent a small JPEG without EXIF, not the phone's 3 MB original.
    [sent] = received
    assert phone_selfie.stat().st_size > 1_500_000 and len(sent) < 400_000
    assert MARKER.encode() not in sent
    with Image.open(io.BytesIO(sent)) as picture:
        assert picture.format == "JPEG" and max(picture.size) == 1280
        assert not picture.getexif()
    assert page.get_by_role("heading", level=1).inner_text() == (
        f"{RED_SHIRT_PHOTOS} photos for your selfie"
    )
    button = page.locator(".photo-card").first.get_by_role("link", name="Download")
    with page.expect_download() as pending:
        button.click()
    saved = tmp_path / pending.value.suggested_filename
    pending.value.save_as(saved)
    assert saved.read_bytes()[:3] == b"\xff\xd8\xff"

    # Back to the search page (from the browser's cache): ready for another selfie.
    page.go_back()
    assert page.get_by_role("button", name="Find my photos with a selfie").is_enabled()
    context.close()


def test_without_javascript_the_form_posts_the_picture_as_it_is(
    browser, live_standin, event, phone_selfie, received
):
    context = browser.new_context(java_script_enabled=False, **PHONE)
    page = context.new_page()
    page.goto(f"{live_standin.url}/en/events/demo/")
    page.get_by_label("Choose a photo of yourself").set_input_files(phone_selfie)
    page.get_by_role("button", name="Find my photos with a selfie").click()
    page.wait_for_url(GALLERY)
    assert received == [phone_selfie.read_bytes()]  # whole: the portal shrinks it
    assert page.get_by_role("heading", level=1).inner_text() == (
        f"{RED_SHIRT_PHOTOS} photos for your selfie"
    )
    context.close()


def test_a_selfie_search_id_still_opens_its_gallery_from_a_folded_away_form(
    browser, live_standin, event
):
    page = browser.new_page()
    page.goto(f"{live_standin.url}/en/events/demo/")
    field = page.get_by_label("Selfie search ID")
    assert not field.is_visible()
    page.get_by_text("I already have a search ID").click()
    field.fill(catalogue.DEMO_SELFIE_REQUEST_ID)
    page.get_by_role("button", name="Open my selfie search").click()
    page.wait_for_url(f"**/selfie/{catalogue.DEMO_SELFIE_REQUEST_ID}/")
    page.close()


def test_a_selfie_inside_a_third_party_iframe_without_cookies(
    blocking_browser, live_standin, event, host_site, phone_selfie, tmp_path
):
    event.embed_origins = host_site.origin
    event.save()
    page = blocking_browser.new_page()
    page.goto(host_site.page_with(test_embed.snippet(live_standin.url)))
    frame = page.frame_locator("iframe")
    frame.get_by_label("Choose a photo of yourself").set_input_files(phone_selfie)
    frame.locator(".selfie-preview:not([hidden])").wait_for()
    frame.get_by_role("button", name="Find my photos with a selfie").click()

    page.wait_for_function("/^#photos=selfie\\/[0-9a-f-]{36}\\/$/.test(location.hash)")
    inner = page.frames[1]
    assert GALLERY.search(inner.url) and "/embed/" in inner.url
    assert inner.evaluate("document.cookie") == ""
    frame.get_by_role("heading", name=f"{RED_SHIRT_PHOTOS} photos for your selfie").wait_for()
    card = frame.locator(".photo-card").first
    with page.expect_download() as pending:
        card.get_by_role("link", name="Download").click()
    assert pending.value.suggested_filename.endswith(".jpg")


def test_a_picture_that_is_not_one_is_explained_with_the_form_again(
    browser, live_standin, event, tmp_path
):
    page = browser.new_page()
    notes = tmp_path / "race-notes.jpg"
    notes.write_text("not a picture")
    page.goto(f"{live_standin.url}/en/events/demo/")
    page.get_by_label("Choose a photo of yourself").set_input_files(notes)
    page.get_by_role("button", name="Find my photos with a selfie").click()
    page.get_by_role("heading", name="We could not use that picture").wait_for()
    assert page.get_by_label("Choose a photo of yourself").is_visible()
    page.close()


def test_sending_without_a_picture_asks_for_one_first(browser, live_standin, event):
    page = browser.new_page()
    page.goto(f"{live_standin.url}/en/events/demo/")
    page.get_by_role("button", name="Find my photos with a selfie").click()
    page.get_by_role("status").get_by_text("Take a selfie or choose a photo first.").wait_for()
    assert page.url.endswith("/en/events/demo/")
    page.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_the_selfie_states_have_no_accessibility_violations(
    browser, live_standin, event, tmp_path, width
):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(f"{live_standin.url}/en/events/demo/")
    grey = tmp_path / "grey.jpg"
    facefind.selfie("red").convert("L").save(grey)  # little colour: matches nobody
    page.get_by_label("Choose a photo of yourself").set_input_files(grey)
    page.locator(".selfie-preview:not([hidden])").wait_for()
    page.get_by_text("I already have a search ID").click()
    # The progress state as it shows while the upload is on its way.
    page.evaluate("document.querySelector('[data-selfie-progress]').hidden = false")
    states = [Axe().run(page)]

    page.get_by_role("button", name="Find my photos with a selfie").click()
    page.get_by_role("heading", name="No photos yet for your selfie").wait_for()
    assert page.get_by_text("Tips for a selfie that finds you").is_visible()
    states.append(Axe().run(page))

    page.goto(f"{live_standin.url}/en/events/demo/")
    page.get_by_role("button", name="Find my photos with a selfie").click()  # no picture
    page.get_by_text("Take a selfie or choose a photo first.").wait_for()
    states.append(Axe().run(page))
    page.close()
    for results in states:
        assert results.violations_count == 0, results.generate_report()
