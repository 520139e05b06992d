"""`make test-services` and `make loadtest-cluster`: the portal on real Redis and PostgreSQL.

Starts a throwaway Redis and PostgreSQL on loopback (Debian's redis-server and
postgresql; nginx for the cluster), then either runs the integration suite and the
cluster test against them, or the load test through nginx with two portal instances; a
real SMTP server (aiosmtpd) on loopback receives the portal's emails.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from servers import ROOT, postgres, redis, smtp

INTEGRATION_SUITE = [
    "tests/test_integration_standin.py",
    "tests/test_ninepic_galleries.py",
    "tests/test_previews_and_caching.py",
    "tests/test_protection.py",
    "tests/test_gallery_views.py",
    "tests/test_embedding.py",
    "tests/test_admin.py",
    "tests/test_faults.py",
    "tests/test_singleflight.py",
    "tests/test_cache_outage.py",
    "tests/test_runsignup_sync.py",
    "tests/test_runsignup_pages.py",
    "tests/test_photo_emails.py",
    "tests/test_organisations.py",
    "tests/test_figures.py",
    "tests/browser/test_runner_journey.py",
    "tests/browser/test_runsignup_journey.py",
]
# Its servers migrate and seed the one PostgreSQL database: one cluster at a time, so it runs
# after the suite and in one process, never split between pytest-xdist workers.
CLUSTER_TEST = "tests/cluster"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["test", "loadtest"])
    parser.add_argument("rest", nargs=argparse.REMAINDER, help="passed on to pytest/loadtest")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="portal-services-") as workdir,
        redis(Path(workdir)) as cache_url,
        postgres(Path(workdir)) as database_url,
        smtp(Path(workdir)) as (email_url, maildir),
    ):
        env = {
            **os.environ,
            "CACHE_URL": cache_url,
            "DATABASE_URL": database_url,
            "EMAIL_URL": email_url,
            # The email tests read what this server received (tests/conftest.py).
            "TEST_MAILDIR": str(maildir),
        }
        if args.what == "test":
            pytest = [sys.executable, "-m", "pytest"]
            commands = [
                [*pytest, *INTEGRATION_SUITE, *args.rest],
                [*pytest, CLUSTER_TEST, *args.rest, "--numprocesses", "0"],
            ]
        else:
            commands = [[sys.executable, "bench/loadtest.py", "--cluster", *args.rest]]
        # Each runs even after a failure (the cluster's result is still worth seeing); any fails it.
        returncodes = [
            subprocess.run(command, cwd=ROOT, env=env, check=False).returncode
            for command in commands
        ]
    sys.exit(next((code for code in returncodes if code), 0))


if __name__ == "__main__":
    main()
