"""Per-client rate limits, the per-event budget of upstream calls, and trusted proxies."""

import re
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from photos.providers import budget
from photos.ratelimits import client_ip
from tests import ninepic_answers

IMAGE = "a4402318-0cf4-4e1e-b8e8-ac8e8f2fc244"


@pytest.fixture
def upstream(upstream):
    """9Pic knows no photos of any BIB."""
    upstream.get(re.compile(rf"{ninepic_answers.API}/bibs/.*"), json=ninepic_answers.listing([]))
    upstream.post(ninepic_answers.ORIGINAL_PHOTOS, status=404, json=ninepic_answers.NO_PHOTOS)
    return upstream


@pytest.mark.parametrize(
    ("action", "path"),
    [
        ("search", "/en/events/demo/search?bib=1234"),
        ("gallery", "/en/events/demo/bib/1234/"),
        ("download", f"/en/events/demo/photos/{IMAGE}/download"),
        ("preview", f"/en/events/demo/photos/{IMAGE}/preview"),
    ],
)
def test_each_action_is_limited_per_client(client, event, upstream, settings, action, path):
    # Per hour: a per-minute window could roll over between two requests of the test.
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, action: "2/h"}
    for _ in range(2):
        assert client.get(path).status_code != 429
    calls = len(upstream.calls)
    refused = client.get(path)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 3600
    assert "please wait" in refused.content.decode()
    assert len(upstream.calls) == calls  # refused before any call upstream
    other_client = client.get(path, REMOTE_ADDR="192.0.2.99")
    assert other_client.status_code != 429


def test_limits_can_be_switched_off(client, event, upstream, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "gallery": ""}
    for _ in range(5):
        assert client.get("/en/events/demo/bib/1234/").status_code == 200


def test_an_events_upstream_budget_protects_its_quota(
    client, event, upstream, settings, monkeypatch
):
    # Mid-minute, fixed: the budget's clock only (the cache keeps its own).
    monkeypatch.setattr(budget, "time", SimpleNamespace(time=lambda: 1_800_000_030.0))
    settings.UPSTREAM_CALLS_PER_MINUTE_PER_EVENT = 3
    settings.EMPTY_GALLERY_CACHE_SECONDS = 0
    # Six runners, each from an address of their own: the budget is the event's, whoever asks.
    statuses = [
        client.get(f"/en/events/demo/bib/{bib}/", REMOTE_ADDR=f"192.0.2.{bib}").status_code
        for bib in range(100, 106)
    ]
    assert statuses == [200, 200, 200, 503, 503, 503]
    assert len(upstream.calls) == 3
    busy = client.get("/en/events/demo/bib/999/")
    assert "Lots of runners are looking for their photos" in busy.content.decode()
    assert busy["Retry-After"] == "30"


def test_one_address_cannot_starve_an_event_of_its_budget(
    client, event, upstream, settings, monkeypatch
):
    """Previews of made-up photo IDs from one address spend its share of the event's budget,
    no more; every other runner still gets their photos."""
    monkeypatch.setattr(budget, "time", SimpleNamespace(time=lambda: 1_800_000_030.0))
    settings.UPSTREAM_CALLS_PER_MINUTE_PER_EVENT = 20
    settings.UPSTREAM_CLIENT_SHARE = 0.25  # 5 calls a minute
    made_up = [f"{n:08d}-0000-4000-8000-000000000000" for n in range(50)]
    attacker = [
        client.get(f"/en/events/demo/photos/{i}/preview", REMOTE_ADDR="203.0.113.66").status_code
        for i in made_up[:30]
    ]
    assert attacker == [404] * 5 + [429] * 25
    assert len(upstream.calls) == 5
    # The attacker's /64 is one client too: a new address in it changes nothing.
    settings.UPSTREAM_CLIENT_SHARE = 0.5
    ipv6 = [
        client.get(f"/en/events/demo/photos/{i}/download", REMOTE_ADDR=f"2001:db8::{n}")
        for n, i in enumerate(made_up[30:42])
    ]
    assert [r.status_code for r in ipv6] == [404] * 10 + [429] * 2
    runners = [
        client.get(f"/en/events/demo/bib/{bib}/", REMOTE_ADDR=f"198.51.100.{bib}").status_code
        for bib in range(1, 6)
    ]
    assert runners == [200] * 5


@pytest.mark.parametrize("path", ["preview", "download"])
def test_a_photo_9pic_does_not_know_is_remembered_briefly(client, event, upstream, settings, path):
    url = f"/en/events/demo/photos/{IMAGE}/{path}"
    assert [client.get(url).status_code for _ in range(5)] == [404] * 5
    assert len(upstream.calls) == 1
    settings.UNKNOWN_PHOTO_CACHE_SECONDS = 0  # forgotten: asked again
    cache.clear()
    assert client.get(url).status_code == 404
    assert len(upstream.calls) == 2


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        (0, "10.0.0.1", "203.0.113.7", "10.0.0.1"),  # no trusted proxy: header ignored
        (1, "10.0.0.1", "203.0.113.7", "203.0.113.7"),
        (1, "10.0.0.1", "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # a spoofed left part
        (2, "10.0.0.1", "6.6.6.6, 203.0.113.7, 10.0.0.2", "203.0.113.7"),
        (2, "10.0.0.1", "203.0.113.7", "10.0.0.1"),  # fewer hops than proxies
        (0, "2001:db8:1:2:3:4:5:6", "", "2001:db8:1:2:3:4:5:6"),  # grouped per /64 below
        (0, "::ffff:203.0.113.9", "", "203.0.113.9"),  # an IPv4 client of a dual-stack socket
        (1, "10.0.0.1", "::ffff:203.0.113.9", "203.0.113.9"),
        (1, "10.0.0.1", "not-an-address", "10.0.0.1"),
    ],
)
def test_client_ip(settings, proxies, remote, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_ipv6_clients_share_a_limit_per_64_and_ipv4_clients_of_a_dual_stack_bind_do_not(
    client, event, settings
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "search": "1/h"}
    search = "/en/events/demo/search?bib=1234"
    assert client.get(search, REMOTE_ADDR="2001:db8:1:2::1").status_code == 302
    assert client.get(search, REMOTE_ADDR="2001:db8:1:2::99").status_code == 429  # same /64
    # A server bound to [::] sees IPv4 clients as ::ffff:a.b.c.d: each is its own client,
    # not part of one ::/64 that every IPv4 client would share.
    assert client.get(search, REMOTE_ADDR="::ffff:203.0.113.9").status_code == 302
    assert client.get(search, REMOTE_ADDR="::ffff:203.0.113.10").status_code == 302
    assert client.get(search, REMOTE_ADDR="203.0.113.9").status_code == 429
