"""One photo large, with previous and next across the gallery's pages (stand-in over HTTP)."""

import re

import pytest
import requests

from standins.ninepic import catalogue

BIB = catalogue.BIB_WITH_MANY_PHOTOS
PHOTOS = [p.image_id for p in catalogue.photos_for_bib(catalogue.DEMO_EVENT_ID, BIB)]


@pytest.fixture
def portal(live_standin, event) -> str:
    return live_standin.url


def get(portal: str, path: str) -> requests.Response:
    return requests.get(portal + path, timeout=30, allow_redirects=False)


def links(html: str) -> dict[str, str]:
    return {
        rel: href.replace("&amp;", "&")
        for href, rel in re.findall(r'<a class="[^"]*" href="([^"]+)" rel="(prev|next)"', html)
    }


def test_a_photo_page_shows_the_photo_large_with_its_download(portal):
    page = get(portal, f"/en/events/demo/bib/{BIB}/photos/{PHOTOS[4]}/")
    assert page.status_code == 200
    assert f"Photo 5 of {len(PHOTOS)}" in page.text
    large = f"{portal}/_standin/9pic/cdn/imgs/456/large/{PHOTOS[4]}.jpg"
    assert f'<img src="{large}" fetchpriority="high" width="3000" height="2000"' in page.text
    assert f'href="/en/events/demo/photos/{PHOTOS[4]}/download"' in page.text
    assert f'href="/en/events/demo/bib/{BIB}/#photo-{PHOTOS[4]}"' in page.text
    assert links(page.text) == {
        "prev": f"/en/events/demo/bib/{BIB}/photos/{PHOTOS[3]}/",
        "next": f"/en/events/demo/bib/{BIB}/photos/{PHOTOS[5]}/",
    }


def test_previous_and_next_cross_page_boundaries(portal):
    first = get(portal, f"/en/events/demo/bib/{BIB}/photos/{PHOTOS[0]}/")
    assert "prev" not in links(first.text)
    end_of_page_one = get(portal, f"/en/events/demo/bib/{BIB}/photos/{PHOTOS[29]}/")
    assert links(end_of_page_one.text)["next"] == (
        f"/en/events/demo/bib/{BIB}/photos/{PHOTOS[30]}/?page=2"
    )
    start_of_page_two = get(portal, f"/en/events/demo/bib/{BIB}/photos/{PHOTOS[30]}/?page=2")
    assert "Photo 31 of" in start_of_page_two.text
    assert (
        links(start_of_page_two.text)["prev"] == f"/en/events/demo/bib/{BIB}/photos/{PHOTOS[29]}/"
    )
    last = get(portal, f"/en/events/demo/bib/{BIB}/photos/{PHOTOS[-1]}/?page=2")
    assert "next" not in links(last.text)


def test_a_photo_not_in_the_gallery_is_a_404(portal):
    other = next(p.image_id for p in catalogue.all_photos() if p.image_id not in PHOTOS)
    assert get(portal, f"/en/events/demo/bib/{BIB}/photos/{other}/").status_code == 404


def test_bad_addresses(portal):
    assert get(portal, f"/en/events/demo/bib/{BIB}/photos/nope/").status_code == 400
    assert get(portal, f"/en/events/demo/bib/12_34/photos/{PHOTOS[0]}/").status_code == 400
    canonical = get(portal, f"/en/events/demo/bib/{BIB}/photos/{PHOTOS[0].upper()}/")
    assert canonical.status_code == 302
    assert canonical.headers["Location"] == f"/en/events/demo/bib/{BIB}/photos/{PHOTOS[0]}/"


def test_the_gallery_links_to_photo_pages_and_back(portal):
    gallery = get(portal, f"/en/events/demo/bib/{BIB}/?page=2")
    assert f'href="/en/events/demo/bib/{BIB}/photos/{PHOTOS[30]}/?page=2"' in gallery.text
    assert f'id="photo-{PHOTOS[30]}"' in gallery.text


def test_embedded_photo_pages_stay_in_the_embed(portal, event):
    event.embed_origins = "https://www.demo-marathon.org"
    event.save()
    page = get(portal, f"/en/embed/events/demo/bib/{BIB}/photos/{PHOTOS[29]}/")
    assert links(page.text)["next"].startswith(f"/en/embed/events/demo/bib/{BIB}/photos/")
    assert (
        "frame-ancestors 'self' https://www.demo-marathon.org"
        in (page.headers["Content-Security-Policy"])
    )


def test_shared_links_show_a_preview_card(portal, event):
    event.embed_origins = "https://www.demo-marathon.org"
    event.save()
    for path in (f"/en/events/demo/bib/{BIB}/", f"/en/embed/events/demo/bib/{BIB}/"):
        html = get(portal, path).text
        assert f'<meta property="og:url" content="{portal}/events/demo/bib/{BIB}/">' in html
        preview = f"{portal}/en/events/demo/photos/{PHOTOS[0]}/preview/large"
        assert f'<meta property="og:image" content="{preview}">' in html
        assert f"{len(PHOTOS)} race photos for BIB {BIB}" in html
        assert "X-Amz" not in html
    photo = get(portal, f"/en/events/demo/bib/{BIB}/photos/{PHOTOS[31]}/?page=2").text
    shared = f"{portal}/events/demo/bib/{BIB}/photos/{PHOTOS[31]}/?page=2"
    assert f'<meta property="og:url" content="{shared}">' in photo
