"""The portal's own previews, made from originals for galleries listed by Download Originals;
gallery answers reused, and one upstream call for N callers."""

import gzip
import io
import json
import os
import threading
import time
from pathlib import Path

import pytest
import responses
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from PIL import Image

from photos.providers.ninepic.previews import SIZES, PreviewStore, render

UPSTREAM = "http://testserver/_standin/9pic/api/v1/ext/903/event/456/original-photos"
IMAGE = "a4402318-0cf4-4e1e-b8e8-ac8e8f2fc244"
STORAGE = f"https://storage.test/imgs/456/large/{IMAGE}.jpg?X-Amz-Signature=s"


def jpeg(width: int, height: int, quality: int = 92) -> bytes:
    # Noise compresses like a real photo: a flat image would flatter every figure.
    image = Image.merge("RGB", [Image.effect_noise((width, height), 60)] * 3)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


def answer(*image_ids: str, total: int | None = None) -> dict:
    total = len(image_ids) if total is None else total
    return {
        "responseType": "success",
        "message": "ok",
        "data": {
            "presigned_urls": [
                {
                    "url": f"https://storage.test/imgs/456/large/{i}.jpg?X-Amz-Signature=s",
                    "filename": f"{i}.jpg",
                }
                for i in image_ids
            ],
            "failed_urls": [],
            "total_images": total,
            "successful_count": len(image_ids),
            "failed_count": 0,
            "identifier": "1234",
            "pagination": None
            if not total
            else {
                "total": total,
                "currentPage": 1,
                "totalPages": 1,
                "hasNextPage": False,
                "hasPreviousPage": False,
                "page_size": 30,
            },
        },
    }


@pytest.fixture(autouse=True)
def _originals_listing(settings):
    """Galleries listed by Download Originals, with previews the portal makes: the way
    when 9Pic's search listing cannot serve an event (tests/test_ninepic_galleries.py)."""
    settings.NINEPIC_GALLERY_LISTING = "originals"


def at_once(count: int, request) -> list:
    """`request()` in `count` threads started together; their results, in any order."""
    results = []

    def run() -> None:
        try:
            results.append(request())
        finally:
            connection.close()  # or the test database cannot be dropped afterwards

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def methods_called(upstream) -> list[str]:
    return [
        json.loads(call.request.body)["method"] if call.request.method == "POST" else "storage"
        for call in upstream.calls
    ]


# --- Previews ------------------------------------------------------------------------------


def test_preview_is_a_small_jpeg_cached_for_a_year(client, event, upstream):
    upstream.post(UPSTREAM, json=answer(IMAGE))
    upstream.get(STORAGE, body=jpeg(3000, 2000), content_type="image/jpeg")
    response = client.get(f"/en/events/demo/photos/{IMAGE}/preview")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    body = b"".join(response.streaming_content)
    assert Image.open(io.BytesIO(body)).size == (720, 480)
    assert methods_called(upstream) == ["image_id", "storage"]

    again = client.get(f"/en/events/demo/photos/{IMAGE}/preview")
    assert b"".join(again.streaming_content) == body
    assert again["ETag"] == response["ETag"]
    assert len(upstream.calls) == 2  # made once

    unchanged = client.get(
        f"/en/events/demo/photos/{IMAGE}/preview", headers={"If-None-Match": response["ETag"]}
    )
    assert unchanged.status_code == 304
    assert len(upstream.calls) == 2


def test_large_preview_keeps_the_whole_photo(client, event, upstream):
    upstream.post(UPSTREAM, json=answer(IMAGE))
    upstream.get(STORAGE, body=jpeg(2000, 3000), content_type="image/jpeg")
    response = client.get(f"/en/events/demo/photos/{IMAGE}/preview/large")
    image = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    assert image.size == (1067, 1600)


def test_a_gallery_lends_its_links_to_previews(client, event, upstream):
    upstream.post(UPSTREAM, json=answer(IMAGE))
    upstream.get(STORAGE, body=jpeg(600, 400), content_type="image/jpeg")
    assert client.get("/en/events/demo/bib/1234/").status_code == 200
    assert client.get(f"/en/events/demo/photos/{IMAGE}/preview").status_code == 200
    assert methods_called(upstream) == ["bib", "storage"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_make_a_missing_preview_once(event, upstream):
    upstream.post(UPSTREAM, json=answer(IMAGE))
    original = jpeg(1200, 800)

    def slow_storage(request):
        time.sleep(0.3)
        return (200, {"Content-Type": "image/jpeg"}, original)

    upstream.add_callback(responses.GET, STORAGE, callback=slow_storage)

    def fetch() -> int:
        response = Client().get(f"/en/events/demo/photos/{IMAGE}/preview")
        b"".join(response.streaming_content)
        return response.status_code

    assert at_once(4, fetch) == [200] * 4
    assert methods_called(upstream).count("storage") == 1


@pytest.mark.parametrize("image_id", ["nope", IMAGE.upper() + "x"])
def test_preview_of_a_bad_id_is_a_400(client, event, upstream, image_id):
    assert client.get(f"/en/events/demo/photos/{image_id}/preview").status_code == 400
    assert len(upstream.calls) == 0


def test_preview_of_an_unknown_photo_is_a_404(client, event, upstream):
    upstream.post(UPSTREAM, status=400, json={"responseType": "error", "message": "invalid"})
    assert client.get(f"/en/events/demo/photos/{IMAGE}/preview").status_code == 404


def test_an_original_that_is_not_an_image_is_an_upstream_failure(client, event, upstream):
    upstream.post(UPSTREAM, json=answer(IMAGE))
    upstream.get(STORAGE, body=b"<html>not a photo</html>", content_type="text/html")
    assert client.get(f"/en/events/demo/photos/{IMAGE}/preview").status_code == 502


def test_a_24_megapixel_original_makes_a_small_preview():
    preview = render([jpeg(6000, 4000)], SIZES["small"])
    assert Image.open(io.BytesIO(preview)).size == (720, 480)
    assert len(preview) < 60_000


def test_store_evicts_the_least_recently_used(tmp_path: Path):
    store = PreviewStore(tmp_path, max_bytes=2500)
    store.put("a.jpg", b"a" * 1000)
    store.put("b.jpg", b"b" * 1000)
    past = time.time() - 60
    os.utime(tmp_path / "a.jpg", (past, past))
    os.utime(tmp_path / "b.jpg", (past + 1, past + 1))
    store.open("a.jpg").close()  # served just now: most recent
    store.put("c.jpg", b"c" * 1000)
    assert sorted(p.name for p in tmp_path.glob("*.jpg")) == ["a.jpg", "c.jpg"]


def test_a_preview_removed_to_make_room_while_it_is_served_is_still_served(tmp_path: Path):
    store = PreviewStore(tmp_path, max_bytes=1500)
    store.put("a.jpg", b"a" * 1000)
    with store.open("a.jpg") as served:
        store.put("b.jpg", b"b" * 1000)  # another request's preview needs the room
        assert not (tmp_path / "a.jpg").exists()
        assert served.read() == b"a" * 1000


@pytest.mark.parametrize("megabytes", [0, 1])
def test_previews_are_served_however_small_the_store(client, event, upstream, settings, megabytes):
    """0 keeps none (each is served from memory, made once thanks to the shared cache); 1 MB
    keeps a few, removing others while they may be being served."""
    settings.PREVIEW_CACHE_MB = megabytes
    image_ids = [f"{n:08d}-0000-4000-8000-000000000000" for n in range(12)]
    upstream.post(UPSTREAM, json=answer(*image_ids))
    original = jpeg(2400, 1600)
    for image_id in image_ids:
        upstream.get(
            f"https://storage.test/imgs/456/large/{image_id}.jpg?X-Amz-Signature=s",
            body=original,
            content_type="image/jpeg",
        )
    assert client.get("/en/events/demo/bib/1234/").status_code == 200
    for _ in range(2):
        for image_id in image_ids:
            response = client.get(f"/en/events/demo/photos/{image_id}/preview/large")
            assert response.status_code == 200
            body = b"".join(response.streaming_content)
            assert Image.open(io.BytesIO(body)).size == (1600, 1067)
    assert methods_called(upstream).count("storage") == len(image_ids)  # each made once
    kept = sum(p.stat().st_size for p in settings.PREVIEW_DIR.glob("*.jpg"))
    assert kept <= megabytes * 1024 * 1024


# --- Gallery answers --------------------------------------------------------------------------


def test_gallery_answers_are_reused(client, event, upstream):
    upstream.post(UPSTREAM, json=answer(IMAGE))
    assert client.get("/en/events/demo/bib/1234/").status_code == 200
    assert client.get("/en/events/demo/bib/1234/").status_code == 200
    assert len(upstream.calls) == 1
    client.get("/en/events/demo/bib/4321/")
    assert len(upstream.calls) == 2


def test_no_photos_answers_are_kept_briefly(client, event, upstream, settings):
    settings.EMPTY_GALLERY_CACHE_SECONDS = 0
    upstream.post(UPSTREAM, status=404, json={"responseType": "error", "message": "none"})
    client.get("/en/events/demo/bib/1234/")
    client.get("/en/events/demo/bib/1234/")
    assert len(upstream.calls) == 2


def test_failures_are_not_cached(client, event, upstream, settings):
    settings.NINEPIC_MAX_RETRIES = 0
    upstream.post(UPSTREAM, status=503)
    assert client.get("/en/events/demo/bib/1234/").status_code == 502
    upstream.replace(responses.POST, UPSTREAM, json=answer(IMAGE))
    assert client.get("/en/events/demo/bib/1234/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_identical_concurrent_searches_share_one_upstream_call(event, upstream):
    def slow_answer(request):
        time.sleep(0.3)
        return (200, {"Content-Type": "application/json"}, json.dumps(answer(IMAGE)))

    upstream.add_callback(responses.POST, UPSTREAM, callback=slow_answer)
    statuses = at_once(5, lambda: Client().get("/en/events/demo/bib/1234/").status_code)
    assert statuses == [200] * 5
    assert len(upstream.calls) == 1


# --- Page weight -----------------------------------------------------------------------------


def test_a_30_photo_gallery_weighs_under_40_kb_compressed(client, event, upstream):
    upstream.post(
        UPSTREAM,
        json=answer(*[f"{n:08d}-0000-4000-8000-000000000000" for n in range(30)], total=47),
    )
    html = client.get("/en/events/demo/bib/1234/").content
    static = Path(django_settings.BASE_DIR) / "static" / "photos"
    assets = [html, (static / "portal.css").read_bytes(), (static / "portal.js").read_bytes()]
    assert sum(len(gzip.compress(part)) for part in assets) < 40_000


def test_a_preview_made_by_another_instance_is_not_made_again(client, event, upstream, settings):
    upstream.post(UPSTREAM, json=answer(IMAGE))
    upstream.get(STORAGE, body=jpeg(900, 600), content_type="image/jpeg")
    made = b"".join(client.get(f"/en/events/demo/photos/{IMAGE}/preview").streaming_content)
    # Another instance: its own folder, the same (shared) cache.
    settings.PREVIEW_DIR = settings.PREVIEW_DIR.parent / "other-instance"
    served = b"".join(client.get(f"/en/events/demo/photos/{IMAGE}/preview").streaming_content)
    assert served == made
    assert methods_called(upstream) == ["image_id", "storage"]
