"""Redis down or silent: runner pages keep working without the shared cache, quickly, with one
warning in the log, and /healthz says "degraded" (200: the cache is every instance's)."""

import logging
import os
import socket
import subprocess
import sys
import time

import pytest
import redis
import requests
from django.core.cache.backends.base import BaseCache

from standins.ninepic import catalogue

BIB = catalogue.BIB_WITH_MANY_PHOTOS
IMAGE = catalogue.photos_for_bib(catalogue.DEMO_EVENT_ID, BIB)[0].image_id


class UnreachableCache(BaseCache):
    """A cache whose server refuses every connection, as redis-py reports it."""

    def __init__(self, location, params):
        super().__init__(params)

    def _refuse(self, *args, **kwargs):
        raise redis.exceptions.ConnectionError("Error 111 connecting to cache:6379. Refused.")

    add = get = set = touch = delete = clear = incr = get_many = set_many = _refuse


@pytest.fixture
def black_hole():
    """A Redis address that accepts connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0"


def redis_cache(url: str, settings) -> dict:
    """The cache settings as portal/settings/core.py makes them for CACHE_URL=redis://…"""
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "OPTIONS": {
                "socket_connect_timeout": settings.CACHE_SOCKET_CONNECT_TIMEOUT,
                "socket_timeout": settings.CACHE_SOCKET_TIMEOUT,
            },
        }
    }


def visit_runner_pages(base: str) -> list[tuple[str, int, float]]:
    """A runner's way through the event: each page's address, status and time taken."""
    pages = [
        f"{base}/en/events/demo/",
        f"{base}/en/events/demo/search?bib={BIB}",
        f"{base}/en/events/demo/bib/{BIB}/",
        f"{base}/en/events/demo/bib/{BIB}/?page=2",
        f"{base}/en/events/demo/bib/{BIB}/photos/{IMAGE}/",
        f"{base}/en/events/demo/photos/{IMAGE}/preview",
        f"{base}/en/events/demo/photos/{IMAGE}/preview/large",
        f"{base}/en/events/demo/photos/{IMAGE}/download",
        f"{base}/en/events/demo/bib/{BIB}/",
    ]
    visits = []
    for url in pages:
        start = time.monotonic()
        response = requests.get(url, timeout=30, allow_redirects=False)
        visits.append((url, response.status_code, time.monotonic() - start))
    return visits


def outage_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "photos.sharedcache"]


@pytest.mark.parametrize("outage", ["refused", "black hole"])
def test_runner_pages_work_while_redis_is_down(
    live_standin, event, settings, caplog, black_hole, outage
):
    settings.CACHES = (
        {"default": {"BACKEND": "tests.test_cache_outage.UnreachableCache"}}
        if outage == "refused"
        else redis_cache(black_hole, settings)
    )
    caplog.set_level(logging.INFO, logger="photos")
    visits = visit_runner_pages(live_standin.url)
    assert [status for _, status, _ in visits] == [200, 302, 200, 200, 200, 200, 200, 200, 200]
    # One socket timeout at most (then the cache is left alone), never one per cache call.
    assert sum(seconds for _, _, seconds in visits) < settings.CACHE_SOCKET_TIMEOUT + 5
    assert max(seconds for _, _, seconds in visits) < settings.CACHE_SOCKET_TIMEOUT + 1.5
    warnings = outage_warnings(caplog)
    assert len(warnings) == 1, warnings
    assert "rate limits let requests through" in warnings[0]


@pytest.mark.parametrize("outage", ["refused", "black hole"])
def test_healthz_reports_a_cache_outage_as_degraded(client, db, settings, black_hole, outage):
    settings.CACHES = (
        {"default": {"BACKEND": "tests.test_cache_outage.UnreachableCache"}}
        if outage == "refused"
        else redis_cache(black_hole, settings)
    )
    start = time.monotonic()
    response = client.get("/healthz")
    assert time.monotonic() - start < settings.CACHE_SOCKET_TIMEOUT + 1
    assert response.status_code == 200  # the balancer keeps the instance: pages still work
    assert response.json() == {"status": "degraded", "cache": "unavailable"}


def test_the_cache_is_tried_again_after_a_rest(client, db, settings, monkeypatch):
    from photos import sharedcache

    settings.CACHES = {"default": {"BACKEND": "tests.test_cache_outage.UnreachableCache"}}
    assert client.get("/healthz").json()["cache"] == "unavailable"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "x"}
    }
    assert client.get("/healthz").json()["cache"] == "unavailable"  # resting: not asked
    monkeypatch.setattr(sharedcache, "RETRY_SECONDS", 0)
    sharedcache._outage.resting_until = 0
    assert client.get("/healthz").json() == {"status": "ok", "cache": "ok"}


def test_a_long_outage_logs_one_warning_a_minute_and_its_end(monkeypatch, caplog):
    from photos import sharedcache

    caplog.set_level(logging.INFO, logger="photos")
    clock = [1000.0]
    monkeypatch.setattr(sharedcache.time, "monotonic", lambda: clock[0])

    def refused():
        raise ConnectionRefusedError(111, "Connection refused")

    for _ in range(30):  # tried again every RETRY_SECONDS for two and a half minutes
        with pytest.raises(sharedcache.CacheUnavailable):
            sharedcache.attempt(refused)
        clock[0] += sharedcache.RETRY_SECONDS
    assert sharedcache.attempt(lambda: "answered") == "answered"
    lines = outage_warnings(caplog)
    assert len(lines) == 4, lines
    assert [line.split(" (")[0] for line in lines[:3]] == [
        "shared cache unavailable for 0s",
        "shared cache unavailable for 60s",
        "shared cache unavailable for 120s",
    ]
    assert lines[3] == "shared cache available again after 150s"


def test_redis_gets_short_socket_timeouts():
    """CACHE_URL=redis://… gets the CACHE_SOCKET_* timeouts, not redis-py's 5 s."""
    env = {
        **os.environ,
        "ENV_FILE": os.devnull,
        "CACHE_URL": "redis://cache.internal:6379/0",
        "CACHE_SOCKET_TIMEOUT": "0.25",
    }
    shown = subprocess.run(
        [sys.executable, "-c", "from tests import settings; print(settings.CACHES['default'])"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "'socket_connect_timeout': 0.5" in shown
    assert "'socket_timeout': 0.25" in shown
