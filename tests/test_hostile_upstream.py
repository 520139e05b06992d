"""Red-team findings about a hostile or broken upstream (issue 13), each over real HTTP
against the stand-ins: what a provider's API or storage sends can neither send the portal to
another host, nor hold a thread past its time, nor flood a worker's memory, nor put a
key in a log or a page."""

import io
import logging
import re
import time
import zipfile

import pytest
import requests
import responses
import urllib3
from django.core.signals import request_started
from PIL import ImageFile

from photos.models import RunSignUpPhoto
from photos.providers import http
from photos.providers.ninepic.previews import SIZES, render
from photos.providers.ninepic.provider import EVENT_DETAILS_TIME_BUDGET
from photos.providers.runsignup.sync import sync_event
from standins import faults as standin_faults
from standins.ninepic import catalogue, images, stats
from standins.runsignup import catalogue as runsignup_catalogue
from standins.runsignup.images import image_path
from tests.conftest import API_KEY

BIB = catalogue.BIB_WITH_MANY_PHOTOS
PHOTO = catalogue.photos_for_bib(catalogue.DEMO_EVENT_ID, BIB)[0]
# The first photos RunSignUp lists: a sync of these is quick.
EARLY = runsignup_catalogue.photos(
    runsignup_catalogue.DEMO_RACE_ID, runsignup_catalogue.DEMO_EVENT_DAYS_ID
)[:40]
EARLY_PHOTO = next(p for p in EARLY if p.bibs)
ADMIN_PAGE = b"csrfmiddlewaretoken"  # what the live server's /admin/ sends


@pytest.fixture
def portal(live_standin, event, settings) -> str:
    """The portal and both stand-ins on one live server at http://localhost:<port>. Storage
    is "localhost" only: 127.0.0.1, the same server, stands for any host storage is not."""
    settings.NINEPIC_STORAGE_HOSTS = ["localhost"]
    settings.RUNSIGNUP_STORAGE_HOSTS = ["localhost"]
    settings.RUNSIGNUP_BASE_URL = f"{live_standin.url}/_standin/runsignup"
    return live_standin.url


@pytest.fixture
def trail(portal, runsignup_event, settings):
    """The RunSignUp event, its first photos indexed."""
    settings.RUNSIGNUP_STANDIN_NOW = EARLY[-1].uploaded_ts
    sync_event(event=runsignup_event)
    return runsignup_event


@pytest.fixture
def connections(monkeypatch) -> list[tuple[str, int]]:
    """Every (host, port) urllib3 connects to meanwhile, the portal's and the test's own."""
    made: list[tuple[str, int]] = []
    connect = urllib3.util.connection.create_connection

    def recording(address, *args, **kwargs):
        made.append(address)
        return connect(address, *args, **kwargs)

    monkeypatch.setattr(urllib3.util.connection, "create_connection", recording)
    return made


@pytest.fixture
def served_paths() -> list[str]:
    """The path of every request the live server receives meanwhile."""
    paths: list[str] = []

    def record(sender, environ, **kwargs):
        paths.append(environ["PATH_INFO"])

    request_started.connect(record)
    yield paths
    request_started.disconnect(record)


@pytest.fixture
def decoded(monkeypatch) -> list[tuple[str, tuple[int, int]]]:
    """(format, size) of every picture Pillow decodes meanwhile, in any thread."""
    seen: list[tuple[str, tuple[int, int]]] = []
    load = ImageFile.ImageFile.load

    def recording(image):
        seen.append((image.format, image.size))
        return load(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", recording)
    return seen


def ninepic_download(portal: str) -> requests.Response:
    return requests.get(f"{portal}/en/events/demo/photos/{PHOTO.image_id}/download", timeout=60)


def ninepic_zip(portal: str) -> requests.Response:
    return requests.get(
        f"{portal}/en/events/demo/bib/{BIB}/photos.zip",
        params={"photo": PHOTO.image_id},
        timeout=60,
    )


def ninepic_preview(portal: str) -> requests.Response:
    return requests.get(f"{portal}/en/events/demo/photos/{PHOTO.image_id}/preview", timeout=60)


def runsignup_download(portal: str) -> requests.Response:
    path = f"/en/events/trail/photos/{EARLY_PHOTO.photo_id}/download"
    return requests.get(portal + path, timeout=60)


def runsignup_zip(portal: str) -> requests.Response:
    path = f"/en/events/trail/bib/{EARLY_PHOTO.bibs[0]}/photos.zip"
    return requests.get(portal + path, params={"photo": EARLY_PHOTO.photo_id}, timeout=60)


NINEPIC_FETCHES = [ninepic_download, ninepic_zip, ninepic_preview]
RUNSIGNUP_FETCHES = [runsignup_download, runsignup_zip]


def index_for(request, fetch) -> None:
    """Index the RunSignUp event's first photos if `fetch` needs them."""
    if fetch in RUNSIGNUP_FETCHES:
        request.getfixturevalue("trail")


def original_bytes() -> bytes:
    return images.original_path(catalogue.DEMO_EVENT_ID, PHOTO).read_bytes()


def archive(response: requests.Response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(response.content))


# --- 1. Storage redirects are followed anywhere -------------------------------------


@pytest.mark.parametrize("fault", ["redirect-loopback", "redirect-metadata"])
@pytest.mark.parametrize("fetch", NINEPIC_FETCHES + RUNSIGNUP_FETCHES)
def test_storage_redirects_are_followed_only_onto_storage_hosts(
    request, portal, settings, connections, caplog, fault, fetch
):
    index_for(request, fetch)
    settings.NINEPIC_STANDIN_STORAGE_FAULTS = settings.RUNSIGNUP_STANDIN_STORAGE_FAULTS = fault
    response = fetch(portal)
    assert response.status_code == 502
    assert "The photo service is having trouble" in response.text
    assert ADMIN_PAGE not in response.content
    assert [host for host, _ in connections if host != "localhost"] == []
    assert "storage: refused a link outside its hosts: http://" in caplog.text


@pytest.mark.parametrize("fetch", [ninepic_download, runsignup_download])
def test_storage_redirects_within_storage_are_followed_a_few_hops(
    request, portal, settings, monkeypatch, fetch
):
    index_for(request, fetch)
    settings.NINEPIC_STANDIN_STORAGE_FAULTS = settings.RUNSIGNUP_STANDIN_STORAGE_FAULTS = (
        "redirect-chain"
    )
    stats.reset()
    assert standin_faults.CHAIN_HOPS > http.MAX_REDIRECTS
    assert fetch(portal).status_code == 502
    if fetch is ninepic_download:
        assert stats.snapshot()["storage_gets"] == http.MAX_REDIRECTS + 1

    monkeypatch.setattr(standin_faults, "CHAIN_HOPS", http.MAX_REDIRECTS)
    response = fetch(portal)
    assert response.status_code == 200
    if fetch is ninepic_download:
        assert response.content == original_bytes()
    else:
        path = image_path(settings.RUNSIGNUP_STANDIN_MEDIA_DIR, EARLY_PHOTO, "original")
        assert response.content == path.read_bytes()


# --- 2. Allow-list bypass with a backslash ----------------------------------------------


def test_allow_list_bypass_with_a_backslash_is_refused():
    storage = http.StorageHosts(("localhost",), allow_http=True)
    bypass = "https://127.0.0.1:18934\\@localhost/x.jpg"
    # What requests would fetch: 127.0.0.1, not the localhost urlsplit reads.
    prepared = requests.Request("GET", bypass).prepare()
    assert urllib3.util.parse_url(prepared.url).host == "127.0.0.1"
    assert not storage.hold(bypass)
    assert storage.hold("http://localhost:18934/x.jpg?X-Amz-Signature=a%2Fb")


@pytest.mark.parametrize("fetch", NINEPIC_FETCHES)
def test_backslashed_9pic_links_are_never_fetched(portal, settings, served_paths, caplog, fetch):
    settings.NINEPIC_STANDIN_FAULTS = "backslash-links"
    assert fetch(portal).status_code == 502
    assert PHOTO.image_id not in "".join(p for p in served_paths if "/storage/" in p)
    assert [p for p in served_paths if "@localhost" in p] == []
    assert "9Pic gave a link outside its storage" in caplog.text


def test_backslashed_9pic_links_are_never_sent_to_browsers(portal, settings):
    settings.NINEPIC_STANDIN_FAULTS = "backslash-links"
    settings.DOWNLOAD_MODE = "redirect"
    response = ninepic_download(portal)
    assert response.status_code == 502
    assert not response.history


def test_backslashed_runsignup_links_are_never_indexed(portal, runsignup_event, settings):
    settings.RUNSIGNUP_STANDIN_NOW = EARLY[-1].uploaded_ts
    settings.RUNSIGNUP_STANDIN_FAULTS = "backslash-links"
    result = sync_event(event=runsignup_event)
    assert result.indexed == 0
    state = runsignup_event.runsignup_sync
    state.refresh_from_db()
    assert state.skipped_photos == len(EARLY)
    assert "a link off RunSignUp's storage" in state.skip_reasons


def test_backslashed_runsignup_previews_are_never_redirected_to(trail, portal):
    row = RunSignUpPhoto.objects.get(event=trail, photo_id=EARLY_PHOTO.photo_id)
    row.thumbnail_url = row.thumbnail_url.replace("localhost", "127.0.0.1:1\\@localhost", 1)
    row.save()  # as a sync before this check would have saved it
    path = f"/en/events/trail/photos/{EARLY_PHOTO.photo_id}/preview"
    response = requests.get(portal + path, allow_redirects=False, timeout=30)
    assert response.status_code == 404
    assert "Location" not in response.headers


# --- 7. The time budget is not enforced on slowly dripped answers -------------------------


@pytest.fixture
def drip(settings, dripping_standins):
    settings.NINEPIC_TIME_BUDGET = 2.0
    settings.NINEPIC_READ_TIMEOUT = 1.0
    settings.RUNSIGNUP_TIME_BUDGET = 2.0
    settings.RUNSIGNUP_READ_TIMEOUT = 1.0
    settings.ORIGINAL_TIME_LIMIT = 2.0


def timed(fetch, portal) -> tuple[requests.Response, float]:
    start = time.monotonic()
    return fetch(portal), time.monotonic() - start


def test_time_budget_holds_against_a_dripped_gallery(portal, settings, drip):
    # Event Details, read before 9Pic's trouble starts, as on race day (docs/race-day.md).
    requests.get(f"{portal}/en/events/demo/", timeout=30).raise_for_status()
    settings.NINEPIC_STANDIN_FAULTS = "slow-drip"
    response, took = timed(
        lambda p: requests.get(f"{p}/en/events/demo/bib/{BIB}/", timeout=60), portal
    )
    assert response.status_code == 504
    assert "took too long" in response.text
    assert took < 2.0 + 1.5


def test_an_event_page_waits_for_dripped_event_details_within_their_budget(portal, settings, drip):
    settings.NINEPIC_STANDIN_FAULTS = "slow-drip"
    response, took = timed(lambda p: requests.get(f"{p}/en/events/demo/", timeout=60), portal)
    assert response.status_code == 200
    assert 'name="bib"' in response.text and 'name="selfie"' in response.text
    assert took < EVENT_DETAILS_TIME_BUDGET + 1.5


def test_time_budget_holds_against_a_dripped_original_for_a_preview(portal, settings, drip):
    settings.NINEPIC_STANDIN_STORAGE_FAULTS = "slow-drip"
    response, took = timed(ninepic_preview, portal)
    assert response.status_code == 504
    assert took < 2.0 + 1.5


@pytest.mark.parametrize("fetch", [ninepic_download, runsignup_download])
def test_time_limit_holds_against_a_dripped_original_for_a_download(
    request, portal, settings, drip, fetch
):
    index_for(request, fetch)
    settings.NINEPIC_STANDIN_STORAGE_FAULTS = settings.RUNSIGNUP_STANDIN_STORAGE_FAULTS = (
        "slow-drip"
    )
    response, took = timed(fetch, portal)
    assert response.status_code == 504
    assert "took too long" in response.text
    assert took < 2.0 + 1.5


# --- 8. Pixel floods in previews ----------------------------------------------------------


@pytest.mark.parametrize("fault", ["huge-png", "pixel-bomb", "wrong-type"])
def test_pixel_floods_never_reach_the_decoder(portal, settings, decoded, fault):
    settings.NINEPIC_STANDIN_STORAGE_FAULTS = fault
    response = ninepic_preview(portal)
    assert response.status_code == 502
    assert decoded == []


# --- 15. The ZIP trusts hasNextPage forever -------------------------------------------------


def test_the_zip_trusts_no_endless_pages(portal, settings):
    settings.NINEPIC_STANDIN_FAULTS = "endless-pages"  # "total 1", and always a next page
    settings.UPSTREAM_CALLS_PER_MINUTE_PER_EVENT = 5  # else, without a bound, a long wait
    stats.reset()
    response = requests.get(f"{portal}/en/events/demo/bib/{BIB}/photos.zip", timeout=60)
    assert response.status_code == 200
    assert len(archive(response).namelist()) == 1
    assert stats.snapshot()["api_calls.original-photos"] == 1


# --- 17. Storage answering Content-Encoding: gzip ---------------------------------------


def test_gzipped_storage_answers_reach_runners_byte_for_byte(trail, portal, settings):
    settings.NINEPIC_STANDIN_STORAGE_FAULTS = settings.RUNSIGNUP_STANDIN_STORAGE_FAULTS = "gzip"
    original = original_bytes()

    download = ninepic_download(portal)
    assert download.status_code == 200
    assert "Content-Encoding" not in download.headers
    assert download.content == original
    assert archive(ninepic_zip(portal)).read(f"{PHOTO.image_id}.jpg") == original
    assert ninepic_preview(portal).content == render([original], SIZES["small"])

    runsignup = image_path(settings.RUNSIGNUP_STANDIN_MEDIA_DIR, EARLY_PHOTO, "original")
    assert runsignup_download(portal).content == runsignup.read_bytes()


# --- 19. A key echoed back is logged verbatim ----------------------------------------------

UPSTREAM = "http://testserver/_standin/9pic/api/v1/ext/903/event/456/original-photos"


@pytest.mark.parametrize("status", [401, 403, 422, 404])
def test_a_key_echoed_by_9pic_reaches_no_log_and_no_page(
    client, admin_client, event, caplog, status
):
    caplog.set_level(logging.DEBUG)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as upstream:
        # Every endpoint: Event Details, the listing, Download Originals, Ping.
        for method in (responses.GET, responses.POST):
            upstream.add(
                method,
                re.compile(re.escape(UPSTREAM.removesuffix("/original-photos")) + "/.*"),
                status=status,
                json={"responseType": "error", "message": f"Key {API_KEY} is not valid here"},
            )
        page = client.get(f"/en/events/demo/bib/{BIB}/")
        check = admin_client.post(
            "/admin/photos/event/",
            {"action": "check_connection", "_selected_action": [event.pk]},
            follow=True,
        )
    assert API_KEY not in page.content.decode()
    assert API_KEY not in check.content.decode()
    assert API_KEY not in caplog.text
    assert "Key … is not valid here" in caplog.text or status == 404


def test_a_key_echoed_in_a_9pic_link_reaches_no_log_and_no_page(client, event, caplog):
    echoed = f"https://elsewhere.test/{API_KEY}/{PHOTO.image_id}.jpg?X-Amz-Signature=s"
    with responses.RequestsMock() as upstream:
        upstream.post(
            UPSTREAM,
            json={
                "responseType": "success",
                "message": "ok",
                "data": {"presigned_urls": [{"url": echoed, "filename": f"{PHOTO.image_id}.jpg"}]},
            },
        )
        page = client.get(f"/en/events/demo/photos/{PHOTO.image_id}/download")
    assert page.status_code == 502
    assert API_KEY not in page.content.decode()
    assert "9Pic gave a link outside its storage: https://elsewhere.test/…/" in caplog.text
    assert API_KEY not in caplog.text


def test_credentials_echoed_by_runsignup_reach_no_log_and_no_page(
    admin_client, runsignup_event, caplog, settings
):
    key, secret = settings.RUNSIGNUP_API_KEY, settings.RUNSIGNUP_API_SECRET
    with responses.RequestsMock() as upstream:
        upstream.get(
            f"{settings.RUNSIGNUP_BASE_URL}/rest/v2/photos/get-race-photos.json",
            status=403,
            json={"error": {"error_code": 6, "error_msg": f"Bad key {key} or secret {secret}"}},
        )
        page = admin_client.post(
            "/admin/photos/event/",
            {"action": "refresh_from_provider", "_selected_action": [runsignup_event.pk]},
            follow=True,
        ).content.decode()
    assert "Bad key … or secret …" in page
    status = admin_client.get(f"/admin/photos/event/{runsignup_event.pk}/change/")
    for text in (page, status.content.decode(), caplog.text):
        assert key not in text and secret not in text
