"""Many photos in one ZIP, streamed as it is written (stand-in over real HTTP)."""

import io
import zipfile
from pathlib import PurePosixPath

import pytest
import requests
from django.conf import settings

from photos.identifiers import IMAGE_EXTENSIONS
from standins.ninepic import catalogue

BIB = catalogue.BIB_WITH_MANY_PHOTOS
PHOTOS = [p.image_id for p in catalogue.photos_for_bib(catalogue.DEMO_EVENT_ID, BIB)]
ZIP = f"/en/events/demo/bib/{BIB}/photos.zip"


@pytest.fixture
def portal(live_standin, event) -> str:
    return live_standin.url


def standin_calls(portal: str) -> dict:
    return requests.get(f"{portal}/_standin/9pic/stats", timeout=10).json()


def original(portal: str, image_id: str) -> bytes:
    answer = requests.post(
        f"{portal}/_standin/9pic/api/v1/ext/903/event/456/original-photos",
        json={"method": "image_id", "identifier": image_id},
        headers={"X-API-Key": settings.NINEPIC_STANDIN_API_KEY},
        timeout=30,
    )
    return requests.get(answer.json()["data"]["presigned_urls"][0]["url"], timeout=30).content


def test_all_photos_of_a_search(portal):
    response = requests.get(portal + ZIP, timeout=120)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/zip"
    assert response.headers["Content-Disposition"] == (f'attachment; filename="demo-bib-{BIB}.zip"')
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.testzip() is None
    assert sorted(archive.namelist()) == sorted(f"{i}.jpg" for i in PHOTOS)  # both pages
    assert archive.read(f"{PHOTOS[40]}.jpg") == original(portal, PHOTOS[40])


def test_the_ticked_photos(portal):
    picked = [PHOTOS[3], PHOTOS[35], PHOTOS[3]]
    response = requests.get(portal + ZIP, params={"photo": picked}, timeout=60)
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.namelist() == [f"{PHOTOS[3]}.jpg", f"{PHOTOS[35]}.jpg"]


def test_originals_are_fetched_one_at_a_time_as_the_zip_is_written(portal):
    before = standin_calls(portal).get("storage_gets", 0)
    with requests.get(portal + ZIP, stream=True, timeout=60) as response:
        next(response.iter_content(64 * 1024))
        # Socket buffers let the server run a few originals ahead, never the whole ZIP.
        assert standin_calls(portal)["storage_gets"] - before < 10
        received = sum(len(chunk) for chunk in response.iter_content(64 * 1024))
    assert received > 0
    assert standin_calls(portal)["storage_gets"] - before == len(PHOTOS)


def test_too_many_photos_are_refused_with_a_reason(portal, settings):
    settings.ZIP_MAX_PHOTOS = 10
    page = requests.get(portal + ZIP, timeout=30)
    assert page.status_code == 400
    assert f"{len(PHOTOS)} photos are too many for one ZIP" in page.text
    ticked = requests.get(portal + ZIP, params={"photo": PHOTOS[:11]}, timeout=30)
    assert ticked.status_code == 400


def test_a_bad_selection_is_refused_before_any_call(portal):
    assert requests.get(f"{portal}/en/events/demo/", timeout=30).status_code == 200
    before = standin_calls(portal).get("api_calls", 0)
    page = requests.get(portal + ZIP, params={"photo": ["not-a-photo"]}, timeout=30)
    assert page.status_code == 400
    assert standin_calls(portal).get("api_calls", 0) == before


def test_photos_that_do_not_exist(portal):
    page = requests.get(
        portal + ZIP, params={"photo": ["f6cb3c08-2c7a-4ff7-8c1b-71b6f7d4d932"]}, timeout=30
    )
    assert page.status_code == 404


def test_download_selected_with_nothing_ticked_says_so(portal):
    page = requests.get(portal + ZIP, params={"selected": "1"}, timeout=30)
    assert page.status_code == 400
    assert "No photos ticked" in page.text


def test_filenames_from_upstream_keep_only_a_safe_image_name(portal, settings):
    """Red-team finding 14, over real HTTP: the stand-in's odd filenames (folders, CR/LF,
    other extensions, NUL) never name a ZIP entry or a download, and entries stay unique."""
    settings.NINEPIC_STANDIN_FAULTS = "odd-filenames"
    response = requests.get(portal + ZIP, timeout=120)
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert len({name.casefold() for name in names}) == len(names) == len(PHOTOS)
    for name in names:
        assert PurePosixPath(name).name == name and "\\" not in name
        assert name.isprintable() and not name.startswith(".")
        assert PurePosixPath(name).suffix.lower() in IMAGE_EXTENSIONS
    download = requests.get(f"{portal}/en/events/demo/photos/{PHOTOS[2]}/download", timeout=30)
    assert download.status_code == 200
    # Its one link is named "../../../../home/x/.bashrc".
    assert download.headers["Content-Disposition"] == f'attachment; filename="{PHOTOS[2]}.jpg"'
