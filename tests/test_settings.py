"""Production settings refuse to start without their secrets, with a clear message."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def start(**env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("NINEPIC", "SECRET", "DEBUG"))
    }
    return subprocess.run(
        [sys.executable, "-c", "import portal.settings"],
        cwd=ROOT,
        env={**clean, "ENV_FILE": os.devnull, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = start(DEBUG="False", NINEPIC_API_KEY="k")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_needs_no_key_of_a_provider_it_does_not_use():
    # A RunSignUp-only deployment has no 9Pic key; `check --deploy` says what is missing.
    assert start(DEBUG="False", SECRET_KEY="s").returncode == 0


def test_development_needs_neither():
    assert start(DEBUG="True").returncode == 0


def test_a_gallery_cache_near_the_link_life_is_refused():
    result = start(DEBUG="True", GALLERY_CACHE_SECONDS="3001")
    assert result.returncode != 0
    assert "comes within 10 minutes" in result.stderr
    assert start(DEBUG="True", GALLERY_CACHE_SECONDS="3000").returncode == 0


def test_every_setting_is_documented():
    source = "".join(p.read_text() for p in (ROOT / "portal" / "settings").glob("*.py"))
    names = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_]+)"', source))
    assert len(names) > 30
    example = (ROOT / ".env.example").read_text()
    docs = "".join(p.read_text() for p in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
    assert [n for n in sorted(names) if f"{n}=" not in example and n != "ENV_FILE"] == []
    assert [n for n in sorted(names) if f"`{n}`" not in docs] == []


def test_the_selfie_request_id_goes_in_the_form_or_the_query():
    result = start(DEBUG="True", NINEPIC_SELFIE_REQUEST_ID_IN="header")
    assert result.returncode != 0
    assert 'NINEPIC_SELFIE_REQUEST_ID_IN must be "form" or "query"' in result.stderr
    assert start(DEBUG="True", NINEPIC_SELFIE_REQUEST_ID_IN="query").returncode == 0


def test_a_stand_in_original_size_must_be_a_size():
    result = start(DEBUG="True", NINEPIC_STANDIN="True", NINEPIC_STANDIN_ORIGINAL_SIZE="huge")
    assert result.returncode != 0
    assert 'NINEPIC_STANDIN_ORIGINAL_SIZE must look like "6000x4000"' in result.stderr


def test_the_subscription_check_leaves_runners_most_of_the_upstream_budget():
    result = start(
        DEBUG="True", UPSTREAM_CALLS_PER_MINUTE_PER_EVENT="100", SUBSCRIPTION_CHECKS_PER_MINUTE="51"
    )
    assert result.returncode != 0
    assert "at most half of UPSTREAM_CALLS_PER_MINUTE_PER_EVENT (100)" in result.stderr
    assert start(DEBUG="True", SUBSCRIPTION_CHECKS_PER_MINUTE="0").returncode != 0
    ok = start(
        DEBUG="True", UPSTREAM_CALLS_PER_MINUTE_PER_EVENT="100", SUBSCRIPTION_CHECKS_PER_MINUTE="50"
    )
    assert ok.returncode == 0
    # With no budget, any pace of at least one a minute.
    ok = start(
        DEBUG="True", UPSTREAM_CALLS_PER_MINUTE_PER_EVENT="0", SUBSCRIPTION_CHECKS_PER_MINUTE="5000"
    )
    assert ok.returncode == 0


def test_a_client_share_must_be_a_part_of_the_budget():
    for share in ("0", "1.5", "-0.1"):
        result = start(DEBUG="True", UPSTREAM_CLIENT_SHARE=share)
        assert result.returncode != 0
        assert "UPSTREAM_CLIENT_SHARE must be above 0 and at most 1" in result.stderr
    assert start(DEBUG="True", UPSTREAM_CLIENT_SHARE="1").returncode == 0
