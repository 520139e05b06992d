"""Syncing a RunSignUp event's photos into the index, against the stand-in over real HTTP."""

import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import PurePosixPath

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection
from django.utils import timezone

from photos.identifiers import IMAGE_EXTENSIONS
from photos.models import Event, Provider, RunSignUpPhoto, RunSignUpPhotoBib, RunSignUpSync
from photos.providers.runsignup import sync as sync_module
from photos.providers.runsignup.sync import SyncFailed, sync_event
from standins.runsignup import catalogue
from standins.runsignup import views as standin

ALL = catalogue.photos(catalogue.DEMO_RACE_ID, catalogue.DEMO_EVENT_DAYS_ID)
# Mid-morning of race day: the photographers' first batches are up, the rest not yet.
MORNING = ALL[len(ALL) // 3].uploaded_ts
AFTERNOON = ALL[2 * len(ALL) // 3].uploaded_ts


@pytest.fixture(autouse=True)
def _standin(live_runsignup, settings):
    settings.RUNSIGNUP_PAGE_SIZE = 100


def indexed(event) -> dict[int, tuple[int, ...]]:
    """photo id -> its BIBs, as the index holds them."""
    photos = {p.photo_id: () for p in RunSignUpPhoto.objects.filter(event=event)}
    for bib in RunSignUpPhotoBib.objects.filter(event=event).select_related("photo"):
        photos[bib.photo.photo_id] += (bib.bib,)
    return {photo_id: tuple(sorted(bibs)) for photo_id, bibs in photos.items()}


def listed(until: int | None = None, removed: frozenset = frozenset()) -> dict:
    return {
        p.photo_id: p.bibs
        for p in ALL
        if (until is None or p.uploaded_ts <= until) and p.photo_id not in removed
    }


def test_full_sync_indexes_every_photo_with_its_bibs_and_sizes(runsignup_event):
    lines: list[str] = []
    result = sync_event(event=runsignup_event, progress=lines.append)
    assert indexed(runsignup_event) == listed()
    assert result.full and result.indexed == len(ALL) == result.saved
    assert result.pages == len(ALL) // 100 + 1 == standin.call_count()
    assert lines[0] == "trail: page 1 (full): 100 photos saved"
    assert lines[-1] == f"trail: done (full): {len(ALL)} photos saved, 0 photos removed, " + (
        f"{len(ALL)} photos indexed"
    )
    first = RunSignUpPhoto.objects.get(photo_id=ALL[0].photo_id)
    assert (first.large_width, first.thumbnail_width) == (
        ALL[0].size("large")[0],
        ALL[0].size("thumbnail")[0],
    )
    assert first.thumbnail_url.endswith(f"/images/{ALL[0].photo_id}/thumbnail.jpg")
    assert first.uploaded_filename == ALL[0].uploaded_filename
    assert first.uploaded_at == datetime.fromtimestamp(ALL[0].uploaded_ts, UTC)
    state = RunSignUpSync.objects.get(event=runsignup_event)
    assert state.last_synced_at and not state.last_error and state.next_page is None


def test_incremental_sync_asks_only_for_new_photos(runsignup_event, settings):
    settings.RUNSIGNUP_STANDIN_NOW = MORNING
    sync_event(event=runsignup_event)
    assert indexed(runsignup_event) == listed(until=MORNING)

    settings.RUNSIGNUP_STANDIN_NOW = AFTERNOON
    standin.reset_call_count()
    result = sync_event(event=runsignup_event)
    assert not result.full
    assert indexed(runsignup_event) == listed(until=AFTERNOON)
    newest_seen = max(p.uploaded_ts for p in ALL if p.uploaded_ts <= MORNING)
    since = newest_seen - settings.RUNSIGNUP_SYNC_OVERLAP_SECONDS
    # The overlap's photos again (updated, not duplicated) and the new ones: nothing older.
    assert result.saved == sum(1 for p in ALL if since <= p.uploaded_ts <= AFTERNOON)
    assert result.saved < len(listed(until=AFTERNOON))
    assert RunSignUpPhoto.objects.count() == len(listed(until=AFTERNOON))


def test_a_photo_removed_upstream_goes_on_the_full_sync_only(runsignup_event, settings):
    sync_event(event=runsignup_event)
    gone = frozenset({ALL[5].photo_id, ALL[-1].photo_id})
    settings.RUNSIGNUP_STANDIN_REMOVED_PHOTO_IDS = list(gone)

    sync_event(event=runsignup_event)  # incremental: cannot tell a removal from an old photo
    assert ALL[5].photo_id in indexed(runsignup_event)

    result = sync_event(event=runsignup_event, full=True)
    assert result.removed == 2
    assert indexed(runsignup_event) == listed(removed=gone)
    assert not RunSignUpPhotoBib.objects.filter(photo__photo_id__in=gone).exists()


def test_throttling_mid_sync_stops_with_a_clear_error_and_the_next_sync_resumes(
    runsignup_event, settings
):
    settings.RUNSIGNUP_STANDIN_THROTTLE_AFTER = 2
    settings.RUNSIGNUP_STANDIN_THROTTLE_CALLS = 100
    settings.RUNSIGNUP_MAX_RETRIES = 0
    with pytest.raises(SyncFailed, match="RunSignUp is throttling requests for 1 s") as failed:
        sync_event(event=runsignup_event)
    assert "Stopped at page 3; the next sync resumes there." in str(failed.value)
    state = RunSignUpSync.objects.get(event=runsignup_event)
    assert state.next_page == 3 and "throttling" in state.last_error
    assert RunSignUpPhoto.objects.count() == 200

    settings.RUNSIGNUP_STANDIN_THROTTLE_AFTER = None
    standin.reset_call_count()
    lines: list[str] = []
    sync_event(event=runsignup_event, progress=lines.append)
    assert lines[0] == "trail: resuming the interrupted sync at page 3"
    assert standin.call_count() == len(ALL) // 100 + 1 - 2  # pages 1 and 2 not asked again
    assert indexed(runsignup_event) == listed()
    state.refresh_from_db()
    assert state.last_error == "" and state.next_page is None


def test_brief_throttling_is_waited_out_within_one_sync(runsignup_event, settings):
    settings.RUNSIGNUP_STANDIN_THROTTLE_AFTER = 1  # the second call is refused once
    result = sync_event(event=runsignup_event)
    assert result.indexed == len(ALL)
    assert standin.call_count() == len(ALL) // 100 + 2


def test_wrong_credentials_are_explained(runsignup_event, settings):
    settings.RUNSIGNUP_API_SECRET = "not-the-secret"
    with pytest.raises(SyncFailed) as failed:
        sync_event(event=runsignup_event)
    assert str(failed.value).startswith(
        "RunSignUp refused the API key or secret: check RUNSIGNUP_API_KEY / RUNSIGNUP_API_SECRET"
    )
    assert RunSignUpSync.objects.get(event=runsignup_event).last_error == str(failed.value)


def test_a_wrong_race_is_explained(runsignup_event):
    runsignup_event.runsignup_race_id = 999
    runsignup_event.save()
    with pytest.raises(SyncFailed, match="check the race and event days IDs"):
        sync_event(event=runsignup_event)


def test_the_command_syncs_and_reports(runsignup_event, event, capsys):
    call_command("sync_runsignup_photos")  # every RunSignUp event; 9Pic ones need none
    out = capsys.readouterr().out
    assert "trail: page 1 (full): 100 photos saved" in out
    assert f"{len(ALL)} photos indexed" in out
    call_command("sync_runsignup_photos", "trail", "--full")
    assert "trail: done (full)" in capsys.readouterr().out


def test_the_command_refuses_unknown_events_and_fails_loudly(runsignup_event, event, settings):
    with pytest.raises(CommandError, match="No RunSignUp event with the slug demo, nope"):
        call_command("sync_runsignup_photos", "trail", "demo", "nope")
    settings.RUNSIGNUP_API_KEY = "wrong"
    with pytest.raises(CommandError, match="Sync stopped for trail"):
        call_command("sync_runsignup_photos", "trail")


def test_two_syncs_of_one_event_never_run_at_once(runsignup_event):
    RunSignUpSync.objects.create(
        event=runsignup_event, locked_until=datetime(2100, 1, 1, tzinfo=UTC)
    )
    with pytest.raises(SyncFailed, match="Another sync of this event is running"):
        sync_event(event=runsignup_event)
    assert standin.call_count() == 0


def test_filenames_from_upstream_keep_only_a_safe_image_name(runsignup_event, settings):
    """Red-team finding 14, over real HTTP: the stand-in's odd uploaded filenames (folders,
    CR/LF, other extensions, NUL) are indexed as plain image names."""
    settings.RUNSIGNUP_STANDIN_FAULTS = "odd-filenames"
    sync_event(event=runsignup_event)
    names = set(RunSignUpPhoto.objects.values_list("uploaded_filename", flat=True))
    assert f"{ALL[2].photo_id}.jpg" in names  # x/<id>.exe
    for name in names:
        assert PurePosixPath(name).name == name and "\\" not in name
        assert name.isprintable() and not name.startswith(".")
        assert PurePosixPath(name).suffix.lower() in IMAGE_EXTENSIONS


# --- Red-team findings 10 and 7 ----------------------------------------------------------


def test_one_malformed_runsignup_photo_never_blocks_the_index(
    runsignup_event, settings, admin_client
):
    """Each page's first photo says uploaded_ts 10**12 and photo_id 2**64, numbers the index
    cannot hold: it is skipped with its reason, the rest indexed, and later syncs go on."""
    settings.RUNSIGNUP_STANDIN_FAULTS = "out-of-range"
    lines: list[str] = []
    result = sync_event(event=runsignup_event, progress=lines.append)
    pages = len(ALL) // 100 + 1
    assert result.pages == pages
    assert lines[0] == "trail: page 1 (full): 99 photos saved, 1 unusable skipped"
    spoilt = {ALL[page * 100].photo_id for page in range(pages)}  # listed with the bad values
    assert indexed(runsignup_event) == {k: v for k, v in listed().items() if k not in spoilt}
    state = RunSignUpSync.objects.get(event=runsignup_event)
    assert state.skipped_photos == pages and not state.last_error and state.next_page is None
    # Why, in words naming the field and the rule (never the value).
    assert "1 photo on page 1: Expected `int` <= 999999999999999999 - at `$.photo_id`" in (
        state.skip_reasons
    )
    page = admin_client.get(f"/admin/photos/event/{runsignup_event.pk}/change/").content.decode()
    assert f"<dt>Photos skipped</dt><dd>{pages}: 1 photo on page 1: Expected" in page

    again = sync_event(event=runsignup_event)  # every later run makes progress
    assert again.saved > 0 and not RunSignUpSync.objects.get(event=runsignup_event).last_error


@pytest.fixture
def two_events(runsignup_event):
    """A second RunSignUp event, listed first, whose sync breaks: its database refuses."""
    broken = Event.objects.create(
        name="Broken Trail",
        slug="a-broken-trail",
        provider=Provider.RUNSIGNUP,
        runsignup_race_id=catalogue.DEMO_RACE_ID,
        runsignup_event_days_id=catalogue.DEMO_EVENT_DAYS_ID,
        offers_selfie_search=False,
        is_published=True,
    )
    save = sync_module._save

    def failing_save(event, rows, *, full):
        if event == broken:
            raise DatabaseError("disk I/O error")
        return save(event, rows, full=full)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sync_module, "_save", failing_save)
        yield broken, runsignup_event


def test_one_events_failure_never_stops_the_others_in_the_command(two_events, capsys):
    broken, trail = two_events
    with pytest.raises(CommandError, match="Sync stopped for a-broken-trail"):
        call_command("sync_runsignup_photos")
    assert "a-broken-trail: The sync stopped on an unexpected error (DatabaseError)" in (
        capsys.readouterr().err
    )
    assert "unexpected error" in RunSignUpSync.objects.get(event=broken).last_error
    assert indexed(trail) == listed()


def test_one_events_failure_never_stops_the_others_in_the_admin(two_events, admin_client):
    broken, trail = two_events
    page = admin_client.post(
        "/admin/photos/event/",
        {"action": "refresh_from_provider", "_selected_action": [broken.pk, trail.pk]},
        follow=True,
    ).content.decode()
    assert "Broken Trail: The sync stopped on an unexpected error (DatabaseError)" in page
    assert f"Demo Trail Run: {len(ALL)} photos saved" in page
    assert indexed(trail) == listed()


def test_two_syncs_never_run_at_once_while_a_listing_drips(
    runsignup_event, settings, dripping_standins
):
    """A page dripped a byte at a time ends at the time budget, and the sync's hold on the
    event outlives it: meanwhile every other sync is refused."""
    settings.RUNSIGNUP_STANDIN_FAULTS = "slow-drip"
    settings.RUNSIGNUP_TIME_BUDGET = 2.0
    settings.RUNSIGNUP_READ_TIMEOUT = 1.0
    outcome: list[BaseException] = []

    def first_sync() -> None:
        try:
            sync_event(event=runsignup_event)
        except SyncFailed as failed:
            outcome.append(failed)
        finally:
            connection.close()

    started, page_ends = time.monotonic(), timezone.now() + timedelta(seconds=2.0)
    thread = threading.Thread(target=first_sync)
    thread.start()
    refused = 0
    while thread.is_alive():
        time.sleep(0.3)
        hold = RunSignUpSync.objects.get(event=runsignup_event).locked_until
        if thread.is_alive():
            assert hold is not None and hold > page_ends
            with pytest.raises(SyncFailed, match="Another sync of this event is running"):
                sync_event(event=runsignup_event)
            refused += 1
    took = time.monotonic() - started
    assert refused >= 3
    assert took < 2.0 + 1.5
    [failed] = outcome
    assert "RunSignUp did not answer in time" in str(failed)
    assert RunSignUpSync.objects.get(event=runsignup_event).locked_until is None


def test_a_sync_whose_hold_ran_out_saves_nothing_more(runsignup_event, monkeypatch):
    """Should a page ever outlast the hold and another sync take the event, the first one
    stops before saving that page: the two never write at once."""
    race_photos = sync_module.RunSignUpClient.race_photos

    def taken_over_meanwhile(client, *args, **kwargs):
        listing = race_photos(client, *args, **kwargs)
        RunSignUpSync.objects.filter(event=runsignup_event).update(
            locked_until=timezone.now() + timedelta(minutes=5)  # another sync's hold
        )
        return listing

    monkeypatch.setattr(sync_module.RunSignUpClient, "race_photos", taken_over_meanwhile)
    with pytest.raises(SyncFailed, match="Another sync took this event over"):
        sync_event(event=runsignup_event)
    assert RunSignUpPhoto.objects.count() == 0
    assert RunSignUpSync.objects.get(event=runsignup_event).locked_until is not None
