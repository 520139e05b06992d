"""The committed catalogs: complete, compiled, and in step with the code's texts."""

import gettext
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

MSGFMT = shutil.which("msgfmt") or "/usr/bin/msgfmt"  # Debian's gettext (make test installs it)
ROOT = Path(settings.BASE_DIR)
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
CATALOGS = [
    Path(language, "LC_MESSAGES", f"{domain}.po")
    for language in LANGUAGES
    for domain in ("django", "djangojs")
]
# What `make messages` leaves out of the scan.
NOT_SCANNED = {"locale", "tests", "bench", "staticfiles", "var"}


def statistics(po: Path) -> str:
    """msgfmt's count of translated, fuzzy and untranslated messages; fails on bad formats."""
    done = subprocess.run(
        [MSGFMT, "--check-format", "--statistics", "-o", "/dev/null", str(po)],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stderr.strip()


@pytest.mark.parametrize("catalog", CATALOGS, ids=str)
def test_every_message_is_translated(catalog):
    counts = statistics(ROOT / "locale" / catalog)
    assert re.fullmatch(r"\d+ translated messages?\.", counts), counts


@pytest.mark.parametrize("catalog", CATALOGS, ids=str)
def test_the_committed_mo_is_compiled_from_the_po(catalog, tmp_path):
    po = ROOT / "locale" / catalog
    subprocess.run([MSGFMT, "-o", str(tmp_path / "fresh.mo"), str(po)], check=True)

    def messages(mo: Path) -> dict:
        with mo.open("rb") as file:
            return gettext.GNUTranslations(file)._catalog

    assert messages(po.with_suffix(".mo")) == messages(tmp_path / "fresh.mo"), (
        "the .mo is stale: run `make messages`"
    )


def test_the_catalogs_hold_exactly_the_codes_texts(tmp_path, monkeypatch, settings):
    """`make messages` on a copy of the catalogs would change nothing: no text in the code is
    missing from them, and none of theirs is gone from the code."""
    for entry in ROOT.iterdir():
        if entry.name not in NOT_SCANNED and not entry.name.startswith("."):
            (tmp_path / entry.name).symlink_to(entry)
    shutil.copytree(ROOT / "locale", tmp_path / "locale")
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(tmp_path)
    for domain in ("django", "djangojs"):
        call_command(
            "makemessages", locale=LANGUAGES, domain=domain, symlinks=True, no_obsolete=True,
            verbosity=0,
        )  # fmt: skip

    for catalog in CATALOGS:
        merged, committed = tmp_path / "locale" / catalog, ROOT / "locale" / catalog
        assert statistics(merged) == statistics(committed), (
            f"{catalog} is not in step with the code: run `make messages` and translate"
        )
