"""Figures for organisers: counted in the cache on runner pages, flushed to the database by
`flush_figures`, shown in the event admin and exported as CSV; counts only."""

import io
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from photos import figures
from photos.domain import ProviderThrottled, ProviderTimeout
from photos.models import DailyFigure, Event, Organisation
from tests.selfie_pictures import phone_photo
from tests.test_selfie_upload import upload

BIB = "1234"


@pytest.fixture
def portal(live_standin, event):
    return live_standin


def flushed(event: Event) -> dict[str, int]:
    return dict(
        DailyFigure.objects.filter(event=event, day=timezone.localdate()).values_list(
            "figure", "count"
        )
    )


def test_runner_pages_count_in_the_cache_and_write_nothing_to_the_database(client, portal, event):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/en/events/demo/bib/{BIB}/").status_code == 200
        assert client.get(f"/en/events/demo/bib/{BIB}/?page=2").status_code == 200
        assert client.get("/en/events/demo/bib/99999/").status_code == 200
    writes = [q["sql"] for q in queries if not q["sql"].lstrip().upper().startswith("SELECT")]
    assert writes == []
    assert not DailyFigure.objects.exists()

    call_command("flush_figures", stdout=io.StringIO())
    counts = flushed(event)
    assert counts["searches_bib"] == 2
    assert counts["gallery_pages"] == 3
    assert counts["no_photos_bib"] == 1
    assert counts["upstream_calls"] >= 3


def test_photo_pages_downloads_and_zips_are_counted(client, portal, event):
    gallery = client.get("/en/events/demo/bib/42/").content.decode()
    photo = gallery.split('href="/en/events/demo/bib/42/photos/')[1].split("/")[0]
    assert client.get(f"/en/events/demo/bib/42/photos/{photo}/").status_code == 200
    download = client.get(f"/en/events/demo/photos/{photo}/download")
    b"".join(download.streaming_content)
    archive = client.get("/en/events/demo/bib/42/photos.zip")
    b"".join(archive.streaming_content)
    figures.flush()
    counts = flushed(event)
    assert (counts["photo_pages"], counts["downloads"], counts["zips"]) == (1, 1, 1)
    assert counts["zip_photos"] == 1


def test_time_searches_browsing_all_and_selfie_uploads_are_counted(client, portal, event):
    event.date, event.time_zone, event.allows_browse_all = date(2026, 1, 19), "UTC", True
    event.save()
    assert client.get("/en/events/demo/time/09:41/").status_code == 200
    assert client.get("/en/events/demo/time/03:00/").status_code == 200  # before the start
    assert client.get("/en/events/demo/all/newest/").status_code == 200
    assert upload(event, phone_photo(size=(300, 400))).status_code == 303
    figures.flush()
    counts = flushed(event)
    assert (counts["searches_time"], counts["no_photos_time"]) == (2, 1)
    assert counts["searches_all"] == 1
    assert counts["selfie_uploads"] == 1


def test_a_flush_keeps_counts_that_arrive_while_it_reads(event, monkeypatch):
    figures.count(event, "downloads", 5)

    class AnotherInstanceCountsMeanwhile:
        def __getattr__(self, name):
            return getattr(cache, name)

        def get_many(self, keys):
            found = cache.get_many(keys)
            figures.count(event, "downloads", 2)  # between the flush's read and its take
            return found

    monkeypatch.setattr(figures, "cache", AnotherInstanceCountsMeanwhile())
    figures.flush(days=1)
    assert flushed(event)["downloads"] == 5
    monkeypatch.setattr(figures, "cache", cache)
    figures.flush(days=1)
    assert flushed(event)["downloads"] == 7
    figures.flush(days=1)
    assert flushed(event)["downloads"] == 7


def test_overlapping_flushes_skip_rather_than_count_twice(event):
    figures.count(event, "shares")
    cache.add(figures.FLUSH_LOCK, "another flush", 60)
    assert figures.flush() is None
    cache.delete(figures.FLUSH_LOCK)
    assert figures.flush() == figures.Flushed(counters=1, counts=1)


def test_counting_without_the_cache_drops_the_count_quietly(event, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    figures.count(event, "downloads")  # no exception, no database write
    assert not DailyFigure.objects.exists()


def test_provider_failures_are_counted_by_kind(event):
    figures.count_failure(event, ProviderThrottled("busy", retry_after=3))
    figures.count_failure(event, ProviderTimeout("slow"))
    figures.count_failure(event, ValueError("not a provider's"))
    figures.flush()
    counts = flushed(event)
    assert (counts["errors_throttled"], counts["errors_timeout"]) == (1, 1)
    assert set(counts) == {"errors_throttled", "errors_timeout"}


def test_a_share_is_counted_and_then_limited(client, event, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "share": "2/h"}
    for _ in range(4):
        assert client.post("/en/events/demo/shared").status_code == 204
    assert client.get("/en/events/demo/shared").status_code == 405
    figures.flush()
    assert flushed(event)["shares"] == 2


def test_figures_hold_counts_only(client, portal, event):
    client.get(f"/en/events/demo/bib/{BIB}/")
    figures.flush()
    for row in DailyFigure.objects.all():
        assert row.figure in figures.FIGURES
    csv = client_csv(event)
    assert BIB not in csv.split("\n", 1)[1].replace(",", " ").split()


def client_csv(event: Event) -> str:
    from django.test import Client

    admin = User.objects.create_superuser("csv-admin", password="pw")
    browser = Client()
    browser.force_login(admin)
    return browser.get(f"/admin/photos/event/{event.pk}/figures.csv").content.decode()


@pytest.fixture
def history(event):
    today = timezone.localdate()
    for back, searches, empty in ((0, 10, 2), (1, 4, 0), (40, 3, 3)):
        day = today - timedelta(days=back)
        DailyFigure.objects.create(event=event, day=day, figure="searches_bib", count=searches)
        DailyFigure.objects.create(event=event, day=day, figure="no_photos_bib", count=empty)
    return event


def test_the_event_admin_shows_a_chart_and_a_table(admin_client, history):
    page = admin_client.get(f"/admin/photos/event/{history.pk}/change/").content.decode()
    assert '<svg class="figures-chart"' in page
    assert page.count("<rect ") == 30
    assert ": 10 searches</title>" in page
    assert '<th scope="row">BIB searches</th>' in page
    assert "<td>14</td>" in page  # the 30 days' total leaves out the day 40 days ago
    assert "<td>20%</td>" in page  # 2 of 10 found no photos today


def test_the_csv_has_every_day_with_figures(admin_client, history):
    answer = admin_client.get(f"/admin/photos/event/{history.pk}/figures.csv")
    assert answer["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="demo-figures.csv"' in answer["Content-Disposition"]
    lines = answer.content.decode().splitlines()
    assert lines[0].startswith("day,searches_bib,searches_selfie,searches_time,searches_all,")
    assert len(lines) == 4
    today = dict(zip(lines[0].split(","), lines[-1].split(","), strict=True))
    assert today["day"] == timezone.localdate().isoformat()
    assert (today["searches_bib"], today["no_photos_bib"]) == ("10", "2")
    assert today["searches_without_photos_share"] == "20%"


def test_an_organiser_cannot_read_another_organisations_figures(client, history):
    mine = Organisation.objects.create(name="Harbour Timing", ninepic_org_id=904)
    Event.objects.create(
        name="Harbour", slug="harbour", organisation=mine, org_id=904, event_id=789
    )
    theirs = Organisation.objects.create(name="City Races", ninepic_org_id=903)
    Event.objects.filter(pk=history.pk).update(organisation=theirs)
    user = User.objects.create_user("harbour-staff", password="pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=["view_event"]))
    mine.managers.add(user)
    client.force_login(user)
    assert client.get(f"/admin/photos/event/{history.pk}/figures.csv").status_code == 404
    own = Event.objects.get(slug="harbour")
    assert client.get(f"/admin/photos/event/{own.pk}/figures.csv").status_code == 200
