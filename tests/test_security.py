"""Headers every page sends, the deploy checklist, and the health check."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import DatabaseError

from photos.checks import PLACEHOLDER_SECRET_KEY, standins_off
from portal.settings.providers import _image_sources

ROOT = Path(__file__).resolve().parent.parent


def test_every_page_has_a_strict_policy(client, event):
    response = client.get("/en/events/demo/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def image_sources(response) -> list[str]:
    directives = dict(
        d.strip().split(" ", 1) for d in response["Content-Security-Policy"].split(";")
    )
    return directives["img-src"].split()


def test_pages_show_images_from_the_portal_and_the_providers_only(client, event):
    sources = image_sources(client.get("/en/events/demo/"))
    assert sources == [
        "'self'",
        "https://photos.9pic.ai:*",
        "https://*.s3.amazonaws.com:*",
        "http:",
    ]
    # (plain http: the demo's, for the stand-ins' images on whatever port serves them)


def test_an_events_logo_is_allowed_on_its_own_pages(client, event):
    event.logo_url = "https://Cdn.MyRace.org:8443/brand/logo.svg?v=2"
    event.save()
    assert "https://cdn.myrace.org:8443" in image_sources(client.get("/en/events/demo/"))
    assert "https://cdn.myrace.org:8443" not in image_sources(client.get("/en/"))


@pytest.mark.parametrize(
    ("patterns", "allow_http", "sources"),
    [
        (["photos.9pic.ai"], False, ["https://photos.9pic.ai:*"]),
        (
            ["*.cdn.9pic.ai", "x.test"],
            True,
            [
                "https://*.cdn.9pic.ai:*",
                "http://*.cdn.9pic.ai:*",
                "https://x.test:*",
                "http://x.test:*",
            ],
        ),
        (["photos-*.9pic.ai"], False, ["https:"]),
        (["photos.9pic.ai", "cdn?.9pic.ai"], True, ["https:", "http:"]),
    ],
)
def test_storage_and_preview_hosts_become_image_sources(patterns, allow_http, sources):
    assert _image_sources(patterns, allow_http) == sources


def test_pages_have_no_inline_scripts_or_styles(client, event):
    html = client.get("/en/events/demo/").content.decode()
    assert "<script>" not in html and "<style" not in html and " style=" not in html


def check_deploy(fail_level: str, **env: str) -> subprocess.CompletedProcess:
    """`manage.py check --deploy` with nothing from the test run's own environment: only what a
    production host would set, and `env`."""
    production = {
        "PATH": os.environ["PATH"],
        "ENV_FILE": os.devnull,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "False",
        "SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
        "NINEPIC_API_KEY": "production-key",
        "ALLOWED_HOSTS": "photos.example.org",
        # A database of its own, not a developer's db.sqlite3 full of demo events.
        "DATABASE_URL": "sqlite:///:memory:",
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", fail_level],
        cwd=ROOT,
        env={**production, **env},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    "email",
    [
        {},
        {
            "EMAIL_URL": "smtp+tls://mail.example.org:587",
            "PORTAL_URL": "https://photos.example.org",
        },
    ],
)
def test_deploy_checklist_is_clean_with_production_settings(email):
    result = check_deploy("WARNING", **email)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("env", "error"),
    [
        ({"NINEPIC_STANDIN": "True"}, "photos.E002"),
        ({"RUNSIGNUP_STANDIN": "True"}, "photos.E002"),
        ({"SECRET_KEY": PLACEHOLDER_SECRET_KEY}, "photos.E003"),
        ({"EMAIL_URL": "smtp://mail.example.org:587"}, "photos.E004"),
        (
            {"EMAIL_URL": "smtp://mail.example.org:587", "PORTAL_URL": "http://photos.example.org"},
            "photos.E004",
        ),
    ],
)
def test_deployment_checks_refuse_what_must_not_go_live(env, error):
    # At the level the release command uses (Procfile): such a deploy never goes live.
    result = check_deploy("ERROR", **env)
    assert result.returncode != 0
    assert error in result.stderr


def test_deployment_checks_let_a_developer_use_the_standins(settings):
    settings.DEBUG = True
    assert standins_off(None) == []
    settings.DEBUG = False
    assert [e.id for e in standins_off(None)] == ["photos.E002"]


def test_deployment_checks_know_the_placeholder_that_env_example_ships():
    example = (ROOT / ".env.example").read_text()
    assert f"\nSECRET_KEY={PLACEHOLDER_SECRET_KEY}\n" in example


def test_production_redirects_to_https_and_sends_hsts(client, settings, db):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    assert client.get("/").status_code == 301
    secure = client.get("/", secure=True)
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")
    assert client.get("/healthz").status_code == 200  # load balancers probe over http


def test_healthz(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_reports_a_database_outage(client, db, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise DatabaseError("gone")

    with monkeypatch.context() as patched:
        patched.setattr("portal.health.connection.cursor", broken_cursor)
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "database unavailable"}


@pytest.mark.parametrize("path", ["/en/events/demo/", "/en/events/demo/bib/1234/?page=abc"])
def test_runner_pages_set_no_cookies(client, event, path):
    assert not client.get(path).cookies


def test_deploy_check_names_the_missing_key_of_a_provider_in_use(settings, event, runsignup_event):
    from photos.checks import provider_settings

    settings.NINEPIC_API_KEY = ""
    settings.RUNSIGNUP_API_KEY = "k"
    [error] = provider_settings(None)
    assert error.id == "photos.E001" and error.msg.startswith("NINEPIC_API_KEY not set")
    # A deployment without published 9Pic events needs no 9Pic key.
    event.is_published = False
    event.save()
    assert provider_settings(None) == []
    settings.RUNSIGNUP_API_SECRET = ""
    assert "RUNSIGNUP_API_SECRET" in provider_settings(None)[0].msg
