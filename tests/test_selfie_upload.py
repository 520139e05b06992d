"""A runner's selfie upload: checked before any call to 9Pic, cleaned, sent once under our
request_id (retries reuse it), answered in runner words, limited, and never kept."""

import email.parser
import email.policy
import io
import json
import logging
import re
import tempfile
import uuid
from pathlib import Path

import pytest
import requests
import responses
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from photos import selfies
from photos.models import Event, Provider
from photos.selfies import Refusal, SelfieRefused
from photos.web import runner_forms, uploads
from standins.ninepic import catalogue
from standins.ninepic.facefind import SAMPLE_SELFIE
from tests import ninepic_answers
from tests.selfie_pictures import MARKER, phone_photo, pixel_flood, png

FACES = f"{ninepic_answers.API}/faces"
UPLOAD = "/en/events/demo/selfie/"
PORTAL = "http://testserver"
HEIC = Path(__file__).parent / "fixtures" / "selfies" / "red-shirt.heic"
GALLERY = re.compile(r"^/en/events/demo/selfie/([0-9a-f-]{36})/$")


def found(request_id: str, total: int = 15) -> dict:
    return {
        "responseType": "success",
        "message": "Face search results",
        "data": {
            "request_id": request_id,
            "confidence_percentage": 85.0,
            "images": [],
            "pagination": {
                "total": total,
                "currentPage": 1,
                "totalPages": total,
                "hasNextPage": total > 1,
                "hasPreviousPage": False,
                "page_size": 1,
            },
        },
    }


def parts(request) -> dict[str, tuple[str | None, bytes]]:
    """The multipart form 9Pic received: field name -> (file name, bytes)."""
    head = f"Content-Type: {request.headers['Content-Type']}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + request.body)
    return {
        part.get_param("name", header="content-disposition"): (
            part.get_filename(),
            part.get_payload(decode=True),
        )
        for part in message.iter_parts()
    }


class FaceSearch:
    """9Pic's Face Search, faked: records what each upload carried, answers from a script.
    Event Details says selfie search is on."""

    def __init__(self, mock: responses.RequestsMock):
        self.uploads: list[dict] = []
        self.script: list = []
        self.while_answering = lambda: None
        mock.add_callback(responses.POST, FACES, callback=self)
        mock.get(ninepic_answers.DETAILS, json=ninepic_answers.details())

    def __call__(self, request):
        self.while_answering()
        query = dict(re.findall(r"[?&]([^=&]+)=([^&]*)", request.url))
        received = {"query": query, "parts": parts(request)}
        self.uploads.append(received)
        answer = self.script.pop(0) if self.script else 200
        if isinstance(answer, Exception):
            raise answer
        status, body = (answer, None) if isinstance(answer, int) else answer
        if body is None:
            sent = query.get("request_id") or received["parts"]["request_id"][1].decode()
            body = found(sent) if status == 200 else {"responseType": "error", "message": ""}
        return status, {"Content-Type": "application/json"}, json.dumps(body)

    @property
    def pictures(self) -> list[bytes]:
        return [upload["parts"]["file"][1] for upload in self.uploads]


@pytest.fixture
def nine_pic():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield FaceSearch(mock)


def upload(
    event: Event,
    picture: bytes | None,
    *,
    client: Client | None = None,
    name: str = "IMG_0001.JPG",
    **extra,
):
    """Post the search page's selfie form as a browser would: Origin, token, the picture."""
    data = {runner_forms.FIELD: runner_forms.token_for(event, "selfie")}
    if picture is not None:
        data["selfie"] = SimpleUploadedFile(name, picture, "image/jpeg")
    headers = {"HTTP_ORIGIN": PORTAL, **extra}
    return (client or Client()).post(UPLOAD, data, **headers)


def title(page) -> str:
    return re.search(r"<h1>(.*?)</h1>", page.content.decode(), re.S).group(1).strip()


# --- What the portal makes of a picture ---------------------------------------------------


def test_a_phone_photo_becomes_a_small_upright_jpeg_without_exif():
    sent = phone_photo(rotated=True)
    assert len(sent) > 1_000_000 and MARKER.encode() in sent
    selfie = selfies.prepare(sent)
    assert len(selfie.jpeg) < 300_000
    with Image.open(io.BytesIO(selfie.jpeg)) as picture:
        assert picture.format == "JPEG"
        assert picture.size == (960, 1280)  # upright, as the phone showed it
        assert not picture.getexif()
        assert "exif" not in picture.info and "icc_profile" not in picture.info
    assert MARKER.encode() not in selfie.jpeg and b"Exif" not in selfie.jpeg


@pytest.mark.parametrize(
    "picture",
    [
        pytest.param(HEIC.read_bytes(), id="heic"),
        pytest.param(png((640, 480), "RGBA"), id="png-with-alpha"),
        pytest.param(png((40, 30), "P"), id="small-palette-png"),
    ],
)
def test_other_pictures_phones_send_are_taken(picture):
    with Image.open(io.BytesIO(selfies.prepare(picture).jpeg)) as made:
        assert made.format == "JPEG"


@pytest.mark.parametrize(
    ("picture", "refusal"),
    [
        (b"", Refusal.EMPTY),
        (b"%PDF-1.7 not a picture at all", Refusal.NOT_A_PICTURE),
        (phone_photo(size=(300, 400))[:2000], Refusal.NOT_A_PICTURE),  # cut short
        (b"GIF89a" + b"\0" * 100, Refusal.NOT_A_PICTURE),
        (pixel_flood(), Refusal.TOO_MANY_PIXELS),  # over Pillow's own bomb limit
        (png((8000, 8000), "1"), Refusal.TOO_MANY_PIXELS),  # 64 MP: under it, over ours
    ],
    ids=["empty", "pdf", "truncated", "gif", "pixel-flood", "64-megapixels"],
)
def test_what_is_not_a_usable_picture_is_refused(picture, refusal):
    with pytest.raises(SelfieRefused) as refused:
        selfies.prepare(picture)
    assert refused.value.refusal is refusal


def test_heic_without_its_decoder_gets_its_own_words(monkeypatch):
    monkeypatch.setattr(selfies, "FORMATS", ("JPEG", "PNG", "WEBP"))
    with pytest.raises(SelfieRefused) as refused:
        selfies.prepare(HEIC.read_bytes())
    assert refused.value.refusal is Refusal.HEIC_UNSUPPORTED
    assert "HEIC" in refused.value.refusal.message


def test_the_size_cap_is_a_setting(settings):
    settings.SELFIE_MAX_BYTES = 1024 * 1024
    with pytest.raises(SelfieRefused) as refused:
        selfies.prepare(phone_photo())
    assert refused.value.refusal is Refusal.TOO_LARGE
    assert "under 1 MB" in refused.value.refusal.message


# --- The upload, against 9Pic faked -------------------------------------------------------


def test_the_upload_sends_a_clean_jpeg_under_a_fresh_request_id(event, nine_pic):
    page = upload(event, phone_photo())
    assert page.status_code == 303
    request_id = GALLERY.match(page["Location"]).group(1)
    assert str(uuid.UUID(request_id)) == request_id
    [sent] = nine_pic.uploads
    assert sent["parts"]["request_id"] == (None, request_id.encode())
    filename, picture = sent["parts"]["file"]
    assert filename == "selfie.jpg"
    with Image.open(io.BytesIO(picture)) as received:
        assert received.format == "JPEG" and max(received.size) == 1280
        assert not received.getexif()
    for secret in (MARKER.encode(), b"Exif", b"IMG_0001"):
        assert secret not in picture
    # Another upload is another search.
    upload(event, phone_photo(shirt="blue"))
    assert nine_pic.uploads[1]["parts"]["request_id"][1] != request_id.encode()


def test_field_and_request_id_go_where_the_settings_say(event, nine_pic, settings):
    settings.NINEPIC_SELFIE_FIELD = "image"
    settings.NINEPIC_SELFIE_REQUEST_ID_IN = "query"
    nine_pic.script = [(200, found(str(uuid.uuid4())))]
    page = upload(event, phone_photo(size=(600, 800)))
    [sent] = nine_pic.uploads
    assert set(sent["parts"]) == {"image"}
    assert page.status_code == 303 and sent["query"]["request_id"] not in page["Location"]
    # 9Pic kept its own ID, not ours: the gallery is the one it named.
    assert GALLERY.match(page["Location"])


@pytest.mark.parametrize(
    "failures",
    [
        [500],
        [503, 502],
        [requests.ConnectTimeout("slow")],
        [requests.ConnectionError("reset")],
        [429],
    ],
    ids=["500", "503-then-502", "timeout", "reset", "429"],
)
def test_a_retry_reuses_the_request_id(event, nine_pic, failures):
    nine_pic.script = [*failures, 200]
    page = upload(event, phone_photo(size=(600, 800)))
    assert page.status_code == 303
    request_ids = {sent["parts"]["request_id"][1].decode() for sent in nine_pic.uploads}
    assert len(nine_pic.uploads) == len(failures) + 1
    assert request_ids == {GALLERY.match(page["Location"]).group(1)}
    assert len(set(nine_pic.pictures)) == 1  # the same picture each time


@pytest.mark.parametrize(
    ("picture", "status", "words"),
    [
        (None, 400, "Choose a picture of your face first."),
        (b"", 400, "Choose a picture of your face first."),
        (b"<html>not a picture</html>", 400, "not a picture we can read"),
        (pixel_flood(), 400, "too many pixels"),
        (png((8000, 8000), "1"), 400, "too many pixels"),
        (b"\xff" * (3 * 1024 * 1024), 413, "too large"),
    ],
    ids=["no-file", "empty", "not-an-image", "pixel-flood", "64-megapixels", "oversize"],
)
def test_bad_uploads_are_refused_before_any_call_to_9pic(
    event, nine_pic, settings, picture, status, words
):
    settings.SELFIE_MAX_BYTES = 2 * 1024 * 1024
    page = upload(event, picture)
    assert page.status_code == status
    assert title(page) == "We could not use that picture"
    assert words in page.content.decode()
    assert 'id="selfie"' in page.content.decode()  # the form again, to try another
    assert nine_pic.uploads == []


def test_an_oversize_body_is_refused_before_it_is_read(event, rf, settings):
    settings.SELFIE_MAX_BYTES = 1000
    request = rf.post(UPLOAD, data=b"x", content_type="multipart/form-data; boundary=b")
    request.META["CONTENT_LENGTH"] = str(1000 + uploads.FORM_OVERHEAD + 1)
    with pytest.raises(SelfieRefused):
        uploads.hold_in_memory(request, field="selfie", limit=1000)
    assert not request._read_started  # not a byte of what it sent was read


def test_a_body_that_outgrows_the_limit_while_read_is_dropped(rf):
    handler = uploads.MemoryOnlyUpload(rf.post("/"), field="selfie", limit=100)
    handler.new_file("selfie", "me.jpg", "image/jpeg", None)
    handler.receive_data_chunk(b"x" * 60, 0)
    with pytest.raises(uploads.StopUpload):
        handler.receive_data_chunk(b"x" * 60, 60)
    assert handler.too_large and handler.file_complete(120) is None


def test_only_the_selfie_field_is_kept_and_only_once(event, nine_pic):
    data = {
        runner_forms.FIELD: runner_forms.token_for(event, "selfie"),
        "other": SimpleUploadedFile("other.jpg", b"other", "image/jpeg"),
        "selfie": [
            SimpleUploadedFile("first.jpg", phone_photo(size=(300, 400)), "image/jpeg"),
            SimpleUploadedFile("second.jpg", b"not a picture", "image/jpeg"),
        ],
    }
    page = Client().post(UPLOAD, data, HTTP_ORIGIN=PORTAL)
    assert page.status_code == 303 and len(nine_pic.uploads) == 1


@pytest.mark.parametrize(
    ("headers", "token"),
    [({}, None), ({"HTTP_ORIGIN": "https://evil.example"}, None), ({}, "forged")],
    ids=["no-origin", "another-site", "forged-token"],
)
def test_a_post_not_from_the_portals_form_is_refused(event, nine_pic, headers, token):
    data = {runner_forms.FIELD: token or runner_forms.token_for(event, "selfie")}
    data["selfie"] = SimpleUploadedFile("me.jpg", phone_photo(size=(300, 400)), "image/jpeg")
    page = Client().post(UPLOAD, data, **({"HTTP_ORIGIN": PORTAL} if token else headers))
    assert page.status_code == 403
    assert nine_pic.uploads == []


def test_no_csrf_cookie_is_needed(event, nine_pic):
    # Inside a third-party iframe the browser sends no cookie at all.
    page = upload(event, phone_photo(size=(300, 400)), client=Client(enforce_csrf_checks=True))
    assert page.status_code == 303


def test_a_get_goes_back_to_the_selfie_form(event):
    page = Client().get(UPLOAD)
    assert page.status_code == 302 and page["Location"] == "/en/events/demo/#selfie"
    embedded = Client().get("/en/embed/events/demo/selfie/")
    assert embedded["Location"] == "/en/embed/events/demo/#selfie"


def test_an_upload_from_the_embed_lands_on_the_embed_gallery(event, nine_pic):
    data = {runner_forms.FIELD: runner_forms.token_for(event, "selfie")}
    data["selfie"] = SimpleUploadedFile("me.jpg", phone_photo(size=(300, 400)), "image/jpeg")
    page = Client().post("/en/embed/events/demo/selfie/", data, HTTP_ORIGIN=PORTAL)
    assert page.status_code == 303
    assert page["Location"].startswith("/en/embed/events/demo/selfie/")


def test_events_without_selfie_search_take_no_upload(event, nine_pic, runsignup_event):
    event.offers_selfie_search = False
    event.save()
    assert upload(event, phone_photo(size=(300, 400))).status_code == 404
    page = Client().get("/en/events/demo/")
    assert 'id="selfie"' not in page.content.decode()
    data = {runner_forms.FIELD: runner_forms.token_for(runsignup_event, "selfie")}
    data["selfie"] = SimpleUploadedFile("me.jpg", phone_photo(size=(300, 400)), "image/jpeg")
    assert Client().post("/en/events/trail/selfie/", data, HTTP_ORIGIN=PORTAL).status_code == 404
    assert nine_pic.uploads == []


def test_a_provider_without_face_search_refuses_it(runsignup_event):
    from photos.domain import SearchNotOffered
    from photos.providers import provider_for

    assert runsignup_event.provider == Provider.RUNSIGNUP
    with pytest.raises(SearchNotOffered):
        provider_for(runsignup_event).search_by_selfie(b"jpeg")


# --- 9Pic's answers in runner words ---------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "status", "words"),
    [
        (400, 422, "We could not find a face in that picture"),
        (403, 404, "Selfie search is not available for this event"),
        (
            (422, {"responseType": "error", "message": "body.image: Field required", "data": None}),
            503,
            "not set up correctly",
        ),
        (401, 503, "not set up correctly"),
        ((200, {"responseType": "success", "data": {"request_id": "nope"}}), 502, "trouble"),
    ],
    ids=["no-face", "selfie-search-off", "wrong-field", "no-key", "unreadable"],
)
def test_9pics_answers_in_runner_words(event, nine_pic, answer, status, words):
    nine_pic.script = [answer]
    page = upload(event, phone_photo(size=(300, 400)))
    assert page.status_code == status
    assert words in page.content.decode()
    assert 'id="selfie"' in page.content.decode() or status == 404


def test_no_face_shows_tips_for_a_better_selfie(event, nine_pic):
    nine_pic.script = [400]
    page = upload(event, phone_photo(size=(300, 400))).content.decode()
    assert "Tips for a selfie that finds you" in page
    assert "looking straight at the camera" in page


def test_9pic_throttling_past_retries_is_a_busy_message(event, nine_pic, settings):
    settings.NINEPIC_MAX_RETRIES = 1
    nine_pic.script = [429, 429]
    page = upload(event, phone_photo(size=(300, 400)))
    assert page.status_code == 503 and page["Retry-After"]
    assert "Lots of runners are looking for their photos right now" in page.content.decode()


def test_a_wrong_field_is_logged_with_the_setting_to_change(event, nine_pic, caplog):
    message = "body.selfie: Field required"
    nine_pic.script = [(422, {"responseType": "error", "message": message, "data": None})]
    upload(event, phone_photo(size=(300, 400)))
    assert "set NINEPIC_SELFIE_FIELD=selfie" in caplog.text


# --- Limits -------------------------------------------------------------------------------


def test_uploads_are_limited_per_client(event, nine_pic, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "selfie": "2/h"}
    picture = phone_photo(size=(300, 400))
    assert [upload(event, picture).status_code for _ in range(3)] == [303, 303, 429]
    assert len(nine_pic.uploads) == 2
    # Another runner is not held up.
    assert upload(event, picture, REMOTE_ADDR="192.0.2.7").status_code == 303


def test_uploads_are_limited_per_event(event, nine_pic, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "selfie-event": "2/m"}
    picture = phone_photo(size=(300, 400))
    answers = [upload(event, picture, REMOTE_ADDR=f"192.0.2.{n}") for n in range(1, 4)]
    assert [page.status_code for page in answers] == [303, 303, 503]
    assert answers[2]["Retry-After"]
    assert len(nine_pic.uploads) == 2


def test_uploads_count_in_the_events_upstream_budget(event, nine_pic, settings):
    # Two calls: Event Details (read once, for every runner) and one upload.
    settings.UPSTREAM_CALLS_PER_MINUTE_PER_EVENT = 2
    picture = phone_photo(size=(300, 400))
    assert upload(event, picture).status_code == 303
    assert upload(event, picture, REMOTE_ADDR="192.0.2.9").status_code == 503
    assert len(nine_pic.uploads) == 1


def test_uploads_count_in_the_clients_share_of_the_budget(event, nine_pic, settings):
    settings.UPSTREAM_CALLS_PER_MINUTE_PER_EVENT = 20
    settings.UPSTREAM_CLIENT_SHARE = 0.1  # two calls a minute for one client
    picture = phone_photo(size=(300, 400))
    assert [upload(event, picture).status_code for _ in range(3)] == [303, 303, 429]
    assert upload(event, picture, REMOTE_ADDR="192.0.2.9").status_code == 303
    assert len(nine_pic.uploads) == 3


# --- Never kept ---------------------------------------------------------------------------


def files_holding(needles: list[bytes], folders: list[Path]) -> list[Path]:
    return [
        path
        for folder in folders
        if folder.exists()
        for path in folder.rglob("*")
        if path.is_file() and any(needle in path.read_bytes() for needle in needles)
    ]


def test_the_selfie_never_touches_the_disk_or_the_logs(
    event, nine_pic, settings, tmp_path, monkeypatch, caplog
):
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    # Django would spill any upload to a temporary file: the selfie view must not.
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    settings.FILE_UPLOAD_TEMP_DIR = str(temporary)
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    settings.MEDIA_ROOT = str(tmp_path / "media")
    sent = phone_photo()
    caplog.set_level(logging.DEBUG)  # everything the portal logs, Pillow's reading of EXIF too
    # Slices of what the runner sent, and of what went on to 9Pic, once it is known.
    needles = [sent[i : i + 64] for i in range(1000, len(sent), len(sent) // 8)]
    folders = [temporary, tmp_path, Path(settings.PREVIEW_DIR), Path(tempfile.gettempdir())]
    seen_during: list[list[Path]] = []
    # While 9Pic answers, the request is in flight: a temporary file of the upload would exist.
    nine_pic.while_answering = lambda: seen_during.append(files_holding(needles, folders))

    page = upload(event, sent)
    assert page.status_code == 303
    assert seen_during == [[]]
    received = nine_pic.pictures[0]
    needles += [received[i : i + 64] for i in range(600, len(received), len(received) // 4)]
    assert files_holding(needles, folders) == []
    for needle in (MARKER, repr(sent[:40]), repr(received[:40]), sent[:40].hex()):
        assert needle not in caplog.text


def test_the_selfie_is_never_printed_as_bytes():
    assert repr(selfies.prepare(phone_photo(size=(300, 400)))).startswith("Selfie(300x400, ")


# --- Against the 9Pic stand-in, over HTTP ------------------------------------------------


def upload_over_http(
    portal: str, picture: bytes, path: str = UPLOAD, **options
) -> requests.Response:
    """The search page's selfie form, as a browser without JavaScript sends it."""
    session = requests.Session()
    page = session.get(f"{portal}/en/events/demo/", timeout=30).text
    token = re.search(rf'name="{runner_forms.FIELD}" value="([^"]+)"', page).group(1)
    return session.post(
        f"{portal}{path}",
        data={runner_forms.FIELD: token},
        files={"selfie": ("IMG_0001.JPG", picture, "image/jpeg")},
        headers={"Origin": portal},
        timeout=60,
        **options,
    )


def test_the_sample_selfie_finds_its_runner_over_http(live_standin, event):
    gallery = upload_over_http(live_standin.url, SAMPLE_SELFIE.read_bytes())
    assert gallery.history[0].status_code == 303
    assert GALLERY.match(gallery.url.removeprefix(live_standin.url))
    assert "15 photos for your selfie" in gallery.text


def connection_check(admin_client, event) -> str:
    page = admin_client.post(
        "/admin/photos/event/",
        {"action": "check_connection", "_selected_action": [event.pk]},
        follow=True,
    )
    return page.content.decode()


def test_the_connection_check_tries_a_selfie_upload(admin_client, live_standin, event):
    words = connection_check(admin_client, event)
    assert "Connected: the key works" in words and "Selfie upload works" in words


@pytest.mark.parametrize(
    ("standin", "advice"),
    [
        ({"NINEPIC_STANDIN_SELFIE_FIELD": "image"}, "NINEPIC_SELFIE_FIELD=image"),
        (
            {"NINEPIC_STANDIN_SELFIE_REQUEST_ID_IN": "query"},
            "NINEPIC_SELFIE_REQUEST_ID_IN=query",
        ),
    ],
    ids=["field", "request-id"],
)
def test_the_connection_check_names_the_setting_to_change(
    admin_client, live_standin, event, settings, standin, advice
):
    for name, value in standin.items():
        setattr(settings, name, value)
    assert f"set {advice}" in connection_check(admin_client, event)


def test_the_connection_check_says_when_9pic_has_selfie_search_off(
    admin_client, live_standin, event
):
    event.event_id = catalogue.SELFIE_OFF_EVENT_ID
    event.save()
    check = connection_check(admin_client, event)
    assert "9Pic has BIB search on, selfie search off and" in check
    assert "Selfie upload" not in check
    event.offers_selfie_search = False
    event.save()
    assert "Selfie upload" not in connection_check(admin_client, event)


def test_a_throttled_face_search_over_http_is_a_busy_page(live_standin, event, settings):
    settings.NINEPIC_STANDIN_FAULTS = "throttle"
    settings.NINEPIC_MAX_RETRIES = 0
    busy = upload_over_http(live_standin.url, SAMPLE_SELFIE.read_bytes())
    assert busy.status_code == 503 and busy.headers["Retry-After"] == "2"
    assert "Lots of runners are looking for their photos right now" in busy.text
