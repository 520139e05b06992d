"""Every way 9Pic can fail, injected by the stand-in over real HTTP: the runner gets a clear
page with the right status in time, and the organiser one log line without secrets."""

import logging
import time

import pytest
import requests

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
