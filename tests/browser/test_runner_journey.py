"""A runner on a phone: search a BIB, browse, go to page 2, download a photo."""

import zipfile

from standins.ninepic import catalogue, facefind

BIB = catalogue.BIB_WITH_MANY_PHOTOS
BIB_TOTAL = len(catalogue.photos_for_bib(catalogue.DEMO_EVENT_ID, BIB))


def test_search_browse_and_download(page, live_standin, event, tmp_path):
    page.goto(f"{live_standin.url}/en/events/demo/")
    page.get_by_label("BIB number").fill(BIB)
    page.get_by_role("button", name="Find my photos", exact=True).click()

    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text().split() == [str(BIB_TOTAL), "photos", "for", "BIB", BIB]
    assert page.locator(".photo-card").count() == 30
    first_photo = page.locator(".photo-card img").first
    first_photo.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=first_photo.element_handle()
    )

    page.get_by_role("link", name="Next page").click()
    # Until it loads (not just when its address shows), the new page may have no cards yet.
    page.wait_for_url(lambda url: url.endswith(f"/bib/{BIB}/?page=2"))
    assert page.locator(".photo-card").count() == BIB_TOTAL - 30
    assert page.get_by_role("link", name="Page 2").get_attribute("aria-current") == "page"

    button = page.locator(".photo-card").first.get_by_role("link", name="Download")
    image_id = button.get_attribute("href").split("/")[-2]
    with page.expect_download() as pending:
        button.click()
    download = pending.value
    assert download.suggested_filename == f"{image_id}.jpg"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes()[:3] == b"\xff\xd8\xff"
    assert saved.stat().st_size > 100_000


def test_invalid_bib_is_explained_next_to_the_field(page, live_standin, event):
    page.goto(f"{live_standin.url}/en/events/demo/")
    page.get_by_label("BIB number").fill("12/34")
    page.get_by_role("button", name="Find my photos", exact=True).click()
    field = page.get_by_label("BIB number")
    assert field.get_attribute("aria-invalid") == "true"
    assert "1 to 20 letters, digits or hyphens" in page.locator("#bib-error").inner_text()
    assert page.evaluate("document.activeElement.id") == "id_bib"


def test_tick_photos_and_download_them_as_one_zip(page, live_standin, event, tmp_path):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_standin.url}/en/events/demo/bib/{BIB}/")
    page.get_by_label(f"Select: Photo 2 of {BIB_TOTAL}").check()
    page.get_by_label(f"Select: Photo 5 of {BIB_TOTAL}").check()
    with page.expect_download() as pending:
        page.get_by_role("button", name="Download selected (ZIP)").click()
    saved = tmp_path / pending.value.suggested_filename
    pending.value.save_as(saved)
    assert saved.name == f"demo-bib-{BIB}.zip"
    with zipfile.ZipFile(saved) as archive:
        assert len(archive.namelist()) == 2
        assert archive.testzip() is None


SHARE_SHEET = """
navigator.canShare = data => Array.isArray(data.files);
navigator.share = data => {
  window.sharedFiles = (window.sharedFiles || []).concat(
    [data.files.map(f => ({name: f.name, type: f.type, size: f.size}))]);
  return Promise.resolve();
};
"""


def test_phones_save_photos_through_the_share_sheet(browser, live_standin, event):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    context.add_init_script(SHARE_SHEET)
    page = context.new_page()
    page.goto(f"{live_standin.url}/en/events/demo/bib/{BIB}/")
    picked = []
    for number in (1, 4, 7):
        box = page.get_by_label(f"Select: Photo {number} of {BIB_TOTAL}")
        box.check()
        picked.append(f"{box.get_attribute('value')}.jpg")
    save = page.get_by_role("button", name="Save photos to this phone")
    save.click()  # prepares
    page.get_by_role("button", name="Save 3 photos").click()  # shares
    page.get_by_role("status").filter(has_text="All 3 photos").wait_for()
    shared = page.evaluate("window.sharedFiles")
    assert len(shared) == 1
    assert [f["name"] for f in shared[0]] == picked
    assert all(f["type"] == "image/jpeg" and f["size"] > 100_000 for f in shared[0])
    context.close()


def test_without_file_sharing_there_is_no_save_button(page, live_standin, event):
    page.goto(f"{live_standin.url}/en/events/demo/bib/{BIB}/")
    assert page.get_by_role("button", name="Save photos to this phone").count() == 0
    assert page.get_by_role("button", name="Download selected (ZIP)").is_visible()


def test_without_javascript_the_journey_works_and_no_dead_buttons_show(
    browser, live_standin, event
):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_standin.url}/en/events/demo/")
    page.get_by_label("BIB number").fill(BIB)
    page.get_by_role("button", name="Find my photos", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text().startswith(f"{BIB_TOTAL} photos")
    assert not page.get_by_role("button", name="Share").is_visible()
    assert page.get_by_role("button", name="Save photos to this phone").count() == 0
    page.get_by_role("link", name="Next page").click()
    page.wait_for_url(lambda url: url.endswith("?page=2"))
    context.close()


def test_no_photos_offers_the_selfie_search_in_one_tap(page, live_standin, event):
    page.goto(f"{live_standin.url}/en/events/demo/bib/5555/")
    page.get_by_role("link", name="Search with a selfie").click()
    assert page.evaluate("location.hash") == "#selfie"
    page.get_by_label("Choose a photo of yourself").set_input_files(facefind.SAMPLE_SELFIE)
    page.get_by_role("button", name="Find my photos with a selfie").click()
    page.wait_for_url("**/en/events/demo/selfie/*/")
    assert page.get_by_role("heading", level=1).inner_text() == "15 photos for your selfie"
