"""The portal against the 9Pic stand-in over real HTTP; live_server serves both."""

import re
import time

import pytest
import requests
from django.conf import settings

from photos.models import Event
from standins.ninepic import catalogue

BIB = catalogue.BIB_WITH_MANY_PHOTOS
BIB_TOTAL = len(catalogue.photos_for_bib(catalogue.DEMO_EVENT_ID, BIB))
SELFIE_TOTAL = len(
    catalogue.photos_for_selfie(catalogue.DEMO_EVENT_ID, catalogue.DEMO_SELFIE_REQUEST_ID)
)


def download_links(html: str) -> list[str]:
    return re.findall(r'href="(/en/events/[^"]+/download)"', html)


@pytest.fixture
def portal(live_standin, event) -> str:
    return live_standin.url


def signed_link(portal: str, image_id: str) -> str:
    """Ask the stand-in directly, as the portal does, for the original's presigned link."""
    answer = requests.post(
        f"{portal}/_standin/9pic/api/v1/ext/{catalogue.DEMO_ORG_ID}/event/"
        f"{catalogue.DEMO_EVENT_ID}/original-photos",
        json={"method": "image_id", "identifier": image_id},
        headers={"X-API-Key": settings.NINEPIC_STANDIN_API_KEY},
        timeout=30,
    )
    return answer.json()["data"]["presigned_urls"][0]["url"]


def image_id_of(download_link: str) -> str:
    return download_link.split("/")[-2]


def test_bib_search_pages_through_the_gallery(portal):
    assert BIB_TOTAL > 30  # the catalogue promises a second page
    first = requests.get(f"{portal}/en/events/demo/search", params={"bib": BIB}, timeout=30)
    assert first.history[0].status_code == 302
    assert first.url == f"{portal}/en/events/demo/bib/{BIB}/"
    assert f"{BIB_TOTAL} photos" in first.text
    assert len(download_links(first.text)) == 30

    second = requests.get(f"{portal}/en/events/demo/bib/{BIB}/?page=2", timeout=30)
    assert second.status_code == 200
    assert len(download_links(second.text)) == BIB_TOTAL - 30
    assert set(download_links(first.text)).isdisjoint(download_links(second.text))


def test_selfie_search(portal):
    page = requests.get(
        f"{portal}/en/events/demo/search",
        params={"selfie": catalogue.DEMO_SELFIE_REQUEST_ID},
        timeout=30,
    )
    assert page.status_code == 200
    assert f"{SELFIE_TOTAL} photos" in page.text
    assert len(download_links(page.text)) == SELFIE_TOTAL


def test_unknown_bib_is_an_empty_state(portal):
    page = requests.get(f"{portal}/en/events/demo/bib/99999999/", timeout=30)
    assert page.status_code == 200
    assert "No photos yet" in page.text


def test_download_bytes_equal_the_original(portal):
    link = download_links(requests.get(f"{portal}/en/events/demo/bib/{BIB}/", timeout=30).text)[0]
    original = requests.get(signed_link(portal, image_id_of(link)), timeout=30)
    assert original.status_code == 200
    download = requests.get(portal + link, timeout=30)
    assert download.status_code == 200
    assert download.content == original.content
    assert download.content[:3] == b"\xff\xd8\xff"
    assert download.headers["Content-Disposition"] == (
        f'attachment; filename="{image_id_of(link)}.jpg"'
    )


def test_expired_links_are_refused_but_downloads_still_work(portal, settings):
    # Long enough for the portal to sign and fetch a fresh link on a busy test machine.
    settings.NINEPIC_STANDIN_LINK_LIFETIME = 3
    link = download_links(requests.get(f"{portal}/en/events/demo/bib/{BIB}/", timeout=30).text)[0]
    old_link = signed_link(portal, image_id_of(link))
    time.sleep(4.1)
    assert requests.get(old_link, timeout=30).status_code == 403
    download = requests.get(portal + link, timeout=30)
    assert download.status_code == 200
    assert download.content[:3] == b"\xff\xd8\xff"


def test_legacy_answers_work_too(portal):
    Event.objects.create(
        name="Legacy Run",
        slug="legacy",
        org_id=catalogue.DEMO_ORG_ID,
        event_id=catalogue.LEGACY_EVENT_ID,
        is_published=True,
    )
    page = requests.get(f"{portal}/en/events/legacy/bib/{BIB}/?page=2", timeout=30)
    assert page.status_code == 200
    assert f"{BIB_TOTAL} photos" in page.text
    assert len(download_links(page.text)) == BIB_TOTAL - 30


def test_a_wrong_key_is_explained_not_leaked(portal, settings):
    settings.NINEPIC_API_KEY = "not-the-right-key"
    page = requests.get(f"{portal}/en/events/demo/bib/{BIB}/", timeout=30)
    assert page.status_code == 503
    assert "not set up correctly" in page.text
    assert "not-the-right-key" not in page.text


def test_an_event_of_another_organisation_is_refused(portal):
    Event.objects.create(
        name="Not ours",
        slug="not-ours",
        org_id=catalogue.DEMO_ORG_ID,
        event_id=catalogue.OTHER_EVENT_ID,
        is_published=True,
    )
    page = requests.get(f"{portal}/en/events/not-ours/bib/{BIB}/", timeout=30)
    assert page.status_code == 503
