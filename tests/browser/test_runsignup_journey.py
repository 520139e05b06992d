"""A runner of a RunSignUp event on a phone: the same journey as on 9Pic, from the index."""

import pytest
from django.urls import reverse

from photos.providers.runsignup.sync import sync_event
from standins.runsignup import catalogue

BIB = catalogue.DEMO_BIB
SHOWING_BIB = catalogue.bibs_index()[BIB]


@pytest.fixture
def portal(live_runsignup, runsignup_event) -> str:
    sync_event(event=runsignup_event)
    return live_runsignup.url


def loaded(page, image) -> None:
    image.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )


def test_search_gallery_photo_and_download(page, portal, tmp_path):
    page.goto(portal + reverse("photos:event", args=["trail"]))
    assert page.get_by_label("Selfie search ID").count() == 0  # RunSignUp searches by BIB only
    page.get_by_label("BIB number").fill(str(BIB))
    page.get_by_role("button", name="Find my photos", exact=True).click()

    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text().split() == [str(len(SHOWING_BIB)), "photos", "for", "BIB", str(BIB)]
    assert page.locator(".photo-card").count() == 30
    loaded(page, page.locator(".photo-card img").first)  # RunSignUp's thumbnail

    page.get_by_role("link", name="Next page").click()
    # Until it loads (not just when its address shows), the new page may have no cards yet.
    page.wait_for_url(lambda url: url.endswith(f"/bib/{BIB}/?page=2"))
    assert page.locator(".photo-card").count() == len(SHOWING_BIB) - 30

    page.get_by_role("link", name=f"Photo 31 of {len(SHOWING_BIB)}", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Photo 31 of")
    loaded(page, page.locator(".viewer-photo img"))  # RunSignUp's large image
    shown = SHOWING_BIB[30]
    with page.expect_download() as pending:
        page.get_by_role("link", name="Download", exact=True).click()
    download = pending.value
    assert download.suggested_filename == shown.uploaded_filename
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    original = page.request.get(f"{portal}/_standin/runsignup/images/{shown.photo_id}/original.jpg")
    assert saved.read_bytes() == original.body()


@pytest.mark.parametrize(
    ("viewport", "scale", "rendering"),
    [
        ({"width": 390, "height": 844}, 3, "large"),  # a dense phone: a tile is ~540 pixels
        ({"width": 390, "height": 844}, 1, "thumbnail"),
        ({"width": 1280, "height": 900}, 1, "thumbnail"),
        ({"width": 1280, "height": 900}, 2, "large"),
    ],
)
def test_tiles_take_runsignups_large_image_where_the_screen_needs_it(
    browser, portal, viewport, scale, rendering
):
    context = browser.new_context(viewport=viewport, device_scale_factor=scale)
    page = context.new_page()
    page.goto(portal + reverse("photos:gallery", args=["trail", "bib", BIB]))
    first = page.locator(".photo-card img").first
    loaded(page, first)
    shown = first.evaluate("img => img.currentSrc")
    assert shown.endswith(f"/{SHOWING_BIB[0].photo_id}/{rendering}.jpg")
    page.wait_for_load_state("networkidle")
    context.close()
