"""An organiser in the event admin with JavaScript: only the chosen provider's fields, the
accent colour's contrast checked as it is picked, the embed snippet copied in one click.
And runners reading the organiser's texts and dates in their language."""

import pytest


@pytest.fixture
def organiser(browser, live_server, admin_client):
    """A page signed in to the admin (as admin_client is) at 1280×900, allowed the clipboard."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": admin_client.cookies["sessionid"].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    yield page
    # The embed preview on the event's page may still be loading from the live server.
    page.wait_for_load_state("networkidle")
    context.close()


def open_event(page, live_server, event):
    page.goto(f"{live_server.url}/admin/photos/event/{event.pk}/change/")


def test_only_the_chosen_providers_fields_show(organiser, live_server, event):
    open_event(organiser, live_server, event)
    ninepic = organiser.locator("fieldset.provider-ninepic")
    runsignup = organiser.locator("fieldset.provider-runsignup")
    assert ninepic.is_visible() and runsignup.is_hidden()
    organiser.select_option("#id_provider", "runsignup")
    assert ninepic.is_hidden() and runsignup.is_visible()
    assert organiser.get_by_label("RunSignUp race ID").is_visible()


def test_the_accents_contrast_is_checked_as_it_is_picked(organiser, live_server, event):
    open_event(organiser, live_server, event)
    check = organiser.locator(".contrast-check")
    assert check.inner_text() == "4.7:1 against the runner pages' background: readable."
    organiser.fill("#id_accent_colour", "#ffd60a")
    assert check.inner_text().startswith("Warning: only 1.2:1 against the runner pages'")
    assert "contrast-low" in check.get_attribute("class")
    organiser.fill("#id_accent_colour", "#0b5fff")
    assert check.inner_text().endswith("readable.")
    assert check.get_attribute("role") == "status"


def test_the_embed_snippet_is_copied_in_one_click(organiser, live_server, event):
    open_event(organiser, live_server, event)
    organiser.get_by_role("button", name="Copy snippet").click()
    organiser.get_by_text("Copied.").wait_for()
    copied = organiser.evaluate("navigator.clipboard.readText()")
    assert copied == organiser.input_value("#embed-snippet")
    assert copied.startswith(f'<div data-race-photos="{live_server.url}/embed/events/demo/">')


RUNNERS = {
    "de": ("de-DE", "Stadtmarathon", "Die Fotos sind da.", "28. November 2026"),
    "es": ("es-ES", "Maratón de la ciudad", "The photos are here.", "28 de noviembre de 2026"),
    "fr": ("fr-FR", "Demo City Marathon", "The photos are here.", "28 novembre 2026"),
}


@pytest.mark.parametrize("language", RUNNERS)
def test_runners_read_the_organisers_texts_and_dates_in_their_language(
    browser, live_server, event, language
):
    locale, name, intro, date = RUNNERS[language]
    event.date = "2026-11-28"
    event.intro = "The photos are here."
    event.translated_texts = {
        "de": {"name": "Stadtmarathon", "intro": "Die Fotos sind da."},
        "es": {"name": "Maratón de la ciudad"},
    }
    event.save()
    context = browser.new_context(locale=locale)
    page = context.new_page()
    page.goto(f"{live_server.url}/events/demo/")
    assert page.url.endswith(f"/{language}/events/demo/")
    assert page.locator(".event-name").inner_text() == name
    assert page.locator(".intro").inner_text() == intro
    assert page.locator(".event-meta time").inner_text() == date
    assert page.title().startswith(f"{name} · ")
    context.close()
