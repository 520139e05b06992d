"""The 9Pic stand-in keeps the documented contract (the portal's integration tests rely on it):
Download Originals and its storage first, then the other endpoints, previews, faults, stats."""

import gzip
import io
import json
import re
import time
import uuid
import warnings
from collections import Counter
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageStat, UnidentifiedImageError

from standins import faults as shared_faults
from standins.faults import blank_png
from standins.ninepic import catalogue, facefind, faults, images, stats, storage, views

API = "/_standin/9pic/api/v1/ext/{org}/event/{event}/original-photos"
UNKNOWN_IMAGE = "f6cb3c08-2c7a-4ff7-8c1b-71b6f7d4d932"
BIB = {"method": "bib", "identifier": catalogue.BIB_WITH_MANY_PHOTOS}
PHOTOS_OF_BIB = [p.image_id for p in catalogue.photos_for_bib(456, "1234")]
LANDSCAPE = catalogue.all_photos()[0]
PORTRAIT = catalogue.all_photos()[4]


def call(client, body, *, org=903, event=456, key=None, query=""):
    headers = {} if key == "" else {"X-API-Key": key or settings.NINEPIC_STANDIN_API_KEY}
    return client.post(
        API.format(org=org, event=event) + query,
        data=body if isinstance(body, str) else json.dumps(body),
        content_type="application/json",
        headers=headers,
    )


def error(message: str) -> dict:
    return {"responseType": "error", "message": message, "data": None}


def filenames(data: dict) -> list[str]:
    return [item["filename"] for item in data["presigned_urls"]]


def link(client, image_id: str) -> str:
    """A freshly presigned storage URL for one photo, as a path the test client can GET."""
    data = call(client, {"method": "image_id", "identifier": image_id}).json()["data"]
    return data["presigned_urls"][0]["url"].removeprefix("http://testserver")


# --- Catalogue -------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_face_searches_kept():
    facefind.forget_all()


def test_catalogue_is_deterministic_and_matches_its_bib_counts():
    photos = catalogue.all_photos()
    assert len(photos) == 100
    assert photos[0].image_id == "3a037933-f45c-56dd-9387-99a8b007d1ae"
    assert [p.index for p in photos] == list(range(100))
    assert all(1 <= len(p.bibs) <= 4 for p in photos)
    shown = Counter(bib for p in photos for bib in p.bibs)
    assert {bib: shown[bib] for bib in catalogue.DEMO_BIBS} == catalogue.DEMO_BIBS
    assert catalogue.DEMO_BIBS["1234"] == 47
    assert catalogue.event_owner(456) == catalogue.event_owner(457) == 903
    assert catalogue.event_owner(789) == 904
    assert catalogue.event_owner(999) is None
    assert catalogue.photos_for_bib(789, "1234") == []


# --- Access and request validation ------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "status", "message"),
    [
        ({"key": ""}, 401, "API key is missing. Send it in the X-API-Key header."),
        ({"key": "wrong"}, 403, "API key is invalid or inactive."),
        ({"key": "clé"}, 403, "API key is invalid or inactive."),
        ({"event": 999}, 404, "Event not found."),
        (
            {"event": catalogue.OTHER_EVENT_ID},
            403,
            "Token/event ownership mismatch: the organisation does not own this event.",
        ),
        (
            {"event": catalogue.LEGACY_EVENT_ID, "org": catalogue.OTHER_ORG_ID},
            403,
            "Token/event ownership mismatch: the organisation does not own this event.",
        ),
    ],
)
def test_access_is_checked(client, kwargs, status, message):
    response = call(client, BIB, **kwargs)
    assert response.status_code == status
    assert response.json() == error(message)


def test_only_post_is_allowed(client):
    assert client.get(API.format(org=903, event=456)).status_code == 405


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ("not json", 400, "Request body must be JSON."),
        ('["bib", "1234"]', 400, "Request body must be a JSON object."),
        ({"identifier": "1"}, 400, "Field 'method' is required."),
        (
            {"method": "name", "identifier": "1"},
            422,
            "method must be one of bib, selfie, image_id, image_ids.",
        ),
        ({"method": "bib", "identifier": ["1"]}, 400, "identifier must be a string for bib."),
        ({"method": "selfie"}, 400, "identifier must be a string for selfie."),
        ({"method": "bib", "identifier": ""}, 400, "identifier must not be empty."),
        (
            {"method": "image_ids", "identifier": "x"},
            400,
            "identifier must be a non-empty list of strings for image_ids.",
        ),
        (
            {"method": "image_ids", "identifier": ["x", 1]},
            400,
            "identifier must be a non-empty list of strings for image_ids.",
        ),
        ({"method": "image_ids", "identifier": []}, 400, "identifier must not be empty."),
    ],
)
def test_bad_bodies(client, body, status, message):
    response = call(client, body)
    assert response.status_code == status
    assert response.json() == error(message)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?page=x", "page and page_size must be integers."),
        ("?page_size=1.5", "page and page_size must be integers."),
        ("?page=0", "page and page_size must be at least 1."),
        ("?page_size=-1", "page and page_size must be at least 1."),
    ],
)
def test_bad_paging_is_422(client, query, message):
    response = call(client, BIB, query=query)
    assert response.status_code == 422
    assert response.json() == error(message)


# --- BIB and selfie searches -------------------------------------------------------


def test_bib_pages_default_to_30(client):
    first = call(client, BIB).json()
    assert first["responseType"] == "success"
    assert first["message"] == "Generated 30 presigned URLs for download."
    data = first["data"]
    assert filenames(data) == [f"{i}.jpg" for i in PHOTOS_OF_BIB[:30]]
    assert (data["total_images"], data["successful_count"], data["failed_count"]) == (47, 30, 0)
    assert data["failed_urls"] == []
    assert data["identifier"] == "1234"
    assert data["pagination"] == {
        "total": 47,
        "currentPage": 1,
        "totalPages": 2,
        "hasNextPage": True,
        "hasPreviousPage": False,
        "page_size": 30,
    }

    second = call(client, BIB, query="?page=2").json()["data"]
    assert filenames(second) == [f"{i}.jpg" for i in PHOTOS_OF_BIB[30:]]
    assert (second["total_images"], second["successful_count"]) == (47, 17)
    assert second["pagination"] == {
        "total": 47,
        "currentPage": 2,
        "totalPages": 2,
        "hasNextPage": False,
        "hasPreviousPage": True,
        "page_size": 30,
    }


def test_page_size_is_capped_at_60(client):
    data = call(client, BIB, query="?page_size=500").json()["data"]
    assert data["pagination"]["page_size"] == 60
    assert data["pagination"]["totalPages"] == 1
    assert data["successful_count"] == len(data["presigned_urls"]) == 47


def test_page_past_the_end_is_empty_with_pagination(client):
    data = call(client, BIB, query="?page=5").json()["data"]
    assert data["presigned_urls"] == []
    assert (data["total_images"], data["successful_count"]) == (47, 0)
    assert data["pagination"] == {
        "total": 47,
        "currentPage": 5,
        "totalPages": 2,
        "hasNextPage": False,
        "hasPreviousPage": True,
        "page_size": 30,
    }


def test_every_demo_bib_finds_its_photos(client):
    for bib, count in catalogue.DEMO_BIBS.items():
        data = call(client, {"method": "bib", "identifier": bib}).json()["data"]
        assert data["total_images"] == count, bib


def test_unknown_bib_is_404(client):
    response = call(client, {"method": "bib", "identifier": "0"})
    assert response.status_code == 404
    assert response.json() == error("No photos found for BIB 0.")


def test_unknown_selfie_is_an_empty_200(client):
    response = call(client, {"method": "selfie", "identifier": UNKNOWN_IMAGE})
    assert response.status_code == 200
    assert response.json() == {
        "responseType": "success",
        "message": f"No images found for selfie identifier {UNKNOWN_IMAGE}",
        "data": {
            "presigned_urls": [],
            "failed_urls": [],
            "total_images": 0,
            "successful_count": 0,
            "failed_count": 0,
            "identifier": UNKNOWN_IMAGE,
            "pagination": None,
        },
    }


def test_known_selfie(client):
    identifier = catalogue.DEMO_SELFIE_REQUEST_ID
    data = call(client, {"method": "selfie", "identifier": identifier}).json()["data"]
    expected = [p.image_id for p in catalogue.photos_for_selfie(456, identifier)]
    assert len(expected) == 15
    assert filenames(data) == [f"{i}.jpg" for i in expected]
    assert data["identifier"] == identifier
    assert (data["total_images"], data["pagination"]["totalPages"]) == (15, 1)


# --- image_id and image_ids --------------------------------------------------------


def test_known_image_id(client):
    data = call(client, {"method": "image_id", "identifier": LANDSCAPE.image_id}).json()["data"]
    assert filenames(data) == [f"{LANDSCAPE.image_id}.jpg"]
    assert data["identifier"] == LANDSCAPE.image_id
    assert (data["total_images"], data["successful_count"], data["failed_count"]) == (1, 1, 0)
    assert data["pagination"] == {
        "total": 1,
        "currentPage": 1,
        "totalPages": 1,
        "hasNextPage": False,
        "hasPreviousPage": False,
        "page_size": 30,
    }


def test_unknown_image_id_is_400(client):
    response = call(client, {"method": "image_id", "identifier": UNKNOWN_IMAGE})
    assert response.status_code == 400
    assert response.json() == error(
        "The provided image_id is invalid. The requested image was not found."
    )


def test_image_ids_mixed(client):
    body = {"method": "image_ids", "identifier": [LANDSCAPE.image_id, UNKNOWN_IMAGE]}
    data = call(client, body, query="?page_size=60").json()["data"]
    assert filenames(data) == [f"{LANDSCAPE.image_id}.jpg"]
    assert data["failed_urls"] == [
        {
            "image_id": UNKNOWN_IMAGE,
            "error": "File not found in raw-memories bucket",
            "path": f"imgs/456/large/{UNKNOWN_IMAGE}.jpg",
        }
    ]
    assert (data["total_images"], data["successful_count"], data["failed_count"]) == (2, 1, 1)
    assert data["identifier"] is None
    assert data["pagination"]["total"] == 2


def test_image_ids_are_paged_in_the_order_asked(client):
    asked = [*PHOTOS_OF_BIB[:35], UNKNOWN_IMAGE]
    body = {"method": "image_ids", "identifier": asked}
    second = call(client, body, query="?page=2").json()["data"]
    assert filenames(second) == [f"{i}.jpg" for i in PHOTOS_OF_BIB[30:35]]
    assert [item["image_id"] for item in second["failed_urls"]] == [UNKNOWN_IMAGE]
    assert (second["total_images"], second["successful_count"], second["failed_count"]) == (
        36,
        5,
        1,
    )
    assert second["pagination"]["totalPages"] == 2


def test_all_image_ids_invalid_is_400(client):
    response = call(client, {"method": "image_ids", "identifier": [UNKNOWN_IMAGE, "nope"]})
    assert response.status_code == 400
    assert response.json() == error(
        "All provided image_ids are invalid. None of the requested images were found."
    )


# --- Legacy event ------------------------------------------------------------------


def test_legacy_event_answers_flat(client):
    body = call(client, BIB, event=catalogue.LEGACY_EVENT_ID).json()
    assert set(body) == {
        "presigned_urls",
        "failed_urls",
        "total_images",
        "successful_count",
        "failed_count",
        "identifier",
        "message",
        "pagination",
    }
    assert body["message"] is None
    assert (body["total_images"], body["successful_count"], body["identifier"]) == (47, 30, "1234")
    assert "/imgs/457/large/" in body["presigned_urls"][0]["url"]
    assert body["pagination"]["totalPages"] == 2


def test_legacy_event_without_photos_says_so_and_knows_no_image_ids(client):
    empty = call(
        client, {"method": "selfie", "identifier": UNKNOWN_IMAGE}, event=catalogue.LEGACY_EVENT_ID
    ).json()
    assert empty["message"] == f"No images found for selfie identifier {UNKNOWN_IMAGE}"
    assert empty["pagination"] is None

    by_id = {"method": "image_id", "identifier": LANDSCAPE.image_id}
    response = call(client, by_id, event=catalogue.LEGACY_EVENT_ID)
    assert response.status_code == 422
    assert response.json() == error("method must be one of bib, selfie.")


# --- Storage -----------------------------------------------------------------------


@pytest.fixture
def media_dir(settings, tmp_path):
    settings.NINEPIC_STANDIN_MEDIA_DIR = tmp_path / "media"
    return settings.NINEPIC_STANDIN_MEDIA_DIR


def test_presigned_links_mimic_r2(client):
    url = call(client, BIB).json()["data"]["presigned_urls"][0]["url"]
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc) == ("http", "testserver")
    assert (
        parts.path == f"/_standin/9pic/storage/raw-memories/imgs/456/large/{PHOTOS_OF_BIB[0]}.jpg"
    )
    query = parse_qs(parts.query)
    assert list(query) == [
        "X-Amz-Algorithm",
        "X-Amz-Credential",
        "X-Amz-Date",
        "X-Amz-Expires",
        "X-Amz-Signature",
    ]
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["X-Amz-Expires"] == ["3600"]
    assert re.fullmatch(r"\d{8}T\d{6}Z", query["X-Amz-Date"][0])
    assert re.fullmatch(r"[0-9a-f]{64}", query["X-Amz-Signature"][0])


@pytest.mark.parametrize("photo", [LANDSCAPE, PORTRAIT], ids=["landscape", "portrait"])
def test_presigned_links_serve_the_original(client, media_dir, photo):
    response = client.get(link(client, photo.image_id))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "Content-Disposition" not in response
    content = b"".join(response.streaming_content)
    assert int(response["Content-Length"]) == len(content) > 800_000
    image = Image.open(io.BytesIO(content))
    assert image.format == "JPEG"
    assert image.size == ((2000, 3000) if photo is PORTRAIT else (3000, 2000))
    # Drawn once, then served from the cache, with no half-written files left behind.
    assert [p.name for p in (media_dir / "456").iterdir()] == [f"{photo.image_id}.jpg"]


def test_tampered_links_are_refused(client):
    url = link(client, LANDSCAPE.image_id)
    tampered = url[:-1] + ("0" if url[-1] != "0" else "1")
    other_photo = url.replace(LANDSCAPE.image_id, PORTRAIT.image_id)
    longer_life = url.replace("X-Amz-Expires=3600", "X-Amz-Expires=999999")
    unsigned = url.split("?")[0]
    for bad in (tampered, other_photo, longer_life, unsigned):
        response = client.get(bad)
        assert response.status_code == 403, bad
        assert response["Content-Type"] == "application/xml"
        assert b"<Code>AccessDenied</Code>" in response.content


@pytest.mark.parametrize(("age", "status"), [(3500, 200), (3700, 403)])
def test_links_expire_after_their_lifetime(client, monkeypatch, age, status):
    class Earlier(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.now(tz) - timedelta(seconds=age)

    with monkeypatch.context() as patch:
        patch.setattr(storage, "datetime", Earlier)
        url = link(client, LANDSCAPE.image_id)
    response = client.get(url)
    assert response.status_code == status
    if status == 403:
        assert response.content.endswith(
            b"<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>"
        )


def test_link_lifetime_is_read_at_request_time(client, settings):
    settings.NINEPIC_STANDIN_LINK_LIFETIME = 0
    url = link(client, LANDSCAPE.image_id)
    assert "X-Amz-Expires=0&" in url


def test_stats_count_calls(client):
    before = client.get("/_standin/9pic/stats").json().get("api_calls", 0)
    call(client, BIB)
    call(client, BIB, key="wrong")
    assert client.get("/_standin/9pic/stats").json()["api_calls"] == before + 2


def test_download_originals_of_the_second_organisation(client):
    key = settings.NINEPIC_STANDIN_OTHER_API_KEY
    response = call(client, {"method": "bib", "identifier": "5001"}, org=904, event=789, key=key)
    data = response.json()["data"]
    assert data["total_images"] == 12
    assert filenames(data) == [f"{p.image_id}.jpg" for p in catalogue.photos_for_bib(789, "5001")]


def test_download_originals_of_a_switched_off_event_are_refused(client):
    response = call(client, BIB, event=catalogue.DRAFT_EVENT_ID)
    assert response.status_code == 403
    assert response.json() == error("This event is disabled.")


# === The other endpoints ================================================================

BASE = "/_standin/9pic/api/v1/ext"
DEMO_SELFIE_PHOTOS = catalogue.photos_for_selfie(456, catalogue.DEMO_SELFIE_REQUEST_ID)
GUN = int(datetime(2026, 1, 19, 6, 0, tzinfo=UTC).timestamp())
EVENT_KEYS = {
    "event_id",
    "event_name",
    "event_slug",
    "event_date",
    "status",
    "event_enabled",
    "bib_search",
    "selfie_search",
    "name_search",
    "video_search",
    "video_selfie_search",
    "timeline_search",
}


def key_of(org: int) -> str:
    return {903: settings.NINEPIC_STANDIN_API_KEY, 904: settings.NINEPIC_STANDIN_OTHER_API_KEY}[org]


def get(client, path: str, *, org: int = 903, key: str | None = None, **query):
    """GET `path` under /api/v1/ext/{org}/ with the organisation's key ("" sends none)."""
    headers = {} if key == "" else {"X-API-Key": key or key_of(org)}
    return client.get(f"{BASE}/{org}/{path}", query, headers=headers)


def success(response, message: str | None = None) -> dict:
    """The `data` of a successful enveloped answer."""
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"responseType", "message", "data"}
    assert body["responseType"] == "success"
    if message is not None:
        assert body["message"] == message
    return body["data"]


def image_ids(data: dict) -> list[str]:
    return [image["image_id"] for image in data["images"]]


def ids_of(photos) -> list[str]:
    return [p.image_id for p in photos]


def pages(total: int, page: int, page_size: int) -> dict:
    total_pages = -(-total // page_size)
    return {
        "total": total,
        "currentPage": page,
        "totalPages": total_pages,
        "hasNextPage": page < total_pages,
        "hasPreviousPage": page > 1,
        "page_size": page_size,
    }


def no_pages(page_size: int) -> dict:
    return {
        "total": 0,
        "currentPage": 0,
        "totalPages": 0,
        "hasNextPage": False,
        "hasPreviousPage": False,
        "page_size": page_size,
    }


# --- Demo data ---------------------------------------------------------------------


def test_capture_times_rise_over_the_race_morning_in_utc_with_a_few_missing():
    photos = catalogue.all_photos()
    timed = [p for p in photos if p.captured_at]
    assert [p.index for p in photos if not p.captured_at] == [24, 49, 74, 99]
    assert all(p.captured_at.tzinfo == UTC and p.captured_at.microsecond == 0 for p in timed)
    assert [p.captured_at for p in timed] == sorted(p.captured_at for p in timed)
    first, last = timed[0].captured_at, timed[-1].captured_at
    assert (
        datetime(2026, 1, 19, 6, 0, tzinfo=UTC) <= first < datetime(2026, 1, 19, 6, 10, tzinfo=UTC)
    )
    assert timedelta(hours=3) < last - first < timedelta(hours=4)
    # Most photos are of finishers, in the last two hours.
    assert sum(p.captured_at.hour >= 8 for p in timed) > len(timed) / 2


def test_every_event_has_its_own_photo_ids():
    sets = [ids_of(catalogue.photos_of_set(key)) for key in catalogue.PHOTO_SETS]
    every = [image_id for ids in sets for image_id in ids]
    assert len(every) == len(set(every)) == 100 + 24 + 30
    assert catalogue.photos(456) == catalogue.photos(457) == catalogue.all_photos()
    assert catalogue.photos(catalogue.DRAFT_EVENT_ID) == catalogue.photos(460) == ()


# --- Access, on every endpoint -----------------------------------------------------------

EVENT_PATHS = [
    "ping",
    "details",
    "bibs/1234",
    "images",
    "timeline/days",
    f"timeline/images?from={GUN}&to={GUN + 3600}",
    f"faces/{catalogue.DEMO_SELFIE_REQUEST_ID}",
]


@pytest.mark.parametrize("path", EVENT_PATHS)
@pytest.mark.parametrize(
    ("org", "event", "key", "status", "message"),
    [
        (903, 456, "", 401, "API key is missing. Send it in the X-API-Key header."),
        (903, 456, "wrong", 403, "API key is invalid or inactive."),
        (903, 999, None, 404, "Event not found."),
        (903, 789, None, 403, views.OWNERSHIP_MISMATCH),
        # The second organisation's key on the first one's event, and the other way round.
        (903, 456, "other", 403, views.ORGANISATION_MISMATCH),
        (904, 789, "first", 403, views.ORGANISATION_MISMATCH),
    ],
)
def test_access_is_checked_on_every_event_endpoint(client, path, org, event, key, status, message):
    key = {"other": key_of(904), "first": key_of(903)}.get(key, key)
    path, _, query = f"event/{event}/{path}".partition("?")
    response = client.get(
        f"{BASE}/{org}/{path}?{query}",
        headers={} if key == "" else {"X-API-Key": key or key_of(org)},
    )
    assert response.status_code == status
    assert response.json() == error(message)


def test_face_upload_checks_access_too(client):
    response = client.post(
        f"{BASE}/903/event/456/faces", {"file": selfie_upload()}, headers={"X-API-Key": key_of(904)}
    )
    assert response.status_code == 403
    assert response.json() == error(views.ORGANISATION_MISMATCH)


@pytest.mark.parametrize(
    ("key", "status", "message"),
    [
        ("", 401, "API key is missing. Send it in the X-API-Key header."),
        ("wrong", 403, "API key is invalid or inactive."),
        ("other", 403, views.ORGANISATION_MISMATCH),
    ],
)
def test_access_is_checked_when_listing_events(client, key, status, message):
    response = get(client, "events", key=key_of(904) if key == "other" else key)
    assert response.status_code == status
    assert response.json() == error(message)


@pytest.mark.parametrize(
    ("path", "method"),
    [("ping", "post"), ("faces", "get"), (f"faces/{UNKNOWN_IMAGE}", "post"), ("images", "post")],
)
def test_each_endpoint_answers_its_method_only(client, path, method):
    response = getattr(client, method)(f"{BASE}/903/event/456/{path}")
    assert response.status_code == 405


# --- Ping and events -------------------------------------------------------------------


def test_ping(client):
    assert success(get(client, "event/456/ping"), "pong") == {
        "status": "ok",
        "org_id": 903,
        "event_id": 456,
    }
    other = get(client, "event/789/ping", org=904)
    assert success(other)["org_id"] == 904
    # A switched-off event is still reachable: the key and ownership are right.
    assert success(get(client, "event/459/ping"))["event_id"] == 459


def test_ping_of_the_legacy_event_is_flat(client):
    response = get(client, "event/457/ping")
    assert response.json() == {"status": "ok", "org_id": 903, "event_id": 457}


def test_list_events(client):
    data = success(get(client, "events"), "Events retrieved")
    assert [e["event_id"] for e in data["events"]] == [456, 457, 458, 459, 460]
    assert data["pagination"] == pages(5, 1, 10)
    assert data["events"][0] == {
        "event_id": 456,
        "event_name": "Demo City Marathon",
        "event_slug": "demo-city-marathon",
        "event_date": "2026-01-19T06:00:00",
        "status": "active",
        "cover_image": "http://testserver/_standin/9pic/cdn/imgs/456/cover.jpg",
    }
    draft = data["events"][3]
    assert draft == {
        "event_id": 459,
        "event_name": "Demo Trail Series (draft)",
        "event_slug": None,
        "event_date": None,
        "status": "draft",
        "cover_image": None,
    }
    other = success(get(client, "events", org=904))
    assert [e["event_id"] for e in other["events"]] == [789]


def test_list_events_pages(client):
    second = success(get(client, "events", page=2, page_size=2))
    assert [e["event_id"] for e in second["events"]] == [458, 459]
    assert second["pagination"] == pages(5, 2, 2)
    assert success(get(client, "events", page_size=500))["pagination"]["page_size"] == 100
    past = success(get(client, "events", page=9))
    assert past["events"] == []
    assert past["pagination"] == pages(5, 9, 10)


def test_covers_are_served_by_the_cdn(client, media_dir):
    url = success(get(client, "events"))["events"][0]["cover_image"]
    response = client.get(url.removeprefix("http://testserver"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert Image.open(io.BytesIO(b"".join(response.streaming_content))).size == (1200, 630)
    assert client.get("/_standin/9pic/cdn/imgs/459/cover.jpg").status_code == 404
    assert client.get("/_standin/9pic/cdn/imgs/999/cover.jpg").status_code == 404


# --- Event details ------------------------------------------------------------------------


def test_event_details(client):
    data = success(get(client, "event/456/details"), "Event details retrieved")
    assert data == {
        "event_id": 456,
        "event_name": "Demo City Marathon",
        "event_slug": "demo-city-marathon",
        "event_date": "2026-01-19T06:00:00",
        "status": "active",
        "event_enabled": True,
        "bib_search": True,
        "selfie_search": True,
        "name_search": False,
        "video_search": False,
        "video_selfie_search": False,
        "timeline_search": True,
    }


@pytest.mark.parametrize(
    ("org", "event", "expected"),
    [
        (903, 458, {"selfie_search": False, "timeline_search": False, "event_enabled": True}),
        (903, 459, {"event_enabled": False, "status": "draft", "event_slug": None}),
        (903, 460, {"timeline_search": True, "event_date": "2026-12-06T09:00:00"}),
        (904, 789, {"selfie_search": True, "name_search": True, "timeline_search": False}),
    ],
)
def test_event_details_say_what_each_event_offers(client, org, event, expected):
    data = success(get(client, f"event/{event}/details", org=org))
    assert set(data) == EVENT_KEYS
    assert {name: data[name] for name in expected} == expected


def test_event_details_of_the_legacy_event_are_flat_with_four_flags(client):
    assert get(client, "event/457/details").json() == {
        "event_enabled": True,
        "bib_search": True,
        "selfie_search": True,
        "name_search": False,
    }


# --- BIB Search -------------------------------------------------------------------------


def test_bib_search_pages_image_items_by_32(client):
    first = success(get(client, "event/456/bibs/1234"), "Records for bib number 1234")
    assert image_ids(first) == PHOTOS_OF_BIB[:32]
    assert first["pagination"] == pages(47, 1, 32)
    second = success(get(client, "event/456/bibs/1234", page=2))
    assert image_ids(second) == PHOTOS_OF_BIB[32:]
    assert second["pagination"] == pages(47, 2, 32)
    capped = success(get(client, "event/456/bibs/1234", page_size=1000))
    assert capped["pagination"] == pages(47, 1, 100)


def test_image_items_have_the_documented_fields(client):
    data = success(get(client, "event/456/bibs/1234", page_size=5))
    portrait = next(p for p in catalogue.photos_for_bib(456, "1234") if p.is_portrait)
    for item, photo in zip(data["images"], catalogue.photos_for_bib(456, "1234"), strict=False):
        assert set(item) == {
            "image_id",
            "img_url",
            "thumbnail_url",
            "width",
            "height",
            "original_url",
        }
        assert item["image_id"] == photo.image_id
        assert item["original_url"] is None
        cdn = f"http://testserver/_standin/9pic/cdn/imgs/456/{{}}/{photo.image_id}.jpg"
        assert item["thumbnail_url"] == cdn.format("small")
        assert item["img_url"] == cdn.format("large")
        assert (item["width"], item["height"]) == photo.size((3000, 2000))
    assert portrait.size((3000, 2000)) == (2000, 3000)


@pytest.mark.parametrize("bib", ["a-17", "A-17"])
def test_bib_search_ignores_case(client, bib):
    data = success(get(client, f"event/456/bibs/{bib}"))
    assert image_ids(data) == ids_of(catalogue.photos_for_bib(456, "A-17"))
    assert len(data["images"]) == 9


def test_bib_search_finds_the_rest_of_the_field(client):
    data = success(get(client, "event/456/bibs/12345"))
    assert data["pagination"]["total"] == 3


def test_unknown_bib_is_an_empty_200_at_some_events(client):
    data = success(get(client, "event/456/bibs/5555"), "No records for bib number 5555")
    assert data == {"images": [], "pagination": no_pages(32)}


@pytest.mark.parametrize(("org", "event"), [(903, 457), (904, 789)])
def test_unknown_bib_is_a_404_at_others(client, org, event):
    response = get(client, f"event/{event}/bibs/5555", org=org)
    assert response.status_code == 404
    assert response.json() == error("BIB number 5555 not found for this event")


def test_bib_search_of_the_second_organisation(client):
    data = success(get(client, "event/789/bibs/b-3", org=904))
    assert image_ids(data) == ids_of(catalogue.photos_for_bib(789, "B-3"))
    assert "/cdn/imgs/789/small/" in data["images"][0]["thumbnail_url"]


@pytest.mark.parametrize(
    ("event", "path", "message"),
    [
        (459, "bibs/1234", "This event is disabled."),
        (459, "images", "This event is disabled."),
        (459, f"faces/{catalogue.DEMO_SELFIE_REQUEST_ID}", "This event is disabled."),
        (
            458,
            f"faces/{catalogue.DEMO_SELFIE_REQUEST_ID}",
            "Selfie search is not enabled for this event.",
        ),
        (458, "timeline/days", "Timeline search is not enabled for this event."),
        (457, "timeline/images?from=0&to=1", "Timeline search is not enabled for this event."),
    ],
)
def test_what_an_event_does_not_offer_is_403(client, event, path, message):
    path, _, query = path.partition("?")
    response = client.get(
        f"{BASE}/903/event/{event}/{path}?{query}", headers={"X-API-Key": key_of(903)}
    )
    assert response.status_code == 403
    assert response.json() == error(message)


@pytest.mark.parametrize(
    "query",
    [{"page": "x"}, {"page": 0}, {"page_size": -1}, {"page_size": "1.5"}],
)
def test_bad_paging_is_422_everywhere(client, query):
    for path in ("events", "event/456/bibs/1234", "event/456/images"):
        assert get(client, path, **query).status_code == 422


# --- All Photos ---------------------------------------------------------------------------


def test_all_photos_by_capture_time_without_time_last(client):
    listed = []
    for page in (1, 2, 3, 4):
        data = success(get(client, "event/456/images", page=page), "Images retrieved")
        assert data["pagination"] == pages(100, page, 32)
        listed += image_ids(data)
    photos = {p.image_id: p for p in catalogue.all_photos()}
    times = [photos[i].captured_at for i in listed]
    assert len(listed) == len(set(listed)) == 100
    assert times[:96] == sorted(times[:96])
    assert times[96:] == [None] * 4
    assert listed[96:] == ids_of(catalogue.all_photos()[i] for i in (24, 49, 74, 99))


def test_all_photos_of_an_event_without_photos(client):
    data = success(get(client, "event/460/images"), "No images found")
    assert data == {"images": [], "pagination": no_pages(32)}


# --- Timeline -------------------------------------------------------------------------------


def test_timeline_days_count_photos_per_utc_hour(client):
    data = success(get(client, "event/456/timeline/days"), "Timeline retrieved")
    timed = [p.captured_at for p in catalogue.all_photos() if p.captured_at]
    hours = Counter(t.hour for t in timed)
    assert data == {
        "days": [
            {
                "date": "2026-01-19",
                "total": 96,
                "hours": [{"hour": hour, "count": hours[hour]} for hour in (6, 7, 8, 9)],
            }
        ]
    }


def test_timeline_of_an_event_without_photos(client):
    assert success(get(client, "event/460/timeline/days"), "No timeline data") == {"days": []}
    empty = get(client, "event/460/timeline/images", **{"from": 0, "to": 2**40})
    assert success(empty, "No images found") == {"images": [], "pagination": no_pages(32)}


def test_timeline_images_are_those_of_the_half_open_window(client):
    timed = [p for p in catalogue.all_photos() if p.captured_at]
    start = int(timed[10].captured_at.timestamp())
    end = int(timed[20].captured_at.timestamp())
    data = success(get(client, "event/456/timeline/images", **{"from": start, "to": end}))
    expected = [p for p in timed if start <= p.captured_at.timestamp() < end]
    assert image_ids(data) == ids_of(expected)
    assert timed[10].image_id in image_ids(data)  # from: included
    assert timed[20].image_id not in image_ids(data)  # to: left out
    assert data["pagination"] == pages(len(expected), 1, 32)


def test_timeline_images_page_by_32(client):
    window = {"from": GUN, "to": GUN + 4 * 3600}
    second = success(get(client, "event/456/timeline/images", page=3, **window))
    assert second["pagination"] == pages(96, 3, 32)
    assert len(second["images"]) == 32


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ({}, 422, "query.from: Field required; query.to: Field required"),
        ({"from": "x", "to": "1"}, 422, "query.from: Input should be a valid integer"),
        ({"from": "1"}, 422, "query.to: Field required"),
        (
            {"from": "1.5", "to": "9" * 30},
            422,
            "query.from: Input should be a valid integer; "
            "query.to: Input should be a valid integer",
        ),
        ({"from": "100", "to": "100"}, 400, "to must be later than from."),
    ],
)
def test_bad_timeline_windows(client, query, status, message):
    response = get(client, "event/456/timeline/images", **query)
    assert response.status_code == status
    assert response.json() == error(message)


def test_timeline_query_names_follow_the_stand_in_setting(client, settings):
    settings.NINEPIC_STANDIN_TIMELINE_FROM_PARAM = "start"
    settings.NINEPIC_STANDIN_TIMELINE_TO_PARAM = "end"
    as_documented = get(client, "event/456/timeline/images", **{"from": GUN, "to": GUN + 60})
    assert as_documented.status_code == 422
    assert as_documented.json() == error("query.start: Field required; query.end: Field required")
    renamed = get(client, "event/456/timeline/images", start=GUN, end=GUN + 3 * 3600)
    assert success(renamed)["pagination"]["total"] > 0


def test_the_stand_in_follows_the_portal_settings_by_default():
    assert settings.NINEPIC_STANDIN_TIMELINE_FROM_PARAM == settings.NINEPIC_TIMELINE_FROM_PARAM
    assert settings.NINEPIC_STANDIN_TIMELINE_TO_PARAM == settings.NINEPIC_TIMELINE_TO_PARAM
    assert settings.NINEPIC_STANDIN_SELFIE_FIELD == settings.NINEPIC_SELFIE_FIELD == "file"
    assert settings.NINEPIC_STANDIN_SELFIE_REQUEST_ID_IN == settings.NINEPIC_SELFIE_REQUEST_ID_IN


# --- Face Search ---------------------------------------------------------------------------


def selfie_jpeg(shirt: str) -> bytes:
    buffer = io.BytesIO()
    facefind.selfie(shirt).save(buffer, "JPEG")
    return buffer.getvalue()


def selfie_upload(picture: bytes | None = None, name: str = "selfie.jpg") -> SimpleUploadedFile:
    if picture is None:
        picture = facefind.SAMPLE_SELFIE.read_bytes()
    return SimpleUploadedFile(name, picture, content_type="image/jpeg")


def upload(client, form: dict, *, org: int = 903, event: int = 456, **query):
    path = f"{BASE}/{org}/event/{event}/faces"
    if query:
        path += "?" + urlencode(query)
    return client.post(path, form, headers={"X-API-Key": key_of(org)})


def test_face_search_result_of_the_demo_selfie(client):
    request_id = catalogue.DEMO_SELFIE_REQUEST_ID
    data = success(get(client, f"event/456/faces/{request_id}"), "Face search results")
    assert list(data) == ["request_id", "confidence_percentage", "images", "pagination"]
    assert data["request_id"] == request_id
    assert data["confidence_percentage"] == 85.0
    assert image_ids(data) == ids_of(DEMO_SELFIE_PHOTOS)
    assert data["pagination"] == pages(15, 1, 32)
    second = success(get(client, f"event/456/faces/{request_id}", page=2, page_size=10))
    assert image_ids(second) == ids_of(DEMO_SELFIE_PHOTOS[10:])


@pytest.mark.parametrize(
    ("org", "event", "request_id"),
    [(903, 456, UNKNOWN_IMAGE), (904, 789, catalogue.DEMO_SELFIE_REQUEST_ID)],
)
def test_unknown_face_search_is_404(client, org, event, request_id):
    response = get(client, f"event/{event}/faces/{request_id}", org=org)
    assert response.status_code == 404
    assert response.json() == error(f"No face search {request_id} for this event.")


def test_face_search_result_needs_a_uuid(client):
    response = get(client, "event/456/faces/not-a-uuid")
    assert response.status_code == 422
    assert response.json() == error("path.request_id: Input should be a valid UUID")


def test_the_sample_selfie_finds_the_demo_selfie_search_photos(client):
    assert facefind.SAMPLE_SELFIE.stat().st_size < 20_000
    data = success(upload(client, {"file": selfie_upload()}), "Face search results")
    assert image_ids(data) == ids_of(DEMO_SELFIE_PHOTOS)
    assert (
        str(uuid.UUID(data["request_id"])) == data["request_id"] != catalogue.DEMO_SELFIE_REQUEST_ID
    )
    assert data["confidence_percentage"] == 85.0
    assert data["pagination"] == pages(15, 1, 32)
    # The result is kept: paged by GET, and good for Download Originals.
    stored = success(get(client, f"event/456/faces/{data['request_id']}", page_size=10, page=2))
    assert image_ids(stored) == ids_of(DEMO_SELFIE_PHOTOS[10:])
    originals = call(client, {"method": "selfie", "identifier": data["request_id"]}).json()
    assert filenames(originals["data"]) == [f"{p.image_id}.jpg" for p in DEMO_SELFIE_PHOTOS]


@pytest.mark.parametrize(
    ("org", "event", "shirt", "bib"),
    [
        (903, 456, "yellow", "88"),
        (903, 456, "green", "A-17"),
        (903, 456, "blue", "3105"),
        (903, 457, "red", "777"),
        (904, 789, "red", "5001"),
        (904, 789, "blue", "5017"),
    ],
)
def test_each_shirt_colour_finds_its_runner(client, org, event, shirt, bib):
    data = success(
        upload(client, {"file": selfie_upload(selfie_jpeg(shirt))}, org=org, event=event)
    )
    found = image_ids(data)
    assert found == ids_of(catalogue.runner_photos(event, shirt))
    # Every photo showing the BIB, and some where it is hidden.
    assert set(ids_of(catalogue.photos_for_bib(event, bib))) < set(found)


@pytest.mark.parametrize(("org", "event", "shirt"), [(903, 456, "cyan"), (904, 789, "yellow")])
def test_a_shirt_nobody_wears_finds_nothing(client, org, event, shirt):
    response = upload(client, {"file": selfie_upload(selfie_jpeg(shirt))}, org=org, event=event)
    data = success(response, "No matching faces found")
    assert data["images"] == []
    assert data["pagination"] == no_pages(32)


def test_a_grey_picture_finds_nothing():
    picture = io.BytesIO()
    Image.new("RGB", (200, 300), (90, 90, 95)).save(picture, "PNG")
    picture.seek(0)
    assert facefind.shirt_colour(picture) is None


def test_upload_with_the_wrong_field_names_the_expected_one(client, settings):
    response = upload(client, {"selfie": selfie_upload()})
    assert response.status_code == 422
    assert response.json() == error("body.file: Field required")

    settings.NINEPIC_STANDIN_SELFIE_FIELD = "image"
    response = upload(client, {"file": selfie_upload()})
    assert response.json() == error("body.image: Field required")
    assert success(upload(client, {"image": selfie_upload()}))["pagination"]["total"] == 15


def test_upload_without_a_multipart_body(client):
    response = client.post(
        f"{BASE}/903/event/456/faces",
        data="{}",
        content_type="application/json",
        headers={"X-API-Key": key_of(903)},
    )
    assert response.status_code == 422
    assert response.json() == error("body.file: Field required")


@pytest.mark.parametrize(
    ("picture", "message"),
    [
        (b"", "The uploaded selfie file is empty."),
        (b"not a picture at all", "The uploaded file is not a picture."),
        (b"\xff\xd8\xff" + b"\x00" * 100, "The uploaded file is not a picture."),
    ],
)
def test_upload_of_no_picture_is_400(client, picture, message):
    response = upload(client, {"file": selfie_upload(picture)})
    assert response.status_code == 400
    assert response.json() == error(message)


def test_upload_of_a_picture_too_large_is_400(client, monkeypatch):
    monkeypatch.setattr(views, "MAX_SELFIE_BYTES", 1000)
    response = upload(client, {"file": selfie_upload()})
    assert response.status_code == 400
    assert response.json() == error("The uploaded selfie is larger than 10 MB.")


def test_upload_of_a_pixel_bomb_is_400(client):
    bomb = SimpleUploadedFile("bomb.png", blank_png(20000, 20000), content_type="image/png")
    response = upload(client, {"file": bomb})
    assert response.status_code == 400
    assert response.json() == error("The uploaded file is not a picture.")


def test_upload_keeps_its_result_under_the_given_request_id(client):
    request_id = "0b1f7f3e-4c1d-4a8e-9f6b-2a3c4d5e6f70"
    first = success(
        upload(client, {"file": selfie_upload(selfie_jpeg("green")), "request_id": request_id})
    )
    assert first["request_id"] == request_id
    # Again with the same request_id: the stored result, whatever the picture.
    again = success(
        upload(client, {"file": selfie_upload(selfie_jpeg("blue")), "request_id": request_id})
    )
    assert again == first
    assert success(get(client, f"event/456/faces/{request_id}")) == first


def test_a_known_request_id_is_answered_without_matching_again(client, monkeypatch):
    def no_matching(*args):
        raise AssertionError("matched again")

    monkeypatch.setattr(facefind, "shirt_colour", no_matching)
    form = {"file": selfie_upload(), "request_id": catalogue.DEMO_SELFIE_REQUEST_ID.upper()}
    data = success(upload(client, form))
    assert data["request_id"] == catalogue.DEMO_SELFIE_REQUEST_ID
    assert image_ids(data) == ids_of(DEMO_SELFIE_PHOTOS)


def test_request_ids_are_kept_per_event(client):
    request_id = "0b1f7f3e-4c1d-4a8e-9f6b-2a3c4d5e6f71"
    success(upload(client, {"file": selfie_upload(), "request_id": request_id}))
    assert get(client, f"event/457/faces/{request_id}").status_code == 404


def test_upload_with_a_request_id_that_is_no_uuid(client):
    response = upload(client, {"file": selfie_upload(), "request_id": "abc"})
    assert response.status_code == 422
    assert response.json() == error("body.request_id: Input should be a valid UUID")
    both = upload(client, {"request_id": "abc"})
    assert both.json() == error(
        "body.file: Field required; body.request_id: Input should be a valid UUID"
    )


def test_request_id_in_the_query_when_the_setting_says_so(client, settings):
    settings.NINEPIC_STANDIN_SELFIE_REQUEST_ID_IN = "query"
    in_query = "0b1f7f3e-4c1d-4a8e-9f6b-2a3c4d5e6f72"
    in_form = "0b1f7f3e-4c1d-4a8e-9f6b-2a3c4d5e6f73"
    data = success(
        upload(client, {"file": selfie_upload(), "request_id": in_form}, request_id=in_query)
    )
    assert data["request_id"] == in_query
    ignored = success(upload(client, {"file": selfie_upload(), "request_id": in_form}))
    assert ignored["request_id"] not in (in_form, in_query)
    bad = upload(client, {"file": selfie_upload()}, request_id="abc")
    assert bad.json() == error("query.request_id: Input should be a valid UUID")


@pytest.mark.parametrize(
    ("event", "message"),
    [(458, "Selfie search is not enabled for this event."), (459, "This event is disabled.")],
)
def test_upload_where_selfie_search_is_off_is_403(client, event, message):
    response = upload(client, {"file": selfie_upload()}, event=event)
    assert response.status_code == 403
    assert response.json() == error(message)


def test_face_searches_kept_are_bounded(monkeypatch):
    monkeypatch.setattr(facefind, "MAX_SEARCHES", 2)
    for n in range(3):
        facefind.remember(456, f"search-{n}", ())
    assert facefind.result(456, "search-0") is None
    assert facefind.result(456, "search-1") == facefind.result(456, "search-2") == ()
    # The demo search is never forgotten.
    assert facefind.result(456, catalogue.DEMO_SELFIE_REQUEST_ID) == tuple(DEMO_SELFIE_PHOTOS)


# --- Previews ---------------------------------------------------------------------------------


def preview_path_of(url: str) -> str:
    return url.removeprefix("http://testserver")


@pytest.mark.parametrize(
    ("photo", "variant", "size"),
    [
        (LANDSCAPE, "small", (480, 320)),
        (LANDSCAPE, "large", (1600, 1067)),
        (PORTRAIT, "small", (320, 480)),
    ],
)
def test_previews_are_served_watermarked_with_long_cache(client, media_dir, photo, variant, size):
    item = next(
        i
        for i in success(get(client, "event/456/images", page_size=100))["images"]
        if i["image_id"] == photo.image_id
    )
    url = item["thumbnail_url" if variant == "small" else "img_url"]
    response = client.get(preview_path_of(url))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    content = b"".join(response.streaming_content)
    image = Image.open(io.BytesIO(content))
    assert (image.format, image.size) == ("JPEG", size)

    def brightness_where_the_watermark_goes(picture: Image.Image) -> float:
        grey = picture.convert("L")
        width, height = grey.size
        box = (int(width * 0.4), int(height * 0.75), int(width * 0.6), int(height * 0.85))
        return ImageStat.Stat(grey.crop(box)).mean[0]

    plain = images.draw_photo(photo, size)
    assert (
        brightness_where_the_watermark_goes(image) > brightness_where_the_watermark_goes(plain) + 8
    )
    # The same photo as the original (same scene, same id): Download Originals serves it plain.
    assert photo.image_id in url


def test_unknown_previews_are_404(client, media_dir):
    for path in (
        f"456/small/{UNKNOWN_IMAGE}.jpg",
        f"456/medium/{LANDSCAPE.image_id}.jpg",
        f"789/small/{LANDSCAPE.image_id}.jpg",
    ):
        response = client.get(f"/_standin/9pic/cdn/imgs/{path}")
        assert response.status_code == 404, path
        assert b"<Code>NoSuchKey</Code>" in response.content


def test_signed_previews_when_they_expire(client, settings, media_dir, monkeypatch):
    settings.NINEPIC_STANDIN_PREVIEW_LINK_LIFETIME = 600
    url = success(get(client, "event/456/bibs/42"))["images"][0]["thumbnail_url"]
    query = parse_qs(urlsplit(url).query)
    assert list(query) == ["Expires", "Signature", "Key-Pair-Id"]
    assert int(query["Expires"][0]) - time.time() == pytest.approx(600, abs=5)
    path = preview_path_of(url)
    assert client.get(path).status_code == 200
    for bad in (
        path.split("?")[0],
        path.replace("Signature=", "Signature=0"),
        path.replace("small", "large"),
    ):
        response = client.get(bad)
        assert response.status_code == 403, bad
        assert b"<Code>AccessDenied</Code>" in response.content
    monkeypatch.setattr(storage.time, "time", lambda: int(query["Expires"][0]) + 1)
    expired = client.get(path)
    assert expired.status_code == 403
    assert b"Request has expired" in expired.content


# --- Originals' size --------------------------------------------------------------------------


def test_originals_take_the_configured_size(client, settings, media_dir):
    settings.NINEPIC_STANDIN_ORIGINAL_SIZE = (900, 600)
    item = success(get(client, "event/456/bibs/42"))["images"][0]
    photo = catalogue.photo(456, item["image_id"])
    assert (item["width"], item["height"]) == photo.size((900, 600))
    original = client.get(link(client, photo.image_id))
    assert Image.open(io.BytesIO(b"".join(original.streaming_content))).size == photo.size(
        (900, 600)
    )
    # The previews keep their size: only the originals grow.
    assert client.get(preview_path_of(item["thumbnail_url"])).status_code == 200


def test_camera_originals_weigh_what_a_camera_jpeg_does(client, settings, media_dir):
    settings.NINEPIC_STANDIN_ORIGINAL_SIZE = (1500, 1000)
    plain = b"".join(client.get(link(client, LANDSCAPE.image_id)).streaming_content)
    settings.NINEPIC_STANDIN_CAMERA_ORIGINALS = True
    camera = b"".join(client.get(link(client, LANDSCAPE.image_id)).streaming_content)
    assert Image.open(io.BytesIO(camera)).size == (1500, 1000)
    # About half a byte a pixel: 12 MB at 24 megapixels.
    assert 0.4 < len(camera) / (1500 * 1000) < 0.7
    assert len(camera) > 2 * len(plain)
    assert (media_dir / "1500x1000-camera" / "456").is_dir()


def test_the_original_size_setting_is_checked():
    from portal.settings.demo import _long_and_short_sides

    assert _long_and_short_sides("X", "4000x6000") == (6000, 4000)
    for bad in ("6000", "6000x", "0x100", "20000x100", "6000×4000"):
        with pytest.raises(ImproperlyConfigured, match="X must look like"):
            _long_and_short_sides("X", bad)


# --- API faults ---------------------------------------------------------------------------------


@pytest.fixture
def fault(settings):
    def set_fault(name: str) -> None:
        settings.NINEPIC_STANDIN_FAULTS = name

    return set_fault


def test_endless_pages(client, fault):
    fault("endless-pages")
    for page in (1, 2, 50):
        pagination = success(get(client, "event/456/images", page=page))["pagination"]
        assert pagination["total"] == 1
        assert pagination["hasNextPage"] is True
        assert pagination["totalPages"] == page + 1


def test_out_of_range_numbers(client, fault):
    fault("out-of-range")
    data = success(get(client, "event/456/bibs/1234"))
    assert data["pagination"] == {
        "total": 2**63,
        "currentPage": -1,
        "totalPages": 10**18,
        "hasNextPage": True,
        "hasPreviousPage": False,
        "page_size": -30,
    }
    assert {(i["width"], i["height"]) for i in data["images"]} == {(10**12, -1)}
    originals = call(client, BIB).json()["data"]
    assert (originals["total_images"], originals["successful_count"]) == (2**64, -1)


def test_odd_filenames(client, fault):
    fault("odd-filenames")
    names = filenames(call(client, BIB).json()["data"])
    assert names[:8] == [
        "../../../../home/x/.bashrc",
        "photo\r\nSet-Cookie: session=stolen.jpg",
        f"x/{PHOTOS_OF_BIB[2]}.exe",
        "",
        "..",
        "C:\\Windows\\win.ini",
        "/etc/passwd",
        f"{PHOTOS_OF_BIB[7]}.jpg\x00.html",
    ]


def test_bad_image_ids(client, fault):
    fault("bad-image-ids")
    for path in (
        "event/456/bibs/1234",
        "event/456/images",
        f"event/456/faces/{catalogue.DEMO_SELFIE_REQUEST_ID}",
    ):
        listed = image_ids(success(get(client, path)))
        assert listed[:5] == list(faults.BAD_IMAGE_IDS)
        assert not any(re.fullmatch(r"[0-9a-f-]{36}", i) for i in listed[:5])


def test_backslash_links(client, fault):
    fault("backslash-links")
    url = call(client, BIB).json()["data"]["presigned_urls"][0]["url"]
    assert url.startswith(
        f"http://testserver\\@localhost/_standin/9pic/storage/raw-memories/imgs/456/large/{PHOTOS_OF_BIB[0]}.jpg?"
    )
    assert urlsplit(url).hostname == "localhost"


def test_foreign_preview_links(client, fault):
    fault("foreign-preview-links")
    item = success(get(client, "event/456/bibs/1234"))["images"][0]
    assert urlsplit(item["thumbnail_url"]).hostname == faults.FOREIGN_HOST
    assert urlsplit(item["img_url"]).hostname == faults.FOREIGN_HOST
    assert item["thumbnail_url"].endswith(f"/imgs/456/small/{item['image_id']}.jpg")
    covers = [e["cover_image"] for e in success(get(client, "events"))["events"]]
    assert {urlsplit(c).hostname for c in covers if c} == {faults.FOREIGN_HOST}
    assert None in covers


def test_faults_spoil_only_successful_answers(client, fault):
    fault("endless-pages")
    assert get(client, "event/456/bibs/1234", key="wrong").json() == error(
        "API key is invalid or inactive."
    )


def test_flat_legacy_answers_are_spoilt_too(client, fault):
    fault("odd-filenames")
    body = call(client, BIB, event=catalogue.LEGACY_EVENT_ID).json()
    assert body["presigned_urls"][0]["filename"] == "../../../../home/x/.bashrc"


def drip_chunks(response) -> list[bytes]:
    assert response.status_code == 200
    assert response.streaming
    return list(response.streaming_content)


def test_api_slow_drip_sends_a_byte_at_a_time_then_the_rest(client, fault, settings):
    fault("slow-drip")
    settings.STANDIN_DRIP_MS = 10
    settings.STANDIN_DRIP_SECONDS = 0.2
    response = get(client, "event/456/ping")
    started = time.monotonic()
    chunks = drip_chunks(response)
    assert time.monotonic() - started < 1
    body = b"".join(chunks)
    assert int(response["Content-Length"]) == len(body)
    assert json.loads(body)["message"] == "pong"
    assert all(len(chunk) == 1 for chunk in chunks[:-1])
    assert 3 <= len(chunks) - 1 <= 25  # about 20 single bytes, then the rest at once


def test_api_slow_drip_over_http(live_server, settings):
    settings.NINEPIC_STANDIN_FAULTS = "slow-drip"
    settings.STANDIN_DRIP_MS = 30
    settings.STANDIN_DRIP_SECONDS = 0.6
    started = time.monotonic()
    response = requests.get(
        f"{live_server.url}{BASE}/903/event/456/ping",
        headers={"X-API-Key": key_of(903)},
        timeout=10,
    )
    assert response.json()["data"]["status"] == "ok"
    assert 0.5 < time.monotonic() - started < 3


def test_every_fault_is_known_to_the_parser():
    named = [name for name, _ in faults.parse(",".join(faults.FAULTS))]
    assert named == list(faults.FAULTS)
    assert {
        "endless-pages",
        "out-of-range",
        "odd-filenames",
        "bad-image-ids",
        "backslash-links",
        "foreign-preview-links",
        "slow-drip",
    } <= set(named)


# --- Storage faults -----------------------------------------------------------------------------


@pytest.fixture
def storage_fault(settings, media_dir):
    def set_fault(name: str) -> None:
        settings.NINEPIC_STANDIN_STORAGE_FAULTS = name

    return set_fault


@pytest.mark.parametrize(
    ("name", "location"),
    [
        ("redirect-loopback", "http://127.0.0.1:80/admin/"),
        ("redirect-metadata", "http://169.254.169.254/latest/meta-data/iam/security-credentials/"),
    ],
)
def test_storage_redirects_elsewhere(client, storage_fault, name, location):
    storage_fault(name)
    response = client.get(link(client, LANDSCAPE.image_id))
    assert response.status_code == 302
    assert response["Location"] == location


def test_storage_redirects_in_a_chain_then_serves(client, storage_fault):
    storage_fault("redirect-chain")
    url = link(client, LANDSCAPE.image_id)
    response = client.get(url, follow=True)
    assert [status for _, status in response.redirect_chain] == [302] * shared_faults.CHAIN_HOPS
    assert all(url.split("?")[0] in hop for hop, _ in response.redirect_chain)
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"


def test_storage_faults_come_after_the_signature_check(client, storage_fault):
    storage_fault("redirect-metadata")
    url = link(client, LANDSCAPE.image_id)
    assert client.get(url.replace("X-Amz-Expires=3600", "X-Amz-Expires=9")).status_code == 403


def test_storage_slow_drip(client, storage_fault, settings):
    storage_fault("slow-drip")
    settings.STANDIN_DRIP_MS = 0
    settings.STANDIN_DRIP_SECONDS = 0.05
    chunks = drip_chunks(client.get(link(client, LANDSCAPE.image_id)))
    assert len(chunks) > 10
    assert all(len(chunk) == 1 for chunk in chunks[:-1])
    assert Image.open(io.BytesIO(b"".join(chunks))).size == (3000, 2000)


def test_storage_gzip(client, storage_fault):
    storage_fault("gzip")
    response = client.get(link(client, LANDSCAPE.image_id))
    assert response["Content-Encoding"] == "gzip"
    assert response["Content-Type"] == "image/jpeg"
    original = images.original_path(456, LANDSCAPE).read_bytes()
    assert gzip.decompress(response.content) == original


@pytest.mark.parametrize(
    ("name", "side", "over_the_limit"),
    [("huge-png", 9400, False), ("pixel-bomb", 12000, True)],
)
def test_storage_sends_huge_pngs(client, storage_fault, name, side, over_the_limit):
    storage_fault(name)
    response = client.get(link(client, LANDSCAPE.image_id))
    assert response["Content-Type"] == "image/png"
    assert len(response.content) < 500_000
    with warnings.catch_warnings(record=True) as warned:
        warnings.simplefilter("always")
        image = Image.open(io.BytesIO(response.content))
    assert (image.format, image.size) == ("PNG", (side, side))
    assert (side * side > Image.MAX_IMAGE_PIXELS) is over_the_limit
    assert bool(warned) is over_the_limit


def test_storage_sends_the_wrong_type(client, storage_fault):
    storage_fault("wrong-type")
    response = client.get(link(client, LANDSCAPE.image_id))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    with pytest.raises(UnidentifiedImageError):
        Image.open(io.BytesIO(response.content))


def test_storage_faults_strike_their_share(client, settings, media_dir, monkeypatch):
    settings.NINEPIC_STANDIN_STORAGE_FAULTS = "wrong-type:0.5"
    monkeypatch.setattr(shared_faults.random, "random", lambda: 0.7)
    assert client.get(link(client, LANDSCAPE.image_id))["Content-Type"] == "image/jpeg"
    monkeypatch.setattr(shared_faults.random, "random", lambda: 0.3)
    assert client.get(link(client, LANDSCAPE.image_id))["Content-Type"].startswith("text/html")


def test_unknown_storage_faults_are_refused():
    with pytest.raises(ValueError, match="unknown stand-in fault 'redirect'"):
        shared_faults.parse("redirect", shared_faults.STORAGE_FAULTS)


# --- Stats ------------------------------------------------------------------------------------


def test_stats_count_every_endpoint_and_the_bytes_of_storage_and_cdn(client, media_dir):
    stats.reset()
    get(client, "event/456/ping")
    get(client, "event/456/bibs/42")
    item = success(get(client, "event/456/bibs/42"))["images"][0]
    call(client, BIB, key="wrong")
    original = b"".join(client.get(link(client, item["image_id"])).streaming_content)
    preview = b"".join(client.get(preview_path_of(item["thumbnail_url"])).streaming_content)
    assert client.get("/_standin/9pic/stats").json() == {
        "api_calls": 5,
        "api_calls.ping": 1,
        "api_calls.bib-search": 2,
        "api_calls.original-photos": 2,
        "storage_gets": 1,
        "storage_bytes": len(original),
        "cdn_gets": 1,
        "cdn_bytes": len(preview),
    }
