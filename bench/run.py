"""`make bench`: the portal under gunicorn against the 9Pic stand-in, on loopback, measured.

Prints a table (and writes JSON) of: the portal's added latency over the bare upstream
call, cached gallery throughput at 1/10/50 clients, throughput against a 300 ms upstream
for the shipped gunicorn settings and for plain sync workers, preview cost and page
weight, a worker's memory growth while it streams a 50 MB original, BIB search
latency on a RunSignUp event's photo index of 100,000 photos, a cold 9Pic gallery through a
real browser (bench/cold_gallery.py) and a race hour of 10,000 runners (bench/race_hour.py),
each listed by 9Pic's search endpoints and by the fallback, side by side.

Load comes from wrk (Debian package), so the load generator costs little of the two
cores it shares with the servers. Every server is started here and stopped on exit.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urljoin

import cold_gallery
import race_hour
import requests
from servers import EVENT_PATH, KEY, ROOT, Servers, children

API_PATH = "/_standin/9pic/api/v1/ext/903/event/456"
FIELD_BIB = 10000  # bibs from here on each have three photos in the stand-in
UNIQUE_BIBS_LUA = """
counter = 0
setup = function(thread) thread:set("offset", math.random(0, 9999)) end
request = function()
  counter = counter + 1
  local bib = 10000 + (offset + counter) % 10000
  return wrk.format("GET", "/en/events/demo-city-marathon/bib/" .. bib .. "/")
end
"""

TARGETS = {
    "added_latency_cached_p50_ms": ("<", 5),
    "added_latency_uncached_p50_ms": ("<", 15),
    "cached_pages_per_s_50": (">=", 300),
    "ideal_fraction_shipped": (">=", 0.8),
    "preview_ms": ("<", 80),
    "preview_bytes": ("<", 60_000),
    "first_screen_bytes": ("<", 1_000_000),
    "download_memory_growth_mb": ("<", 20),
    "runsignup_query_p95_ms": ("<", 10),
    "runsignup_page_p50_ms": ("<", 25),
    "search_cold_storage_bytes": ("<", 1),
    "search_cold_api_calls": ("<", 2),
    "search_cold_first_screen_ms": ("<", 1000),
    "race_search_storage_bytes_not_downloads": ("<", 1),
    "race_search_errors": ("<", 1),
}
RUNSIGNUP_EVENT_PATH = "/en/events/demo-trail-run"


class Bench(Servers):
    def __init__(self, workdir: Path, smoke: bool):
        super().__init__(workdir)
        self.samples = 30 if smoke else 300
        self.seconds = 1 if smoke else 10
        self.index_photos = 5_000 if smoke else 100_000

    # --- Measurements -----------------------------------------------------------------

    def added_latency(self, latency_ms: int) -> dict:
        with (
            self.standin(latency_ms) as (upstream, _),
            self.portal("portal", upstream) as (portal, _),
        ):
            session = requests.Session()
            bibs = iter(range(FIELD_BIB, FIELD_BIB + 10_000))

            def bare() -> None:
                # The call an uncached gallery page makes: a page of BIB Search.
                session.get(
                    f"{upstream}{API_PATH}/bibs/{next(bibs)}",
                    params={"page": 1, "page_size": 30},
                    headers={"X-API-Key": KEY},
                    timeout=30,
                ).raise_for_status()

            def uncached() -> None:
                session.get(
                    f"{portal}{EVENT_PATH}/bib/{next(bibs)}/", timeout=30
                ).raise_for_status()

            cached_url = f"{portal}{EVENT_PATH}/bib/1234/"

            def cached() -> None:
                session.get(cached_url, timeout=30).raise_for_status()

            def round_trip() -> None:
                # What any answer from this gunicorn costs the client: a static file.
                session.get(f"{portal}/static/photos/favicon.svg", timeout=30).raise_for_status()

            for _ in range(20):  # every worker process has the page cached
                cached()
            bare_ms, uncached_ms, cached_ms, round_trip_ms = (
                timings(step, self.samples) for step in (bare, uncached, cached, round_trip)
            )
        return {
            "upstream_latency_ms": latency_ms,
            "bare_upstream_p50_ms": p(bare_ms, 50),
            "bare_upstream_p95_ms": p(bare_ms, 95),
            "added_latency_uncached_p50_ms": round(p(uncached_ms, 50) - p(bare_ms, 50), 2),
            "added_latency_uncached_p95_ms": round(p(uncached_ms, 95) - p(bare_ms, 95), 2),
            # A cached page makes no upstream call: what it adds is its time beyond a
            # plain round trip to the same server.
            "round_trip_p50_ms": p(round_trip_ms, 50),
            "added_latency_cached_p50_ms": round(p(cached_ms, 50) - p(round_trip_ms, 50), 2),
            "added_latency_cached_p95_ms": round(p(cached_ms, 95) - p(round_trip_ms, 95), 2),
        }

    def cached_throughput(self) -> dict:
        figures = {}
        with self.standin(0) as (upstream, _), self.portal("portal", upstream) as (portal, _):
            url = f"{portal}{EVENT_PATH}/bib/1234/"
            for _ in range(20):
                requests.get(url, timeout=30).raise_for_status()
            for clients in (1, 10, 50):
                result = wrk(url, clients=clients, seconds=self.seconds)
                figures[f"cached_pages_per_s_{clients}"] = result["rps"]
                figures[f"cached_errors_{clients}"] = result["errors"]
        return figures

    def slow_upstream(self) -> dict:
        ideal = 50 / 0.3
        figures = {"ideal_pages_per_s": round(ideal, 1)}
        script = self.workdir / "unique-bibs.lua"
        script.write_text(UNIQUE_BIBS_LUA)
        with self.standin(300) as (upstream, _):
            # gunicorn turns sync workers with threads into gthread: say threads=1 too.
            plain_sync = ["--worker-class", "sync", "--threads", "1"]
            for variant, args in (("shipped", []), ("sync", plain_sync)):
                with self.portal(f"portal-{variant}", upstream, *args) as (portal, _):
                    result = wrk(
                        f"{portal}/", clients=50, seconds=max(self.seconds, 3), script=script
                    )
                figures[f"pages_per_s_{variant}"] = result["rps"]
                figures[f"ideal_fraction_{variant}"] = round(result["rps"] / ideal, 3)
                figures[f"errors_{variant}"] = result["errors"]
        return figures

    def previews_and_weight(self) -> dict:
        original = demo_original(6000, 4000)
        preview_ms, preview = self.render_preview(original)
        with self.standin(0) as (upstream, _), self.portal("portal", upstream) as (portal, _):
            session = requests.Session()
            session.headers["Accept-Encoding"] = "gzip, br"
            page = session.get(f"{portal}{EVENT_PATH}/bib/1234/", timeout=30)
            html = page.text
            assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
            page_bytes = wire_bytes(page) + sum(
                wire_bytes(session.get(portal + a, timeout=30)) for a in set(assets)
            )
            # 9Pic's previews (on the stand-in's CDN), or the portal's on the fallback.
            previews = re.findall(r'<img src="([^"]+)"', html)
            preview_sizes = [
                wire_bytes(session.get(urljoin(portal, u.replace("&amp;", "&")), timeout=60))
                for u in previews
            ]
        return {
            "original_bytes": len(original),
            "preview_ms": preview_ms,
            "preview_bytes": len(preview),
            "page_bytes_compressed": page_bytes,
            "photos_on_page": len(previews),
            "first_screen_bytes": page_bytes + sum(preview_sizes[:6]),
            "full_page_bytes": page_bytes + sum(preview_sizes),
        }

    def render_preview(self, original: bytes) -> tuple[float, bytes]:
        code = (
            "import sys, time, statistics, django\n"
            "django.setup()\n"
            "from photos.providers.ninepic.previews import SIZES, render\n"
            "data = sys.stdin.buffer.read()\n"
            "runs = []\n"
            "for _ in range(5):\n"
            "    start = time.perf_counter(); out = render([data], SIZES['small'])\n"
            "    runs.append((time.perf_counter() - start) * 1000)\n"
            "sys.stdout.buffer.write(f'{statistics.median(runs):.1f}\\n'.encode() + out)\n"
        )
        result = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env={**self.env, "DJANGO_SETTINGS_MODULE": "portal.settings"},
            input=original,
            capture_output=True,
            check=True,
        )
        millis, _, preview = result.stdout.partition(b"\n")
        return float(millis), preview

    def download_memory(self) -> dict:
        media = self.workdir / "originals" / "456"
        media.mkdir(parents=True, exist_ok=True)
        # The stand-in serves whatever file it finds for a photo: make photo 0 weigh 50 MB.
        big_photo_id = photo_id(0)
        (media / f"{big_photo_id}.jpg").write_bytes(b"\xff\xd8\xff\xe0" + os.urandom(50 * 2**20))
        with (
            self.standin(0) as (upstream, _),
            self.portal("portal-memory", upstream, WEB_CONCURRENCY="1") as (portal, master),
        ):
            worker = children(master)[0]
            session = requests.Session()
            # Warm the worker up with an ordinary download first.
            warm_up = session.get(f"{portal}{EVENT_PATH}/photos/{photo_id(1)}/download", timeout=60)
            warm_up.raise_for_status()
            before = memory_kb(worker, "VmRSS")
            received = 0
            with session.get(
                f"{portal}{EVENT_PATH}/photos/{big_photo_id}/download", stream=True, timeout=120
            ) as response:
                for chunk in response.iter_content(256 * 1024):
                    received += len(chunk)
            peak = memory_kb(worker, "VmHWM")
        return {
            "download_bytes": received,
            "download_memory_growth_mb": round(max(0, peak - before) / 1024, 1),
        }

    def runsignup_search(self) -> dict:
        """BIB searches of a RunSignUp event, read from an index of `index_photos` photos:
        the selector's query alone, and the whole gallery page over HTTP (a different BIB
        each time; these pages are never cached)."""
        filled = subprocess.run(
            [
                sys.executable,
                "bench/runsignup_index.py",
                "--photos",
                str(self.index_photos),
                "--samples",
                str(self.samples),
            ],
            cwd=ROOT,
            env={**self.env, "DJANGO_SETTINGS_MODULE": "portal.settings"},
            capture_output=True,
            text=True,
            check=True,
        )
        index = json.loads(filled.stdout)
        bibs = iter(random.Random(6568).choices(index["bibs"], k=self.samples + 20))  # noqa: S311
        # The portal wants a 9Pic to point at; these pages never call it, nor RunSignUp.
        with self.standin(0) as (upstream, _), self.portal("portal", upstream) as (portal, _):
            session = requests.Session()

            def gallery() -> None:
                page = session.get(f"{portal}{RUNSIGNUP_EVENT_PATH}/bib/{next(bibs)}/", timeout=30)
                page.raise_for_status()

            for _ in range(20):  # every worker has its connections and templates warm
                gallery()
            page_ms = timings(gallery, self.samples)
        return {
            "runsignup_index_photos": index["photos"],
            "runsignup_index_fill_s": index["fill_seconds"],
            "runsignup_query_p50_ms": index["query_p50_ms"],
            "runsignup_query_p95_ms": index["query_p95_ms"],
            "runsignup_page_p50_ms": p(page_ms, 50),
            "runsignup_page_p95_ms": p(page_ms, 95),
        }


def timings(step, count: int) -> list[float]:
    samples = []
    for _ in range(count):
        start = time.perf_counter()
        step()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def p(samples: list[float], percentile: int) -> float:
    return round(statistics.quantiles(samples, n=100, method="inclusive")[percentile - 1], 2)


def wrk(url: str, *, clients: int, seconds: int, script: Path | None = None) -> dict:
    command = ["wrk", f"-t{min(clients, 2)}", f"-c{clients}", f"-d{seconds}s", "--timeout", "20s"]
    if script:
        command += ["-s", str(script)]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rps": round(rps, 1),
        "errors": (int(errors.group(1)) if errors else 0) + (1 if socket_errors else 0),
    }


def wire_bytes(response: requests.Response) -> int:
    """Bytes as sent (compressed where the server compressed), headers aside."""
    length = response.headers.get("Content-Length")
    if length and "Content-Encoding" in response.headers:
        return int(length)
    if "Content-Encoding" in response.headers:  # chunked: count after re-compressing
        return len(gzip.compress(response.content))
    return len(response.content)


def demo_original(width: int, height: int) -> bytes:
    """A 24-megapixel JPEG as a camera writes it: a demo photo scaled up, with sensor noise."""
    from PIL import Image

    sys.path.insert(0, str(ROOT))
    from standins.ninepic.catalogue import all_photos
    from standins.ninepic.images import draw_photo

    image = draw_photo(all_photos()[2]).resize((width, height))
    grain = Image.effect_noise((width, height), 18)
    image = Image.blend(image, Image.merge("RGB", (grain, grain, grain)), 0.08)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92)
    return out.getvalue()


def photo_id(index: int) -> str:
    sys.path.insert(0, str(ROOT))
    from standins.ninepic.catalogue import all_photos

    return all_photos()[index].image_id


def memory_kb(pid: int, field: str) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"{field}:\s+(\d+) kB", status).group(1))


def machine() -> str:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        match = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        cpu = match.group(1).strip() if match else cpu
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, {platform.system()}"


def report(figures: dict) -> str:
    rows = [
        ("Upstream latency added by the stand-in", f"{figures['upstream_latency_ms']} ms", ""),
        (
            "Bare upstream call, p50 / p95",
            f"{figures['bare_upstream_p50_ms']} / {figures['bare_upstream_p95_ms']} ms",
            "",
        ),
        (
            "Portal's added latency, uncached, p50 / p95",
            f"{figures['added_latency_uncached_p50_ms']:.2f} / "
            f"{figures['added_latency_uncached_p95_ms']:.2f} ms",
            "p50 < 15 ms",
        ),
        (
            "Round trip to the portal's gunicorn (static file), p50",
            f"{figures['round_trip_p50_ms']} ms",
            "",
        ),
        (
            "Portal's added latency, cached, p50 / p95",
            f"{figures['added_latency_cached_p50_ms']:.2f} / "
            f"{figures['added_latency_cached_p95_ms']:.2f} ms",
            "p50 < 5 ms",
        ),
        (
            "Cached gallery pages/s at 1 / 10 / 50 clients",
            f"{figures['cached_pages_per_s_1']} / {figures['cached_pages_per_s_10']} / "
            f"{figures['cached_pages_per_s_50']}",
            ">= 300 at 50",
        ),
        (
            "300 ms upstream, 50 clients: pages/s, shipped gthread",
            f"{figures['pages_per_s_shipped']} ({figures['ideal_fraction_shipped']:.0%} of "
            f"{figures['ideal_pages_per_s']})",
            ">= 80 %",
        ),
        (
            "300 ms upstream, 50 clients: pages/s, plain sync workers",
            f"{figures['pages_per_s_sync']} ({figures['ideal_fraction_sync']:.0%})",
            "",
        ),
        (
            f"Preview from a 24-megapixel JPEG ({figures['original_bytes'] / 1e6:.1f} MB)",
            f"{figures['preview_ms']} ms, {figures['preview_bytes'] / 1000:.1f} KB",
            "< 80 ms, < 60 KB",
        ),
        (
            "Gallery page: HTML+CSS+JS compressed",
            f"{figures['page_bytes_compressed'] / 1000:.1f} KB",
            "< 40 KB",
        ),
        (
            "Gallery page with first-screen previews (6)",
            f"{figures['first_screen_bytes'] / 1000:.0f} KB",
            "< 1 MB",
        ),
        (
            f"Gallery page with all {figures['photos_on_page']} previews",
            f"{figures['full_page_bytes'] / 1000:.0f} KB",
            "",
        ),
        (
            "Streaming a 50 MB original: worker peak memory growth",
            f"{figures['download_memory_growth_mb']} MB",
            "< 20 MB",
        ),
        (
            f"RunSignUp BIB search, {figures['runsignup_index_photos']:,} photos: query p50 / p95",
            f"{figures['runsignup_query_p50_ms']} / {figures['runsignup_query_p95_ms']} ms",
            "p95 < 10 ms",
        ),
        (
            "RunSignUp gallery page from the index, p50 / p95",
            f"{figures['runsignup_page_p50_ms']} / {figures['runsignup_page_p95_ms']} ms",
            "p50 < 25 ms",
        ),
    ]
    rows += cold_gallery.rows(figures) + race_hour.rows(figures)
    width = max(len(r[0]) for r in rows)
    lines = [f"Machine: {figures['machine']}", ""]
    lines += [f"{name:<{width}}  {value:<28} {target}" for name, value, target in rows]
    misses = [
        name
        for name, (op, limit) in TARGETS.items()
        if not (figures[name] < limit if op == "<" else figures[name] >= limit)
    ]
    lines += ["", "All targets met." if not misses else f"Targets missed: {', '.join(misses)}"]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=int, default=50, help="stand-in latency for (1)")
    parser.add_argument("--smoke", action="store_true", help="a few seconds, to check it runs")
    parser.add_argument("--out", type=Path, default=ROOT / "bench-results" / "latest.json")
    parser.add_argument("--race-runners", type=int, default=race_hour.RUNNERS)
    parser.add_argument(
        "--race-seconds", type=float, default=360, help="the race hour, compressed (10x)"
    )
    args = parser.parse_args()
    if args.smoke:
        args.race_runners, args.race_seconds = 40, 4
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as workdir:
        bench = Bench(Path(workdir), smoke=args.smoke)
        figures = {"machine": machine(), "smoke": args.smoke}
        figures |= bench.added_latency(args.latency_ms)
        figures |= bench.cached_throughput()
        figures |= bench.slow_upstream()
        figures |= bench.previews_and_weight()
        figures |= bench.download_memory()
        figures |= bench.runsignup_search()
        figures |= cold_gallery.run(bench, latency_ms=args.latency_ms, smoke=args.smoke)
        figures |= race_hour.run(
            bench,
            runners=args.race_runners,
            seconds=args.race_seconds,
            latency_ms=args.latency_ms,
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2) + "\n")
    print(report(figures))
    print(f"\nFigures written to {args.out}")


if __name__ == "__main__":
    main()
