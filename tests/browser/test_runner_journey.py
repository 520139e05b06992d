"""A runner on a phone: search a BIB, browse, go to page 2, download a photo."""

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


def test_without_file_sharing_save_all_is_the_zip(page, live_standin, event):
    page.goto(f"{live_standin.url}/en/events/demo/bib/{BIB}/")
    save = page.get_by_role("link", name=f"Save all {BIB_TOTAL} photos (ZIP)")
    assert save.get_attribute("href").endswith(f"/bib/{BIB}/photos.zip")


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
    assert page.get_by_role("button", name="Select", exact=True).count() == 0
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
