"""Admin login throttling (django-axes): an address that keeps failing is locked out, counted the
way the rate limits count clients. Across instances: tests/cluster/test_cluster.py."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.test import RequestFactory
from django_ratelimit.core import _get_ip as rate_limit_key

from photos.signin import client_network

PASSWORD = "organiser-pass-4471"


@pytest.fixture
def organiser(db) -> User:
    return User.objects.create_superuser("organiser", "o@example.org", PASSWORD)


def sign_in(client, password: str, **headers: str):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": "organiser", "password": password, "next": "/admin/"},
        **headers,
    )


def fail_until_locked(client, **headers: str) -> list[int]:
    return [sign_in(client, "wrong", **headers).status_code for _ in range(5)]


def test_admin_login_throttling_locks_out_even_the_right_password(client, organiser):
    assert fail_until_locked(client) == [200, 200, 200, 200, 429]
    locked = sign_in(client, PASSWORD)
    assert locked.status_code == 429
    assert locked["Retry-After"] == "900"
    page = locked.content.decode()
    assert "<title>Too many failed sign-ins" in page
    assert "paused after 5 failed attempts" in page and "Wait 15 minutes" in page
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302  # to the login page


def test_admin_login_throttling_ends_after_a_quiet_cool_off(client, organiser):
    fail_until_locked(client)
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16)
    )
    assert sign_in(client, PASSWORD).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_admin_login_throttling_forgets_typos_once_signed_in(client, organiser):
    assert [sign_in(client, "wrong").status_code for _ in range(4)] == [200] * 4
    assert sign_in(client, PASSWORD).status_code == 302
    client.logout()
    assert [sign_in(client, "wrong").status_code for _ in range(4)] == [200] * 4
    assert sign_in(client, PASSWORD).status_code == 302


def test_admin_login_throttling_trusts_x_forwarded_for_only_as_far_as_the_proxies(
    client, organiser, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    # The attacker writes a new address (and browser) into each request; the proxy appends
    # the one it saw, and only that one counts.
    for n in range(5):
        sign_in(
            client,
            "wrong",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 198.51.100.7",
            HTTP_USER_AGENT=f"agent {n}",
        )
    assert sign_in(client, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 429
    # Another client behind the same proxy is not locked out.
    assert sign_in(client, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.8").status_code == 302


def test_admin_login_throttling_counts_ipv6_clients_per_64(client, organiser):
    for n in range(1, 6):
        sign_in(client, "wrong", REMOTE_ADDR=f"2001:db8:0:7::{n:x}")
    assert sign_in(client, PASSWORD, REMOTE_ADDR="2001:db8:0:7::99").status_code == 429
    assert sign_in(client, PASSWORD, REMOTE_ADDR="2001:db8:0:8::1").status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"2001:db8:0:7::"}


@pytest.mark.parametrize(
    ("remote", "forwarded"),
    [
        ("203.0.113.9", ""),
        ("::ffff:203.0.113.9", ""),
        ("2001:db8:0:7::42", ""),
        ("10.0.0.2", "198.51.100.1, 2001:db8:0:9::5"),
        ("10.0.0.2", "not an address"),
    ],
)
def test_admin_login_throttling_counts_clients_as_the_rate_limits_do(settings, remote, forwarded):
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().post(
        "/admin/login/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded
    )
    assert client_network(request) == rate_limit_key(request)
