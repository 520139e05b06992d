"""Syncing a RunSignUp event's photos into the index, against the stand-in over real HTTP."""

from datetime import UTC, datetime
from pathlib import PurePosixPath

import pytest
from django.core.management import CommandError, call_command

from photos.identifiers import IMAGE_EXTENSIONS
from photos.models import RunSignUpPhoto, RunSignUpPhotoBib, RunSignUpSync
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


def test_one_malformed_runsignup_photo_is_skipped_at_parse_time(runsignup_event, settings):
    """Red-team finding 10, over real HTTP: the stand-in spoils each page's first photo
    (uploaded_ts 10**12, photo_id 2**64, which crashed the sync); it is skipped and the
    rest is indexed."""
    settings.RUNSIGNUP_STANDIN_FAULTS = "out-of-range"
    lines: list[str] = []
    result = sync_event(event=runsignup_event, progress=lines.append)
    assert result.pages == len(ALL) // 100 + 1
    assert result.indexed == len(ALL) - result.pages
    assert lines[0] == "trail: page 1 (full): 99 photos saved, 1 unusable skipped"


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
