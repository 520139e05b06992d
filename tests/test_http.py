"""What every provider client shares (photos/providers/http.py): which URLs may be fetched,
the wall-clock deadline on every exchange, and credentials taken out of every answer.
Deadlines are tested against a raw socket server that sends exactly what a test scripts."""

import io
import socket
import threading
import time
import warnings
from collections.abc import Iterator

import pytest
import requests
from PIL import Image, ImageFile

from photos.domain import ProviderTimeout, ProviderUnavailable
from photos.providers import http
from photos.providers.deadlines import Deadline
from photos.providers.ninepic import previews
from photos.providers.ninepic.previews import SIZES, render

STORAGE = http.StorageHosts(("127.0.0.1", "*.s3.amazonaws.com"), allow_http=True)
BODY = bytes(range(256)) * 1024  # 256 KB


@pytest.fixture
def scripted_server() -> Iterator:
    """`serve(*answers)`: a server on 127.0.0.1 that answers one connection after the
    other, each with an answer's steps: bytes sent after a pause (seconds), "{port}" in them
    replaced by its port. Its URL. It stops sending when the client goes."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = str(listener.getsockname()[1]).encode()

    def serve(*answers: list[tuple[float, bytes]]) -> str:
        def run() -> None:
            for steps in answers:
                connection, _ = listener.accept()
                with connection:
                    connection.recv(65536)
                    try:
                        for pause, data in steps:
                            time.sleep(pause)
                            connection.sendall(data.replace(b"{port}", port))
                    except OSError:
                        pass  # the client hung up

        threading.Thread(target=run, daemon=True).start()
        return f"http://127.0.0.1:{port.decode()}/photo.jpg"

    yield serve
    listener.close()


def headers(*lines: str) -> bytes:
    return ("HTTP/1.1 200 OK\r\n" + "".join(f"{line}\r\n" for line in lines) + "\r\n").encode()


def dripped(data: bytes, every: float = 0.05) -> list[tuple[float, bytes]]:
    return [(every, data[i : i + 1]) for i in range(len(data))]


def download(url: str, time_limit: float = 1.0):
    return http.open_download(
        http.session(),
        url,
        hosts=STORAGE,
        storage="test storage",
        filename="photo.jpg",
        timeout=(1.0, 1.0),
        time_limit=time_limit,
    )


# --- Deadlines --------------------------------------------------------------------------


def test_a_deadline_cuts_headers_dripped_a_line_at_a_time(scripted_server):
    url = scripted_server([(0, b"HTTP/1.1 200 OK\r\n"), *dripped(b"X-Slow: " + b"y" * 500)])
    start = time.monotonic()
    with pytest.raises(ProviderTimeout, match="no answer within 1s"):
        download(url)
    assert time.monotonic() - start < 1.0 + 0.8


def test_a_deadline_cuts_a_download_dripped_after_its_first_chunk(scripted_server):
    start_of_body = BODY[: http.DOWNLOAD_CHUNK_SIZE]
    rest = BODY[http.DOWNLOAD_CHUNK_SIZE :]
    url = scripted_server(
        [(0, headers(f"Content-Length: {len(BODY)}") + start_of_body), *dripped(rest[:200])]
    )
    original = download(url)
    start = time.monotonic()
    assert next(original.chunks) == start_of_body
    with pytest.raises(ProviderTimeout):
        b"".join(original.chunks)
    assert time.monotonic() - start < 1.0 + 0.8


def test_the_time_a_runner_takes_does_not_count(scripted_server):
    url = scripted_server([(0, headers(f"Content-Length: {len(BODY)}") + BODY)])
    original = download(url, time_limit=0.5)
    received = bytearray()
    for chunk in original.chunks:
        received += chunk
        time.sleep(0.3)  # a slow runner: four chunks take 1.2 s
    assert received == BODY


def test_calls_to_an_api_end_at_the_time_budget_however_they_drip(scripted_server):
    url = scripted_server([(0, headers("Content-Length: 2000")), *dripped(b"{" + b" " * 1999)])
    policy = http.CallPolicy(
        connect_timeout=1, read_timeout=1, time_budget=1.5, max_retries=3, backoff=0
    )

    def attempt(deadline: Deadline) -> bytes:
        with http.session().get(url, timeout=deadline.within(policy.timeouts), stream=True) as r:
            return http.read_capped(r, deadline=deadline, limit=10_000, logger=http.logger)

    start = time.monotonic()
    with pytest.raises(ProviderTimeout, match="no answer within 1.5s"):
        http.with_retries(attempt, where="test API", logger=http.logger, policy=policy)
    assert time.monotonic() - start < 1.5 + 0.8


# --- Which URLs may be fetched ----------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        # The sample links of RunSignUp's docs, and an S3 signature with its quoted slashes.
        "https://rsu-photos-v2-v2prod.s3.amazonaws.com/customOriginal_v3/race_21_6568_d375c60e"
        "-ba56-49b5-8812-82b597eef456.jpg",
        "https://rl13photo5788d40734058.s3.amazonaws.com/thumbs_v2/race_21_6568.jpg",
        "https://b.s3.amazonaws.com/imgs/456/large/a.jpg?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        "&X-Amz-Credential=KEY%2F20260119%2Fauto%2Fs3%2Faws4_request&X-Amz-Signature=0a1b",
        "http://127.0.0.1:8000/_standin/9pic/storage/raw-memories/imgs/456/large/a.jpg?x=1",
    ],
)
def test_storage_links_as_sent_are_held(url):
    assert STORAGE.hold(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000\\@b.s3.amazonaws.com/x.jpg",  # requests: 127.0.0.1, urlsplit: b.s3…
        "https://b.s3.amazonaws.com\\@127.0.0.1/x.jpg",
        "https://user@b.s3.amazonaws.com/x.jpg",
        "https://user:pass@b.s3.amazonaws.com/x.jpg",
        "https://B.S3.AMAZONAWS.COM/x.jpg",
        "https://bücher.s3.amazonaws.com/x.jpg",
        "https://b.s3.amazonaws.com",
        "https://b.s3.amazonaws.com/a b.jpg",
        "https://b.s3.amazonaws.com/a\tb.jpg",
        "https://b.s3.amazonaws.com./x.jpg",
        "https://s3.amazonaws.com.evil.test/x.jpg",
        "http://127.1/x.jpg",
        "ftp://b.s3.amazonaws.com/x.jpg",
        "//b.s3.amazonaws.com/x.jpg",
        "",
    ],
)
def test_links_read_differently_by_other_parsers_are_refused(url):
    assert not STORAGE.hold(url)


def test_plain_http_only_where_allowed():
    assert not http.StorageHosts(("127.0.0.1",)).hold("http://127.0.0.1/x.jpg")


def moved(location: str) -> list[tuple[float, bytes]]:
    answer = headers(f"Location: {location}", "Content-Length: 0")
    return [(0, answer.replace(b"200 OK", b"302 Found"))]


def test_redirects_are_followed_within_storage(scripted_server):
    url = scripted_server(
        moved("/photo.jpg?hop=1"),
        moved("http://127.0.0.1:{port}/photo.jpg?hop=2"),
        [(0, headers(f"Content-Length: {len(BODY)}") + BODY)],
    )
    assert b"".join(download(url).chunks) == BODY


def test_redirects_elsewhere_are_refused(scripted_server):
    url = scripted_server(moved("http://localhost:1/photo.jpg"))
    with pytest.raises(ProviderUnavailable, match="untrusted link http://localhost:1/"):
        download(url)


def test_redirects_are_followed_a_few_hops_only(scripted_server):
    url = scripted_server(*[moved("/photo.jpg")] * (http.MAX_REDIRECTS + 1))
    with pytest.raises(ProviderUnavailable, match="too many redirects"):
        download(url)


# --- Credentials in answers ---------------------------------------------------------------


def test_credentials_are_taken_out_of_answers_in_any_form():
    secret = "k3y/with+signs"
    answer = (
        f'{{"message": "bad key {secret}", "url": "https:\\/\\/x\\/'
        + secret.replace("/", "\\/")
        + f'", "link": "https://x/?k={requests.utils.quote(secret, safe="")}"}}'
    ).encode()
    cleaned = http.redact(answer, [secret, "", "x"])
    assert b"k3y" not in cleaned
    assert cleaned.count("…".encode()) == 3
    assert b"\\/x\\/" in cleaned  # "x", too short for a key, is left alone


# --- Previews read only what they can decode safely ----------------------------------------


def jpeg_claiming(width: int, height: int) -> bytes:
    """A small JPEG whose header says it is `width` x `height` pixels."""
    out = io.BytesIO()
    Image.new("RGB", (16, 16)).save(out, "JPEG")
    data = bytearray(out.getvalue())
    start = data.index(b"\xff\xc0") + 5  # SOF0: length (2), precision (1), then the size
    data[start : start + 4] = height.to_bytes(2, "big") + width.to_bytes(2, "big")
    return bytes(data)


@pytest.mark.parametrize("side", [9500, 14000])  # Pillow warns over 9459x9459, refuses 13377
@pytest.mark.parametrize("bomb_warnings", ["error", "ignore"])  # whatever the filters say
def test_a_jpeg_over_the_pixel_limit_is_refused_before_decoding(side, bomb_warnings, monkeypatch):
    decoded = []
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda image: decoded.append(image))
    with warnings.catch_warnings():
        warnings.simplefilter(bomb_warnings, Image.DecompressionBombWarning)
        with pytest.raises(ProviderUnavailable, match="not a readable image"):
            render([jpeg_claiming(side, side)], SIZES["small"])
    assert decoded == []


def test_a_preview_reads_at_most_its_limit_of_the_original(settings):
    settings.PREVIEW_MAX_ORIGINAL_MB = 1
    read = []

    def chunks() -> Iterator[bytes]:
        for _ in range(64):  # 4 MB
            read.append(64 * 1024)
            yield b"\xff" * 64 * 1024

    with pytest.raises(ProviderUnavailable, match="original over 1 MB"):
        render(chunks(), SIZES["small"])
    assert sum(read) <= 1024 * 1024 + 64 * 1024


def test_previews_are_made_a_few_at_a_time(settings, monkeypatch):
    settings.PREVIEW_RENDERS = 2
    at_once, most = [], []
    lock = threading.Lock()
    transpose = previews.ImageOps.exif_transpose

    def slow_transpose(image):
        with lock:
            at_once.append(1)
            most.append(len(at_once))
        time.sleep(0.2)
        with lock:
            at_once.pop()
        return transpose(image)

    monkeypatch.setattr(previews.ImageOps, "exif_transpose", slow_transpose)
    original = io.BytesIO()
    Image.new("RGB", (800, 600)).save(original, "JPEG")
    threads = [
        threading.Thread(target=render, args=([original.getvalue()], SIZES["small"]))
        for _ in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert max(most) == 2
