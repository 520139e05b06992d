"""The 9Pic client's read endpoints besides Download Originals, with `responses`: each one's
request and every answer shape the docs show, "no photos" in both its forms, an endpoint an
older API lacks, and preview links held to 9Pic's preview hosts."""

import logging
from datetime import UTC, date, datetime

import pytest
import requests
import responses
from responses import matchers

from photos.domain import ProviderMisconfigured, ProviderUnavailable
from photos.providers.http import CallPolicy, StorageHosts
from photos.providers.ninepic.client import EndpointMissing, NinePicClient, NinePicEvent, expires_at

BASE = "https://api.9pic.test"
API = f"{BASE}/api/v1/ext/903/event/456"
EVENT = NinePicEvent(org_id=903, event_id=456)
KEY = "unit-test-key-77a0"
IMAGE = "a4402318-0cf4-4e1e-b8e8-ac8e8f2fc244"
OTHER_IMAGE = "f6cb3c08-2c7a-4ff7-8c1b-71b6f7d4d932"
SELFIE = "ddc661a7-8861-4793-9437-af42a82d12f8"
CDN = "https://photos.9pic.ai/imgs/456"


@pytest.fixture
def client() -> NinePicClient:
    return NinePicClient(
        base_url=BASE,
        api_key=KEY,
        policy=CallPolicy(
            connect_timeout=1, read_timeout=5, time_budget=5, max_retries=2, backoff=0
        ),
        storage=StorageHosts(("storage.test",)),
        previews=StorageHosts(("photos.9pic.ai", "*.cdn.9pic.test")),
        session=requests.Session(),
    )


def item(image_id: str = IMAGE, **fields) -> dict:
    """An ImageItem as the docs show it."""
    return {
        "image_id": image_id,
        "img_url": f"{CDN}/large/{image_id}.jpg",
        "thumbnail_url": f"{CDN}/small/{image_id}.jpg",
        "width": 6000,
        "height": 4000,
        "original_url": None,
        **fields,
    }


def images(*items: dict, total: int | None = None, page: int = 1, page_size: int = 30) -> dict:
    total = len(items) if total is None else total
    pages = -(-total // page_size)
    return {
        "responseType": "success",
        "message": "Records for bib number 1234",
        "data": {
            "images": list(items),
            "pagination": {
                "total": total,
                "currentPage": page if total else 0,
                "totalPages": pages,
                "hasNextPage": page < pages,
                "hasPreviousPage": page > 1,
                "page_size": page_size,
            },
        },
    }


# --- BIB Search ---------------------------------------------------------------------------


@responses.activate
def test_bib_search_lists_photos_with_previews_and_sizes(client):
    responses.get(
        f"{API}/bibs/A-17",
        json=images(item(), item(OTHER_IMAGE, width=2000, height=3000), total=47),
        match=[
            matchers.header_matcher({"X-API-Key": KEY}),
            matchers.query_param_matcher({"page": "2", "page_size": "30"}),
        ],
    )
    page = client.bib_search(EVENT, "A-17", page=2, page_size=30)
    assert [p.image_id for p in page.photos] == [IMAGE, OTHER_IMAGE]
    first = page.photos[0]
    assert first.thumbnail_url == f"{CDN}/small/{IMAGE}.jpg"
    assert first.large_url == f"{CDN}/large/{IMAGE}.jpg"
    assert (first.width, first.height) == (6000, 4000)
    assert (page.photos[1].width, page.photos[1].height) == (2000, 3000)
    assert first.filename == f"{IMAGE}.jpg"
    assert page.total == 47 and page.pagination.total_pages == 2
    assert page.message == "Records for bib number 1234"
    assert page.failed == [] and page.links_expire_at is None


@responses.activate
def test_listing_pages_are_at_most_100(client):
    responses.get(
        f"{API}/bibs/1234",
        json=images(),
        match=[matchers.query_param_matcher({"page": "1", "page_size": "100"})],
    )
    client.bib_search(EVENT, "1234", page=0, page_size=500)
    assert len(responses.calls) == 1


@responses.activate
def test_a_bib_goes_into_the_path_quoted(client):
    responses.get(f"{API}/bibs/a%2Fb%3Fc", json=images())
    assert client.bib_search(EVENT, "a/b?c").is_empty


@responses.activate
@pytest.mark.parametrize(
    ("status", "body"),
    [
        (200, images()),
        (404, {"responseType": "error", "message": "BIB number 1234 not found", "data": None}),
        (404, {"message": "BIB number 1234 not found for this event"}),
    ],
)
def test_no_photos_is_an_empty_200_or_a_404_in_9pics_words(client, status, body):
    responses.get(f"{API}/bibs/1234", status=status, json=body)
    page = client.bib_search(EVENT, "1234")
    assert page.is_empty and page.photos == []
    assert len(responses.calls) == 1


@responses.activate
@pytest.mark.parametrize(
    ("status", "body"),
    [
        (404, {"detail": "Not Found"}),  # FastAPI's router: no such route
        (404, "<html><body>Not Found</body></html>"),
        (405, {"detail": "Method Not Allowed"}),
        (405, {"responseType": "error", "message": "Method Not Allowed", "data": None}),
    ],
)
def test_a_404_or_405_without_9pics_words_is_a_missing_endpoint(client, status, body):
    kwargs = {"json": body} if isinstance(body, dict) else {"body": body}
    responses.get(f"{API}/bibs/1234", status=status, **kwargs)
    with pytest.raises(EndpointMissing):
        client.bib_search(EVENT, "1234")
    assert len(responses.calls) == 1


@responses.activate
def test_a_search_switched_off_is_a_403_not_retried(client):
    responses.get(
        f"{API}/bibs/1234",
        status=403,
        json={"responseType": "error", "message": "BIB search is not enabled", "data": None},
    )
    with pytest.raises(ProviderMisconfigured) as raised:
        client.bib_search(EVENT, "1234")
    assert raised.value.status == 403
    assert len(responses.calls) == 1


@responses.activate
def test_listings_are_retried_like_every_call(client):
    responses.get(f"{API}/bibs/1234", status=503)
    responses.get(f"{API}/bibs/1234", json=images(item()))
    assert [p.image_id for p in client.bib_search(EVENT, "1234").photos] == [IMAGE]


@responses.activate
@pytest.mark.parametrize(
    "body",
    [
        {"responseType": "error", "message": "boom", "data": None},
        {"responseType": "success", "data": {"images": "x"}},
        {"responseType": "success", "data": {"images": [], "pagination": {"total": "3"}}},
        [1, 2],
    ],
)
def test_an_unreadable_listing_is_unavailable(client, body):
    responses.get(f"{API}/bibs/1234", json=body)
    with pytest.raises(ProviderUnavailable):
        client.bib_search(EVENT, "1234")


@responses.activate
def test_photos_without_a_uuid_are_left_out_and_counted_once(client, caplog):
    odd = ["", "not-a-uuid", IMAGE.upper(), "../../../etc/passwd", "<img src=x>", 0, None]
    responses.get(f"{API}/bibs/1234", json=images(*(item(i) for i in odd), item(), total=47))
    page = client.bib_search(EVENT, "1234")
    assert [p.image_id for p in page.photos] == [IMAGE]
    assert page.total == 47
    [line] = [r.getMessage() for r in caplog.records if "without a 9Pic image ID" in r.getMessage()]
    assert "listed 7 photos" in line and "etc/passwd" not in line


@responses.activate
def test_an_old_answer_with_misspelt_keys_has_photos_without_previews_or_size(client):
    """An old page of the docs spells `widht`, `thumbanail_url`, `orginal_url`."""
    old = {"image_id": IMAGE, "img_url": None, "thumbanail_url": "x", "widht": 10, "height": 5}
    responses.get(f"{API}/bibs/1234", json=images(old))
    [photo] = client.bib_search(EVENT, "1234").photos
    assert (photo.thumbnail_url, photo.large_url, photo.width, photo.height) == (
        None,
        None,
        None,
        None,
    )


@responses.activate
@pytest.mark.parametrize(
    ("width", "height"),
    [(10**12, -1), (0, 4000), ("6000", 4000), (True, 4000), (None, 4000), (6000.0, None)],
)
def test_sizes_out_of_range_are_no_size(client, width, height):
    responses.get(f"{API}/bibs/1234", json=images(item(width=width, height=height)))
    [photo] = client.bib_search(EVENT, "1234").photos
    assert (photo.width, photo.height) == (None, None)


@responses.activate
@pytest.mark.parametrize(
    "url",
    [
        f"https://previews.foreign.example/imgs/456/small/{IMAGE}.jpg",
        f"http://photos.9pic.ai/imgs/456/small/{IMAGE}.jpg",
        f"https://photos.9pic.ai.evil.test/{IMAGE}.jpg",
        f"https://photos.9pic.ai@evil.test/{IMAGE}.jpg",
        f"https://evil.test\\@photos.9pic.ai/{IMAGE}.jpg",
        f"https://evil.test:1\\@photos.9pic.ai/{IMAGE}.jpg",
        f"https://PHOTOS.9pic.ai/{IMAGE}.jpg",
        f"javascript:alert(1)//photos.9pic.ai/{IMAGE}.jpg",
        f"https://photos.9pic.ai/a {IMAGE}.jpg 2x, https://evil.test/x.jpg",
        f"//photos.9pic.ai/{IMAGE}.jpg",
    ],
)
def test_previews_elsewhere_than_9pics_preview_hosts_are_refused(client, caplog, url):
    responses.get(f"{API}/bibs/1234", json=images(item(thumbnail_url=url + "?Signature=s3cr3t")))
    [photo] = client.bib_search(EVENT, "1234").photos
    assert photo.thumbnail_url is None
    assert photo.large_url == f"{CDN}/large/{IMAGE}.jpg"
    assert "gave a preview link outside its CDN" in caplog.text
    assert "s3cr3t" not in caplog.text


@responses.activate
def test_previews_on_a_subdomain_the_setting_names_are_kept(client):
    url = f"https://eu.cdn.9pic.test/imgs/456/small/{IMAGE}.jpg"
    responses.get(f"{API}/bibs/1234", json=images(item(thumbnail_url=url)))
    assert client.bib_search(EVENT, "1234").photos[0].thumbnail_url == url


@responses.activate
def test_a_page_knows_when_its_first_preview_link_expires(client):
    soon, later = 1_900_000_000, 1_900_000_600
    responses.get(
        f"{API}/bibs/1234",
        json=images(
            item(thumbnail_url=f"{CDN}/small/{IMAGE}.jpg?Expires={later}&Signature=a"),
            item(OTHER_IMAGE, img_url=f"{CDN}/large/{OTHER_IMAGE}.jpg?Expires={soon}&Signature=b"),
        ),
    )
    assert client.bib_search(EVENT, "1234").links_expire_at == soon


@pytest.mark.parametrize(
    ("url", "moment"),
    [
        ("https://photos.9pic.ai/a.jpg", None),
        ("https://photos.9pic.ai/a.jpg?width=300", None),
        ("https://photos.9pic.ai/a.jpg?Expires=1900000000&Signature=x&Key-Pair-Id=k", 1.9e9),
        (
            "https://x.r2.cloudflarestorage.com/a.jpg?X-Amz-Date=20260119T060000Z"
            "&X-Amz-Expires=3600&X-Amz-Signature=x",
            datetime(2026, 1, 19, 7, tzinfo=UTC).timestamp(),
        ),
        # A signature that cannot be read: treated as expired, so nothing keeps it.
        ("https://photos.9pic.ai/a.jpg?Expires=soon", 0.0),
        ("https://photos.9pic.ai/a.jpg?X-Amz-Expires=3600", 0.0),
        ("https://photos.9pic.ai/a.jpg?X-Amz-Date=yesterday&X-Amz-Expires=3600", 0.0),
    ],
)
def test_expiry_of_signed_links(url, moment):
    assert expires_at(url) == moment


# --- Face Search result, All Photos, Timeline -------------------------------------------------


@responses.activate
def test_face_result_pages_through_a_stored_search(client):
    responses.get(
        f"{API}/faces/{SELFIE}",
        json={
            "responseType": "success",
            "message": "Face search results",
            "data": {"request_id": SELFIE, "confidence_percentage": 85.0, **images(item())["data"]},
        },
        match=[matchers.query_param_matcher({"page": "3", "page_size": "60"})],
    )
    page = client.face_result(EVENT, SELFIE, page=3, page_size=60)
    assert [p.image_id for p in page.photos] == [IMAGE]


@responses.activate
def test_an_unknown_face_search_is_no_photos(client):
    responses.get(
        f"{API}/faces/{SELFIE}",
        status=404,
        json={"responseType": "error", "message": f"No face search {SELFIE}", "data": None},
    )
    assert client.face_result(EVENT, SELFIE).is_empty


@responses.activate
def test_all_photos(client):
    responses.get(
        f"{API}/images",
        json={"responseType": "success", "message": "No images found", "data": {"images": []}},
        match=[matchers.query_param_matcher({"page": "1", "page_size": "32"})],
    )
    assert client.all_photos(EVENT).is_empty


@responses.activate
def test_timeline_days(client):
    responses.get(
        f"{API}/timeline/days",
        json={
            "responseType": "success",
            "message": "Timeline retrieved",
            "data": {
                "days": [
                    {"date": "2026-01-19", "total": 3, "hours": [{"hour": 6, "count": 3}]},
                ]
            },
        },
    )
    [day] = client.timeline_days(EVENT)
    assert (day.date, day.total, day.hours[0].hour, day.hours[0].count) == (
        date(2026, 1, 19),
        3,
        6,
        3,
    )


@responses.activate
def test_no_timeline_is_no_days(client):
    responses.get(
        f"{API}/timeline/days",
        json={"responseType": "success", "message": "No timeline data", "data": {"days": []}},
    )
    assert client.timeline_days(EVENT) == []


@responses.activate
def test_timeline_images_name_their_window_as_the_settings_say(client, settings):
    settings.NINEPIC_TIMELINE_FROM_PARAM = "start_ts"
    settings.NINEPIC_TIMELINE_TO_PARAM = "end_ts"
    responses.get(
        f"{API}/timeline/images",
        json=images(item()),
        match=[
            matchers.query_param_matcher(
                {"start_ts": "100", "end_ts": "200", "page": "1", "page_size": "32"}
            )
        ],
    )
    assert len(client.timeline_images(EVENT, start=100, end=200).photos) == 1


# --- The event --------------------------------------------------------------------------------


DETAILS = {
    "event_id": 456,
    "event_name": "Demo City Marathon",
    "event_slug": "demo-city-marathon",
    "event_date": "2026-01-19T06:00:00",
    "status": "active",
    "event_enabled": True,
    "bib_search": True,
    "selfie_search": False,
    "name_search": False,
    "video_search": False,
    "video_selfie_search": False,
    "timeline_search": True,
}


@responses.activate
def test_event_details(client):
    responses.get(
        f"{API}/details",
        json={"responseType": "success", "message": "Event details retrieved", "data": DETAILS},
    )
    details = client.event_details(EVENT)
    assert details.bib_search and not details.selfie_search and details.timeline_search
    assert details.event_enabled and details.event_name == "Demo City Marathon"


@responses.activate
def test_event_details_of_an_older_api_are_flat_with_four_flags(client):
    responses.get(
        f"{API}/details",
        json={"event_enabled": True, "bib_search": False, "selfie_search": True, "name_search": 0}
        | {"name_search": False},
    )
    details = client.event_details(EVENT)
    assert (details.event_enabled, details.bib_search, details.selfie_search) == (
        True,
        False,
        True,
    )
    assert not details.timeline_search


@responses.activate
def test_event_details_of_an_unknown_event_say_so(client):
    responses.get(
        f"{API}/details",
        status=404,
        json={"responseType": "error", "message": "Event not found.", "data": None},
    )
    with pytest.raises(ProviderMisconfigured) as raised:
        client.event_details(EVENT)
    assert raised.value.status == 404


@responses.activate
@pytest.mark.parametrize(
    "body",
    [
        {"responseType": "success", "message": "ok", "data": None},
        {"responseType": "success", "message": "ok", "data": {**DETAILS, "bib_search": "yes"}},
    ],
)
def test_event_details_that_say_nothing_are_unavailable(client, body):
    responses.get(f"{API}/details", json=body)
    with pytest.raises(ProviderUnavailable):
        client.event_details(EVENT)


@responses.activate
@pytest.mark.parametrize(
    "body",
    [
        {"responseType": "success", "message": "pong", "data": {"status": "ok", "org_id": 903}},
        {"status": "ok", "org_id": 903, "event_id": 456},
    ],
)
def test_ping_in_both_shapes(client, body):
    responses.get(f"{API}/ping", json=body, match=[matchers.header_matcher({"X-API-Key": KEY})])
    client.ping(EVENT)


@responses.activate
@pytest.mark.parametrize(("status", "message"), [(401, "missing"), (403, "no"), (404, "config")])
def test_ping_refused(client, status, message):
    responses.get(f"{API}/ping", status=status, json={"responseType": "error", "message": message})
    with pytest.raises(ProviderMisconfigured) as raised:
        client.ping(EVENT)
    assert raised.value.status == status


@responses.activate
def test_list_events(client, caplog):
    caplog.set_level(logging.ERROR)
    responses.get(
        f"{BASE}/api/v1/ext/903/events",
        json={
            "responseType": "success",
            "message": "Events retrieved",
            "data": {
                "events": [
                    {
                        "event_id": 456,
                        "event_name": "Demo City Marathon",
                        "event_slug": "demo-city-marathon",
                        "event_date": "2026-01-19T06:00:00",
                        "status": "active",
                        "cover_image": "https://photos.9pic.ai/imgs/456/cover.jpg",
                    },
                    {
                        "event_id": 459,
                        "event_name": None,
                        "event_slug": None,
                        "event_date": None,
                        "status": "draft",
                        "cover_image": "https://previews.foreign.example/cover.jpg",
                    },
                ],
                "pagination": {
                    "total": 2,
                    "currentPage": 1,
                    "totalPages": 1,
                    "hasNextPage": False,
                    "hasPreviousPage": False,
                    "page_size": 100,
                },
            },
        },
        match=[matchers.query_param_matcher({"page": "1", "page_size": "100"})],
    )
    listed = client.list_events(903, page_size=1000)
    first, draft = listed.events
    assert (first.event_id, first.name, first.slug, first.date, first.status) == (
        456,
        "Demo City Marathon",
        "demo-city-marathon",
        "2026-01-19T06:00:00",
        "active",
    )
    assert first.cover_image == "https://photos.9pic.ai/imgs/456/cover.jpg"
    assert (draft.name, draft.status, draft.cover_image) == ("", "draft", None)
    assert listed.pagination.total == 2
