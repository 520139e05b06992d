"""Single flight: followers get their leader's outcome (value or error) through the real cache
backends, never compute themselves, and never wait past their deadline.

The Redis cases run under `make test-services` (CACHE_URL=redis://…); a plain run skips them.
"""

import inspect
import os
import threading
import time
from collections.abc import Callable

import pytest
import redis
from django.core.cache import cache, caches

from photos import domain, singleflight
from photos.domain import ProviderTimeout, ProviderUnavailable

ERRORS = [
    domain.ProviderError("9Pic org 903 event 456 (bib): failed"),
    domain.ProviderMisconfigured("9Pic org 903 event 456 (bib): 403 invalid key", status=403),
    domain.ProviderRejectedRequest("9Pic org 903 event 456 (bib): 422 bad"),
    domain.PhotoNotFound("9Pic returned no URL for image x"),
    domain.ProviderThrottled("rate limited by 9Pic", retry_after=7),
    domain.ProviderUnavailable("9Pic answered 503"),
    domain.ProviderTimeout("no answer within 15s"),
    domain.TooManyPhotos(101),
    domain.SelfieNotUsable("9Pic org 903 event 456 (face search): 400 no face"),
    domain.SearchNotOffered("9Pic org 903 event 456 (face search): 403 selfie search off"),
]


def test_the_error_list_names_every_error_of_the_domain():
    defined = {
        cls
        for name, cls in inspect.getmembers(domain, inspect.isclass)
        if issubclass(cls, Exception)
        and cls.__module__ == domain.__name__
        and not name.startswith("_")
    }
    assert {type(error) for error in ERRORS} == defined


@pytest.fixture(params=["locmem", "redis"])
def backend(request, settings) -> str:
    """The default cache on each real backend; Redis only where CACHE_URL points at one."""
    if request.param == "redis":
        url = os.environ.get("CACHE_URL", "")
        if not url.startswith("redis"):
            pytest.skip("needs Redis: make test-services")
        settings.CACHES = {
            "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
        }
        assert type(caches["default"]).__name__ == "RedisCache"
        redis.Redis.from_url(url).ping()  # really there, not a silent fallback
    else:
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": "singleflight-tests",
            }
        }
    cache.clear()
    return request.param


def same_error(got: BaseException, sent: BaseException) -> bool:
    return type(got) is type(sent) and got.args == sent.args and vars(got) == vars(sent)


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: type(e).__name__)
def test_every_domain_error_round_trips_through_the_cache(backend, error):
    cache.set("an-error", error, 10)
    assert same_error(cache.get("an-error"), error)


def lead_and_follow(key: str, outcome: Callable[[], object], *, wait: float = 5) -> tuple:
    """A leader computing `outcome()` while a follower arrives: what each got, as
    ("value", v) or ("error", e), and how long the follower waited. The follower fails the
    test if it computes."""
    started, release = threading.Event(), threading.Event()
    results = {}

    def compute():
        started.set()
        release.wait(10)
        return outcome()

    def never():
        raise AssertionError("a follower computed")

    def run(name: str, compute: Callable) -> None:
        try:
            value = singleflight.shared(key, lookup=lambda: None, compute=compute, wait=wait)
            results[name] = ("value", value)
        except Exception as error:
            results[name] = ("error", error)

    leader = threading.Thread(target=run, args=("leader", compute))
    leader.start()
    assert started.wait(10)
    # The leader finishes once the follower, started right now, is waiting for it.
    threading.Timer(0.3, release.set).start()
    start = time.monotonic()
    run("follower", never)
    waited = time.monotonic() - start
    leader.join(10)
    return results["leader"], results["follower"], waited


@pytest.mark.parametrize(
    "error",
    [e for e in ERRORS if isinstance(e, domain.ProviderError)],
    ids=lambda e: type(e).__name__,
)
def test_a_leaders_error_reaches_its_followers_as_itself(backend, error):
    def fail():
        raise error

    (kind, leaders), (follower_kind, followers), _ = lead_and_follow(f"err-{backend}", fail)
    assert kind == follower_kind == "error"
    assert leaders is error
    assert same_error(followers, error)


def test_followers_get_the_leaders_value(backend):
    leader, follower, _ = lead_and_follow(f"value-{backend}", lambda: {"photos": [1, 2, 3]})
    assert leader == follower == ("value", {"photos": [1, 2, 3]})


def test_a_bug_in_the_leader_reaches_followers_as_an_upstream_failure(backend):
    def bug():
        raise KeyError("presigned_urls")

    (_, leaders), (_, followers), _ = lead_and_follow(f"bug-{backend}", bug)
    assert isinstance(leaders, KeyError)
    assert isinstance(followers, ProviderUnavailable)
    assert "KeyError" in str(followers)


def test_an_error_that_cannot_be_pickled_reaches_followers_as_an_upstream_failure(backend):
    class Unpicklable(domain.ProviderUnavailable):  # local: pickle cannot find it by name
        pass

    def fail():
        raise Unpicklable("9Pic answered 503")

    (_, leaders), (_, followers), _ = lead_and_follow(f"local-{backend}", fail)
    assert isinstance(leaders, Unpicklable)
    assert type(followers) is ProviderUnavailable


def test_a_follower_gives_up_at_its_deadline_and_never_calls_itself(backend):
    # A leader overrunning its own budget (it should not): its follower still stops in time.
    (kind, _), (follower_kind, followers), waited = lead_and_follow(
        f"late-{backend}", lambda: time.sleep(1.5) or "late", wait=1.0
    )
    assert kind == "value"
    assert follower_kind == "error" and isinstance(followers, ProviderTimeout)
    assert 0.9 < waited < 1.2


def test_what_admit_raises_is_its_callers_alone(backend):
    """A caller refused by `admit` (its own limit) takes no lock: the next caller computes
    at once instead of waiting for it."""

    class OverShare(Exception):
        pass

    def refuse():
        raise OverShare

    with pytest.raises(OverShare):
        singleflight.shared(
            f"admit-{backend}", lookup=lambda: None, compute=lambda: "made", wait=1, admit=refuse
        )
    assert (
        singleflight.shared(f"admit-{backend}", lookup=lambda: None, compute=lambda: "made", wait=1)
        == "made"
    )
