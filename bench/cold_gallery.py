"""`make bench`'s cold gallery: a runner's first look at a 47-photo BIB gallery (page 1 of 2),
and a second look, listed by 9Pic's search endpoints ("search") and by the fallback
(Download Originals with the portal's own previews, "originals"), against a stand-in serving
camera originals (6000x4000, about 12 MB each) with `--latency-ms` on every API answer.

For each: bytes the portal pulled from 9Pic's storage to show page 1 and all its previews,
the 9Pic API calls that took, and the time a real browser (Chromium driven by Playwright, a
phone's screen at 3x, no browser cache) needs until the page and every image on its first
screen have loaded.
"""

from __future__ import annotations

import time
from contextlib import contextmanager

import requests
from servers import EVENT_PATH, KEY, ROOT, Servers

BIB = "1234"  # 47 photos at the stand-in's demo event
CAMERA_ORIGINALS = {
    "NINEPIC_STANDIN_ORIGINAL_SIZE": "6000x4000",
    "NINEPIC_STANDIN_CAMERA_ORIGINALS": "True",
}
# Drawn once and kept across runs (a camera original takes the stand-in about 2 s to draw).
MEDIA = ROOT / "var" / "bench-standin-media"
LISTINGS = ("search", "originals")
CHROMIUM = "/usr/bin/chromium"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True}
ON_SCREEN = """[...document.images].filter((image) => {
  const box = image.getBoundingClientRect();
  return box.bottom > 0 && box.top < innerHeight && box.right > 0 && box.left < innerWidth;
})"""
# True once the document is parsed and every image on the first screen has arrived (an
# image that failed keeps it false: the measurement then times out rather than lie).
FIRST_SCREEN_LOADED = f"""() => document.readyState !== "loading"
  && {ON_SCREEN}.every((image) => image.complete && image.naturalWidth > 0)"""
# When that happened, from the browser's own timings (milliseconds since the navigation
# started): the later of DOMContentLoaded and the last first-screen image's arrival.
FIRST_SCREEN_MS = f"""() => Math.max(
  performance.getEntriesByType("navigation")[0].domContentLoadedEventEnd,
  ...{ON_SCREEN}.map((image) => performance.getEntriesByName(image.currentSrc)[0].responseEnd)
)"""
ALL_LOADED = "() => [...document.images].every((image) => image.complete && image.naturalWidth > 0)"


def portal_env(servers: Servers, listing: str) -> dict[str, str]:
    """A portal listing galleries one way, with previews of its own in a folder of its own
    (earlier scenarios made previews of the same photos). One worker process: its cache is
    the whole portal's, as Redis makes it across processes in production (without it, a
    second visit could land on a process that never saw the gallery)."""
    return {
        "WEB_CONCURRENCY": "1",
        "NINEPIC_GALLERY_LISTING": listing,
        "PREVIEW_DIR": str(servers.workdir / f"previews-{listing}"),
    }


def standin_stats(upstream: str) -> dict[str, int]:
    return requests.get(f"{upstream}/_standin/9pic/stats", timeout=10).json()


def used(before: dict[str, int], after: dict[str, int], name: str) -> int:
    return after.get(name, 0) - before.get(name, 0)


def draw_once(upstream: str, bib: str) -> None:
    """Have the stand-in draw the BIB's originals and previews before anything is timed:
    that is its work, not the portal's."""
    session = requests.Session()
    api = f"{upstream}/_standin/9pic/api/v1/ext/903/event/456"
    headers = {"X-API-Key": KEY}
    listed = session.get(f"{api}/bibs/{bib}", params={"page_size": 100}, headers=headers)
    for image in listed.json()["data"]["images"]:
        for url in (image["thumbnail_url"], image["img_url"]):
            session.get(url, timeout=60).raise_for_status()
    links = session.post(
        f"{api}/original-photos",
        params={"page_size": 60},
        json={"method": "bib", "identifier": bib},
        headers=headers,
        timeout=60,
    )
    for link in links.json()["data"]["presigned_urls"]:
        session.get(link["url"], timeout=120).raise_for_status()


@contextmanager
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            yield browser
        finally:
            browser.close()


def first_screen_ms(browser, url: str) -> float:
    """Milliseconds from navigation until the page is parsed and its first screen's images
    have arrived, in a new browser context (nothing cached); then every image of the page
    is loaded too, lazy ones included, as a runner scrolling through it would."""
    context = browser.new_context(**PHONE)
    try:
        page = context.new_page()
        page.goto(url, wait_until="commit", timeout=60_000)
        page.wait_for_function(FIRST_SCREEN_LOADED, timeout=120_000)
        elapsed = page.evaluate(FIRST_SCREEN_MS)
        page.evaluate("document.querySelectorAll('img').forEach((i) => { i.loading = 'eager'; })")
        page.wait_for_function(ALL_LOADED, timeout=300_000)
        return round(elapsed, 1)
    finally:
        context.close()


def measure(upstream: str, portal: str, browser, listing: str) -> dict:
    """Cold: the gallery's first visit; warm: the next one. The event's page is opened
    first, as on race day (what 9Pic has switched on for the event is then known), in the
    same browser (its first page is slow to open, whatever it shows)."""
    context = browser.new_context(**PHONE)
    context.new_page().goto(f"{portal}{EVENT_PATH}/", wait_until="load")
    context.close()
    url = f"{portal}{EVENT_PATH}/bib/{BIB}/"
    figures = {}
    for visit in ("cold", "warm"):
        before = standin_stats(upstream)
        millis = first_screen_ms(browser, url)
        after = standin_stats(upstream)
        figures |= {
            f"{listing}_{visit}_first_screen_ms": millis,
            f"{listing}_{visit}_storage_bytes": used(before, after, "storage_bytes"),
            f"{listing}_{visit}_api_calls": used(before, after, "api_calls"),
            f"{listing}_{visit}_bib_search_calls": used(before, after, "api_calls.bib-search"),
            f"{listing}_{visit}_original_photos_calls": used(
                before, after, "api_calls.original-photos"
            ),
            f"{listing}_{visit}_cdn_bytes": used(before, after, "cdn_bytes"),
        }
    return figures


def run(servers: Servers, *, latency_ms: int, smoke: bool) -> dict:
    """The figures of both listings, cold and warm, with the same stand-in."""
    originals = {} if smoke else CAMERA_ORIGINALS
    figures: dict = {"cold_gallery_originals": "drawn 3000x2000" if smoke else "camera 6000x4000"}
    with (
        servers.standin(latency_ms, NINEPIC_STANDIN_MEDIA_DIR=str(MEDIA), **originals) as (
            upstream,
            _,
        ),
        chromium() as browser,
    ):
        started = time.monotonic()
        draw_once(upstream, BIB)
        figures["cold_gallery_drawing_s"] = round(time.monotonic() - started, 1)
        figures["cold_gallery_original_bytes"] = original_size(upstream)
        for listing in LISTINGS:
            with servers.portal(
                f"portal-cold-{listing}", upstream, **portal_env(servers, listing)
            ) as (portal, _):
                figures |= measure(upstream, portal, browser, listing)
    return figures


def original_size(upstream: str) -> int:
    """The size of one of the BIB's originals, as storage sends it."""
    answer = requests.post(
        f"{upstream}/_standin/9pic/api/v1/ext/903/event/456/original-photos",
        params={"page_size": 1},
        json={"method": "bib", "identifier": BIB},
        headers={"X-API-Key": KEY},
        timeout=30,
    )
    link = answer.json()["data"]["presigned_urls"][0]["url"]
    return len(requests.get(link, timeout=60).content)


def rows(figures: dict) -> list[tuple[str, str, str]]:
    """The report's rows: each figure for both listings side by side."""
    mb = figures["cold_gallery_original_bytes"] / 1e6
    lines = [
        (
            f"Cold gallery, BIB {BIB} (47 photos), originals {mb:.1f} MB",
            "search listing | fallback",
            "",
        )
    ]
    for visit in ("cold", "warm"):
        s, o = (f"search_{visit}_", f"originals_{visit}_")
        lines += [
            (
                f"  {visit}: bytes pulled from storage for page 1 and its previews",
                f"{figures[s + 'storage_bytes'] / 1e6:.1f} MB | "
                f"{figures[o + 'storage_bytes'] / 1e6:.1f} MB",
                "0 (search)" if visit == "cold" else "",
            ),
            (
                f"  {visit}: 9Pic API calls for page 1 and its previews",
                f"{figures[s + 'api_calls']} | {figures[o + 'api_calls']}",
                "1 (search)" if visit == "cold" else "",
            ),
            (
                f"  {visit}: page and first-screen images loaded (browser)",
                f"{figures[s + 'first_screen_ms']:.0f} ms | "
                f"{figures[o + 'first_screen_ms']:.0f} ms",
                "< 1000 ms (search)" if visit == "cold" else "",
            ),
        ]
    return lines
