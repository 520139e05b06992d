"""The RunSignUp stand-in keeps the documented contract (the RunSignUp client and sync use it)."""

import io
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from django.conf import settings
from PIL import Image, ImageStat

from standins.runsignup import catalogue, images, views
from standins.runsignup.catalogue import DEMO_EVENT_DAYS_ID, DEMO_RACE_ID

API = "/_standin/runsignup/rest/v2/photos/get-race-photos.json"
DEMO = catalogue.photos(DEMO_RACE_ID, DEMO_EVENT_DAYS_ID)
LANDSCAPE = next(p for p in DEMO if (p.width, p.height) == (3000, 2000))
PORTRAIT = next(p for p in DEMO if (p.width, p.height) == (2000, 3000))
PARTICIPANT = next(p for p in DEMO if p.participant_upload)


def params(**changes) -> dict:
    """A valid query with `changes` (None leaves a parameter out)."""
    query = {
        "race_id": DEMO_RACE_ID,
        "race_event_days_id": DEMO_EVENT_DAYS_ID,
        "rsu_api_key": settings.RUNSIGNUP_STANDIN_API_KEY,
        "format": "json",
    }
    query.update(changes)
    return {name: value for name, value in query.items() if value is not None}


def secret_header(secret: str | None = None) -> dict:
    if secret == "":
        return {}
    return {"X-RSU-API-SECRET": secret or settings.RUNSIGNUP_STANDIN_API_SECRET}


def call(client, *, secret=None, **changes):
    return client.get(API, params(**changes), headers=secret_header(secret))


def fetch(live_server, *, secret=None, **changes) -> requests.Response:
    return requests.get(
        live_server.url + API, params=params(**changes), headers=secret_header(secret), timeout=10
    )


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [photo["photo_id"] for photo in response.json()["photos"]]


def error(code: int, message: str) -> dict:
    return {"error": {"error_code": code, "error_msg": message}}


def photo_ids(photos) -> list[int]:
    return [photo.photo_id for photo in photos]


# --- Switch -------------------------------------------------------------------------


@pytest.mark.parametrize(("switch", "mounted"), [("True", True), ("False", False), (None, False)])
def test_mounted_only_when_switched_on(switch, mounted):
    probe = (
        "import django; django.setup()\n"
        "from django.conf import settings; from django.urls import Resolver404, resolve\n"
        "try: resolve('/_standin/runsignup/stats'); mounted = True\n"
        "except Resolver404: mounted = False\n"
        "print(mounted, 'standins' in settings.INSTALLED_APPS)\n"
    )
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("RUNSIGNUP", "NINEPIC", "DJANGO"))
    }
    env = {
        **clean,
        "DEBUG": "True",
        "ENV_FILE": os.devnull,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
    }
    if switch is not None:  # None: not set, the default
        env["RUNSIGNUP_STANDIN"] = switch
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == [str(mounted), str(mounted)]


# --- Catalogue -------------------------------------------------------------------


def test_catalogue_is_a_deterministic_race_day():
    assert len(DEMO) == catalogue.PHOTO_COUNT == 520
    assert DEMO[0] == catalogue.DemoPhoto(
        photo_id=310001,
        album_id=catalogue.START_ALBUM_ID,
        bibs=(1273, 1329),
        uploaded_ts=catalogue.RACE_DAY_START_TS + 80 * 60,
        uploaded_filename="DSC1_0001.JPG",
        width=2000,
        height=3000,
        participant_upload=False,
    )
    assert photo_ids(DEMO) == list(range(310001, 310521))
    assert sorted(DEMO, key=lambda p: (p.uploaded_ts, p.photo_id)) == DEMO
    # Photographers upload in batches that share a second: the order must not rest on time alone.
    assert len({p.uploaded_ts for p in DEMO}) < len(DEMO) / 4
    assert DEMO[-1].uploaded_ts - DEMO[0].uploaded_ts > 8 * 3600
    assert {p.album_id for p in DEMO} == set(catalogue.ALBUMS)
    assert sum(p.participant_upload for p in DEMO) == 60
    assert all(0 <= len(p.bibs) <= 3 and all(isinstance(b, int) for b in p.bibs) for p in DEMO)
    assert all(len(set(p.bibs)) == len(p.bibs) for p in DEMO)


def test_catalogue_indexes_bibs_and_knows_its_editions():
    index = catalogue.bibs_index()
    assert {bib: len(index[bib]) for bib in catalogue.DEMO_BIBS} == catalogue.DEMO_BIBS
    demo_bib = index[catalogue.DEMO_BIB]
    assert 30 <= len(demo_bib) <= 60
    assert {p.album_id for p in demo_bib} == set(catalogue.ALBUMS)
    assert any(p.participant_upload for p in demo_bib)
    assert all(catalogue.DEMO_BIB in p.bibs for p in demo_bib)
    assert sum(len(shown) for shown in index.values()) == sum(len(p.bibs) for p in DEMO)

    assert catalogue.photos(DEMO_RACE_ID, catalogue.UPCOMING_EVENT_DAYS_ID) == []
    assert catalogue.photos(999, DEMO_EVENT_DAYS_ID) == []
    assert catalogue.photo(DEMO[7].photo_id) == DEMO[7]
    assert catalogue.photo(310000) is catalogue.photo(310521) is None


@pytest.mark.parametrize(
    ("original", "thumbnail", "large"),
    [
        # The docs' two examples.
        ((1600, 1067), (300, 200), (900, 600)),
        ((1062, 1200), (266, 300), (797, 900)),
        ((3000, 2000), (300, 200), (900, 600)),
        ((1200, 1600), (225, 300), (675, 900)),
    ],
)
def test_variant_sizes_fit_the_docs(original, thumbnail, large):
    photo = catalogue.DemoPhoto(1, 1, (), 0, "a.jpg", *original, participant_upload=False)
    assert photo.size("original") == original
    assert photo.size("thumbnail") == thumbnail
    assert photo.size("large") == large


# --- Shape, over real HTTP ----------------------------------------------------------


def test_answer_has_the_documented_shape(live_server):
    response = fetch(live_server, num=3)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    # Slashes escaped as RunSignUp's encoder does, and nowhere left bare.
    assert b'"image_url": "http:\\/\\/' in response.content
    assert b"/" not in response.content.replace(b"\\/", b"")

    photos = response.json()["photos"]
    assert list(response.json()) == ["photos"]
    assert [p["photo_id"] for p in photos] == photo_ids(DEMO[:3])
    base = f"{live_server.url}/_standin/runsignup/images/{DEMO[0].photo_id}"
    assert photos[0] == {
        "photo_id": 310001,
        "album_id": catalogue.START_ALBUM_ID,
        "race_event_days_id": DEMO_EVENT_DAYS_ID,
        "bibs": [1273, 1329],
        "original": {"image_url": f"{base}/original.jpg", "height": 3000, "width": 2000},
        "thumbnail": {"image_url": f"{base}/thumbnail.jpg", "height": 300, "width": 200},
        "large": {"image_url": f"{base}/large.jpg", "height": 900, "width": 600},
        "uploaded_filename": "DSC1_0001.JPG",
        "uploaded_ts": DEMO[0].uploaded_ts,
    }
    # The documented key order, too: a client reading it as a stream sees the same.
    assert list(photos[1]) == list(photos[0])


def test_bibs_are_integers_and_empty_when_nobody_is_named(client):
    photos = call(client, num=1000).json()["photos"]
    assert all(type(bib) is int for p in photos for bib in p["bibs"])
    assert any(p["bibs"] == [] for p in photos)


def test_credentials_never_reach_an_answer(live_server):
    response = fetch(live_server, num=1000)
    for credential in (settings.RUNSIGNUP_STANDIN_API_KEY, settings.RUNSIGNUP_STANDIN_API_SECRET):
        assert credential.encode() not in response.content
    urls = [p[v]["image_url"] for p in response.json()["photos"] for v in catalogue.VARIANTS]
    assert len(urls) == 3 * len(DEMO)
    assert all("?" not in url for url in urls)


# --- Access and parameters ------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "secret", "status"),
    [
        ({"rsu_api_key": None}, None, 401),
        ({}, "", 401),
        ({"rsu_api_key": ""}, None, 401),
        ({"rsu_api_key": "wrong"}, None, 403),
        ({}, "wrong", 403),
        ({"rsu_api_key": "clé"}, None, 403),
        # The secret where the key goes, and the other way round.
        (
            {"rsu_api_key": "demo-rsu-secret"},
            "demo-rsu-key",
            403,
        ),
    ],
)
def test_key_and_secret_are_checked(client, settings, changes, secret, status):
    settings.RUNSIGNUP_STANDIN_API_KEY = "demo-rsu-key"
    settings.RUNSIGNUP_STANDIN_API_SECRET = "demo-rsu-secret"
    response = call(client, secret=secret, **changes)
    assert response.status_code == status
    assert response.json() == error(6, "Key authentication failed")


def test_credentials_are_read_from_settings(client, settings):
    settings.RUNSIGNUP_STANDIN_API_SECRET = "rotated"
    assert call(client, secret="demo-rsu-secret").status_code == 403
    assert call(client, secret="rotated").status_code == 200


def test_non_ascii_secret_is_refused_over_http(live_server):
    response = fetch(live_server, secret="clé")
    assert response.status_code == 403
    assert response.json() == error(6, "Key authentication failed")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"race_id": None}, "race_id is required."),
        ({"race_id": ""}, "race_id is required."),
        ({"race_event_days_id": None}, "race_event_days_id is required."),
        ({"race_id": "-21"}, "race_id must be an unsigned integer."),
        ({"race_id": "21.0"}, "race_id must be an unsigned integer."),
        ({"race_event_days_id": "²"}, "race_event_days_id must be an unsigned integer."),
        ({"page": "0"}, "page must be an integer of at least 1."),
        ({"page": "x"}, "page must be an integer of at least 1."),
        ({"num": "0"}, "num must be an integer of at least 1."),
        ({"num": "1e3"}, "num must be an integer of at least 1."),
        ({"uploaded_since_timestamp": "today"}, "uploaded_since_timestamp must be an integer."),
        ({"include_participant_uploads": "N"}, 'include_participant_uploads must be "T" or "F".'),
        ({"include_participant_uploads": "t"}, 'include_participant_uploads must be "T" or "F".'),
        (
            {"generic_photo_album_id": "finish"},
            "generic_photo_album_id must be an unsigned integer.",
        ),
    ],
)
def test_bad_parameters_are_400(client, changes, message):
    response = call(client, **changes)
    assert response.status_code == 400
    assert response.json() == error(3, f"Invalid parameters: {message}")


def test_only_json_is_spoken(client):
    assert ids(call(client, format=None, num=1)) == [DEMO[0].photo_id]
    response = call(client, format="xml")
    assert response.status_code == 400
    assert response.json() == error(10, "Response format not supported for this REST method")


def test_credentials_are_checked_before_parameters(client):
    response = call(client, rsu_api_key="wrong", race_id=None)
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("race_id", "event_days_id", "code", "message"),
    [
        (999, DEMO_EVENT_DAYS_ID, 201, "Race not found."),
        (DEMO_RACE_ID, 9999, 15, "Invalid ID."),
    ],
)
def test_unknown_race_or_edition_is_404(client, race_id, event_days_id, code, message):
    response = call(client, race_id=race_id, race_event_days_id=event_days_id)
    assert response.status_code == 404
    assert response.json() == error(code, message)


def test_an_edition_without_photos_is_an_empty_list(client):
    response = call(client, race_event_days_id=catalogue.UPCOMING_EVENT_DAYS_ID)
    assert response.status_code == 200
    assert response.json() == {"photos": []}


def test_only_get_is_allowed(client):
    response = client.post(API + "?" + "&".join(f"{k}={v}" for k, v in params().items()))
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert response.json() == error(2, "HTTP method not supported for this REST method")


# --- Paging and filters ----------------------------------------------------------------


def test_pages_default_to_100(client):
    assert ids(call(client)) == photo_ids(DEMO[:100])
    assert ids(call(client, page=2)) == photo_ids(DEMO[100:200])


def test_paging_through_ends_with_a_short_then_an_empty_page(live_server):
    pages = [ids(fetch(live_server, num=200, page=page)) for page in (1, 2, 3, 4)]
    assert [len(page) for page in pages] == [200, 200, 120, 0]
    assert sum(pages, []) == photo_ids(DEMO)


def test_num_is_capped(client, monkeypatch):
    monkeypatch.setattr(views, "MAX_NUM", 50)
    assert ids(call(client, num=5000)) == photo_ids(DEMO[:50])
    assert ids(call(client, num=5000, page=2)) == photo_ids(DEMO[50:100])


def test_uploaded_since_includes_its_own_second(client):
    # A batch: several photos share this timestamp, and all of them are "since" it.
    since = DEMO[230].uploaded_ts
    expected = [p for p in DEMO if p.uploaded_ts >= since]
    assert sum(p.uploaded_ts == since for p in expected) > 1
    assert ids(call(client, uploaded_since_timestamp=since, num=1000)) == photo_ids(expected)
    assert ids(call(client, uploaded_since_timestamp=DEMO[-1].uploaded_ts + 1)) == []
    assert ids(call(client, uploaded_since_timestamp=-5, num=1000)) == photo_ids(DEMO)


def test_album_filter(client):
    for album_id in catalogue.ALBUMS:
        expected = [p for p in DEMO if p.album_id == album_id]
        got = call(client, generic_photo_album_id=album_id, num=1000).json()["photos"]
        assert [p["photo_id"] for p in got] == photo_ids(expected)
        assert {p["album_id"] for p in got} == {album_id}
    assert ids(call(client, generic_photo_album_id=1)) == []


def test_participant_uploads_are_left_out_with_f(client):
    with_them = ids(call(client, num=1000))
    without = ids(call(client, include_participant_uploads="F", num=1000))
    assert with_them == ids(call(client, include_participant_uploads="T", num=1000))
    assert PARTICIPANT.photo_id in with_them
    assert without == [p.photo_id for p in DEMO if not p.participant_upload]
    assert len(without) == len(DEMO) - 60


def test_filters_combine_and_page_after_filtering(client):
    since = DEMO[300].uploaded_ts
    expected = [
        p
        for p in DEMO
        if p.album_id == catalogue.DEMO_ALBUM_ID
        and not p.participant_upload
        and p.uploaded_ts >= since
    ]
    query = {
        "generic_photo_album_id": catalogue.DEMO_ALBUM_ID,
        "include_participant_uploads": "F",
        "uploaded_since_timestamp": since,
        "num": 7,
    }
    assert ids(call(client, page=2, **query)) == photo_ids(expected[7:14])


# --- Race day as it unfolds: NOW and removed photos, over real HTTP ----------------------


def test_now_hides_photos_not_yet_uploaded_for_an_incremental_sync(live_server, settings):
    first_now = DEMO[199].uploaded_ts
    settings.RUNSIGNUP_STANDIN_NOW = first_now
    first = ids(fetch(live_server, num=1000))
    assert first == [p.photo_id for p in DEMO if p.uploaded_ts <= first_now]
    assert 200 <= len(first) < len(DEMO)

    # Later that day: asking since the last sync (the client overlaps by a minute) finds the rest.
    settings.RUNSIGNUP_STANDIN_NOW = DEMO[399].uploaded_ts
    later = ids(fetch(live_server, uploaded_since_timestamp=first_now - 60, num=1000))
    new = [p.photo_id for p in DEMO if first_now < p.uploaded_ts <= DEMO[399].uploaded_ts]
    assert set(new) <= set(later)
    assert set(later) - set(new) <= set(first)

    settings.RUNSIGNUP_STANDIN_NOW = None
    assert ids(fetch(live_server, num=1000)) == photo_ids(DEMO)


def test_removed_photos_are_no_longer_listed_and_their_images_are_gone(live_server, settings):
    removed = DEMO[3]
    settings.RUNSIGNUP_STANDIN_REMOVED_PHOTO_IDS = [removed.photo_id]
    listed = ids(fetch(live_server, num=10))
    assert listed == photo_ids(DEMO[:3] + DEMO[4:11])
    url = f"{live_server.url}/_standin/runsignup/images/{removed.photo_id}/thumbnail.jpg"
    response = requests.get(url, timeout=10)
    assert response.status_code == 404
    assert b"<Code>NoSuchKey</Code>" in response.content


# --- Throttling ----------------------------------------------------------------------------


def test_throttles_after_n_calls_then_recovers(live_server, settings):
    settings.RUNSIGNUP_STANDIN_THROTTLE_AFTER = 2
    settings.RUNSIGNUP_STANDIN_THROTTLE_CALLS = 2
    answers = [fetch(live_server, num=1) for _ in range(5)]
    assert [a.status_code for a in answers] == [200, 200, 429, 429, 200]
    for throttled in answers[2:4]:
        assert throttled.json() == error(14, "Request throttled")
        assert throttled.headers["Retry-After"] == "1"
    assert ids(answers[4]) == [DEMO[0].photo_id]
    assert views.call_count() == 5


def test_throttling_counts_concurrent_calls_exactly(live_server, settings):
    settings.RUNSIGNUP_STANDIN_THROTTLE_AFTER = 10
    settings.RUNSIGNUP_STANDIN_THROTTLE_CALLS = 5
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda _: fetch(live_server, num=1).status_code, range(30)))
    assert sorted(statuses) == [200] * 25 + [429] * 5
    assert views.call_count() == 30


def test_throttling_counts_from_the_last_reset(client, settings):
    settings.RUNSIGNUP_STANDIN_THROTTLE_AFTER = 1
    assert call(client).status_code == 200
    assert call(client).status_code == 429
    views.reset_call_count()
    assert views.call_count() == 0
    assert call(client).status_code == 200
    assert call(client).status_code == 429
    assert call(client).status_code == 200


def test_throttling_is_off_by_default(client):
    assert all(call(client, num=1).status_code == 200 for _ in range(20))


def test_stats_count_listing_calls_and_image_gets(client):
    call(client)
    call(client, rsu_api_key="wrong")
    client.get(f"/_standin/runsignup/images/{DEMO[0].photo_id}/nope.jpg")
    assert client.get("/_standin/runsignup/stats").json() == {"api_calls": 2, "image_gets": 1}
    assert (views.call_count("api_calls"), views.call_count("image_gets")) == (2, 1)


# --- Images ----------------------------------------------------------------------------------


@pytest.fixture
def media_dir(settings, tmp_path):
    settings.RUNSIGNUP_STANDIN_MEDIA_DIR = tmp_path / "media"
    return settings.RUNSIGNUP_STANDIN_MEDIA_DIR


def listed_photo(live_server, photo: catalogue.DemoPhoto) -> dict:
    query = {"uploaded_since_timestamp": photo.uploaded_ts, "num": 1000}
    photos = fetch(live_server, **query).json()["photos"]
    return next(p for p in photos if p["photo_id"] == photo.photo_id)


@pytest.mark.parametrize(
    ("photo", "variant"),
    [
        (LANDSCAPE, "thumbnail"),
        (PORTRAIT, "thumbnail"),
        (PARTICIPANT, "large"),
        (LANDSCAPE, "original"),
    ],
    ids=["landscape-thumbnail", "portrait-thumbnail", "phone-large", "landscape-original"],
)
def test_image_urls_serve_jpegs_of_the_listed_size(live_server, media_dir, photo, variant):
    listed = listed_photo(live_server, photo)[variant]
    response = requests.get(listed["image_url"], timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/jpeg"
    assert "Content-Disposition" not in response.headers
    assert int(response.headers["Content-Length"]) == len(response.content)
    image = Image.open(io.BytesIO(response.content))
    assert image.format == "JPEG"
    assert image.size == (listed["width"], listed["height"])
    # Drawn once, kept, with no half-written file left behind; other variants are not drawn.
    assert [p.name for p in media_dir.iterdir()] == [f"{photo.photo_id}-{variant}.jpg"]
    assert requests.get(listed["image_url"], timeout=10).content == response.content


@pytest.mark.parametrize(
    "path",
    [
        "310000/thumbnail.jpg",  # before the first photo
        "310521/thumbnail.jpg",  # after the last
        "310001/medium.jpg",
        "310001/Thumbnail.jpg",
    ],
)
def test_unknown_images_are_404(client, media_dir, path):
    response = client.get(f"/_standin/runsignup/images/{path}")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/xml"
    assert not media_dir.exists()


def test_images_of_photos_not_yet_uploaded_are_404(client, settings, media_dir):
    photo = DEMO[300]
    url = f"/_standin/runsignup/images/{photo.photo_id}/thumbnail.jpg"
    settings.RUNSIGNUP_STANDIN_NOW = photo.uploaded_ts - 1
    assert client.get(url).status_code == 404
    settings.RUNSIGNUP_STANDIN_NOW = photo.uploaded_ts
    assert client.get(url).status_code == 200


def test_image_urls_are_absolute_for_the_host_asked(client):
    response = client.get(API, params(num=1), headers=secret_header(), HTTP_HOST="localhost")
    photos = response.json()["photos"]
    assert photos[0]["thumbnail"]["image_url"] == (
        f"http://localhost/_standin/runsignup/images/{DEMO[0].photo_id}/thumbnail.jpg"
    )


def test_only_the_large_variant_is_watermarked():
    def brightness_where_the_watermark_goes(variant: str) -> float:
        image = images.draw(LANDSCAPE, variant).convert("L")
        width, height = image.size
        box = (int(width * 0.4), int(height * 0.75), int(width * 0.6), int(height * 0.85))
        return ImageStat.Stat(image.crop(box)).mean[0]

    plain = brightness_where_the_watermark_goes("thumbnail")
    assert abs(brightness_where_the_watermark_goes("original") - plain) < 4
    assert brightness_where_the_watermark_goes("large") > plain + 8


# --- Faults ------------------------------------------------------------------------------------


def test_out_of_range_numbers_on_one_photo_of_a_page(client, settings):
    settings.RUNSIGNUP_STANDIN_FAULTS = "out-of-range"
    photos = call(client, num=10, page=3).json()["photos"]
    assert (photos[0]["photo_id"], photos[0]["uploaded_ts"]) == (2**64, 10**12)
    assert [p["photo_id"] for p in photos[1:]] == photo_ids(DEMO[21:30])
    # Escaped slashes and all, the answer is still JSON a client can read.
    assert b"18446744073709551616" in call(client, num=1).content


def test_endless_listing_fills_every_page(client, settings):
    settings.RUNSIGNUP_STANDIN_FAULTS = "endless"
    for page in (1, 53, 1000):
        photos = call(client, num=10, page=page).json()["photos"]
        assert len(photos) == 10
    wrapped = call(client, num=100, page=6).json()["photos"]
    assert [p["photo_id"] for p in wrapped] == photo_ids(DEMO[500:] + DEMO[:80])


def test_odd_filenames(client, settings):
    settings.RUNSIGNUP_STANDIN_FAULTS = "odd-filenames"
    photos = call(client, num=8).json()["photos"]
    assert [p["uploaded_filename"] for p in photos] == [
        "../../../../home/x/.bashrc",
        "photo\r\nSet-Cookie: session=stolen.jpg",
        f"x/{DEMO[2].photo_id}.exe",
        "",
        "..",
        "C:\\Windows\\win.ini",
        "/etc/passwd",
        f"{DEMO[7].photo_id}.jpg\x00.html",
    ]


def test_slow_drip_listing(client, settings):
    settings.RUNSIGNUP_STANDIN_FAULTS = "slow-drip"
    settings.STANDIN_DRIP_MS = 0
    settings.STANDIN_DRIP_SECONDS = 5  # with no pause, ends long before: each byte its own chunk
    response = call(client, num=2)
    chunks = list(response.streaming_content)
    assert len(chunks) > 10
    assert all(len(chunk) == 1 for chunk in chunks[:-1])
    body = b"".join(chunks)
    assert int(response["Content-Length"]) == len(body)
    assert b"http:\\/\\/testserver" in body  # RunSignUp's escaped slashes, dripped too
    assert [p["photo_id"] for p in json.loads(body)["photos"]] == photo_ids(DEMO[:2])


def test_faults_spoil_only_answers_that_succeed(client, settings):
    settings.RUNSIGNUP_STANDIN_FAULTS = "endless"
    assert call(client, rsu_api_key="wrong").json() == error(6, "Key authentication failed")


def test_unknown_faults_are_refused(client, settings):
    settings.RUNSIGNUP_STANDIN_FAULTS = "explode"
    with pytest.raises(ValueError, match="unknown stand-in fault 'explode'"):
        call(client)


@pytest.mark.parametrize(
    ("fault", "location"),
    [
        ("redirect-loopback", "http://127.0.0.1:80/admin/"),
        ("redirect-metadata", "http://169.254.169.254/latest/meta-data/iam/security-credentials/"),
    ],
)
def test_image_urls_redirect_elsewhere(client, settings, media_dir, fault, location):
    settings.RUNSIGNUP_STANDIN_STORAGE_FAULTS = fault
    response = client.get(f"/_standin/runsignup/images/{DEMO[0].photo_id}/thumbnail.jpg")
    assert response.status_code == 302
    assert response["Location"] == location


def test_image_urls_redirect_in_a_chain_then_serve(client, settings, media_dir):
    settings.RUNSIGNUP_STANDIN_STORAGE_FAULTS = "redirect-chain"
    response = client.get(
        f"/_standin/runsignup/images/{DEMO[0].photo_id}/thumbnail.jpg", follow=True
    )
    assert len(response.redirect_chain) == 5
    assert response.redirect_chain[-1][0].endswith("?standin-hop=5")
    assert response.status_code == 200
    assert Image.open(io.BytesIO(b"".join(response.streaming_content))).format == "JPEG"


def test_image_storage_faults_leave_missing_images_404(client, settings, media_dir):
    settings.RUNSIGNUP_STANDIN_STORAGE_FAULTS = "redirect-metadata"
    assert client.get("/_standin/runsignup/images/310000/thumbnail.jpg").status_code == 404
