"""9Pic galleries listed by its search endpoints, and the fallback to Download Originals:
over real HTTP against the stand-in (what 9Pic is asked, what its storage and CDN send),
and with `responses` for answers the stand-in does not give."""

import logging
import re
import time

import pytest
import requests

from photos.domain import GalleryPage, SearchMethod
from photos.models import Event
from photos.providers import provider_for
from photos.providers.ninepic.provider import PREVIEW_LINK_MARGIN, cache_lifetime
from standins.ninepic import catalogue
from tests import ninepic_answers

BIB = catalogue.BIB_WITH_MANY_PHOTOS
PHOTOS = [p.image_id for p in catalogue.photos_for_bib(catalogue.DEMO_EVENT_ID, BIB)]
SELFIE = catalogue.DEMO_SELFIE_REQUEST_ID


@pytest.fixture
def portal(live_standin, event) -> str:
    return live_standin.url


class Stats:
    """What the stand-in served since this was made: API calls by endpoint, bytes sent."""

    def __init__(self, portal: str):
        self.url = f"{portal}/_standin/9pic/stats"
        self.start = self.now()

    def now(self) -> dict[str, int]:
        return requests.get(self.url, timeout=10).json()

    def __getitem__(self, name: str) -> int:
        return self.now().get(name, 0) - self.start.get(name, 0)


def calls(stats: Stats, endpoint: str) -> int:
    return stats[f"api_calls.{endpoint}"]


def get(url: str) -> requests.Response:
    return requests.get(url, timeout=60)


def words(html: str) -> str:
    """The page's text, without its markup (headings wrap a BIB in a span)."""
    return re.sub(r"<[^>]+>", "", html)


def images_of(html: str) -> list[str]:
    return re.findall(r'<img src="([^"]+)"', html)


def add_event(event_id: int, slug: str, **fields) -> Event:
    return Event.objects.create(
        name=slug.title(),
        slug=slug,
        org_id=catalogue.DEMO_ORG_ID,
        event_id=event_id,
        is_published=True,
        **fields,
    )


# --- The search listing -----------------------------------------------------------------------


def test_a_cold_gallery_costs_one_call_and_no_original(portal):
    stats = Stats(portal)
    page = get(f"{portal}/en/events/demo/bib/{BIB}/")
    assert page.status_code == 200
    assert f"{len(PHOTOS)} photos" in page.text
    assert (calls(stats, "bib-search"), calls(stats, "original-photos")) == (1, 0)
    tiles = images_of(page.text)
    assert len(tiles) == 30
    assert all(t.startswith(f"{portal}/_standin/9pic/cdn/imgs/456/small/") for t in tiles)
    for tile in tiles[:6]:  # the first screen, as a browser loads it
        assert get(tile).headers["Content-Type"] == "image/jpeg"
    assert stats["storage_bytes"] == 0
    assert stats["cdn_bytes"] > 0

    get(f"{portal}/en/events/demo/bib/{BIB}/")  # warm: nothing asked again
    second = get(f"{portal}/en/events/demo/bib/{BIB}/?page=2")
    assert len(images_of(second.text)) == len(PHOTOS) - 30
    assert calls(stats, "bib-search") == 2  # one a page
    assert stats["storage_bytes"] == 0


def test_a_selfie_gallery_comes_from_the_face_search_result(portal):
    stats = Stats(portal)
    page = get(f"{portal}/en/events/demo/selfie/{SELFIE}/")
    expected = catalogue.photos_for_selfie(catalogue.DEMO_EVENT_ID, SELFIE)
    assert f"{len(expected)} photos" in page.text
    assert calls(stats, "face-search-result") == 1
    assert calls(stats, "original-photos") == 0


def test_a_bib_in_any_letter_case_is_one_address_and_one_call(portal):
    stats = Stats(portal)
    lower = get(f"{portal}/en/events/demo/bib/a-17/")
    assert lower.url == f"{portal}/en/events/demo/bib/A-17/"
    assert lower.history[0].status_code == 302
    get(f"{portal}/en/events/demo/search?bib=a-17")
    assert calls(stats, "bib-search") == 1
    assert "9 photos for BIB A-17" in words(lower.text)


def test_the_photo_page_shows_9pics_large_preview(portal):
    page = get(f"{portal}/en/events/demo/bib/{BIB}/photos/{PHOTOS[4]}/")
    large = f"{portal}/_standin/9pic/cdn/imgs/456/large/{PHOTOS[4]}.jpg"
    assert images_of(page.text) == [large]
    assert get(large).status_code == 200


def test_downloads_still_ask_download_originals_at_click_time(portal):
    stats = Stats(portal)
    get(f"{portal}/en/events/demo/bib/{BIB}/")
    download = get(f"{portal}/en/events/demo/photos/{PHOTOS[0]}/download")
    assert download.status_code == 200 and download.content[:3] == b"\xff\xd8\xff"
    assert calls(stats, "original-photos") == 1
    assert stats["storage_bytes"] == len(download.content)


def test_the_zip_holds_the_gallerys_photos_asked_for_by_image_ids(portal):
    get(f"{portal}/en/events/demo/bib/{BIB}/")
    stats = Stats(portal)
    archive = get(f"{portal}/en/events/demo/bib/{BIB}/photos.zip")
    assert archive.status_code == 200
    # Its second page of the listing, then the 47 links in one batch (60 at most).
    assert (calls(stats, "bib-search"), calls(stats, "original-photos")) == (1, 1)
    assert stats["storage_gets"] == len(PHOTOS)


def test_the_zip_is_bounded_by_its_limit_whatever_9pic_paginates(portal, settings):
    settings.ZIP_MAX_PHOTOS = 10
    page = get(f"{portal}/en/events/demo/bib/{BIB}/photos.zip")
    assert page.status_code == 400
    assert f"{len(PHOTOS)} photos are too many for one ZIP" in page.text


# --- Expiring previews -------------------------------------------------------------------------


def test_a_gallery_is_never_kept_past_its_previews_signatures(portal, settings):
    settings.NINEPIC_STANDIN_PREVIEW_LINK_LIFETIME = PREVIEW_LINK_MARGIN + 5
    stats = Stats(portal)
    first = get(f"{portal}/en/events/demo/bib/{BIB}/")
    assert all("Expires=" in tile for tile in images_of(first.text))
    get(f"{portal}/en/events/demo/bib/{BIB}/")
    assert calls(stats, "bib-search") == 1  # still good for 4 to 5 s
    time.sleep(5.5)
    again = get(f"{portal}/en/events/demo/bib/{BIB}/")
    assert calls(stats, "bib-search") == 2
    assert get(images_of(again.text)[0].replace("&amp;", "&")).status_code == 200


def test_cache_lifetime_follows_the_first_expiry(settings):
    settings.GALLERY_CACHE_SECONDS = 300
    now = time.time()
    page = GalleryPage(photos=[], failed=[], total=3, pagination=None)
    assert cache_lifetime(page) == 300
    soon = GalleryPage([], [], 3, None, links_expire_at=now + PREVIEW_LINK_MARGIN + 60.5)
    assert 59 <= cache_lifetime(soon) <= 60
    gone = GalleryPage([], [], 3, None, links_expire_at=now + PREVIEW_LINK_MARGIN - 1)
    assert cache_lifetime(gone) == 0


# --- Which searches 9Pic offers -------------------------------------------------------------------


def test_searches_9pic_switched_off_are_not_offered(portal):
    add_event(catalogue.SELFIE_OFF_EVENT_ID, "night")
    stats = Stats(portal)
    home = get(f"{portal}/en/events/night/")
    assert 'name="bib"' in home.text and 'name="selfie"' not in home.text
    assert get(f"{portal}/en/events/night/selfie/{SELFIE}/").status_code == 404
    gallery = get(f"{portal}/en/events/night/bib/N-9/")
    assert "3 photos for BIB N-9" in words(gallery.text)
    assert calls(stats, "details") == 1
    assert (calls(stats, "bib-search"), calls(stats, "face-search-result")) == (1, 0)


def test_an_older_9pic_with_flat_answers_still_lists_by_search(portal):
    add_event(catalogue.LEGACY_EVENT_ID, "legacy")
    stats = Stats(portal)
    gallery = get(f"{portal}/en/events/legacy/bib/{BIB}/")
    assert f"{len(PHOTOS)} photos" in gallery.text
    unknown = get(f"{portal}/en/events/legacy/bib/5555/")  # a 404 there: no photos
    assert unknown.status_code == 200 and "No photos yet" in unknown.text
    assert calls(stats, "original-photos") == 0
    assert calls(stats, "bib-search") == 2


def test_the_event_page_keeps_the_organisers_searches_when_details_fail(portal, settings):
    settings.NINEPIC_STANDIN_FAULTS = "error-500"
    home = get(f"{portal}/en/events/demo/")
    assert home.status_code == 200
    assert 'name="bib"' in home.text and 'name="selfie"' in home.text


# --- The fallback: Download Originals and the portal's previews ---------------------------------


def test_the_originals_listing_can_be_forced(portal, settings):
    settings.NINEPIC_GALLERY_LISTING = "originals"
    stats = Stats(portal)
    page = get(f"{portal}/en/events/demo/bib/{BIB}/")
    assert f"{len(PHOTOS)} photos" in page.text
    assert (calls(stats, "bib-search"), calls(stats, "original-photos")) == (0, 1)
    tiles = images_of(page.text)
    assert tiles[0] == f"/en/events/demo/photos/{PHOTOS[0]}/preview"
    assert get(portal + tiles[0]).status_code == 200
    assert stats["storage_bytes"] > 0  # the portal made that preview from the original


def test_previews_outside_9pics_hosts_make_the_event_fall_back_once(portal, settings, caplog):
    settings.NINEPIC_STANDIN_FAULTS = "foreign-preview-links"
    caplog.set_level(logging.WARNING, logger="photos")
    stats = Stats(portal)
    page = get(f"{portal}/en/events/demo/bib/{BIB}/")
    assert page.status_code == 200
    assert "previews.foreign.example" not in page.text
    assert images_of(page.text)[0] == f"/en/events/demo/photos/{PHOTOS[0]}/preview"
    assert (calls(stats, "bib-search"), calls(stats, "original-photos")) == (1, 1)
    other = get(f"{portal}/en/events/demo/bib/2024/")  # remembered: no search listing asked
    assert other.status_code == 200
    assert (calls(stats, "bib-search"), calls(stats, "original-photos")) == (1, 2)
    switches = [r for r in caplog.records if "cannot list galleries" in r.getMessage()]
    assert len(switches) == 1
    assert "without previews" in switches[0].getMessage()
    # Per search: selfie galleries still try their own listing.
    assert provider_for(Event.objects.get(slug="demo")).lists_by_search(SearchMethod.SELFIE)


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ({"status": 404, "json": {"detail": "Not Found"}}, "no such endpoint (404)"),
        ({"status": 405, "body": "Method Not Allowed"}, "no such endpoint (405)"),
        (
            {"status": 403, "json": {"responseType": "error", "message": "off", "data": None}},
            "BIB Search answered 403: switched off for the event",
        ),
        (
            {"json": {**ninepic_answers.listing(["00000000-0000-4000-8000-000000000000"])}},
            "without previews",
        ),
    ],
)
def test_a_search_listing_that_cannot_serve_falls_back(
    client, event, upstream, caplog, answer, reason
):
    if reason == "without previews":
        answer["json"]["data"]["images"][0]["thumbnail_url"] = None
    upstream.get(ninepic_answers.bib_search("1234"), **answer)
    ids = ninepic_answers.photo_ids(3)
    upstream.post(ninepic_answers.ORIGINAL_PHOTOS, json=ninepic_answers.presigned(ids))
    page = client.get("/en/events/demo/bib/1234/")
    assert page.status_code == 200
    assert "3 photos for BIB 1234" in words(page.content.decode())
    assert f'src="/en/events/demo/photos/{ids[0]}/preview"'.encode() in page.content
    assert reason in caplog.text
    client.get("/en/events/demo/bib/4321/")
    assert [call.request.method for call in upstream.calls] == ["GET", "POST", "POST"]
    assert not provider_for(event).lists_by_search(SearchMethod.BIB)


def test_a_key_refused_everywhere_is_no_reason_to_fall_back(client, event, upstream):
    refusal = {"responseType": "error", "message": "API key is invalid", "data": None}
    upstream.get(ninepic_answers.bib_search("1234"), status=403, json=refusal)
    upstream.post(ninepic_answers.ORIGINAL_PHOTOS, status=403, json=refusal)
    page = client.get("/en/events/demo/bib/1234/")
    assert page.status_code == 503
    assert b"not set up correctly" in page.content
    assert provider_for(event).lists_by_search(SearchMethod.BIB)


def test_the_search_listing_is_tried_again_after_a_while(client, event, upstream, settings):
    settings.NINEPIC_LISTING_FALLBACK_SECONDS = 1
    upstream.get(ninepic_answers.bib_search("1234"), status=404, json={"detail": "Not Found"})
    upstream.post(ninepic_answers.ORIGINAL_PHOTOS, status=404, json=ninepic_answers.NO_PHOTOS)
    client.get("/en/events/demo/bib/1234/")
    assert not provider_for(event).lists_by_search(SearchMethod.BIB)
    time.sleep(1.1)
    assert provider_for(event).lists_by_search(SearchMethod.BIB)


def test_event_details_are_not_asked_again_while_cached(client, event, upstream):
    upstream.get(ninepic_answers.bib_search("1234"), json=ninepic_answers.listing([]))
    for _ in range(3):
        client.get("/en/events/demo/")
        client.get("/en/events/demo/bib/1234/")
    assert [c.request.url.split("/456/")[1] for c in upstream.calls] == [
        "bibs/1234?page=1&page_size=30"
    ]
