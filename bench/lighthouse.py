"""`make lighthouse`: Lighthouse's four scores (performance, accessibility, best practices,
SEO) for the search page, a gallery and a photo page, at its mobile and desktop presets.

The portal runs as deployed (gunicorn, DEBUG off, whitenoise's compressed static files)
against the 9Pic stand-in in another process, on loopback; Lighthouse (pinned in
bench/lighthouse/package.json, `npm ci`) drives Debian's Chromium (CHROME_PATH). Each page
and preset is measured RUNS times and the median of each score kept, as Lighthouse's own
docs advise: on a shared machine one run's CPU time varies. Prints a table, keeps each run's
full report in bench-results/lighthouse/, and exits 1 when a median is below MIN_SCORE.
About five minutes.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import requests
from servers import EVENT_PATH, ROOT, Servers

LIGHTHOUSE = Path(__file__).resolve().parent / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
PRESETS = ("mobile", "desktop")
MIN_SCORE = 95
RUNS = 3
# A run's wall-clock bound: Lighthouse itself gives a page 45 s to load.
RUN_SECONDS = 180
REPORTS = ROOT / "bench-results" / "lighthouse"


def pages(portal: str) -> dict[str, str]:
    gallery = f"{portal}{EVENT_PATH}/bib/1234/"
    photo = re.search(r'href="([^"]+/photos/[^"/]+/)"', requests.get(gallery, timeout=30).text)
    if photo is None:
        raise RuntimeError(f"no photo link in {gallery}")
    return {
        "search page": f"{portal}{EVENT_PATH}/",
        "gallery": gallery,
        "photo page": portal + photo[1],
    }


def scores(url: str, preset: str, report: Path) -> dict[str, int]:
    command = [
        str(LIGHTHOUSE),
        url,
        "--output=json",
        f"--output-path={report}",
        f"--only-categories={','.join(CATEGORIES)}",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
    ]
    if preset == "desktop":
        command.append("--preset=desktop")
    # Chromium now and then fails to start, or Lighthouse to record the trace (NO_NAVSTART,
    # seen twice in a row on 2026-11-29): up to three tries.
    for attempt in (1, 2, 3):
        run = subprocess.run(
            command,
            timeout=RUN_SECONDS,
            env={**os.environ, "CHROME_PATH": CHROMIUM},
            capture_output=True,
            text=True,
        )
        if run.returncode == 0:
            break
        if attempt == 3:
            raise RuntimeError(f"Lighthouse failed on {url} ({preset}):\n{run.stderr[-2000:]}")
    categories = json.loads(report.read_text())["categories"]
    return {name: round(categories[name]["score"] * 100) for name in CATEGORIES}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        servers = Servers(workdir)
        REPORTS.mkdir(parents=True, exist_ok=True)
        low = []
        print(f"{'page':<12} {'preset':<8} " + " ".join(f"{c:>14}" for c in CATEGORIES))
        with servers.standin(0) as (upstream, _), servers.portal("portal", upstream) as (portal, _):
            for page, url in pages(portal).items():
                for preset in PRESETS:
                    runs = [
                        scores(url, preset, REPORTS / f"{page.replace(' ', '-')}-{preset}-{n}.json")
                        for n in range(1, RUNS + 1)
                    ]
                    found = {c: round(statistics.median(r[c] for r in runs)) for c in CATEGORIES}
                    print(
                        f"{page:<12} {preset:<8} " + " ".join(f"{found[c]:>14}" for c in CATEGORIES)
                    )
                    low += [
                        f"{page} ({preset}): {c} {s}" for c, s in found.items() if s < MIN_SCORE
                    ]
        if low:
            print(f"Below {MIN_SCORE}: " + "; ".join(low))
            sys.exit(1)


if __name__ == "__main__":
    main()
