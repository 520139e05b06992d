"""The 9Pic stand-in keeps the documented contract (the portal's integration tests rely on it)."""

import io
import json
import re
from collections import Counter
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from PIL import Image

from standins.ninepic import catalogue, storage

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
    drawn = media_dir / "originals" / "3000x2000" / "456"
    assert [p.name for p in drawn.iterdir()] == [f"{photo.image_id}.jpg"]


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
