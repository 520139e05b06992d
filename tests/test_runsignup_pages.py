"""A RunSignUp event's runner pages, served from the index, over real HTTP with the stand-in."""

import io
import re
import zipfile

import pytest
import requests
from django.urls import reverse

from photos.models import Event, Provider, RunSignUpPhoto
from photos.providers.runsignup.sync import sync_event
from photos.web import presenters
from standins.runsignup import catalogue
from standins.runsignup import views as standin

BIB = catalogue.DEMO_BIB
SHOWING_BIB = catalogue.bibs_index()[BIB]


@pytest.fixture
def portal(live_runsignup, runsignup_event) -> str:
    sync_event(event=runsignup_event)
    standin.reset_call_count()
    return live_runsignup.url


def url(name: str, *args) -> str:
    return reverse(f"photos:{name}", args=["trail", *args])


def download_links(html: str) -> list[str]:
    return re.findall(r'href="(/[^"]+/download)"', html)


def photo_id_of(link: str) -> int:
    return int(link.split("/")[-2])


def test_the_search_page_offers_only_bib_search(portal):
    page = requests.get(portal + url("event"), timeout=30)
    assert page.status_code == 200
    assert 'name="bib"' in page.text
    assert 'inputmode="numeric"' in page.text  # RunSignUp's BIBs are numbers
    assert 'name="selfie"' not in page.text
    selfie = "ddc661a7-8861-4793-9437-af42a82d12f8"
    assert requests.get(portal + url("gallery", "selfie", selfie), timeout=30).status_code == 404


def test_bib_search_reads_the_index_and_pages_like_9pic(portal):
    assert len(SHOWING_BIB) > 30  # the catalogue promises a second page
    first = requests.get(portal + url("search"), params={"bib": BIB}, timeout=30)
    assert first.history[0].status_code == 302
    assert first.url == portal + url("gallery", "bib", BIB)
    assert f"{len(SHOWING_BIB)} photos" in first.text
    links = download_links(first.text)
    assert [photo_id_of(link) for link in links] == [p.photo_id for p in SHOWING_BIB[:30]]

    second = requests.get(portal + url("gallery", "bib", BIB), params={"page": 2}, timeout=30)
    assert [photo_id_of(link) for link in download_links(second.text)] == [
        p.photo_id for p in SHOWING_BIB[30:]
    ]
    embedded = requests.get(
        portal + reverse("embed:gallery", args=["trail", "bib", BIB]),
        params={"page": 2},
        timeout=30,
    )
    assert [link.replace("/embed/", "/", 1) for link in download_links(embedded.text)] == (
        download_links(second.text)
    )
    past_the_end = requests.get(portal + url("gallery", "bib", BIB), params={"page": 9}, timeout=30)
    assert past_the_end.url.endswith("?page=2")
    assert standin.call_count() == 0  # runners' searches never call RunSignUp


@pytest.mark.parametrize("bib", ["A-17", "99999", "99999999999999999999"])
def test_a_bib_nobody_wears_here_is_an_empty_state(portal, bib):
    page = requests.get(portal + url("gallery", "bib", bib), timeout=30)
    assert page.status_code == 200
    assert "No photos yet" in page.text
    assert "selfie" not in page.text.lower()  # the event offers no selfie search


def test_the_photo_page_works_from_the_index(portal):
    second = SHOWING_BIB[1]
    page = requests.get(portal + url("photo", "bib", BIB, second.photo_id), timeout=30)
    assert page.status_code == 200
    assert f"Photo 2 of {len(SHOWING_BIB)}" in page.text
    assert url("photo", "bib", BIB, SHOWING_BIB[0].photo_id) in page.text
    assert url("photo", "bib", BIB, SHOWING_BIB[2].photo_id) in page.text


def test_download_bytes_equal_the_original(portal):
    shown = SHOWING_BIB[0]
    original = requests.get(
        f"{portal}/_standin/runsignup/images/{shown.photo_id}/original.jpg", timeout=30
    )
    download = requests.get(portal + url("download", shown.photo_id), timeout=30)
    assert download.status_code == 200
    assert download.content == original.content
    assert download.content[:3] == b"\xff\xd8\xff"
    assert download.headers["Content-Disposition"] == (
        f'attachment; filename="{shown.uploaded_filename}"'
    )
    assert download.headers["Cache-Control"] == "private, no-store"
    assert int(download.headers["Content-Length"]) == len(original.content)


def test_an_uploaded_name_cannot_point_into_folders(portal):
    shown = SHOWING_BIB[0]
    RunSignUpPhoto.objects.filter(photo_id=shown.photo_id).update(
        uploaded_filename="..\\..\\Startup/evil.jpg"
    )
    download = requests.get(portal + url("download", shown.photo_id), timeout=30)
    assert download.headers["Content-Disposition"] == 'attachment; filename="evil.jpg"'
    RunSignUpPhoto.objects.filter(photo_id=shown.photo_id).update(uploaded_filename="..")
    download = requests.get(portal + url("download", shown.photo_id), timeout=30)
    assert download.headers["Content-Disposition"] == (
        f'attachment; filename="{shown.photo_id}.jpg"'
    )


def test_a_photo_removed_since_the_sync_is_explained(portal, settings):
    settings.RUNSIGNUP_STANDIN_REMOVED_PHOTO_IDS = [SHOWING_BIB[0].photo_id]
    page = requests.get(portal + url("download", SHOWING_BIB[0].photo_id), timeout=30)
    assert page.status_code == 404
    assert "We could not find that photo" in page.text


@pytest.mark.parametrize(
    "image_id", ["abc", "ddc661a7-8861-4793-9437-af42a82d12f8", "0", "1" * 19, "-5"]
)
def test_a_bad_photo_id_is_refused_before_any_call(portal, image_id):
    for name in ("download", "preview"):
        assert requests.get(portal + url(name, image_id), timeout=30).status_code == 400
    page = requests.get(portal + url("photo", "bib", BIB, image_id), timeout=30)
    assert page.status_code == 400
    assert "That photo link is not valid" in page.text
    assert standin.call_count("image_gets") == 0


def test_an_unknown_photo_is_not_found(portal):
    assert requests.get(portal + url("download", 1), timeout=30).status_code == 404
    assert requests.get(portal + url("preview", 1), timeout=30).status_code == 404


def test_previews_are_runsignups_own_images(portal):
    shown = SHOWING_BIB[0]
    base = f"{portal}/_standin/runsignup/images/{shown.photo_id}"
    for name, variant in (("preview", "thumbnail"), ("preview-large", "large")):
        preview = requests.get(portal + url(name, shown.photo_id), timeout=30)
        assert preview.history[0].status_code == 302
        assert preview.history[0].headers["Location"] == f"{base}/{variant}.jpg"
        assert preview.history[0].headers["Cache-Control"] == "public, max-age=86400"
        assert preview.content[:3] == b"\xff\xd8\xff"


def test_pages_show_runsignups_images_without_a_detour_through_the_portal(portal):
    images = f"{portal}/_standin/runsignup/images"
    gallery = requests.get(portal + url("gallery", "bib", BIB), timeout=30)
    shown = re.findall(r'<img src="([^"]+)"', gallery.text)
    assert shown == [f"{images}/{p.photo_id}/thumbnail.jpg" for p in SHOWING_BIB[:30]]
    first = SHOWING_BIB[0].photo_id
    page = requests.get(portal + url("photo", "bib", BIB, first), timeout=30)
    assert f'<img src="{images}/{first}/large.jpg"' in page.text


def test_tiles_offer_runsignups_two_sizes_by_width(portal):
    images = f"{portal}/_standin/runsignup/images"
    gallery = requests.get(portal + url("gallery", "bib", BIB), timeout=30)
    row = RunSignUpPhoto.objects.get(photo_id=SHOWING_BIB[0].photo_id)
    srcset = (
        f"{images}/{row.photo_id}/thumbnail.jpg {row.thumbnail_width}w, "
        f"{images}/{row.photo_id}/large.jpg {row.large_width}w"
    )
    assert f'srcset="{srcset}" sizes="{presenters.TILE_SIZES}"' in gallery.text


def test_the_zip_holds_the_searchs_originals(portal):
    picked = [SHOWING_BIB[0].photo_id, SHOWING_BIB[3].photo_id]
    answer = requests.get(portal + url("zip", "bib", BIB), params={"photo": picked}, timeout=60)
    assert answer.status_code == 200
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        assert archive.namelist() == [
            f"{p.photo_id}-{p.uploaded_filename}" for p in SHOWING_BIB if p.photo_id in picked
        ]
        assert archive.testzip() is None
    whole = requests.get(portal + url("zip", "bib", BIB), timeout=60)
    with zipfile.ZipFile(io.BytesIO(whole.content)) as archive:
        assert len(archive.namelist()) == len(SHOWING_BIB)


def test_a_photo_of_another_bib_cannot_be_zipped_from_this_search(portal):
    other = next(p for p in catalogue.all_photos() if BIB not in p.bibs)
    answer = requests.get(
        portal + url("zip", "bib", BIB), params={"photo": other.photo_id}, timeout=30
    )
    assert answer.status_code == 404


def test_the_index_is_per_event(portal):
    Event.objects.create(
        name="Other race",
        slug="other",
        provider=Provider.RUNSIGNUP,
        runsignup_race_id=catalogue.DEMO_RACE_ID,
        runsignup_event_days_id=catalogue.UPCOMING_EVENT_DAYS_ID,
        offers_selfie_search=False,
        is_published=True,
    )
    page = requests.get(portal + reverse("photos:gallery", args=["other", "bib", BIB]), timeout=30)
    assert "No photos yet" in page.text
    assert (
        requests.get(
            portal + reverse("photos:download", args=["other", SHOWING_BIB[0].photo_id]), timeout=30
        ).status_code
        == 404
    )
