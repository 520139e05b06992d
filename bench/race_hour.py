"""`make bench`'s race hour: 10,000 runners over an hour compressed into `seconds`, arriving
evenly whatever the portal's pace (an open loop). Each opens the gallery of a BIB of their
own and loads its images, opens its first photo's page and loads its large image, and
downloads two originals. The portal runs with the shipped gunicorn settings, listing
galleries by 9Pic's search endpoints ("search"), then by the fallback ("originals":
Download Originals with the portal's own previews), one after the other against the same
stand-in (its default originals, about 1 MB: twenty thousand camera originals would be
220 GB).

Per listing: the portal's CPU seconds, the bytes it pulled from 9Pic's storage (for
downloads, and the rest: previews), its calls to 9Pic's API, page and download latencies
(p50 / p95) and errors (statuses from 400, failed connections).
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import requests
from cold_gallery import LISTINGS, MEDIA, portal_env, standin_stats, used
from requests.adapters import HTTPAdapter
from servers import EVENT_PATH, KEY, ROOT, Servers, children
from urllib3.util import Retry

sys.path.insert(0, str(ROOT))
from standins.ninepic.catalogue import FIELD_BIBS, photos_for_bib  # noqa: E402

RUNNERS = 10_000
# How many runners' browsers may be busy at once; later ones wait (and are counted late).
BROWSERS = 64
IMAGE_SRC = re.compile(r'<img src="([^"]+)"')


@dataclass
class Outcomes:
    """What the runners saw: latencies (ms) by kind of request, failures, bytes."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)  # "page 502", "download ReadTimeout"
    downloaded: int = 0
    late_runners: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, millis: float, failure: str = "", size: int = 0) -> None:
        with self.lock:
            self.latencies.setdefault(kind, []).append(millis)
            if failure:
                self.errors[f"{kind} {failure}"] += 1
            if kind == "download":
                self.downloaded += size


class Runner:
    """One runner's visit, with a browser's connection reuse (a session per thread)."""

    _local = threading.local()

    def __init__(self, portal: str, outcomes: Outcomes):
        self.portal = portal
        self.outcomes = outcomes

    @property
    def session(self) -> requests.Session:
        if not hasattr(self._local, "session"):
            session = self._local.session = requests.Session()
            # As browsers do: a request on a kept-alive connection the server has just
            # closed is sent again, once, on a new one.
            retry_once = HTTPAdapter(max_retries=Retry(total=1, status=0, backoff_factor=0))
            session.mount("http://", retry_once)
        return self._local.session

    def get(self, kind: str, url: str) -> str:
        """Fetch `url` whole; its text if it is a page. A failure is counted, not raised."""
        start = time.perf_counter()
        text, failure, size = "", "", 0
        try:
            with self.session.get(url, stream=True, timeout=60) as response:
                if response.status_code >= 400:
                    failure = str(response.status_code)
                elif kind == "page":
                    text = response.text
                else:
                    size = sum(len(chunk) for chunk in response.iter_content(256 * 1024))
        except requests.RequestException as error:
            failure = type(error).__name__
        self.outcomes.add(kind, (time.perf_counter() - start) * 1000, failure, size)
        return text

    def visit(self, bib: int) -> None:
        gallery = self.get("page", f"{self.portal}{EVENT_PATH}/bib/{bib}/")
        if not gallery:
            return  # counted as a failed page
        self.load_images(gallery)
        page = re.search(rf'href="([^"]*/bib/{bib}/photos/[^"]+/)"', gallery)
        if not page:
            self.outcomes.add("page", 0, failure="without photos")
            return
        self.load_images(self.get("page", self.portal + page[1]))
        for link in re.findall(r'href="([^"]+/download)"', gallery)[:2]:
            self.get("download", self.portal + link)

    def load_images(self, html: str) -> None:
        for src in IMAGE_SRC.findall(html):
            on_portal = src.startswith("/")
            kind = "portal image" if on_portal else "9Pic image"
            self.get(kind, (self.portal if on_portal else "") + src.replace("&amp;", "&"))


def simulate(portal: str, runners: int, seconds: float) -> tuple[Outcomes, float]:
    """Runner n starts at n * seconds / runners (or as soon as a browser is free)."""
    outcomes = Outcomes()
    runner = Runner(portal, outcomes)
    start = time.monotonic()

    def visit(number: int) -> None:
        if time.monotonic() - (start + number * seconds / runners) > 1:
            with outcomes.lock:
                outcomes.late_runners += 1
        runner.visit(FIELD_BIBS[number % len(FIELD_BIBS)])

    with ThreadPoolExecutor(BROWSERS) as browsers:
        visits = []
        for number in range(runners):
            time.sleep(max(0.0, start + number * seconds / runners - time.monotonic()))
            visits.append(browsers.submit(visit, number))
        for done in visits:
            done.result()  # a mistake here, not the portal's: let it show
    return outcomes, time.monotonic() - start


def cpu_seconds(master: int) -> float:
    """CPU time of a gunicorn master and its workers, those recycled included."""
    tick = os.sysconf("SC_CLK_TCK")

    def times(pid: int, fields: slice) -> int:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # a worker that has just exited: counted in its master's
            return 0
        return sum(int(value) for value in stat[fields])

    # After the command: state, ppid, …; utime, stime, cutime, cstime are the 12th to 15th.
    workers = sum(times(worker, slice(11, 13)) for worker in children(master))
    return (times(master, slice(11, 15)) + workers) / tick


def draw_first(upstream: str, runners: int) -> None:
    """Have the stand-in draw the runners' photos (originals, previews) before the hour
    starts: that is its work, not the portal's (and kept across runs)."""
    session = requests.Session()
    ids = sorted(
        {
            photo.image_id
            for number in range(min(runners, len(FIELD_BIBS)))
            for photo in photos_for_bib(456, str(FIELD_BIBS[number]))
        }
    )
    for start in range(0, len(ids), 60):
        links = session.post(
            f"{upstream}/_standin/9pic/api/v1/ext/903/event/456/original-photos",
            json={"method": "image_ids", "identifier": ids[start : start + 60]},
            params={"page_size": 60},
            headers={"X-API-Key": KEY},
            timeout=60,
        )
        for link in links.json()["data"]["presigned_urls"]:
            session.get(link["url"], timeout=60).raise_for_status()
    for image_id in ids:
        for size in ("small", "large"):
            preview = f"{upstream}/_standin/9pic/cdn/imgs/456/{size}/{image_id}.jpg"
            session.get(preview, timeout=60).raise_for_status()


def percentile(samples: list[float], at: int) -> float:
    if len(samples) < 2:
        return round(samples[0], 1) if samples else 0.0
    return round(statistics.quantiles(samples, n=100, method="inclusive")[at - 1], 1)


def run(servers: Servers, *, runners: int, seconds: float, latency_ms: int) -> dict:
    """Both listings' figures, with the same stand-in."""
    figures: dict = {"race_runners": runners, "race_seconds": seconds}
    with servers.standin(latency_ms, NINEPIC_STANDIN_MEDIA_DIR=str(MEDIA)) as (upstream, _):
        draw_first(upstream, runners)
        for listing in LISTINGS:
            env = {**portal_env(servers, listing), "WEB_CONCURRENCY": str(os.cpu_count() or 2)}
            with servers.portal(f"portal-race-{listing}", upstream, **env) as (portal, master):
                requests.get(f"{portal}{EVENT_PATH}/", timeout=30).raise_for_status()
                before, cpu = standin_stats(upstream), cpu_seconds(master)
                outcomes, took = simulate(portal, runners, seconds)
                after, cpu = standin_stats(upstream), cpu_seconds(master) - cpu
            figures |= summary(listing, outcomes, took, cpu, before, after)
    return figures


def summary(
    listing: str, outcomes: Outcomes, took: float, cpu: float, before: dict, after: dict
) -> dict:
    pulled = used(before, after, "storage_bytes")
    pages, downloads = outcomes.latencies["page"], outcomes.latencies.get("download", [])
    return {
        f"race_{listing}_seconds": round(took, 1),
        f"race_{listing}_portal_cpu_s": round(cpu, 1),
        f"race_{listing}_storage_bytes": pulled,
        f"race_{listing}_storage_bytes_not_downloads": pulled - outcomes.downloaded,
        f"race_{listing}_api_calls": used(before, after, "api_calls"),
        f"race_{listing}_page_p50_ms": percentile(pages, 50),
        f"race_{listing}_page_p95_ms": percentile(pages, 95),
        f"race_{listing}_download_p50_ms": percentile(downloads, 50),
        f"race_{listing}_download_p95_ms": percentile(downloads, 95),
        f"race_{listing}_requests": sum(len(v) for v in outcomes.latencies.values()),
        f"race_{listing}_errors": sum(outcomes.errors.values()),
        f"race_{listing}_errors_by_kind": dict(outcomes.errors),
        f"race_{listing}_late_runners": outcomes.late_runners,
    }


def rows(figures: dict) -> list[tuple[str, str, str]]:
    """The report's rows: each figure for both listings side by side."""

    def both(show: Callable[[str], str]) -> str:
        return " | ".join(show(f"race_{listing}_") for listing in LISTINGS)

    def gigabytes(name: str) -> str:
        return both(lambda at: f"{figures[at + name] / 1e9:.2f} GB")

    def plain(*names: str) -> str:
        return both(lambda at: " / ".join(str(figures[at + name]) for name in names))

    return [
        (
            f"Race hour: {figures['race_runners']:,} runners in {figures['race_seconds']:g} s",
            "search listing | fallback",
            "",
        ),
        ("  took (s)", plain("seconds"), ""),
        ("  portal CPU seconds", plain("portal_cpu_s"), ""),
        (
            "  pulled from storage, downloads aside",
            gigabytes("storage_bytes_not_downloads"),
            "0 (search)",
        ),
        ("  pulled from storage, all", gigabytes("storage_bytes"), ""),
        ("  calls to 9Pic's API", plain("api_calls"), ""),
        ("  pages p50 / p95 (ms)", plain("page_p50_ms", "page_p95_ms"), ""),
        ("  downloads p50 / p95 (ms)", plain("download_p50_ms", "download_p95_ms"), ""),
        ("  requests / errors", plain("requests", "errors"), "0 errors"),
        (
            "  errors by kind",
            both(
                lambda at: (
                    ", ".join(f"{k}: {n}" for k, n in figures[at + "errors_by_kind"].items())
                    or "none"
                )
            ),
            "",
        ),
        ("  runners started over 1 s late", plain("late_runners"), ""),
    ]
