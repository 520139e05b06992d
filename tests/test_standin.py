"""The 9Pic stand-in keeps the documented contract (the portal's integration tests rely on it)."""

import io
import json
import re
import time

import pytest
from django.conf import settings
from PIL import Image

from ninepic_standin import catalogue

API = "/_standin/9pic/api/v1/ext/{org}/event/{event}/original-photos"
UNKNOWN_IMAGE = "f6cb3c08-2c7a-4ff7-8c1b-71b6f7d4d932"


def call(client, body, *, org=903, event=456, key=None, query=""):
    headers = {} if key == "" else {"X-API-Key": key or settings.NINEPIC_STANDIN_API_KEY}
    return client.post(
        API.format(org=org, event=event) + query,
        data=body if isinstance(body, str) else json.dumps(body),
        content_type="application/json",
        headers=headers,
    )


BIB = {"method": "bib", "identifier": "1234"}


@pytest.mark.parametrize(
    ("kwargs", "status", "words"),
    [
        ({"key": ""}, 401, "missing"),
        ({"key": "wrong"}, 403, "invalid"),
        ({"event": 999}, 404, "Event not found"),
        ({"event": catalogue.OTHER_EVENT_ID}, 403, "ownership mismatch"),
    ],
)
def test_access_is_checked(client, kwargs, status, words):
    response = call(client, BIB, **kwargs)
    assert response.status_code == status
    body = response.json()
    assert body["responseType"] == "error" and body["data"] is None
    assert words in body["message"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ("not json", 400),
        ({"identifier": "1"}, 400),
        ({"method": "name", "identifier": "1"}, 422),
        ({"method": "bib", "identifier": ["1"]}, 400),
        ({"method": "image_ids", "identifier": "x"}, 400),
        ({"method": "image_ids", "identifier": []}, 400),
        ({"method": "bib", "identifier": ""}, 400),
    ],
)
def test_bad_bodies(client, body, status):
    assert call(client, body).status_code == status


@pytest.mark.parametrize("query", ["?page=x", "?page=0", "?page_size=-1"])
def test_bad_paging_is_422(client, query):
    assert call(client, BIB, query=query).status_code == 422


def test_bib_pages_default_to_30(client):
    first = call(client, BIB).json()["data"]
    assert len(first["presigned_urls"]) == 30
    assert first["pagination"] == {
        "total": 47,
        "currentPage": 1,
        "totalPages": 2,
        "hasNextPage": True,
        "hasPreviousPage": False,
        "page_size": 30,
    }
    second = call(client, BIB, query="?page=2").json()["data"]
    assert second["successful_count"] == 17
    assert second["pagination"]["hasPreviousPage"] is True
    assert {u["filename"] for u in first["presigned_urls"]}.isdisjoint(
        u["filename"] for u in second["presigned_urls"]
    )


def test_page_size_is_capped_at_60(client):
    data = call(client, BIB, query="?page_size=500").json()["data"]
    assert data["pagination"]["page_size"] == 60
    assert len(data["presigned_urls"]) == 47


def test_page_past_the_end_is_empty_with_pagination(client):
    data = call(client, BIB, query="?page=5").json()["data"]
    assert data["presigned_urls"] == []
    assert data["pagination"]["currentPage"] == 5
    assert data["pagination"]["totalPages"] == 2


def test_unknown_bib_is_404_and_unknown_selfie_an_empty_200(client):
    assert call(client, {"method": "bib", "identifier": "0"}).status_code == 404
    response = call(client, {"method": "selfie", "identifier": UNKNOWN_IMAGE})
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["presigned_urls"] == [] and data["pagination"] is None
    assert data["total_images"] == 0


def test_known_selfie(client):
    identifier = catalogue.DEMO_SELFIE_REQUEST_ID
    data = call(client, {"method": "selfie", "identifier": identifier}).json()["data"]
    assert data["identifier"] == identifier
    assert data["total_images"] == len(catalogue.photos_for_selfie(456, identifier)) == 15


def test_image_id_and_image_ids(client):
    known = catalogue.all_photos()[3].image_id
    single = call(client, {"method": "image_id", "identifier": known}).json()["data"]
    assert single["presigned_urls"][0]["filename"] == f"{known}.jpg"
    assert single["total_images"] == 1
    assert call(client, {"method": "image_id", "identifier": UNKNOWN_IMAGE}).status_code == 400

    mixed = call(client, {"method": "image_ids", "identifier": [known, UNKNOWN_IMAGE]}).json()
    assert mixed["data"]["identifier"] is None
    assert mixed["data"]["failed_urls"] == [
        {
            "image_id": UNKNOWN_IMAGE,
            "error": "File not found in raw-memories bucket",
            "path": f"imgs/456/large/{UNKNOWN_IMAGE}.jpg",
        }
    ]
    invalid = call(client, {"method": "image_ids", "identifier": [UNKNOWN_IMAGE]})
    assert invalid.status_code == 400
    assert invalid.json()["message"].startswith("All provided image_ids are invalid")


def test_legacy_event_answers_flat(client):
    body = call(client, BIB, event=catalogue.LEGACY_EVENT_ID).json()
    assert "responseType" not in body and "data" not in body
    assert body["message"] is None
    assert body["pagination"]["total"] == 47


def storage_path(url: str) -> str:
    return url.removeprefix("http://testserver")


def test_presigned_links_serve_the_original(client):
    url = call(client, BIB).json()["data"]["presigned_urls"][0]["url"]
    assert re.search(r"X-Amz-Expires=3600&X-Amz-Signature=[0-9a-f]{64}$", url)
    response = client.get(storage_path(url))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    image = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    assert image.size in ((3000, 2000), (2000, 3000))


def test_tampered_and_expired_links_are_refused(client, settings):
    url = storage_path(call(client, BIB).json()["data"]["presigned_urls"][0]["url"])
    tampered = url[:-1] + ("0" if url[-1] != "0" else "1")
    assert client.get(tampered).status_code == 403
    other_photo = re.sub(
        r"large/[^.]+\.jpg", f"large/{catalogue.all_photos()[0].image_id}.jpg", url
    )
    assert client.get(other_photo).status_code == 403

    settings.NINEPIC_STANDIN_LINK_LIFETIME = 0
    expired = storage_path(call(client, BIB).json()["data"]["presigned_urls"][0]["url"])
    # Signed at second precision with no life at all: expired once the clock moves on.
    time.sleep(1.05)
    response = client.get(expired)
    assert response.status_code == 403
    assert b"Request has expired" in response.content


def test_stats_count_calls(client):
    before = client.get("/_standin/9pic/stats").json().get("api_calls", 0)
    call(client, BIB)
    call(client, BIB, key="wrong")
    assert client.get("/_standin/9pic/stats").json()["api_calls"] == before + 2
