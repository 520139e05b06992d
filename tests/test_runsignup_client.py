"""The RunSignUp client against the docs' example, every error shape, throttling and retries."""

import json
from pathlib import Path

import pytest
import requests
import responses
from responses import matchers

from photos.domain import (
    PhotoNotFound,
    ProviderMisconfigured,
    ProviderRejectedRequest,
    ProviderThrottled,
    ProviderUnavailable,
)
from photos.providers import http
from photos.providers.http import CallPolicy
from photos.providers.runsignup.client import RunSignUpClient, RunSignUpRace, problem_for_organisers

FIXTURE = Path(__file__).parent / "fixtures" / "runsignup" / "get_race_photos.json"
API_DOCS = Path(__file__).resolve().parents[2] / "shared" / "api-docs"
BASE = "https://runsignup.test"
URL = f"{BASE}/rest/v2/photos/get-race-photos.json"
KEY = "unit-rsu-key-71c2"
SECRET = "unit-rsu-secret-9e04"
RACE = RunSignUpRace(race_id=21, event_days_id=6568)
S3 = "https://rsu-photos-v2-v2prod.s3.amazonaws.com"


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
def client(clock) -> RunSignUpClient:
    return RunSignUpClient(
        base_url=BASE,
        api_key=KEY,
        api_secret=SECRET,
        policy=CallPolicy(
            connect_timeout=1, read_timeout=5, time_budget=60, max_retries=3, backoff=0.5
        ),
        session=requests.Session(),
    )


def photo(photo_id: int, **fields) -> dict:
    def image(kind: str) -> dict:
        return {"image_url": f"{S3}/{kind}/{photo_id}.jpg", "height": 600, "width": 900}

    return {
        "photo_id": photo_id,
        "album_id": 21,
        "race_event_days_id": 6568,
        "bibs": [1179],
        "original": image("original"),
        "thumbnail": image("thumbs"),
        "large": image("large"),
        "uploaded_filename": f"IMG_{photo_id}.jpg",
        "uploaded_ts": 1593547220 + photo_id,
        **fields,
    }


def escaped(payload: dict) -> str:
    """RunSignUp's PHP escapes every slash."""
    return json.dumps(payload).replace("/", "\\/")


def listing(client: RunSignUpClient, **kwargs):
    return client.race_photos(RACE, **{"page": 1, "page_size": 100, **kwargs})


def test_fixture_is_the_docs_example():
    if not API_DOCS.is_dir():
        pytest.skip("../shared/api-docs is not beside this checkout")
    docs = (API_DOCS / "runsignup-get-race-photos.txt").read_text()
    example, _ = json.JSONDecoder().raw_decode(docs, docs.index("{"))
    assert json.loads(FIXTURE.read_text()) == example


@responses.activate
def test_parses_the_docs_example(client):
    responses.get(URL, body=FIXTURE.read_text(), content_type="application/json")
    page = listing(client)
    assert page.is_last  # two photos for a page of 100
    first, second = page.photos
    assert first.photo_id == 1
    assert first.bibs == (1179,)
    assert first.original.url == (
        f"{S3}/customOriginal_v3/race_21_6568_d375c60e-ba56-49b5-8812-82b597eef456.jpg"
    )
    assert (first.original.width, first.original.height) == (1600, 1067)
    assert (first.thumbnail.width, first.large.width) == (300, 900)
    assert first.uploaded_filename == "myPhoto.jpg"
    assert first.uploaded_ts == 1593547220
    assert second.bibs == (1145, 1308, 1425)


@responses.activate
def test_sends_credentials_and_parameters_as_documented(client):
    responses.get(
        URL,
        json={"photos": []},
        match=[
            matchers.query_param_matcher(
                {
                    "race_id": "21",
                    "race_event_days_id": "6568",
                    "rsu_api_key": KEY,
                    "format": "json",
                    "page": "3",
                    "num": "50",
                    "uploaded_since_timestamp": "1593547000",
                    "generic_photo_album_id": "2103",
                }
            ),
            matchers.header_matcher({"X-RSU-API-SECRET": SECRET}),
        ],
    )
    album = RunSignUpRace(race_id=21, event_days_id=6568, album_id=2103)
    page = client.race_photos(album, page=3, page_size=50, uploaded_since=1593547000)
    assert page.photos == [] and page.is_last


@responses.activate
def test_a_full_page_is_not_the_last(client):
    responses.get(URL, body=escaped({"photos": [photo(i) for i in range(1, 4)]}))
    page = listing(client, page_size=3)
    assert not page.is_last
    assert [p.photo_id for p in page.photos] == [1, 2, 3]


@responses.activate
def test_odd_photos_are_skipped_not_fatal(client):
    bad_url = photo(2)
    bad_url["original"]["image_url"] = "javascript:alert(1)"
    responses.get(
        URL,
        json={
            "photos": [
                photo(1, bibs=["1179", "A-17", 12, True, -3, 2**40]),
                bad_url,
                "not a photo",
                {**photo(3), "photo_id": "x"},
                photo(4, bibs=None, album_id=None, uploaded_filename=None),
            ]
        },
    )
    page = listing(client, page_size=5)
    assert [p.photo_id for p in page.photos] == [1, 4]
    assert page.photos[0].bibs == (12, 1179)  # numbers only, as RunSignUp's BIBs are
    assert page.photos[1].bibs == () and page.photos[1].album_id is None
    assert page.skipped == 3
    assert not page.is_last  # five listed: a full page, whatever we could use


@responses.activate
def test_numbers_may_come_as_strings_and_urls_escaped(client):
    odd = {**photo(7), "photo_id": "7", "album_id": "21", "uploaded_ts": "1593547227"}
    odd["bibs"] = ["1179", 12.0]
    odd["large"]["width"] = "900"
    responses.get(URL, body=escaped({"photos": [odd]}))
    [parsed] = listing(client).photos
    assert (parsed.photo_id, parsed.album_id, parsed.uploaded_ts) == (7, 21, 1593547227)
    assert parsed.bibs == (12, 1179)
    assert parsed.large.width == 900
    assert parsed.original.url == f"{S3}/original/7.jpg"


@responses.activate
def test_one_malformed_runsignup_photo_is_skipped_with_its_reason(client, caplog):
    """Red-team finding 10: numbers the index cannot hold skip their photo, with a reason
    the sync can save, instead of crashing it (ValueError, OverflowError)."""
    bad_size = photo(5)
    bad_size["thumbnail"]["height"] = 2**40
    responses.get(
        URL,
        json={
            "photos": [
                photo(1),
                photo(2, uploaded_ts=10**12),  # the year 33658
                {**photo(3), "photo_id": 2**64},
                photo(4, album_id=2**64),
                bad_size,
                photo(6, uploaded_ts=-1),
                photo(7),
            ]
        },
    )
    page = listing(client)
    assert [p.photo_id for p in page.photos] == [1, 7]
    assert page.skipped == 5
    reasons = "\n".join(page.skip_reasons)
    for field in ("uploaded_ts", "photo_id", "album_id", "thumbnail.height"):
        assert field in reasons
    assert str(10**12) not in reasons and str(2**64) not in reasons
    [line] = [r.getMessage() for r in caplog.records if "cannot use" in r.getMessage()]
    assert "listed 5 photos the portal cannot use" in line


@responses.activate
@pytest.mark.parametrize("photo_id", [0, -1, "", "abc", "12a", 10**18, True, None])
def test_upstream_image_ids_are_validated(client, photo_id, caplog):
    """Red-team finding 16: RunSignUp numbers its photos; an ID that is not a positive
    number a link can name (at most 18 digits) is skipped, never indexed."""
    responses.get(URL, json={"photos": [photo(1), {**photo(2), "photo_id": photo_id}]})
    page = listing(client)
    assert [p.photo_id for p in page.photos] == [1]
    assert page.skipped == 1
    assert "photo_id" in "".join(page.skip_reasons)


@responses.activate
@pytest.mark.parametrize(
    ("uploaded", "safe"),
    [
        ("../../../../home/x/.bashrc.d/a.jpg", "a.jpg"),
        ("x/IMG_1.exe", "3.jpg"),
        ("C:\\Users\\me\\Desktop\\IMG_1.JPG", "IMG_1.JPG"),
        ("IMG\r\n_1.jpg", "IMG_1.jpg"),
        ("..", "3.jpg"),
        ("x" * 300 + ".jpg", "x" * 96 + ".jpg"),
        (False, "3.jpg"),
    ],
)
def test_filenames_from_upstream_keep_only_a_safe_image_name(client, uploaded, safe):
    """Red-team finding 14: `uploaded_filename` names the download and the ZIP entry."""
    responses.get(URL, json={"photos": [photo(3, uploaded_filename=uploaded)]})
    assert listing(client).photos[0].uploaded_filename == safe


@responses.activate
def test_throttling_is_waited_out_as_told(client, clock):
    responses.get(
        URL,
        status=429,
        headers={"Retry-After": "7"},
        json={"error": {"error_code": 14, "error_msg": "Request throttled"}},
    )
    responses.get(URL, json={"error": {"error_code": 14, "error_msg": "Request throttled"}})
    responses.get(URL, json={"photos": [photo(1)]})
    page = listing(client)
    assert [p.photo_id for p in page.photos] == [1]
    assert clock.sleeps == [7, 1.0]  # Retry-After, then the backoff (error 14 with status 200)


@responses.activate
def test_throttling_beyond_the_budget_is_a_throttled_error(client, clock):
    responses.get(
        URL,
        status=429,
        headers={"Retry-After": "600"},
        json={"error": {"error_code": 14, "error_msg": "Request throttled"}},
    )
    with pytest.raises(ProviderThrottled) as raised:
        listing(client)
    assert raised.value.retry_after == 600
    assert clock.sleeps == []
    assert "throttling" in problem_for_organisers(raised.value)


@responses.activate
def test_server_errors_are_retried_then_reported(client, clock):
    responses.get(URL, status=503, body="<html>busy</html>")
    with pytest.raises(ProviderUnavailable):
        listing(client)
    assert len(responses.calls) == 4
    assert clock.sleeps == [0.5, 1.0, 2.0]


@responses.activate
@pytest.mark.parametrize("status", [401, 403, 200])
def test_refused_credentials_are_misconfiguration(client, status):
    responses.get(
        URL,
        status=status,
        json={"error": {"error_code": 6, "error_msg": "Key authentication failed"}},
    )
    with pytest.raises(ProviderMisconfigured) as raised:
        listing(client)
    assert len(responses.calls) == 1
    assert problem_for_organisers(raised.value).startswith(
        "RunSignUp refused the API key or secret: check RUNSIGNUP_API_KEY / RUNSIGNUP_API_SECRET"
    )


@responses.activate
@pytest.mark.parametrize(
    ("status", "body", "words"),
    [
        (404, {"error": {"error_code": 201, "error_msg": "Race not found."}}, "Race not found."),
        (404, {"error": {"error_code": 15, "error_msg": "Invalid ID."}}, "error 15"),
        (200, {"error": "Something went wrong"}, "Something went wrong"),
        (200, {"error": {"error_code": "3"}}, "error 3"),
        (200, {"error": None}, "200"),
        (400, {"message": "no idea"}, "400"),
        (418, "teapot", "418"),
    ],
)
def test_other_refusals_say_what_runsignup_said(client, status, body, words):
    responses.get(URL, status=status, json=body)
    with pytest.raises(ProviderRejectedRequest) as raised:
        listing(client)
    assert words in str(raised.value)
    assert "check the race and event days IDs" in problem_for_organisers(raised.value)


@responses.activate
@pytest.mark.parametrize(
    "body",
    ["<html>maintenance</html>", "[]", '{"photos": "none"}', "{}", '{"photos": null}'],
)
def test_unreadable_answers_are_unavailable(client, body):
    responses.get(URL, body=body, content_type="application/json")
    with pytest.raises(ProviderUnavailable):
        listing(client)


@responses.activate
def test_an_oversized_answer_is_refused(client):
    responses.get(URL, body=b" " * (5 * 1024 * 1024), content_type="application/json")
    with pytest.raises(ProviderUnavailable, match="oversized"):
        listing(client)


@responses.activate
def test_logs_hold_neither_key_nor_secret(client, caplog):
    caplog.set_level("DEBUG")
    responses.get(URL, body=requests.ConnectionError(f"refused for {URL}?rsu_api_key={KEY}"))
    with pytest.raises(ProviderUnavailable):
        listing(client)
    responses.replace(
        responses.GET,
        URL,
        status=403,
        json={"error": {"error_code": 6, "error_msg": f"Bad key {KEY} or secret {SECRET}"}},
    )
    with pytest.raises(ProviderMisconfigured) as raised:
        listing(client)
    assert KEY not in caplog.text and SECRET not in caplog.text
    assert KEY not in str(raised.value) and SECRET not in str(raised.value)
    assert "ConnectionError" in caplog.text


@responses.activate
def test_originals_stream_from_storage_only(client):
    url = f"{S3}/customOriginal_v3/race_21.jpg"
    body = b"\xff\xd8\xff" + b"x" * 1000
    responses.get(
        url, body=body, content_type="image/jpeg", headers={"Content-Length": str(len(body))}
    )
    original = client.open_original(url=url, filename="myPhoto.jpg", time_limit=10)
    assert original.filename == "myPhoto.jpg"
    assert original.content_length == 1003
    assert b"".join(original.chunks)[:3] == b"\xff\xd8\xff"
    assert "X-RSU-API-SECRET" not in responses.calls[0].request.headers
    with pytest.raises(ProviderUnavailable, match="untrusted"):
        client.open_original(url="https://evil.example/x.jpg", filename="x.jpg", time_limit=10)
    with pytest.raises(ProviderUnavailable, match="untrusted"):
        client.open_original(url=url.replace("https:", "http:"), filename="x.jpg", time_limit=10)


@responses.activate
@pytest.mark.parametrize(("status", "error"), [(403, PhotoNotFound), (404, PhotoNotFound)])
def test_a_missing_original_is_not_found(client, status, error):
    url = f"{S3}/customOriginal_v3/gone.jpg"
    responses.get(url, status=status, body="<Error><Code>NoSuchKey</Code></Error>")
    with pytest.raises(error):
        client.open_original(url=url, filename="gone.jpg", time_limit=10)


@responses.activate
def test_connection_check_in_plain_words(client):
    responses.get(URL, json={"photos": [photo(1)]})
    assert client.check(RACE).ok
    responses.replace(
        responses.GET,
        URL,
        status=403,
        json={"error": {"error_code": 6, "error_msg": "Key authentication failed"}},
    )
    check = client.check(RACE)
    assert not check.ok
    assert "check RUNSIGNUP_API_KEY / RUNSIGNUP_API_SECRET" in check.message
    client.api_secret = ""
    assert "No RunSignUp API key or secret is configured" in client.check(RACE).message
