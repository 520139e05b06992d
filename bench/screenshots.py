"""`make screenshots`: the README's pictures of the search page, a gallery and a photo page,
on a phone (390x844) and a desktop (1280x900), as runners first see them (docs/screenshots/).

The portal runs as deployed (gunicorn, DEBUG off) against the 9Pic stand-in, on loopback;
Debian's Chromium, driven by Playwright, waits until every image on the screen has arrived.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import requests
from playwright.sync_api import sync_playwright
from servers import EVENT_PATH, ROOT, Servers

CHROMIUM = "/usr/bin/chromium"
OUT = ROOT / "docs" / "screenshots"
SCREENS = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1280, "height": 900}},
}
IMAGES_ARRIVED = "() => [...document.images].every((image) => image.complete)"


def pages(portal: str) -> dict[str, str]:
    gallery = f"{portal}{EVENT_PATH}/bib/1234/"
    photo = re.findall(r'href="([^"]+/photos/[^"/]+/)"', requests.get(gallery, timeout=30).text)
    return {"search": f"{portal}{EVENT_PATH}/", "gallery": gallery, "photo": portal + photo[1]}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        servers = Servers(Path(tmp))
        with (
            servers.standin(0) as (upstream, _),
            servers.portal("portal", upstream) as (portal, _),
            sync_playwright() as playwright,
        ):
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            for screen, options in SCREENS.items():
                context = browser.new_context(**options, locale="en-US")
                page = context.new_page()
                for name, url in pages(portal).items():
                    page.goto(url, wait_until="networkidle")
                    page.wait_for_function(IMAGES_ARRIVED)
                    path = OUT / f"{name}-{screen}.png"
                    page.screenshot(path=path)
                    print(path.relative_to(ROOT))
                context.close()
            browser.close()


if __name__ == "__main__":
    main()
