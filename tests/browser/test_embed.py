"""The portal in a race website's iframe, on another origin, with third-party cookies blocked."""

import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command

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


def test_a_site_not_listed_gets_a_link_to_the_search_instead_of_a_broken_frame(
    browser, live_standin, event, host_site
):
    event.embed_origins = host_site.origin.replace("127.0.0.1", "localhost")  # a near miss
    event.save()
    page = browser.new_page()
    page.goto(host_site.page_with(snippet(live_standin.url)))
    link = page.get_by_role("link", name="Find your race photos")
    link.wait_for(timeout=10_000)
    assert page.locator("iframe").count() == 0
    # The snippet's address names no language: nor does the link, so the runner's is chosen.
    assert link.get_attribute("href") == f"{live_standin.url}/events/demo/"
    assert link.get_attribute("target") == "_blank"
    with page.expect_popup() as opened:
        link.click()
    opened.value.get_by_label("BIB number").wait_for()
    page.close()


def test_the_link_reopens_the_runners_place_in_the_sites_language(
    browser, live_standin, event, host_site
):
    page = browser.new_page()  # the event lists no site at all
    page.goto(
        host_site.page_with(snippet(live_standin.url, attributes=' data-lang="fr"'))
        + f"#photos=bib/{BIB}/?page=2"
    )
    link = page.get_by_role("link", name="Trouvez vos photos de la course")
    link.wait_for(timeout=10_000)
    assert link.get_attribute("href") == f"{live_standin.url}/fr/events/demo/bib/{BIB}/?page=2"
    page.close()


def test_a_listed_site_keeps_its_frame(browser, live_standin, event, host_site):
    event.embed_origins = host_site.origin
    event.save()
    page = browser.new_page()
    page.goto(host_site.page_with(snippet(live_standin.url)))
    page.frame_locator("iframe").get_by_label("BIB number").wait_for()
    page.wait_for_timeout(4000)  # past the handshake's wait
    assert page.locator("iframe").count() == 1
    assert page.get_by_role("link", name="Find your race photos").count() == 0
    page.close()


def test_the_address_follows_the_photo_page_and_reopens_it(
    blocking_browser, live_standin, event, host_site
):
    event.embed_origins = host_site.origin
    event.save()
    photos = catalogue.photos_for_bib(catalogue.DEMO_EVENT_ID, BIB)
    page = blocking_browser.new_page()
    page.goto(host_site.page_with(snippet(live_standin.url)) + f"#photos=bib/{BIB}/?page=2")
    frame = page.frame_locator("iframe")
    frame.get_by_role("link", name=f"Photo 31 of {len(photos)}", exact=True).click()
    photo = f"bib/{BIB}/photos/{photos[30].image_id}/?page=2"
    page.wait_for_function(f"location.hash === '#photos={photo}'")
    frame.get_by_role("link", name="Next photo").click()
    following = f"bib/{BIB}/photos/{photos[31].image_id}/?page=2"
    page.wait_for_function(f"location.hash === '#photos={following}'")

    page.reload()
    page.frame_locator("iframe").get_by_role(
        "heading", name=f"Photo 32 of {len(photos)}"
    ).wait_for()
    assert page.frames[1].url == f"{live_standin.url}/en/embed/events/demo/{following}"
    # Back to all photos: the address names the gallery again.
    page.frame_locator("iframe").get_by_role("link", name=f"All {len(photos)} photos").click()
    page.wait_for_function(f"location.hash === '#photos=bib/{BIB}/?page=2'")


def test_the_demo_race_site_embeds_the_marathon_and_links_the_trail_run(
    browser, live_standin, live_runsignup, settings
):
    settings.PORTAL_URL = live_standin.url  # localhost: the race site is on 127.0.0.1
    call_command("seed_demo", stdout=io.StringIO())
    page = browser.new_page()
    page.goto(f"{live_standin.url}/_standin/race-site/")
    assert page.url.startswith("http://127.0.0.1:")
    marathon = page.frame_locator("iframe[title='Demo City Marathon photos']")
    marathon.get_by_label("BIB number").fill(BIB)
    marathon.get_by_role("button", name="Find my photos", exact=True).click()
    # (The race page's policy allows no evaluated script, wait_for_function's included.)
    page.wait_for_url(f"**/_standin/race-site/#photos=bib/{BIB}/")
    trail = page.get_by_role("link", name="Find your race photos")
    assert trail.get_attribute("href") == f"{live_standin.url}/events/demo-trail-run/"
    page.close()
