"""Whatever a visitor sends: never a 500, never a call to 9Pic for invalid input, nothing
reflected unescaped (property-based, with hypothesis)."""

import re
import string
from datetime import date
from pathlib import PurePosixPath
from urllib.parse import quote, urlencode

import pytest
import responses
from django.core.cache import cache
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from photos.domain import SearchMethod
from photos.forms import clean_bib, clean_page, clean_selfie_id
from photos.identifiers import (
    IMAGE_EXTENSIONS,
    MAX_FILENAME_LENGTH,
    clean_uuid,
    safe_filename,
)
from photos.providers import provider_for
from photos.timewindows import TimeSearch
from tests import ninepic_answers

EMPTY_LISTING = ninepic_answers.listing([])
# Markup that could only be on the page if it was reflected unescaped.
MARKUP = st.builds(
    '"><x-{}>'.format, st.text(alphabet=string.ascii_lowercase, min_size=6, max_size=12)
)
NASTY = st.one_of(
    MARKUP,
    st.text(max_size=60),
    st.text(max_size=3000),
    st.sampled_from(
        [
            "../../etc/passwd",
            "%2e%2e%2f",
            "\x00",
            "<script>alert(1)</script>",
            '"><img src=x onerror=alert(1)>',
            "1234\n",
            "١٢٣٤",  # Arabic-Indic digits
            "A" * 21,
            "ddc661a7-8861-4793-9437-af42a82d12f8 ",
            "{ddc661a7-8861-4793-9437-af42a82d12f8}",
            "-1",
            "9" * 40,
        ]
    ),
)
CHECKS = hypothesis_settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def upstream(upstream, settings):
    """9Pic knows no photos of any search."""
    settings.RATE_LIMITS = dict.fromkeys(settings.RATE_LIMITS, "")
    upstream.get(re.compile(rf"{ninepic_answers.API}/(bibs|faces)/.*"), json=EMPTY_LISTING)
    upstream.post(ninepic_answers.ORIGINAL_PHOTOS, status=404, json=ninepic_answers.NO_PHOTOS)
    return upstream


def is_valid(check, value) -> bool:
    try:
        check(value)
    except (ValidationError, ValueError):
        return False
    return True


def assert_safe(response, value: str) -> None:
    assert response.status_code < 500, response.status_code
    if re.search(r"<(x-|script|img)", value):
        assert value not in response.content.decode(errors="replace")


@CHECKS
@given(bib=NASTY, page=NASTY)
@example(bib="1234", page="2")
def test_gallery_by_bib(client, event, upstream, bib, page):
    calls = len(upstream.calls)
    response = client.get(f"/en/events/demo/bib/{quote(bib, safe='')}/?{urlencode({'page': page})}")
    assert_safe(response, bib)
    assert_safe(response, page)
    valid = is_valid(clean_bib, bib) and is_valid(clean_page, page)
    if not valid:
        assert len(upstream.calls) == calls


@CHECKS
@given(request_id=NASTY)
def test_gallery_by_selfie(client, event, upstream, request_id):
    calls = len(upstream.calls)
    response = client.get(f"/en/events/demo/selfie/{quote(request_id, safe='')}/")
    assert_safe(response, request_id)
    if not is_valid(clean_selfie_id, request_id):
        assert len(upstream.calls) == calls


@CHECKS
@given(bib=NASTY, selfie=NASTY, extra=st.dictionaries(st.text(max_size=10), NASTY, max_size=3))
def test_search(client, event, upstream, bib, selfie, extra):
    query = urlencode({"bib": bib, "selfie": selfie, **extra})
    response = client.get(f"/en/events/demo/search?{query}")
    assert_safe(response, bib)
    assert_safe(response, selfie)
    assert len(upstream.calls) == 0  # search only redirects


@pytest.fixture
def timed_event(event, upstream):
    """The demo event with a race day, 9Pic's Timeline on and browsing all allowed; 9Pic
    knows no photos taken at any time."""
    event.date, event.time_zone, event.allows_browse_all = date(2026, 1, 19), "Europe/Berlin", True
    event.save()
    cache.clear()  # the Event Details read without the Timeline
    upstream.replace(
        responses.GET, ninepic_answers.DETAILS, json=ninepic_answers.details(timeline_search=True)
    )
    no_days = {"responseType": "success", "message": "No timeline data", "data": {"days": []}}
    upstream.get(f"{ninepic_answers.API}/timeline/days", json=no_days)
    upstream.get(f"{ninepic_answers.API}/timeline/images", json=EMPTY_LISTING)
    upstream.get(f"{ninepic_answers.API}/images", json=EMPTY_LISTING)
    assert SearchMethod.TIME in provider_for(event).search_methods
    return event


@CHECKS
@given(identifier=NASTY, page=NASTY)
@example(identifier="09:41~10min~oldest", page="2")
@example(identifier="09:41", page="abc")
def test_gallery_by_time(client, timed_event, upstream, identifier, page):
    calls = len(upstream.calls)
    query = urlencode({"page": page})
    response = client.get(f"/en/events/demo/time/{quote(identifier, safe='')}/?{query}")
    assert_safe(response, identifier)
    assert_safe(response, page)
    if not (is_valid(TimeSearch.parse, identifier) and is_valid(clean_page, page)):
        assert len(upstream.calls) == calls


@CHECKS
@given(finish=NASTY, start=NASTY, duration=NASTY)
@example(finish="", start="08:00", duration="1:41:27")
def test_time_search(client, timed_event, upstream, finish, start, duration):
    calls = len(upstream.calls)
    query = urlencode({"finish": finish, "start": start, "duration": duration})
    response = client.get(f"/en/events/demo/time?{query}")
    for value in (finish, start, duration):
        assert_safe(response, value)
    assert len(upstream.calls) == calls  # the time search only redirects


@CHECKS
@given(order=NASTY)
@example(order="oldest")
def test_all_photos(client, timed_event, upstream, order):
    calls = len(upstream.calls)
    response = client.get(f"/en/events/demo/all/{quote(order, safe='')}/?page=-1")
    assert_safe(response, order)
    if order not in ("newest", "oldest"):
        assert response.status_code in (301, 302, 404)
        assert len(upstream.calls) == calls


@CHECKS
@given(image_id=NASTY, action=st.sampled_from(["download", "preview", "preview/large"]))
def test_photo_routes(client, event, upstream, image_id, action):
    calls = len(upstream.calls)
    response = client.get(f"/en/events/demo/photos/{quote(image_id, safe='')}/{action}")
    assert_safe(response, image_id)
    if not is_valid(clean_uuid, image_id):
        assert len(upstream.calls) == calls


@CHECKS
@given(slug=NASTY)
def test_event_slugs(client, event, upstream, slug):
    for path in ("/en/events/{}/", "/en/embed/events/{}/", "/en/events/{}/theme.css"):
        response = client.get(path.format(quote(slug, safe="")))
        assert_safe(response, slug)
    assert len(upstream.calls) == 0


@CHECKS
@given(bib=NASTY, page=NASTY, image_id=NASTY)
@example(bib="9" * 20, page="1", image_id="9" * 18)
def test_runsignup_event_routes(client, runsignup_event, upstream, bib, page, image_id):
    """Served from the index: whatever comes in, RunSignUp is never called, nothing breaks."""
    gallery = f"/en/events/trail/bib/{quote(bib, safe='')}/"
    assert_safe(client.get(f"{gallery}?{urlencode({'page': page})}"), bib)
    assert_safe(client.get(f"{gallery}photos/{quote(image_id, safe='')}/"), image_id)
    assert_safe(client.get(f"{gallery}photos.zip?{urlencode({'photo': image_id})}"), image_id)
    for action in ("download", "preview", "preview/large"):
        response = client.get(f"/en/events/trail/photos/{quote(image_id, safe='')}/{action}")
        assert_safe(response, image_id)
    assert len(upstream.calls) == 0


@given(
    name=st.one_of(
        NASTY,
        st.builds(
            "{}{}{}".format,
            st.text(max_size=200),
            st.sampled_from([".jpg", ".JPEG", ".png", ".exe", ""]),
            st.sampled_from(["", "\r\n", "\x00", " .", "\u202e"]),
        ),
    )
)
@example(name="../../../../home/x/.bashrc.d/a.jpg")
@example(name="..\\..\\Startup\\evil.jpg")
def test_filenames_from_upstream_keep_only_a_safe_image_name(name):
    """Red-team finding 14: whatever name an upstream sends, downloads and ZIP entries get
    one path part with an image extension, no control characters and no leading dot."""
    safe = safe_filename(name, image_id="42")
    path = PurePosixPath(safe)
    assert path.name == safe and "\\" not in safe
    assert all(character.isprintable() for character in safe)
    assert not safe.startswith((".", " ")) and len(safe) <= MAX_FILENAME_LENGTH
    assert path.suffix.lower() in IMAGE_EXTENSIONS and path.stem
    assert safe_filename(safe, image_id="42") == safe
