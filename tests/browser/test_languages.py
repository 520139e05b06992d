"""Runners whose browsers speak German, Spanish or French: search, read, share, switch."""

import pytest

from standins.ninepic import catalogue

BIB = catalogue.BIB_WITH_MANY_PHOTOS

RUNNERS = {
    # language: browser locale, BIB field, search button, heading, share, status, switcher
    "de": (
        "de-DE",
        "Startnummer",
        "Meine Fotos finden",
        f"47 Fotos für Startnummer {BIB}",
        "Teilen",
        "Link kopiert",
        "Sprache",
    ),
    "es": (
        "es-ES",
        "Número de dorsal",
        "Buscar mis fotos",
        f"47 fotos del dorsal {BIB}",
        "Compartir",
        "Enlace copiado",
        "Idioma",
    ),
    "fr": (
        "fr-FR",
        "Numéro de dossard",
        "Trouver mes photos",
        f"47 photos pour le dossard {BIB}",
        "Partager",
        "Lien copié",
        "Langue",
    ),
}


@pytest.mark.parametrize("language", RUNNERS)
def test_a_runner_reads_their_browsers_language_and_can_switch(
    browser, live_standin, event, language
):
    locale, field, search, heading, share, copied, languages = RUNNERS[language]
    context = browser.new_context(locale=locale, permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(f"{live_standin.url}/events/demo/")  # an old, unprefixed link
    assert page.url == f"{live_standin.url}/{language}/events/demo/"
    assert page.evaluate("document.documentElement.lang") == language

    page.get_by_label(field).fill(BIB)
    page.get_by_role("button", name=search, exact=True).click()
    assert " ".join(page.get_by_role("heading", level=1).inner_text().split()) == heading

    # portal.js speaks it too (Django's JavaScript catalog).
    page.get_by_role("button", name=share).click()
    page.get_by_role("status").filter(has_text=copied).wait_for()

    # The switcher, from the keyboard: the same gallery in English.
    switcher = page.get_by_role("navigation", name=languages)
    assert switcher.locator("[aria-current=true]").get_attribute("lang") == language
    english = switcher.get_by_role("link", name="English")
    assert english.get_attribute("hreflang") == "en"
    english.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_standin.url}/en/events/demo/bib/{BIB}/")
    assert page.get_by_role("heading", level=1).inner_text().split()[:2] == ["47", "photos"]
    context.close()
