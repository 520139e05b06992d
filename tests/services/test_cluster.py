"""Two portal instances behind nginx, sharing Redis and PostgreSQL, against the stand-in.

Run by `make test-services` (bench/services.py starts Redis and PostgreSQL and sets
CACHE_URL and DATABASE_URL); skipped in a plain test run.
"""

import os
import re
import subprocess
import sys
from contextlib import ExitStack
from dataclasses import dataclass

import pytest
import requests

from bench.servers import EVENT_PATH, ROOT, Servers, nginx
from standins.ninepic.catalogue import all_photos

pytestmark = pytest.mark.skipif(
    not (
        os.environ.get("CACHE_URL", "").startswith("redis")
        and os.environ.get("DATABASE_URL", "").startswith("postgres")
    ),
    reason="needs Redis and PostgreSQL: make test-services",
)


@dataclass
class Cluster:
    standin: str
    instances: list[str]
    balancer: str
    servers: Servers

    def calls(self) -> dict:
        return requests.get(f"{self.standin}/_standin/9pic/stats", timeout=10).json()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("cluster")
    servers = Servers(
        workdir,
        DATABASE_URL=os.environ["DATABASE_URL"],
        CACHE_URL=os.environ["CACHE_URL"],
        RATELIMIT_SEARCH="3/h",  # per hour: no window can roll over mid-test
    )
    with ExitStack() as stack:
        standin, _ = stack.enter_context(servers.standin(0))
        instances = [
            stack.enter_context(
                servers.portal(name, standin, PREVIEW_DIR=str(workdir / f"previews-{name}"))
            )[0]
            for name in ("a", "b")
        ]
        balancer = stack.enter_context(nginx(workdir, instances))
        yield Cluster(standin, instances, balancer, servers)


def test_a_gallery_costs_one_upstream_call_across_instances(cluster):
    before = cluster.calls().get("api_calls", 0)
    url = f"{EVENT_PATH}/bib/2024/"
    pages = [requests.get(base + url, timeout=30) for base in cluster.instances]
    pages += [requests.get(cluster.balancer + url, timeout=30) for _ in range(4)]
    assert [p.status_code for p in pages] == [200] * 6
    assert all("41 photos" in p.text for p in pages)
    assert cluster.calls()["api_calls"] - before == 1


def test_a_rate_limit_holds_across_instances(cluster):
    a, b = cluster.instances
    url = f"{EVENT_PATH}/search?bib=777"
    statuses = [
        requests.get(base + url, timeout=30, allow_redirects=False).status_code
        for base in (a, b, a, b)
    ]
    assert statuses == [302, 302, 302, 429]


def test_a_preview_is_made_once_for_all_instances(cluster):
    before = cluster.calls()
    image_id = all_photos()[61].image_id
    url = f"{EVENT_PATH}/photos/{image_id}/preview"
    first = requests.get(cluster.instances[0] + url, timeout=60)
    second = requests.get(cluster.instances[1] + url, timeout=60)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    after = cluster.calls()
    assert after["storage_gets"] - before.get("storage_gets", 0) == 1


def test_an_admin_login_holds_across_instances(cluster):
    env = {**cluster.servers.env, "DJANGO_SUPERUSER_PASSWORD": "cluster-pass-7781"}
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "createsuperuser",
            "--noinput",
            "--username",
            "organiser",
            "--email",
            "o@example.org",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    a, b = cluster.instances
    login = requests.get(f"{a}/admin/login/", timeout=30)
    csrf = login.cookies["csrftoken"]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text).group(1)
    # Cookies are Secure in production settings: hand them over explicitly on plain http.
    signed_in = requests.post(
        f"{a}/admin/login/?next=/admin/",
        data={
            "username": "organiser",
            "password": "cluster-pass-7781",
            "csrfmiddlewaretoken": token,
            "next": "/admin/",
        },
        headers={"Cookie": f"csrftoken={csrf}"},
        allow_redirects=False,
        timeout=30,
    )
    assert signed_in.status_code == 302
    session = signed_in.cookies["sessionid"]
    admin = requests.get(f"{b}/admin/", headers={"Cookie": f"sessionid={session}"}, timeout=30)
    assert admin.status_code == 200
    assert "Site administration" in admin.text


def test_health_through_the_balancer(cluster):
    health = requests.get(f"{cluster.balancer}/healthz", timeout=10).json()
    assert health == {"status": "ok", "cache": "ok"}
