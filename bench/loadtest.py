"""`make loadtest`: race day on loopback, bounded in time.

The portal (shipped gunicorn settings) against the stand-in answering in 200 ms with 5 %
of its calls failing (throttled, 503, cut connections, unreadable bodies, hangs), under
50 wrk clients mixing searches, galleries, previews and downloads. Prints requests,
throughput, latency percentiles, responses by status (500s must be 0), and the calls
the portal made to 9Pic against the pages it served.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from contextlib import ExitStack, contextmanager
from pathlib import Path

import requests
from servers import EVENT_PATH, KEY, ROOT, Servers, nginx

sys.path.insert(0, str(ROOT))
from standins.ninepic.catalogue import DEMO_BIBS, FIELD_BIBS, all_photos  # noqa: E402

# 5 % in all, spread over the kinds of trouble 9Pic can have.
# LOADTEST_FAULTS overrides it (e.g. "hang:0" for none).
FAULTS = os.environ.get("LOADTEST_FAULTS") or (
    "throttle:0.01,throttle-bare:0.005,error-503:0.01,error-500:0.005,"
    "reset:0.01,not-json:0.005,hang:0.005"
)

MIX_LUA = """
local bibs = {%(bibs)s}
local images = {%(images)s}
local event = "%(event)s"
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
end

function request()
  local roll = math.random()
  local path
  if roll < 0.10 then
    path = event .. "/search?bib=" .. bibs[math.random(#bibs)]
  elseif roll < 0.50 then
    path = event .. "/bib/" .. bibs[math.random(#bibs)] .. "/?page=" .. math.random(2)
  elseif roll < 0.92 then
    path = event .. "/photos/" .. images[math.random(#images)] .. "/preview"
  else
    path = event .. "/photos/" .. images[math.random(#images)] .. "/download"
  end
  return wrk.format("GET", path)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      totals[tostring(status)] = (totals[tostring(status)] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(totals) do
    table.insert(parts, string.format('"%%s": %%d', status, count))
  end
  local errors = summary.errors
  io.write(string.format(
    'RESULT {"requests": %%d, "seconds": %%.2f, "p50_ms": %%.1f, "p95_ms": %%.1f, ' ..
    '"p99_ms": %%.1f, "socket_errors": %%d, "timeouts": %%d, "statuses": {%%s}}\\n',
    summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    errors.connect + errors.read + errors.write, errors.timeout, table.concat(parts, ", ")))
end
"""


def mix_script(workdir: Path) -> Path:
    rng = random.Random(7)  # noqa: S311 - the same sample of bibs every run
    bibs = list(DEMO_BIBS) + [str(b) for b in rng.sample(FIELD_BIBS, 300)]
    images = [photo.image_id for photo in all_photos()]
    script = workdir / "mix.lua"
    script.write_text(
        MIX_LUA
        % {
            "bibs": ", ".join(f'"{b}"' for b in bibs),
            "images": ", ".join(f'"{i}"' for i in images),
            "event": EVENT_PATH,
        }
    )
    return script


def draw_originals(upstream: str) -> None:
    """Have the stand-in draw its demo photos first: that is its work, not the portal's."""
    session = requests.Session()
    for photo in all_photos():
        try:
            answer = session.post(
                f"{upstream}/_standin/9pic/api/v1/ext/903/event/456/original-photos",
                json={"method": "image_id", "identifier": photo.image_id},
                headers={"X-API-Key": KEY},
                timeout=30,
            )
            session.get(answer.json()["data"]["presigned_urls"][0]["url"], timeout=30)
        except (requests.RequestException, ValueError, KeyError, TypeError):
            pass  # a fault struck: that photo is drawn on first use instead


@contextmanager
def portal_under_test(servers: Servers, upstream: str, cluster: bool):
    """One instance with the shipped settings, or two (one worker each, the same two cores)
    behind nginx, sharing the Redis and PostgreSQL that CACHE_URL and DATABASE_URL name."""
    if not cluster:
        with servers.portal("portal", upstream) as (url, _):
            yield url
        return
    with ExitStack() as stack:
        instances = [
            stack.enter_context(
                servers.portal(
                    f"portal-{name}",
                    upstream,
                    WEB_CONCURRENCY="1",
                    PREVIEW_DIR=str(servers.workdir / f"previews-{name}"),
                )
            )[0]
            for name in ("a", "b")
        ]
        yield stack.enter_context(nginx(servers.workdir, instances))


def run(seconds: int, clients: int, cluster: bool) -> dict:
    with tempfile.TemporaryDirectory(prefix="portal-load-") as workdir:
        shared = (
            {"CACHE_URL": os.environ["CACHE_URL"], "DATABASE_URL": os.environ["DATABASE_URL"]}
            if cluster
            else {}
        )
        servers = Servers(Path(workdir), UPSTREAM_CALLS_PER_MINUTE_PER_EVENT="100000", **shared)
        script = mix_script(Path(workdir))
        with (
            servers.standin(
                200, NINEPIC_STANDIN_FAULTS=FAULTS, NINEPIC_STANDIN_HANG_SECONDS="20"
            ) as (upstream, _),
            portal_under_test(servers, upstream, cluster) as portal,
        ):
            draw_originals(upstream)
            before = requests.get(f"{upstream}/_standin/9pic/stats", timeout=10).json()
            output = subprocess.run(
                [
                    "wrk",
                    "-t2",
                    f"-c{clients}",
                    f"-d{seconds}s",
                    "--timeout",
                    "30s",
                    "-s",
                    str(script),
                    portal,
                ],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            after = requests.get(f"{upstream}/_standin/9pic/stats", timeout=10).json()
    result = json.loads(output.split("RESULT ", 1)[1].splitlines()[0])
    statuses = {int(k): v for k, v in result["statuses"].items()}
    served = sum(v for k, v in statuses.items() if k < 400)
    api_calls = after.get("api_calls", 0) - before.get("api_calls", 0)
    return {
        "setup": "2 instances x 1 worker behind nginx, Redis, PostgreSQL"
        if cluster
        else "1 instance x 2 workers, local memory cache, SQLite",
        "faults": FAULTS,
        "clients": clients,
        "seconds": round(result["seconds"], 1),
        "requests": result["requests"],
        "requests_per_s": round(result["requests"] / result["seconds"], 1),
        "p50_ms": result["p50_ms"],
        "p95_ms": result["p95_ms"],
        "p99_ms": result["p99_ms"],
        "statuses": dict(sorted(statuses.items())),
        "server_errors_500": statuses.get(500, 0),
        "socket_errors": result["socket_errors"],
        "timeouts": result["timeouts"],
        "responses_served_ok": served,
        "upstream_api_calls": api_calls,
        "upstream_calls_per_served_response": round(api_calls / served, 3) if served else None,
        "upstream_storage_gets": after.get("storage_gets", 0) - before.get("storage_gets", 0),
    }


def report(figures: dict) -> str:
    statuses = ", ".join(f"{status}: {count}" for status, count in figures["statuses"].items())
    return "\n".join(
        [
            f"Portal: {figures['setup']}",
            f"{figures['clients']} clients for {figures['seconds']} s, upstream 200 ms, "
            f"faults {figures['faults']}",
            f"Requests:            {figures['requests']} ({figures['requests_per_s']}/s)",
            f"Latency p50/p95/p99: {figures['p50_ms']} / {figures['p95_ms']} / "
            f"{figures['p99_ms']} ms",
            f"By status:           {statuses}",
            f"500s:                {figures['server_errors_500']}",
            f"Socket errors:       {figures['socket_errors']}, timeouts {figures['timeouts']}",
            f"Calls to 9Pic:       {figures['upstream_api_calls']} for "
            f"{figures['responses_served_ok']} responses served "
            f"({figures['upstream_calls_per_served_response']} per response), "
            f"{figures['upstream_storage_gets']} originals fetched",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=180)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument(
        "--cluster", action="store_true", help="two instances behind nginx (bench/services.py)"
    )
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    figures = run(args.seconds, args.clients, args.cluster)
    args.out = args.out or ROOT / "bench-results" / (
        "loadtest-cluster.json" if args.cluster else "loadtest.json"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2) + "\n")
    print(report(figures))
    if figures["server_errors_500"]:
        sys.exit("The portal answered 500: see the logs above.")


if __name__ == "__main__":
    main()
