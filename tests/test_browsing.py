"""Finding photos by time and browsing all of them, over real HTTP against the stand-ins: what
each gallery shows, in which order and pages, what it costs upstream, and bad input."""

import io
import re
import zipfile
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
import requests
import responses
from django.core.cache import cache
from django.urls import reverse

from photos.models import Event, RunSignUpPhoto
from photos.providers import budget
from photos.providers.runsignup.sync import sync_event
from standins.ninepic import catalogue
from tests import ninepic_answers
from tests.test_ninepic_galleries import Stats, add_event, calls, words

RACE_DAY = date(2026, 1, 19)
# Berlin is UTC+1 in January: the runner's 09:41 is 08:41 in 9Pic's timeline.
ZONE = "Europe/Berlin"
DOWNLOAD = re.compile(r'href="(/[^"]+/download)"')
PHOTO_ID = re.compile(r'href="/[^"]*/photos/([0-9a-f-]{36})/download"')


@pytest.fixture
def portal(live_standin, event) -> str:
    event.date, event.time_zone, event.allows_browse_all = RACE_DAY, ZONE, True
    event.save()
    return live_standin.url


def url(name: str, *args: str, slug: str = "demo") -> str:
    return reverse(f"photos:{name}", args=[slug, *args])


def get(address: str, **params: str) -> requests.Response:
    return requests.get(address, params=params, timeout=60)


def photo_ids(html: str) -> list[str]:
    return PHOTO_ID.findall(html)


def captured(start: datetime, end: datetime) -> list[str]:
    """The demo photos taken in [start, end), oldest first."""
    found = catalogue.captured_between(
        catalogue.DEMO_EVENT_ID, int(start.timestamp()), int(end.timestamp())
    )
    return [photo.image_id for photo in found]


def at(hour: int, minute: int) -> datetime:
    return datetime(2026, 1, 19, hour, minute, tzinfo=UTC)


def busiest_minute() -> datetime:
    """The UTC minute with the most demo photos within three minutes of it."""
    timed = [p.captured_at for p in catalogue.all_photos() if p.captured_at]
    return max(
        (moment.replace(second=0) for moment in timed),
        key=lambda m: len(captured(m - timedelta(minutes=3), m + timedelta(minutes=3))),
    )


def local(moment: datetime) -> str:
    return (moment + timedelta(hours=1)).strftime("%H:%M")


# --- Find me by my finish time ----------------------------------------------------------------


def test_the_search_page_offers_the_time_search_and_browsing_all(portal):
    page = get(portal + url("event"))
    assert 'action="/en/events/demo/time"' in page.text
    assert 'name="finish"' in page.text and 'name="start"' in page.text
    assert f'href="{url("gallery", "all", "newest")}"' in page.text


def test_a_time_gallery_shows_exactly_the_photos_of_its_window_newest_first(portal):
    minute = busiest_minute()
    stats = Stats(portal)
    page = get(portal + url("gallery", "time", local(minute)))
    expected = captured(minute - timedelta(minutes=3), minute + timedelta(minutes=3))
    assert expected and page.status_code == 200
    assert photo_ids(page.text) == expected[::-1]
    start, end = local(minute - timedelta(minutes=3)), local(minute + timedelta(minutes=3))
    assert f"{len(expected)} photos taken between {start} and {end}" in words(page.text)
    # One page of the window, and the histogram's days: nothing more, and nothing again.
    assert (calls(stats, "timeline-images"), calls(stats, "timeline-days")) == (1, 1)
    assert photo_ids(get(portal + url("gallery", "time", local(minute))).text) == expected[::-1]
    assert calls(stats, "timeline-images") == 1


def test_oldest_first_and_a_wider_window(portal):
    minute = busiest_minute()
    narrow = get(portal + url("gallery", "time", local(minute)))
    wider = f"{local(minute)}~10min"
    assert f'href="{url("gallery", "time", wider)}"' in narrow.text
    assert f'href="{url("gallery", "time", local(minute) + "~oldest")}"' in narrow.text
    page = get(portal + url("gallery", "time", wider + "~oldest"))
    window = captured(minute - timedelta(minutes=10), minute + timedelta(minutes=10))
    assert photo_ids(page.text) == window[:30]
    assert 'aria-current="page">Oldest first' in page.text


def test_newest_first_pages_read_the_timeline_from_its_end(portal):
    """The whole race's morning, 30 a page: the pages newest first are the photos taken in
    the window in reverse, however 9Pic's oldest-first pages fall."""
    middle = "10:30~30min"  # 09:00 to 10:00 UTC
    window = captured(at(9, 0), at(10, 0))
    assert 30 < len(window) < 60
    first = get(portal + url("gallery", "time", middle))
    second = get(portal + url("gallery", "time", middle), page="2")
    assert photo_ids(first.text) + photo_ids(second.text) == window[::-1]
    assert "Page 1 of 2" in first.text
    oldest = [
        get(portal + url("gallery", "time", middle + "~oldest"), page=str(page)) for page in (1, 2)
    ]
    assert photo_ids(oldest[0].text) + photo_ids(oldest[1].text) == window


def test_the_histogram_counts_photos_by_hour_on_the_races_clocks(portal):
    page = get(portal + url("gallery", "time", "09:41"))
    timed = [p.captured_at for p in catalogue.all_photos() if p.captured_at]
    by_hour = Counter(moment.hour + 1 for moment in timed)  # UTC+1
    rows = re.findall(
        r'<th scope="row"><a href="([^"]+)">(\d\d:00)–\d\d:00</a></th>\s*<td>.*?'
        r'<span class="bar-count">(\d+)</span>',
        page.text,
    )
    assert {int(label[:2]): int(count) for _, label, count in rows} == by_hour
    link, label, _count = rows[0]
    assert link == url("gallery", "time", f"{label[:2]}:30~30min")
    assert "19 January 2026" in page.text


def test_the_finish_time_form_leads_to_its_gallery(portal):
    for params, clock in (
        ({"finish": "9:41"}, "09:41"),
        ({"start": "07:00", "duration": "2:41:27"}, "09:41"),
        ({"finish": "", "start": "7:00", "duration": "2:41"}, "09:41"),
    ):
        page = get(portal + url("time-search"), **params)
        assert page.history[0].status_code == 302
        assert page.url == portal + url("gallery", "time", clock)


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"finish": "25:99"}, "Enter a time of day in hours and minutes, e.g. 09:41."),
        ({"finish": "garbage"}, "Enter a time of day in hours and minutes, e.g. 09:41."),
        ({}, "Enter the time you finished, or your start time and race time."),
        ({"start": "08:00"}, "Enter your race time too, e.g. 3:41:27."),
        ({"duration": "3:41:27"}, "Enter your start time too, e.g. 08:00."),
        ({"start": "08:00", "duration": "3:99"}, "Enter your race time as hours, minutes"),
        ({"start": "22:00", "duration": "3:00:00"}, "That finish is not on the race day"),
    ],
)
def test_bad_times_are_a_form_error_without_any_upstream_call(portal, params, error):
    get(portal + url("event"))  # Event Details read once, as for any search page
    stats = Stats(portal)
    page = get(portal + url("time-search"), **params)
    assert page.status_code == 400
    assert error in page.text
    assert 'aria-invalid="true"' in page.text
    assert calls(stats, "timeline-images") == calls(stats, "timeline-days") == 0


@pytest.mark.parametrize(
    ("clock", "status"), [("25:99", 400), ("garbage", 400), ("9:41~7min", 404)]
)
def test_bad_time_addresses(portal, clock, status):
    get(portal + url("event"))
    stats = Stats(portal)
    page = get(portal + url("gallery", "time", clock))
    assert page.status_code == status
    if status == 400:
        assert "Enter a time of day in hours and minutes" in page.text
    assert stats["api_calls"] == 0


def test_a_time_address_is_made_canonical(portal):
    page = get(portal + url("gallery", "time", "9:41~3min~newest"))
    assert page.url == portal + url("gallery", "time", "09:41")


def test_the_time_search_follows_the_race_days_dst(live_standin, event):
    """Clocks went forward in Berlin on 29 March 2026: a start at 01:30 and an hour's race
    finish at 03:30 on the clocks."""
    event.date, event.time_zone = date(2026, 3, 29), ZONE
    event.save()
    page = get(live_standin.url + url("time-search"), start="01:30", duration="1:00:00")
    assert page.url == live_standin.url + url("gallery", "time", "03:30")


def test_events_without_9pics_timeline_or_a_race_day_offer_no_time_search(live_standin, event):
    night = add_event(catalogue.SELFIE_OFF_EVENT_ID, "night", date=date(2026, 2, 14))
    for slug in (night.slug, event.slug):  # the demo event has no race day
        assert 'name="finish"' not in get(live_standin.url + url("event", slug=slug)).text
        assert get(live_standin.url + url("gallery", "time", "09:41", slug=slug)).status_code == 404
        assert get(live_standin.url + url("time-search", slug=slug), finish="9:41").status_code == (
            404
        )


def test_the_zip_of_a_time_gallery_holds_its_photos(portal):
    minute = busiest_minute()
    expected = captured(minute - timedelta(minutes=3), minute + timedelta(minutes=3))
    response = get(portal + url("zip", "time", local(minute)))
    assert response.status_code == 200
    clock = local(minute).replace(":", "-")
    assert f'filename="demo-time-{clock}.zip"' in response.headers["Content-Disposition"]
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert sorted(name.removesuffix(".jpg") for name in names) == sorted(expected)


def test_the_photo_page_of_a_time_gallery(portal):
    minute = busiest_minute()
    expected = captured(minute - timedelta(minutes=3), minute + timedelta(minutes=3))
    page = get(portal + url("photo", "time", local(minute), expected[-1]))
    assert page.status_code == 200
    assert f"taken around {local(minute)}" in words(page.text)
    assert url("photo", "time", local(minute), expected[-2]) in page.text  # the next one


def test_an_empty_time_gallery_offers_ways_forward(portal):
    page = get(portal + url("gallery", "time", "03:00"))
    assert "No photos taken between 02:57 and 03:03" in words(page.text)
    assert f'href="{url("gallery", "time", "03:00~10min")}"' in page.text
    assert f'href="{url("gallery", "all", "newest")}"' in page.text
    assert "When photos were taken" in page.text


def test_the_time_search_inside_the_embed_stays_in_the_embed(portal):
    page = get(portal + reverse("embed:gallery", args=["demo", "time", "09:41"]))
    assert page.status_code == 200
    assert reverse("embed:gallery", args=["demo", "time", "09:41~10min"]) in page.text
    form = get(portal + reverse("embed:time-search", args=["demo"]), finish="9:41")
    assert form.url == portal + reverse("embed:gallery", args=["demo", "time", "09:41"])


# --- Browse all -------------------------------------------------------------------------------


def test_browsing_all_is_off_unless_the_organiser_allows_it(live_standin, event):
    assert get(live_standin.url + url("gallery", "all", "newest")).status_code == 404
    assert "Browse all photos" not in get(live_standin.url + url("event")).text


@pytest.mark.parametrize("order", ["newest", "oldest"])
def test_all_9pic_photos_page_by_page(portal, order):
    listed = [p.image_id for p in catalogue.photos_by_capture_time(catalogue.DEMO_EVENT_ID)]
    expected = listed if order == "oldest" else listed[::-1]
    pages = [get(portal + url("gallery", "all", order), page=str(n)) for n in (1, 2, 3, 4)]
    assert [len(photo_ids(page.text)) for page in pages] == [30, 30, 30, 10]
    assert [i for page in pages for i in photo_ids(page.text)] == expected
    assert "All 100 photos of the race" in pages[0].text
    assert get(portal + url("gallery", "all", order), page="5").url.endswith("?page=4")


def test_a_bad_order_is_not_found(portal):
    assert get(portal + url("gallery", "all", "sideways")).status_code == 404


def test_an_empty_bib_gallery_offers_time_and_all_photos(portal):
    page = get(portal + url("gallery", "bib", "99999"))
    assert f'href="{url("event")}#time-search"' in page.text
    assert f'href="{url("gallery", "all", "newest")}"' in page.text


def test_browsing_offers_no_email_subscription(portal, settings):
    settings.SENDS_EMAIL = True
    assert "subscribe" not in get(portal + url("gallery", "all", "newest")).text
    assert get(portal + url("subscribe", "all", "newest")).status_code == 404


@pytest.fixture
def runsignup_portal(live_runsignup, runsignup_event) -> str:
    runsignup_event.allows_browse_all = True
    runsignup_event.save()
    sync_event(event=runsignup_event)
    return live_runsignup.url


def test_all_runsignup_photos_newest_upload_first_without_a_bib_too(runsignup_portal):
    indexed = RunSignUpPhoto.objects.filter(event__slug="trail")
    newest_first = list(
        indexed.order_by("-uploaded_at", "-photo_id").values_list("photo_id", flat=True)
    )
    without_bib = set(indexed.filter(bibs__isnull=True).values_list("photo_id", flat=True))
    assert without_bib and len(newest_first) > 60
    seen: list[int] = []
    for number in range(1, -(-len(newest_first) // 30) + 1):
        page = get(
            runsignup_portal + url("gallery", "all", "newest", slug="trail"), page=str(number)
        )
        seen += [int(link.split("/")[-2]) for link in DOWNLOAD.findall(page.text)]
    assert seen == newest_first
    oldest = get(runsignup_portal + url("gallery", "all", "oldest", slug="trail"))
    assert [int(link.split("/")[-2]) for link in DOWNLOAD.findall(oldest.text)] == (
        newest_first[::-1][:30]
    )


def test_runsignup_offers_no_time_search(runsignup_portal):
    Event.objects.filter(slug="trail").update(date=RACE_DAY)
    assert 'name="finish"' not in get(runsignup_portal + url("event", slug="trail")).text
    assert get(runsignup_portal + url("gallery", "time", "09:41", slug="trail")).status_code == 404


# --- The organiser's connection check ---------------------------------------------------------


def check_connection(event: Event) -> str:
    from photos.providers import provider_for

    return provider_for(event).check_connection().message


def test_the_connection_check_confirms_the_timelines_window_names(live_standin, event):
    stats = Stats(live_standin.url)
    message = check_connection(event)
    assert "the photo timeline on for it" in message
    assert "Time search: the photo timeline takes its window as 'from' and 'to'" in message
    assert (calls(stats, "timeline-days"), calls(stats, "timeline-images")) == (1, 2)


def test_the_connection_check_names_the_settings_when_9pic_refuses_the_window(
    live_standin, event, settings
):
    settings.NINEPIC_TIMELINE_FROM_PARAM, settings.NINEPIC_TIMELINE_TO_PARAM = "start", "end"
    message = check_connection(event)
    assert "the photo timeline refused its window" in message
    assert "query.from: Field required" in message  # 9Pic's words name what it expects
    assert "set NINEPIC_TIMELINE_FROM_PARAM and NINEPIC_TIMELINE_TO_PARAM (now 'start'" in message


def test_the_connection_check_says_when_the_timeline_ignores_its_window(event, upstream):
    """A 9Pic that ignored query names it does not know would list every photo for any
    window: 40 photos for an hour it counts 5 in, and some taken in 1970."""
    api = ninepic_answers.API
    upstream.replace(
        responses.GET, ninepic_answers.DETAILS, json=ninepic_answers.details(timeline_search=True)
    )
    upstream.get(f"{api}/ping", json={"responseType": "success", "message": "pong", "data": {}})
    days = [{"date": "2026-01-19", "total": 5, "hours": [{"hour": 8, "count": 5}]}]
    upstream.get(
        f"{api}/timeline/days",
        json={"responseType": "success", "message": "", "data": {"days": days}},
    )
    everything = ninepic_answers.listing(ninepic_answers.photo_ids(1), total=40, page_size=1)
    upstream.get(f"{api}/timeline/images", json=everything)
    upstream.get(re.compile(rf"{api}/(bibs|faces)/.*"), json=ninepic_answers.listing([]))
    message = check_connection(event)
    assert "the photo timeline ignores its window (40 photos for an hour it counts 5 in" in message
    assert "Check NINEPIC_TIMELINE_FROM_PARAM and NINEPIC_TIMELINE_TO_PARAM" in message


def test_a_bad_time_is_not_shown_again_and_only_the_first_bad_field_takes_focus(portal):
    page = get(portal + url("time-search"), start="25:99", duration="3:99")
    assert page.status_code == 400
    assert 'value="25:99"' not in page.text  # a time input may only hold a time
    assert page.text.count("autofocus") == 1
    assert re.search(r'id="id_start"[^>]*autofocus', page.text)
    again = get(portal + url("time-search"), start="8:00", duration="3:99")
    assert 'id="id_start" value="08:00"' in again.text


def test_an_empty_time_gallery_offers_its_time_to_adjust(portal):
    page = get(portal + url("gallery", "time", "03:00"))
    assert 'id="id_finish" value="03:00"' in page.text
    assert "aria-invalid" not in page.text


def test_time_galleries_spend_the_events_upstream_budget(portal, settings, monkeypatch):
    monkeypatch.setattr(budget, "time", SimpleNamespace(time=lambda: 1_800_000_030.0))
    settings.UPSTREAM_CALLS_PER_MINUTE_PER_EVENT = 4
    settings.UPSTREAM_CLIENT_SHARE = 1.0  # every request comes from this test's address
    get(portal + url("event"))  # Event Details: the event's first call this minute
    stats = Stats(portal)
    statuses = [
        get(portal + url("gallery", "time", f"10:{minute}~oldest")).status_code
        for minute in (10, 20, 30, 40)
    ]
    # The first gallery costs its window and the histogram's days, the second its window.
    assert statuses == [200, 200, 503, 503]
    assert (calls(stats, "timeline-images"), calls(stats, "timeline-days")) == (2, 1)


@pytest.mark.parametrize("gallery", [("time", "09:41"), ("all", "newest")])
def test_a_page_that_is_no_page_is_explained(portal, gallery):
    page = get(portal + url("gallery", *gallery), page="abc")
    assert page.status_code == 400
    assert "That page number does not exist." in page.text


def test_a_new_events_time_zone_is_the_sites(db, settings):
    settings.TIME_ZONE = "Europe/Paris"
    assert Event(name="Spring 10K", slug="spring").time_zone == "Europe/Paris"


def test_a_time_gallery_shows_without_its_histogram_when_9pic_cannot_count(event, upstream, client):
    """The Timeline's days failing costs the histogram only; photos listed without 9Pic's
    previews get the portal's."""
    event.date, event.time_zone = RACE_DAY, ZONE
    event.save()
    api = ninepic_answers.API
    upstream.replace(
        responses.GET, ninepic_answers.DETAILS, json=ninepic_answers.details(timeline_search=True)
    )
    listed = ninepic_answers.listing(ninepic_answers.photo_ids(2))
    for item in listed["data"]["images"]:
        item["thumbnail_url"] = item["img_url"] = None
    upstream.get(f"{api}/timeline/images", json=listed)
    upstream.get(f"{api}/timeline/days", status=500)
    cache.clear()  # the Event Details read without the Timeline
    page = client.get("/en/events/demo/time/09:41/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "2 photos taken between 09:38 and 09:44" in words(html)
    assert "When photos were taken" not in html
    assert html.count("/preview") >= 2  # the portal's previews
