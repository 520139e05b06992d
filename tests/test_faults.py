"""Every way 9Pic can fail, injected by the stand-in over real HTTP: the runner gets a clear
page with the right status in time, and the organiser one log line without secrets."""

import logging
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from photos.providers import budget
from standins.ninepic import catalogue

BIB = catalogue.BIB_WITH_MANY_PHOTOS
BUDGET = 3.0


@pytest.fixture
def gallery(live_standin, event, settings):
    settings.NINEPIC_TIME_BUDGET = BUDGET
    settings.NINEPIC_READ_TIMEOUT = 1.0
    settings.NINEPIC_MAX_RETRIES = 2
    settings.NINEPIC_BACKOFF = 0.1
    settings.NINEPIC_STANDIN_HANG_SECONDS = BUDGET + 2
    # Event Details, read (and cached) before 9Pic's trouble starts, as on race day.
    assert requests.get(f"{live_standin.url}/en/events/demo/", timeout=30).status_code == 200
    return f"{live_standin.url}/en/events/demo/bib/{BIB}/"


@pytest.mark.parametrize(
    ("fault", "status", "words"),
    [
        ("hang", 504, "took too long"),
        ("throttle", 503, "Lots of runners"),
        ("throttle-bare", 503, "Lots of runners"),
        ("error-500", 502, "having trouble"),
        ("error-502", 502, "having trouble"),
        ("error-503", 502, "having trouble"),
        ("reset", 502, "having trouble"),
        ("not-json", 502, "having trouble"),
        ("html", 502, "having trouble"),
        ("missing-fields", 502, "having trouble"),
        ("wrong-types", 502, "having trouble"),
        ("oversized", 502, "having trouble"),
    ],
)
def test_each_fault_gets_a_clear_answer_in_time(gallery, settings, caplog, fault, status, words):
    settings.NINEPIC_STANDIN_FAULTS = fault
    caplog.set_level(logging.INFO, logger="photos")
    start = time.monotonic()
    page = requests.get(gallery, timeout=30)
    elapsed = time.monotonic() - start
    assert page.status_code == status
    assert words in page.text
    assert "Traceback" not in page.text
    assert elapsed < BUDGET + 1.5
    if status == 503:
        assert int(page.headers["Retry-After"]) >= 1
    lines = [
        r for r in caplog.records if r.name.startswith("photos") and r.levelno >= logging.WARNING
    ]
    assert len(lines) == 1, [r.getMessage() for r in lines]
    assert "X-Amz-Signature" not in lines[0].getMessage()


def test_faults_strike_their_share_of_calls(settings, monkeypatch):
    from standins import faults as shared_faults
    from standins.ninepic import faults

    settings.NINEPIC_STANDIN_FAULTS = "throttle:0.05,error-503:0.02"
    struck = []
    for roll in (0.01, 0.049, 0.051, 0.069, 0.071, 0.9):
        monkeypatch.setattr(shared_faults.random, "random", lambda roll=roll: roll)
        struck.append(faults.pick())
    assert struck == ["throttle", "throttle", "error-503", "error-503", None, None]


def test_unknown_fault_names_are_refused():
    from standins.ninepic.faults import parse

    with pytest.raises(ValueError, match="unknown stand-in fault"):
        parse("explode")
    assert parse("throttle:0.05, hang") == [("throttle", 0.05), ("hang", 1.0)]


def at_once(count: int, url: str) -> list[tuple[int, float]]:
    """`count` runners asking for `url` at the same moment: each one's status and wait."""

    def ask(_) -> tuple[int, float]:
        start = time.monotonic()
        status = requests.get(url, timeout=60).status_code
        return status, time.monotonic() - start

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(ask, range(count)))


def api_calls(live_standin) -> int:
    return (
        requests.get(f"{live_standin.url}/_standin/9pic/stats", timeout=10)
        .json()
        .get("api_calls", 0)
    )


def test_a_hanging_9pic_costs_one_call_and_no_runner_waits_past_the_budget(
    gallery, live_standin, settings, monkeypatch
):
    """Followers take their leader's outcome, or give up when their own budget is spent:
    they never call 9Pic themselves, late."""
    settings.NINEPIC_STANDIN_FAULTS = "hang"
    # The leader's work reaches a little past the budget, as on a busy machine or with a
    # slow cache: runners who came as it started see their own budget end first.
    spend = budget.spend
    monkeypatch.setattr(budget, "spend", lambda *a, **kw: time.sleep(0.3) or spend(*a, **kw))
    before = api_calls(live_standin)
    results = at_once(50, gallery)
    assert [status for status, _ in results] == [504] * 50
    assert max(waited for _, waited in results) < BUDGET + 1
    # One leader's attempts (the first and its retries), not one per runner.
    assert api_calls(live_standin) - before <= settings.NINEPIC_MAX_RETRIES + 1


def test_a_revoked_key_gives_concurrent_runners_a_503_not_a_500(
    gallery, live_standin, settings, caplog
):
    """The leader's ProviderMisconfigured reaches every follower through the cache intact."""
    settings.NINEPIC_API_KEY = "revoked-9pic-key"
    settings.NINEPIC_STANDIN_LATENCY_MS = 500  # the runners arrive while the leader asks
    settings.NINEPIC_READ_TIMEOUT = BUDGET  # slow is not a time-out here: 403 is the answer
    caplog.set_level(logging.INFO)
    before = api_calls(live_standin)
    results = at_once(20, gallery)
    assert [status for status, _ in results] == [503] * 20
    assert not [r.getMessage() for r in caplog.records if r.exc_info], "a traceback was logged"
    calls = api_calls(live_standin) - before
    refused = [r for r in caplog.records if "refused our credentials" in r.getMessage()]
    assert len(refused) == calls  # one line for the organiser per call, not per runner
    # BIB Search refuses, then Download Originals (a 403 may be a search switched off): two
    # calls a round, or four if a runner came after the first round had ended.
    assert calls <= 4
