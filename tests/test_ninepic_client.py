"""The 9Pic client's Download Originals against every example of the API docs, every status,
retries and the budget. Its other endpoints: tests/test_ninepic_endpoints.py."""

import json
import re
from pathlib import Path

import pytest
import requests
import responses
from responses import matchers

from photos.domain import (
    OriginalLink,
    PhotoNotFound,
    ProviderMisconfigured,
    ProviderRejectedRequest,
    ProviderThrottled,
    ProviderTimeout,
    ProviderUnavailable,
    SearchMethod,
)
from photos.providers import http
from photos.providers.http import CallPolicy, StorageHosts
from photos.providers.ninepic.client import NinePicClient, NinePicEvent

FIXTURES = Path(__file__).parent / "fixtures" / "ninepic"
API_DOCS = Path(__file__).resolve().parents[2] / "shared" / "api-docs"
BASE = "https://api.9pic.test"
EVENT = NinePicEvent(org_id=903, event_id=456)
URL = f"{BASE}/api/v1/ext/903/event/456/original-photos"
KEY = "unit-test-key-5d1e"
SELFIE = "ddc661a7-8861-4793-9437-af42a82d12f8"
IMAGE = "a4402318-0cf4-4e1e-b8e8-ac8e8f2fc244"
MISSING_IMAGE = "f6cb3c08-2c7a-4ff7-8c1b-71b6f7d4d932"


def example(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


class FakeClock:
    """Stands in for time.monotonic and time.sleep: sleeping moves the clock, instantly."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock(monkeypatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(http.time, "monotonic", fake.monotonic)
    monkeypatch.setattr(http.time, "sleep", fake.sleep)
    return fake


@pytest.fixture
def client(clock) -> NinePicClient:
    return NinePicClient(
        base_url=BASE,
        api_key=KEY,
        policy=CallPolicy(
            connect_timeout=1, read_timeout=5, time_budget=15, max_retries=3, backoff=0.5
        ),
        storage=StorageHosts(("storage.test", "*.r2.cloudflarestorage.com")),
        session=requests.Session(),
    )


def search(client: NinePicClient, identifier: str = "1234", **kwargs):
    return client.originals(EVENT, method=SearchMethod.BIB, identifier=identifier, **kwargs)


# --- The docs' examples -------------------------------------------------------


def test_fixtures_are_every_response_example_of_the_docs():
    if not API_DOCS.is_dir():
        pytest.skip("../shared/api-docs is not beside this checkout")
    documented = []
    for name in ("9pic-download-originals.md", "9pic-download-models.md"):
        for block in re.findall(r"```json[^\n]*\n(.*?)```", (API_DOCS / name).read_text(), re.S):
            documented.append(json.loads(block))
    legacy = (API_DOCS / "9pic-original-photos-legacy.txt").read_text()
    decoder, position = json.JSONDecoder(), 0
    while (start := legacy.find("\n{", position)) >= 0:
        try:
            value, position = decoder.raw_decode(legacy, start + 1)
            documented.append(value)
        except ValueError:
            position = start + 2
    responses_in_docs = [d for d in documented if "responseType" in d or "presigned_urls" in d]
    fixtures = [example(path.name) for path in sorted(FIXTURES.glob("*.json"))]
    assert len(responses_in_docs) == 8
    assert all(doc in fixtures for doc in responses_in_docs)


@responses.activate
@pytest.mark.parametrize(
    ("fixture", "total", "total_pages", "has_next", "image_ids"),
    [
        ("bib_selfie.json", 47, 1, False, [IMAGE]),
        ("models_two_pages.json", 47, 2, True, [IMAGE]),
        # The legacy docs' example names its photo "a1b2c3.jpg", not a UUID: left out.
        ("legacy_two_pages.json", 47, 2, True, []),
        ("legacy_one_page.json", 47, 1, False, [IMAGE]),
    ],
)
def test_parses_enveloped_and_legacy_answers(
    client, fixture, total, total_pages, has_next, image_ids
):
    responses.post(URL, json=example(fixture))
    page = search(client)
    assert page.total == total
    assert page.pagination.total_pages == total_pages
    assert page.pagination.has_next is has_next
    assert page.pagination.current_page == 1
    assert [link.image_id for link in page.links] == image_ids
    for link in page.links:
        assert link.url.startswith("https://")
        assert link.filename == f"{link.image_id}.jpg"
    assert page.failed == []


@responses.activate
def test_image_id_comes_from_the_url_when_filename_is_missing(client):
    answer = example("bib_selfie.json")
    del answer["data"]["presigned_urls"][0]["filename"]
    responses.post(URL, json=answer)
    link = search(client).links[0]
    assert link.image_id == IMAGE
    assert link.filename == f"{IMAGE}.jpg"


def listing(*items: dict) -> dict:
    """An enveloped answer listing `items`, 47 photos in all."""
    answer = example("models_two_pages.json")
    answer["data"]["presigned_urls"] = list(items)
    return answer


@responses.activate
def test_upstream_image_ids_are_validated(client, caplog):
    """Red-team finding 16: a photo whose ID is not a UUID cannot be linked to; it is left
    out of the page and the answer logged once, with a count, never the IDs."""
    odd_ids = ["", "a1b2c3", IMAGE.upper(), f"{IMAGE}0", "<script>", "%2e%2e", " " + IMAGE]
    responses.post(
        URL,
        json=listing(
            {"url": "https://storage.test/", "filename": ""},
            *({"url": f"https://storage.test/{i}.jpg", "filename": f"{i}.jpg"} for i in odd_ids),
            {"url": f"https://storage.test/{IMAGE}.jpg", "filename": f"{IMAGE}.jpg"},
        ),
    )
    page = search(client)
    assert [link.image_id for link in page.links] == [IMAGE]
    assert page.total == page.pagination.total == 47  # 9Pic's: page 2 is still its page 2
    [line] = [r.getMessage() for r in caplog.records if "without a 9Pic image ID" in r.getMessage()]
    assert "listed 8 photos" in line
    assert not any(odd in line for odd in odd_ids if odd)


@responses.activate
@pytest.mark.parametrize(
    ("filename", "safe"),
    [
        (f"../../../../home/x/.bashrc.d/{IMAGE}.jpg", f"{IMAGE}.jpg"),
        (f"x/{IMAGE}.exe", f"{IMAGE}.jpg"),
        (f"{IMAGE}.jpg\r\nSet-Cookie: a=b", f"{IMAGE}.jpg"),
        (f"{IMAGE}.JPEG", f"{IMAGE}.JPEG"),
        (None, f"{IMAGE}.jpg"),
        (7, f"{IMAGE}.jpg"),
    ],
)
def test_filenames_from_upstream_keep_only_a_safe_image_name(client, filename, safe):
    """Red-team finding 14: 9Pic's `filename` names the download and the ZIP entry."""
    responses.post(
        URL, json=listing({"url": f"https://storage.test/{IMAGE}.jpg", "filename": filename})
    )
    [link] = search(client).links
    assert (link.image_id, link.filename) == (IMAGE, safe)


@responses.activate
def test_single_image_id(client):
    responses.post(
        URL,
        json=example("image_id.json"),
        match=[matchers.json_params_matcher({"method": "image_id", "identifier": IMAGE})],
    )
    link = client.original(EVENT, image_id=IMAGE)
    assert link.image_id == IMAGE
    assert "X-Amz-Algorithm" in link.url


@responses.activate
def test_unknown_image_id_is_photo_not_found(client):
    responses.post(URL, status=400, json=example("image_id_invalid.json"))
    with pytest.raises(PhotoNotFound):
        client.original(EVENT, image_id=IMAGE)


@responses.activate
def test_image_ids_mixed_reports_failures(client):
    responses.post(
        URL,
        json=example("image_ids_mixed.json"),
        match=[
            matchers.json_params_matcher(
                {"method": "image_ids", "identifier": [IMAGE, MISSING_IMAGE]}
            )
        ],
    )
    page = client.originals_of(EVENT, image_ids=[IMAGE, MISSING_IMAGE])
    assert [link.image_id for link in page.links] == [IMAGE]
    assert [f.image_id for f in page.failed] == [MISSING_IMAGE]
    assert page.failed[0].error == "File not found in raw-memories bucket"


@responses.activate
def test_image_ids_all_invalid_is_photo_not_found(client):
    responses.post(URL, status=400, json=example("image_ids_all_invalid.json"))
    with pytest.raises(PhotoNotFound):
        client.originals_of(EVENT, image_ids=[MISSING_IMAGE])


# --- The request ----------------------------------------------------------------


@responses.activate
def test_request_shape_key_header_and_page_size_cap(client):
    responses.post(
        URL,
        json=example("bib_selfie.json"),
        match=[
            matchers.header_matcher({"X-API-Key": KEY}),
            matchers.query_param_matcher({"page": "2", "page_size": "60"}),
            matchers.json_params_matcher({"method": "selfie", "identifier": SELFIE}),
        ],
    )
    client.originals(EVENT, method=SearchMethod.SELFIE, identifier=SELFIE, page=2, page_size=500)
    assert len(responses.calls) == 1


# --- "No photos" ------------------------------------------------------------------


@responses.activate
def test_404_means_no_photos(client):
    responses.post(
        URL,
        status=404,
        json={"responseType": "error", "message": "No photos for BIB", "data": None},
    )
    page = search(client)
    assert page.total == 0
    assert page.links == []
    assert page.pagination is None


@responses.activate
def test_empty_200_means_no_photos(client):
    responses.post(
        URL,
        json={
            "responseType": "success",
            "message": f"No images found for selfie identifier {SELFIE}",
            "data": {
                "presigned_urls": [],
                "failed_urls": [],
                "total_images": 0,
                "successful_count": 0,
                "failed_count": 0,
                "identifier": SELFIE,
                "pagination": None,
            },
        },
    )
    page = client.originals(EVENT, method=SearchMethod.SELFIE, identifier=SELFIE)
    assert page.total == 0
    assert page.message.startswith("No images found")


# --- Errors --------------------------------------------------------------------------


@responses.activate
@pytest.mark.parametrize("status", [401, 403])
def test_credentials_refused_is_misconfigured(client, status):
    responses.post(
        URL, status=status, json={"responseType": "error", "message": "no", "data": None}
    )
    with pytest.raises(ProviderMisconfigured) as raised:
        search(client)
    assert raised.value.status == status
    assert len(responses.calls) == 1  # not retried


@responses.activate
@pytest.mark.parametrize("status", [400, 422])
def test_invalid_request_is_rejected_not_retried(client, status):
    responses.post(
        URL, status=status, json={"responseType": "error", "message": "bad", "data": None}
    )
    with pytest.raises(ProviderRejectedRequest):
        search(client)
    assert len(responses.calls) == 1


@responses.activate
@pytest.mark.parametrize(
    "body",
    [
        "<html><body>Bad gateway</body></html>",
        "[1, 2, 3]",
        json.dumps({"responseType": "success", "message": "", "data": {"presigned_urls": "x"}}),
        json.dumps(
            {"responseType": "success", "data": {"presigned_urls": [{"filename": "a.jpg"}]}}
        ),
        json.dumps({"responseType": "success", "data": {"presigned_urls": [{"url": "ftp://x/a"}]}}),
        json.dumps({"presigned_urls": [], "pagination": {"total": "47", "currentPage": 1}}),
        json.dumps({"responseType": "error", "message": "boom", "data": None}),
    ],
)
def test_unreadable_answer_is_unavailable(client, body):
    responses.post(URL, body=body, content_type="application/json")
    with pytest.raises(ProviderUnavailable):
        search(client)


# --- Retries and the time budget ----------------------------------------------------


@responses.activate
def test_retries_5xx_with_exponential_backoff(client, clock):
    for status in (500, 502, 503):
        responses.post(URL, status=status)
    responses.post(URL, json=example("bib_selfie.json"))
    assert search(client).total == 47
    assert clock.sleeps == [0.5, 1.0, 2.0]


@responses.activate
def test_gives_up_after_max_retries(client, clock):
    responses.post(URL, status=503)
    with pytest.raises(ProviderUnavailable):
        search(client)
    assert len(responses.calls) == 4
    assert clock.sleeps == [0.5, 1.0, 2.0]


@responses.activate
def test_429_honours_retry_after(client, clock):
    responses.post(URL, status=429, headers={"Retry-After": "3"})
    responses.post(URL, json=example("bib_selfie.json"))
    assert search(client).total == 47
    assert clock.sleeps == [3.0]


@responses.activate
def test_429_without_retry_after_backs_off_then_reports_throttled(client, clock):
    responses.post(URL, status=429)
    with pytest.raises(ProviderThrottled) as raised:
        search(client)
    assert raised.value.retry_after is None
    assert clock.sleeps == [0.5, 1.0, 2.0]


@responses.activate
def test_retry_after_beyond_the_budget_fails_fast(client, clock):
    responses.post(URL, status=429, headers={"Retry-After": "120"})
    with pytest.raises(ProviderThrottled) as raised:
        search(client)
    assert raised.value.retry_after == 120
    assert clock.sleeps == []
    assert len(responses.calls) == 1


@responses.activate
def test_connection_errors_are_retried(client, clock):
    responses.post(URL, body=requests.ConnectionError("reset by peer"))
    responses.post(URL, json=example("bib_selfie.json"))
    assert search(client).total == 47
    assert clock.sleeps == [0.5]


@responses.activate
def test_timeouts_end_as_timeout(client, clock):
    responses.post(URL, body=requests.ReadTimeout("slow"))
    with pytest.raises(ProviderTimeout):
        search(client)
    assert len(responses.calls) == 4


@responses.activate
def test_time_budget_caps_the_total_wait(clock):
    client = NinePicClient(
        base_url=BASE,
        api_key=KEY,
        policy=CallPolicy(
            connect_timeout=1, read_timeout=5, time_budget=15, max_retries=10, backoff=2
        ),
        session=requests.Session(),
    )
    responses.post(URL, status=503)
    with pytest.raises(ProviderUnavailable):
        search(client)
    # 2 + 4 + 8 s of backoff fit in 15 s; the next 16 s would not.
    assert clock.sleeps == [2, 4, 8]
    assert sum(clock.sleeps) <= 15


@responses.activate
def test_each_attempt_gets_at_most_the_remaining_budget(client, clock):
    seen = []

    def slow_answer(request):
        seen.append(request.req_kwargs["timeout"])
        clock.now += 12  # this attempt took 12 s
        return (503, {}, "")

    responses.add_callback(responses.POST, URL, callback=slow_answer)
    with pytest.raises(ProviderUnavailable):
        search(client)
    assert seen[0] == (1, 5)
    # After 12 s + 0.5 s backoff, 2.5 s remain: the second attempt may use no more.
    assert seen[1] == (1, 2.5)
    assert len(seen) == 2


# --- Logs and downloads ---------------------------------------------------------------


@responses.activate
def test_logs_hold_neither_key_nor_signed_query(client, caplog):
    caplog.set_level("DEBUG")
    responses.post(URL, status=503)
    responses.get(re.compile(r"https://storage\.test/.*"), status=403)
    with pytest.raises(ProviderUnavailable):
        search(client)
    link = OriginalLink(
        IMAGE, f"{IMAGE}.jpg", f"https://storage.test/{IMAGE}.jpg?X-Amz-Signature=s3cr3t"
    )
    with pytest.raises(ProviderUnavailable) as raised:
        client.open_original(link, time_limit=10)
    assert "X-Amz-Signature" not in str(raised.value)
    assert KEY not in caplog.text
    assert "s3cr3t" not in caplog.text
    assert "503" in caplog.text


@responses.activate
def test_open_original_streams_without_sending_the_key(client):
    body = bytes(range(256)) * 1000
    responses.get(
        f"https://storage.test/{IMAGE}.jpg",
        body=body,
        headers={"Content-Length": str(len(body))},
        content_type="image/jpeg",
    )
    link = OriginalLink(
        IMAGE, f"{IMAGE}.jpg", f"https://storage.test/{IMAGE}.jpg?X-Amz-Signature=s"
    )
    original = client.open_original(link, time_limit=10)
    assert original.content_type == "image/jpeg"
    assert original.content_length == len(body)
    assert b"".join(original.chunks) == body
    assert "X-API-Key" not in responses.calls[0].request.headers


# --- Storage links ---------------------------------------------------------------------


@responses.activate
@pytest.mark.parametrize(
    "url",
    [
        f"https://evil.test/{IMAGE}.jpg",
        f"http://storage.test/{IMAGE}.jpg",
        f"https://storage.test/{MISSING_IMAGE}.jpg",
        f"https://storage.test.evil.test/{IMAGE}.jpg",
        f"file:///etc/{IMAGE}.jpg",
    ],
)
def test_only_links_to_9pics_storage_for_that_photo_are_fetched(client, url):
    with pytest.raises(ProviderUnavailable):
        client.open_original(OriginalLink(IMAGE, f"{IMAGE}.jpg", url), time_limit=10)
    assert len(responses.calls) == 0


@responses.activate
def test_a_download_link_elsewhere_is_refused(client):
    answer = example("image_id.json")
    answer["data"]["presigned_urls"][0]["url"] = f"https://evil.test/{IMAGE}.jpg"
    responses.post(URL, json=answer)
    with pytest.raises(ProviderUnavailable):
        client.original(EVENT, image_id=IMAGE)


@responses.activate
def test_an_oversized_answer_is_refused(client):
    responses.post(URL, body=b"[" + b"1," * 2_000_000 + b"1]", content_type="application/json")
    with pytest.raises(ProviderUnavailable, match="oversized"):
        search(client)
