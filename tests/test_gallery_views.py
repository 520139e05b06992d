"""Runner pages with 9Pic faked by `responses`: validation, galleries, errors, downloads."""

import io
import json
import re
import zipfile

import pytest
import requests

from photos.models import Event
from tests import ninepic_answers

UPSTREAM = ninepic_answers.ORIGINAL_PHOTOS
BIB_SEARCH = ninepic_answers.bib_search("1234")
SELFIE = "ddc661a7-8861-4793-9437-af42a82d12f8"
IMAGE = "a4402318-0cf4-4e1e-b8e8-ac8e8f2fc244"
STORAGE_URL = f"https://storage.test/imgs/456/large/{IMAGE}.jpg?X-Amz-Signature=fresh"
CDN = ninepic_answers.CDN


def bib_page(total: int = 47, page: int = 1, page_size: int = 30, count: int = 30) -> dict:
    """A page of BIB Search: `count` photos of `total`."""
    first = (page - 1) * page_size
    ids = ninepic_answers.photo_ids(count, first=first)
    return ninepic_answers.listing(ids, total=total, page=page, page_size=page_size)


# --- Events and the search page ----------------------------------------------------


def test_front_page_lists_only_published_events(client, event):
    Event.objects.create(name="Secret Trail", slug="secret", org_id=1, event_id=2)
    page = client.get("/en/")
    assert page.status_code == 200
    assert b"Demo City Marathon" in page.content
    assert b"Secret Trail" not in page.content


def test_event_page_offers_the_events_methods(client, event):
    page = client.get("/en/events/demo/")
    assert page.status_code == 200
    assert b'name="bib"' in page.content
    assert b'name="selfie"' in page.content
    event.offers_selfie_search = False
    event.save()
    page = client.get("/en/events/demo/")
    assert b'name="bib"' in page.content
    assert b'name="selfie"' not in page.content


@pytest.mark.parametrize("slug", ["nope", "secret"])
def test_unknown_or_unpublished_event_is_a_friendly_404(client, event, slug):
    Event.objects.create(name="Secret Trail", slug="secret", org_id=1, event_id=2)
    page = client.get(f"/en/events/{slug}/")
    assert page.status_code == 404
    assert b"We could not find that page" in page.content


def test_theme_stylesheet_carries_the_accent(client, event):
    sheet = client.get("/en/events/demo/theme.css")
    assert sheet["Content-Type"].startswith("text/css")
    assert b"--accent: #c2410c" in sheet.content
    assert b"--accent-text: #ffffff" in sheet.content


def test_the_bib_field_offers_a_number_pad_where_the_events_bibs_are_numbers(client, event):
    assert b'inputmode="numeric"' not in client.get("/en/events/demo/").content
    event.bibs_are_numbers = True
    event.save()
    assert b'inputmode="numeric"' in client.get("/en/events/demo/").content


# --- Search -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "target"),
    [
        ("bib=1234", "/en/events/demo/bib/1234/"),
        ("bib=+A-17+", "/en/events/demo/bib/A-17/"),
        ("bib=a-17", "/en/events/demo/bib/A-17/"),
        # Tidied as typed (the whole table is in tests/test_identifiers.py).
        ("bib=%23+1+234.", "/en/events/demo/bib/1234/"),
        ("bib=%EF%BC%A1%E2%80%9317", "/en/events/demo/bib/A-17/"),  # full-width A, en dash
        (f"selfie={SELFIE.upper()}", f"/en/events/demo/selfie/{SELFIE}/"),
    ],
)
def test_search_redirects_to_the_canonical_gallery(client, event, upstream, query, target):
    page = client.get(f"/en/events/demo/search?{query}")
    assert page.status_code == 302
    assert page["Location"] == target
    assert len(upstream.calls) == 0
    assert "Set-Cookie" not in page.headers


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("bib=", b"Enter your BIB number."),
        ("bib=12_34", b"1 to 20 letters, digits or hyphens"),
        ("bib=" + "9" * 21, b"1 to 20 letters, digits or hyphens"),
        ("bib=%3Cscript%3E", b"1 to 20 letters, digits or hyphens"),
        ("selfie=not-a-uuid", b"That is not a valid selfie search ID"),
        ("selfie={" + SELFIE + "}", b"That is not a valid selfie search ID"),
    ],
)
def test_invalid_search_is_a_400_with_an_inline_message(client, event, upstream, query, message):
    page = client.get(f"/en/events/demo/search?{query}")
    assert page.status_code == 400
    assert message in page.content
    assert b'aria-invalid="true"' in page.content
    assert b"<script>" not in page.content
    assert len(upstream.calls) == 0


def test_a_method_the_event_does_not_offer_is_not_searched(client, event, upstream):
    event.offers_selfie_search = False
    event.save()
    page = client.get(f"/en/events/demo/search?selfie={SELFIE}")
    assert page.status_code == 400
    assert client.get(f"/en/events/demo/selfie/{SELFIE}/").status_code == 404
    assert len(upstream.calls) == 0


# --- Galleries --------------------------------------------------------------------------


def test_gallery_shows_count_photos_downloads_and_pagination(client, event, upstream):
    upstream.get(BIB_SEARCH, json=bib_page())
    page = client.get("/en/events/demo/bib/1234/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "47 photos" in html and "for BIB 1234" in html
    assert html.count('class="photo-card"') == 30
    assert html.count('/download" download=') == 30
    assert "storage.test" not in html and "original-photos" not in html
    assert 'href="?page=2"' in html
    assert 'aria-current="page"' in html
    assert "private" in page["Cache-Control"] and "no-cache" in page["Cache-Control"]
    [call] = upstream.calls
    assert call.request.url == f"{BIB_SEARCH}?page=1&page_size=30"


def test_tiles_show_9pics_previews_with_their_size(client, event, upstream):
    """9Pic's small preview for the grid (9Pic says neither preview's width; the large one
    is for the photo page), the photo's own size reserved: the portal fetches no original to
    show a gallery."""
    upstream.get(BIB_SEARCH, json=bib_page())
    html = client.get("/en/events/demo/bib/1234/").content.decode()
    first = ninepic_answers.photo_ids(1)[0]
    assert (
        f'<img src="{CDN}/small/{first}.jpg" alt="Photo 1 of 47" width="6000" height="4000"'
    ) in html
    assert f"{CDN}/large/" not in html
    assert html.count(f'<img src="{CDN}/small/') == 30
    assert "/preview" not in html.split("<body")[1]  # the portal's previews: share cards only


def test_upstream_image_ids_are_validated(client, event, upstream):
    """Red-team finding 16: photos without a UUID (first of all an empty ID, which made the
    gallery a 500) are left out; no link names them."""
    answer = bib_page(count=3)
    odd = [{**ninepic_answers.image_item("x"), "image_id": bad} for bad in ("", "<b>x</b>")]
    answer["data"]["images"][:0] = odd
    upstream.get(BIB_SEARCH, json=answer)
    page = client.get("/en/events/demo/bib/1234/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('class="photo-card"') == 3
    assert "/photos//" not in html and "<b>x</b>" not in html and "&lt;b&gt;" not in html


def test_gallery_page_two_asks_upstream_for_page_two(client, event, upstream):
    upstream.get(BIB_SEARCH, json=bib_page(page=2, count=17))
    page = client.get("/en/events/demo/bib/1234/?page=2")
    assert page.status_code == 200
    assert "page=2" in upstream.calls[0].request.url
    assert page.content.decode().count('class="photo-card"') == 17
    assert b"Photo 31 of 47" in page.content


def test_page_past_the_end_redirects_to_the_last_page(client, event, upstream):
    upstream.get(BIB_SEARCH, json=bib_page(page=9, count=0))
    page = client.get("/en/events/demo/bib/1234/?page=9")
    assert page.status_code == 302
    assert page["Location"] == "/en/events/demo/bib/1234/?page=2"


@pytest.mark.parametrize("value", ["0", "-1", "abc", "1.5", "99999", "²"])
def test_bad_page_numbers_are_a_400(client, event, upstream, value):
    page = client.get("/en/events/demo/bib/1234/", {"page": value})
    assert page.status_code == 400
    assert b"That page number does not exist." in page.content
    assert len(upstream.calls) == 0


def test_bad_bib_in_the_path_is_a_400(client, event, upstream):
    page = client.get("/en/events/demo/bib/%E2%9C%93%E2%9C%93/")
    assert page.status_code == 400
    assert len(upstream.calls) == 0


def test_bibs_are_one_search_in_any_letter_case(client, event, upstream):
    page = client.get("/en/events/demo/bib/a-17/?page=2")
    assert page.status_code == 302
    assert page["Location"] == "/en/events/demo/bib/A-17/?page=2"
    assert len(upstream.calls) == 0


def test_non_canonical_selfie_id_redirects(client, event, upstream):
    page = client.get(f"/en/events/demo/selfie/{SELFIE.upper()}/?page=2")
    assert page.status_code == 302
    assert page["Location"] == f"/en/events/demo/selfie/{SELFIE}/?page=2"


@pytest.mark.parametrize("status", [200, 404])
def test_no_photos_is_a_helpful_empty_state(client, event, upstream, status):
    if status == 404:
        upstream.get(BIB_SEARCH, status=404, json={"responseType": "error", "message": "none"})
    else:
        upstream.get(BIB_SEARCH, json=bib_page(total=0, count=0))
    page = client.get("/en/events/demo/bib/1234/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "No photos yet" in html
    assert "still being processed" in html
    assert "typed differently" in html
    assert "hidden or folded" in html
    assert "a selfie search finds you by your face" in html
    # One tap to the selfie upload, on this page.
    assert '<a class="button" href="#selfie">Search with a selfie</a>' in html
    assert 'id="selfie"' in html


def test_headings_keep_a_bib_whole(client, event, upstream):
    upstream.get(ninepic_answers.bib_search("A-17"), json=bib_page(total=0, count=0))
    html = client.get("/en/events/demo/bib/A-17/").content.decode()
    heading = re.search(r"<h1>(.*?)</h1>", html, re.S)[1]
    assert '<span class="unbroken">A-17</span>' in heading  # portal.css: white-space: nowrap
    assert '<strong><span class="unbroken">A-17</span></strong>' in html


def test_without_selfie_search_the_empty_state_does_not_offer_it(client, event, upstream):
    event.offers_selfie_search = False
    event.save()
    upstream.get(BIB_SEARCH, json=bib_page(total=0, count=0))
    html = client.get("/en/events/demo/bib/1234/").content.decode()
    assert "hidden or folded" in html
    assert "selfie" not in html.lower()


# --- Upstream trouble, in plain words ---------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "status", "words"),
    [
        ({"status": 429, "headers": {"Retry-After": "20"}}, 503, "try again in 20 seconds"),
        ({"status": 503}, 502, "The photo service is having trouble"),
        ({"body": requests.ConnectionError("reset")}, 502, "The photo service is having trouble"),
        ({"body": "<html>oops</html>"}, 502, "The photo service is having trouble"),
        ({"body": requests.ReadTimeout("slow")}, 504, "took too long"),
        ({"status": 403, "json": {"message": "Forbidden"}}, 503, "not set up correctly"),
        ({"status": 401, "json": {"message": "Missing"}}, 503, "not set up correctly"),
        ({"status": 422, "json": {"message": "bad"}}, 400, "could not look that up"),
    ],
)
def test_upstream_trouble_in_plain_words(client, event, upstream, settings, fault, status, words):
    settings.NINEPIC_MAX_RETRIES = 1
    # Download Originals too: a refusal of the search listing makes the portal try it.
    upstream.get(BIB_SEARCH, **fault)
    upstream.post(UPSTREAM, **fault)
    page = client.get("/en/events/demo/bib/1234/")
    assert page.status_code == status
    assert words in page.content.decode()
    assert b"Traceback" not in page.content
    if status == 503 and fault["status"] == 429:
        assert page["Retry-After"] == "20"


# --- Downloads ---------------------------------------------------------------------------------


def fresh_link(upstream, url: str = STORAGE_URL, filename: str = f"{IMAGE}.jpg") -> None:
    upstream.post(
        UPSTREAM,
        json={
            "responseType": "success",
            "message": "Presigned URLs generated",
            "data": {
                "presigned_urls": [{"url": url, "filename": filename}],
                "failed_urls": [],
                "total_images": 1,
                "successful_count": 1,
                "failed_count": 0,
                "identifier": IMAGE,
                "pagination": None,
            },
        },
    )


def test_download_streams_a_freshly_signed_original(client, event, upstream):
    fresh_link(upstream)
    original = b"\xff\xd8\xff" + b"x" * 200_000
    upstream.get(STORAGE_URL, body=original, content_type="image/jpeg")
    response = client.get(f"/en/events/demo/photos/{IMAGE}/download")
    assert response.status_code == 200
    assert response.streaming
    assert b"".join(response.streaming_content) == original
    assert response["Content-Disposition"] == f'attachment; filename="{IMAGE}.jpg"'
    assert response["Content-Type"] == "image/jpeg"
    assert json.loads(upstream.calls[0].request.body) == {"method": "image_id", "identifier": IMAGE}


@pytest.mark.parametrize("filename", [f"x/{IMAGE}.exe", f"../../{IMAGE}.jpg\r\nSet-Cookie: a=b"])
def test_filenames_from_upstream_keep_only_a_safe_image_name(client, event, upstream, filename):
    """Red-team finding 14: the download's name is a plain image name, whatever 9Pic says."""
    fresh_link(upstream, filename=filename)
    upstream.get(STORAGE_URL, body=b"\xff\xd8\xff", content_type="image/jpeg")
    response = client.get(f"/en/events/demo/photos/{IMAGE}/download")
    assert response["Content-Disposition"] == f'attachment; filename="{IMAGE}.jpg"'


def test_zip_entry_names_are_unique(client, event, upstream):
    """Red-team finding 14: a photo 9Pic links twice is stored under two names, not one name
    twice, which unzip tools overwrite or refuse."""
    upstream.get(BIB_SEARCH, json=bib_page(total=3, count=3))
    photo = {"url": STORAGE_URL, "filename": f"{IMAGE}.jpg"}
    answer = ninepic_answers.presigned([])
    answer["data"]["presigned_urls"] = [photo, {**photo, "filename": f"{IMAGE}.JPG"}, photo]
    upstream.post(UPSTREAM, json=answer)
    upstream.get(STORAGE_URL, body=b"\xff\xd8\xff", content_type="image/jpeg")
    response = client.get("/en/events/demo/bib/1234/photos.zip")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.namelist() == [f"{IMAGE}.jpg", f"{IMAGE} (2).JPG", f"{IMAGE} (3).jpg"]


def test_download_can_redirect_instead(client, event, upstream, settings):
    settings.DOWNLOAD_MODE = "redirect"
    fresh_link(upstream)
    response = client.get(f"/en/events/demo/photos/{IMAGE}/download")
    assert response.status_code == 302
    assert response["Location"] == STORAGE_URL
    assert response["Cache-Control"] == "private, no-store"


def test_download_of_an_unknown_photo_is_a_404(client, event, upstream):
    upstream.post(
        UPSTREAM,
        status=400,
        json={"responseType": "error", "message": "The provided image_id is invalid."},
    )
    response = client.get(f"/en/events/demo/photos/{IMAGE}/download")
    assert response.status_code == 404
    assert b"We could not find that photo" in response.content


@pytest.mark.parametrize("image_id", ["1234", "not-a-uuid", IMAGE + "0", "%00"])
def test_download_with_a_bad_id_is_a_400(client, event, upstream, image_id):
    response = client.get(f"/en/events/demo/photos/{image_id}/download")
    assert response.status_code == 400
    assert b"That photo link is not valid" in response.content
    assert len(upstream.calls) == 0


def test_path_tricks_find_no_route(client, event, upstream):
    response = client.get("/en/events/demo/photos/..%2F..%2Fetc/download")
    assert response.status_code == 404
    assert len(upstream.calls) == 0


def test_download_when_storage_fails(client, event, upstream):
    fresh_link(upstream)
    upstream.get(STORAGE_URL, status=403, body="<Error>expired</Error>")
    response = client.get(f"/en/events/demo/photos/{IMAGE}/download")
    assert response.status_code == 502


def test_pages_are_compressed_and_photos_are_not(client, event, upstream):
    page = client.get("/en/events/demo/", headers={"Accept-Encoding": "gzip"})
    assert page["Content-Encoding"] == "gzip"
    fresh_link(upstream)
    upstream.get(
        STORAGE_URL,
        body=b"\xff\xd8\xff" + b"x" * 5000,
        content_type="image/jpeg",
        headers={"Content-Length": "5003"},
    )
    download = client.get(
        f"/en/events/demo/photos/{IMAGE}/download", headers={"Accept-Encoding": "gzip"}
    )
    assert "Content-Encoding" not in download
    assert download["Content-Length"] == "5003"
