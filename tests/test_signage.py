"""QR codes of an event's search page (and race website page) from its admin page."""

import io

import pytest
from PIL import Image

from photos import signage
from photos.models import Event


def test_the_event_admin_offers_qr_codes_of_the_search_page(admin_client, event):
    page = admin_client.get(f"/admin/photos/event/{event.pk}/change/").content.decode()
    assert f"/admin/photos/event/{event.pk}/qr/search.svg" in page
    assert f"/admin/photos/event/{event.pk}/qr/search.png" in page
    assert "race-site" not in page


def test_svg_qr_code(admin_client, event):
    answer = admin_client.get(f"/admin/photos/event/{event.pk}/qr/search.svg")
    assert answer["Content-Type"] == "image/svg+xml"
    assert 'filename="demo-search-qr.svg"' in answer["Content-Disposition"]
    assert answer.content.startswith(b"<?xml") and b"<svg" in answer.content


def test_png_qr_code_is_big_enough_to_print(admin_client, event):
    answer = admin_client.get(f"/admin/photos/event/{event.pk}/qr/search.png")
    assert answer["Content-Type"] == "image/png"
    with Image.open(io.BytesIO(answer.content)) as picture:
        assert picture.width == picture.height >= 500


def test_the_qr_code_holds_the_search_page_without_a_language(rf, event):
    request = rf.get("/admin/")
    assert signage.targets(request, event) == {"search": "http://testserver/events/demo/"}


def test_a_race_website_page_gets_its_own_qr_code(admin_client, event):
    Event.objects.filter(pk=event.pk).update(race_photos_page="https://www.myrace.org/photos")
    answer = admin_client.get(f"/admin/photos/event/{event.pk}/qr/race-site.png")
    assert answer.status_code == 200


@pytest.mark.parametrize("address", ["qr/race-site.svg", "qr/search.gif", "qr/other.png"])
def test_unknown_qr_codes_are_not_found(admin_client, event, address):
    assert admin_client.get(f"/admin/photos/event/{event.pk}/{address}").status_code == 404
