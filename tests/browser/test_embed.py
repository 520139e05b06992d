"""The portal in a race website's iframe, on another origin, with third-party cookies blocked."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from photos.origins import parse_origin
from standins.ninepic import catalogue
from tests.browser.conftest import CHROMIUM, LAUNCH_ARGS
from tests.test_embedding import CANONICAL

BIB = catalogue.BIB_WITH_MANY_PHOTOS


class HostSite:
    """A race's website on 127.0.0.1: another origin (and site) than the portal on localhost."""

    def __init__(self):
        self.html = ""
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                body = site.html.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def page_with(self, body: str) -> str:
        self.html = f"<!doctype html><title>Demo City Marathon</title><h1>Race photos</h1>{body}"
        return f"{self.origin}/results"


@pytest.fixture
def host_site():
    site = HostSite()
    yield site
    site.server.shutdown()


@pytest.fixture
def blocking_browser(playwright, tmp_path, request):
    """Chromium set to block third-party cookies (a profile setting), as Safari and Firefox do;
    in English unless a test asks for another locale (indirect parametrization)."""
    (tmp_path / "Default").mkdir()
    (tmp_path / "Default" / "Preferences").write_text(
        json.dumps({"profile": {"cookie_controls_mode": 1, "block_third_party_cookies": True}})
    )
    context = playwright.chromium.launch_persistent_context(
        str(tmp_path),
        executable_path=CHROMIUM,
        headless=True,
        args=LAUNCH_ARGS,
        accept_downloads=True,
        viewport={"width": 1280, "height": 900},
        locale=getattr(request, "param", "en-US"),
    )
    yield context
    context.close()


def snippet(portal: str, slug: str = "demo", attributes: str = "") -> str:
    return (
        f'<div data-race-photos="{portal}/embed/events/{slug}/"{attributes}></div>'
        f'<script src="{portal}/static/photos/embed.js" async></script>'
    )


def frame_height(page) -> int:
    return page.evaluate(
        "Math.round(document.querySelector('iframe').getBoundingClientRect().height)"
    )


def test_the_runner_journey_inside_a_third_party_iframe(
    blocking_browser, live_standin, event, host_site, tmp_path
):
    event.embed_origins = host_site.origin
    event.save()
    page = blocking_browser.new_page()
    page.goto(host_site.page_with(snippet(live_standin.url)))
    frame = page.frame_locator("iframe")

    frame.get_by_label("BIB number").fill(BIB)
    frame.get_by_role("button", name="Find my photos", exact=True).click()
    page.wait_for_function(f"location.hash === '#photos=bib/{BIB}/'")
    inner = page.frames[1]
    assert inner.url == f"{live_standin.url}/en/embed/events/demo/bib/{BIB}/"

    # Third-party cookies really are blocked in this frame, and the journey still works.
    assert (
        inner.evaluate("document.cookie = 'probe=1; SameSite=None; Secure'; document.cookie") == ""
    )

    # The iframe is as tall as the gallery inside it: no inner scroll bar.
    content = inner.evaluate("Math.ceil(document.documentElement.getBoundingClientRect().height)")
    page.wait_for_function(
        f"Math.abs(document.querySelector('iframe').getBoundingClientRect().height - {content}) < 2"
    )
    assert frame_height(page) > 1000

    frame.get_by_role("link", name="Next page").click()
    page.wait_for_function(f"location.hash === '#photos=bib/{BIB}/?page=2'")

    card = frame.locator(".photo-card").first
    image_id = card.get_by_role("link", name="Download").get_attribute("href").split("/")[-2]
    with page.expect_download() as pending:
        card.get_by_role("link", name="Download").click()
    assert pending.value.suggested_filename == f"{image_id}.jpg"
    assert page.url.endswith(f"#photos=bib/{BIB}/?page=2")  # the frame did not navigate away

    # A narrower window makes the content taller; the frame follows.
    wide = frame_height(page)
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_function(
        f"document.querySelector('iframe').getBoundingClientRect().height > {wide}"
    )

    # The race page's own address reopens the gallery.
    page.reload()
    page.wait_for_function("document.querySelector('iframe') !== null")
    page.frame_locator("iframe").get_by_text("Page 2 of 2").wait_for()
    assert page.frames[1].url == f"{live_standin.url}/en/embed/events/demo/bib/{BIB}/?page=2"


@pytest.mark.parametrize("blocking_browser", ["de-DE"], indirect=True)
def test_the_frame_speaks_the_runners_language_and_switches_without_cookies(
    blocking_browser, live_standin, event, host_site
):
    event.embed_origins = host_site.origin
    event.save()
    page = blocking_browser.new_page()
    page.goto(host_site.page_with(snippet(live_standin.url)))
    frame = page.frame_locator("iframe")
    frame.get_by_label("Startnummer").fill(BIB)
    frame.get_by_role("button", name="Meine Fotos finden", exact=True).click()
    page.wait_for_function(f"location.hash === '#photos=bib/{BIB}/'")

    frame.get_by_role("navigation", name="Sprache").get_by_role("link", name="Français").click()
    frame.get_by_role("heading", name=f"47 photos pour le dossard {BIB}").wait_for()
    assert page.frames[1].url == f"{live_standin.url}/fr/embed/events/demo/bib/{BIB}/"
    assert page.frames[1].evaluate("document.cookie") == ""
    frame.get_by_role("link", name="Page suivante").click()
    page.wait_for_function(f"location.hash === '#photos=bib/{BIB}/?page=2'")
    frame.get_by_text("Page 2 sur 2").wait_for()


def test_the_race_site_may_choose_the_language(blocking_browser, live_standin, event, host_site):
    event.embed_origins = host_site.origin
    event.save()
    page = blocking_browser.new_page()
    page.goto(host_site.page_with(snippet(live_standin.url, attributes=' data-lang="es"')))
    page.frame_locator("iframe").get_by_label("Número de dorsal").wait_for()
    # A shared race-page address reopens the gallery in the site's language.
    shared = blocking_browser.new_page()
    shared.goto(f"{host_site.origin}/results#photos=bib/{BIB}/?page=2")
    shared.frame_locator("iframe").get_by_text("Página 2 de 2").wait_for()
    assert shared.frames[1].url == f"{live_standin.url}/es/embed/events/demo/bib/{BIB}/?page=2"


def refused(page, url: str) -> bool:
    page.goto(url)
    page.wait_for_timeout(1000)
    inner = page.frames[1]
    return inner.url.startswith("chrome-error://")


@pytest.mark.parametrize("path", ["/en/embed/events/demo/", "/en/events/demo/"])
def test_sites_not_listed_and_normal_pages_are_refused(
    browser, live_standin, event, host_site, path
):
    event.embed_origins = "https://www.somewhere-else.org"
    event.save()
    page = browser.new_page()
    url = host_site.page_with(f'<iframe src="{live_standin.url}{path}" title="Photos"></iframe>')
    assert refused(page, url)
    page.close()


def test_a_listed_site_may_use_a_plain_iframe(browser, live_standin, event, host_site):
    event.embed_origins = host_site.origin
    event.save()
    page = browser.new_page()
    url = host_site.page_with(
        f'<iframe src="{live_standin.url}/en/embed/events/demo/" title="Photos"></iframe>'
    )
    assert not refused(page, url)
    page.frame_locator("iframe").get_by_label("BIB number").wait_for()
    page.close()


def test_embed_origins_are_canonical_as_the_browser_reports_them(browser):
    """portal.js compares the listed origins with `event.origin` as plain strings: the form the
    portal saves and puts in frame-ancestors must be the browser's own."""
    page = browser.new_page()
    texts = [text for text, _ in CANONICAL]
    reported = page.evaluate("texts => texts.map(text => new URL(text).origin)", texts)
    page.close()
    assert reported == [parse_origin(text) for text in texts]
