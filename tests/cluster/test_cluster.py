"""Two portal instances behind nginx, sharing Redis and PostgreSQL, against the stand-in.

Run by `make test-services` (bench/services.py starts Redis and PostgreSQL and sets
CACHE_URL and DATABASE_URL); skipped in a plain test run.
"""

import io
import os
import re
import socket
import subprocess
import sys
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

import pytest
import requests

from bench.servers import EVENT_PATH, ROOT, Servers, nginx
from standins.ninepic.catalogue import BIB_WITH_MANY_PHOTOS, all_photos

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


# Threads per instance: few, so that the slow clients' attack is cheap to mount here. What
# makes it harmless (nginx) does not depend on the number.
THREADS = 4


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("cluster")
    servers = Servers(
        workdir,
        DATABASE_URL=os.environ["DATABASE_URL"],
        CACHE_URL=os.environ["CACHE_URL"],
        RATELIMIT_SEARCH="3/h",  # per hour: no window can roll over mid-test
        TRUSTED_PROXY_COUNT="1",  # nginx appends the address it saw to X-Forwarded-For
    )
    with ExitStack() as stack:
        standin, _ = stack.enter_context(servers.standin(0))
        instances = [
            stack.enter_context(
                servers.portal(
                    name,
                    standin,
                    PREVIEW_DIR=str(workdir / f"previews-{name}"),
                    WEB_CONCURRENCY="1",
                    GUNICORN_THREADS=str(THREADS),
                )
            )[0]
            for name in ("a", "b")
        ]
        balancer = stack.enter_context(nginx(workdir, instances))
        yield Cluster(standin, instances, balancer, servers)


def test_a_gallery_costs_one_upstream_call_across_instances(cluster):
    # The event's page reads Event Details once for every runner, on either instance.
    assert requests.get(cluster.instances[0] + f"{EVENT_PATH}/", timeout=30).status_code == 200
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


PASSWORD = "cluster-pass-7781"


@pytest.fixture(scope="module")
def organiser(cluster):
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
        env={**cluster.servers.env, "DJANGO_SUPERUSER_PASSWORD": PASSWORD},
        check=True,
        capture_output=True,
    )


def sign_in(base: str, password: str, forwarded_for: str = "") -> requests.Response:
    """The admin's login form, filled in and posted to `base`."""
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    login = requests.get(f"{base}/admin/login/", headers=headers, timeout=30)
    csrf = login.cookies["csrftoken"]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text).group(1)
    # Cookies are Secure in production settings: hand them over explicitly on plain http.
    return requests.post(
        f"{base}/admin/login/?next=/admin/",
        data={
            "username": "organiser",
            "password": password,
            "csrfmiddlewaretoken": token,
            "next": "/admin/",
        },
        headers={**headers, "Cookie": f"csrftoken={csrf}"},
        allow_redirects=False,
        timeout=30,
    )


def test_an_admin_login_holds_across_instances(cluster, organiser):
    a, b = cluster.instances
    signed_in = sign_in(a, PASSWORD)
    assert signed_in.status_code == 302
    session = signed_in.cookies["sessionid"]
    admin = requests.get(f"{b}/admin/", headers={"Cookie": f"sessionid={session}"}, timeout=30)
    assert admin.status_code == 200
    assert "Site administration" in admin.text


def test_admin_login_throttling_holds_across_instances(cluster, organiser):
    a, b = cluster.instances
    # Straight to the instances, as nginx would pass the client's address on.
    attacker, neighbour = "198.51.100.23", "198.51.100.24"
    failures = [sign_in(a, "wrong", attacker).status_code for _ in range(5)]
    assert failures == [200, 200, 200, 200, 429]
    locked = sign_in(b, PASSWORD, attacker)
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.text
    assert sign_in(b, PASSWORD, neighbour).status_code == 302


def test_admin_login_throttling_ignores_a_forged_x_forwarded_for(cluster, organiser):
    # Through nginx, which appends the address it saw: a new made-up address in each request
    # changes nothing, the attempts all count against that one.
    try:
        for n in range(5):
            sign_in(cluster.balancer, "wrong", f"203.0.113.{n}")
        assert sign_in(cluster.balancer, PASSWORD, "203.0.113.99").status_code == 429
        # The documented way to lift a lock-out early.
        cluster.servers.manage("axes_reset_ip", "127.0.0.1")
        assert sign_in(cluster.balancer, PASSWORD).status_code == 302
    finally:
        cluster.servers.manage("axes_reset_ip", "127.0.0.1")


def address(url: str) -> tuple[str, int]:
    host, port = url.removeprefix("http://").split(":")
    return host, int(port)


@contextmanager
def slow_header_connection(url: str):
    """A client that sends the start of a request's headers, then nothing more."""
    with socket.create_connection(address(url), timeout=10) as client:
        client.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        yield client


@contextmanager
def slow_reading_download(url: str, path: str):
    """A client that asks for `path`, then reads none of the answer."""
    with socket.socket() as client:
        client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a small window
        client.settimeout(10)
        client.connect(address(url))
        # HTTP/1.0: the answer is the body as is, and its end closes the connection.
        client.sendall(f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".encode())
        yield client


def test_slow_clients_cannot_exhaust_the_instances(cluster):
    """Finding 11: slow clients held every gunicorn thread. A few more slow-header clients
    than an instance has threads stop it when they reach it; through nginx (the shipped
    deploy/nginx.conf) many slow-header clients, and slow readers of ZIPs far larger than
    any socket buffer, leave every instance answering at once."""
    a = cluster.instances[0]
    with ExitStack() as held:
        for _ in range(THREADS + 2):
            held.enter_context(slow_header_connection(a))
        with pytest.raises(requests.Timeout):
            requests.get(f"{a}/healthz", timeout=2)
    assert requests.get(f"{a}/healthz", timeout=10).status_code == 200

    zip_path = f"{EVENT_PATH}/bib/{BIB_WITH_MANY_PHOTOS}/photos.zip"
    gallery = f"{EVENT_PATH}/bib/2024/"
    assert requests.get(cluster.balancer + gallery, timeout=30).status_code == 200  # cached now
    whole = requests.get(cluster.balancer + zip_path, timeout=60)  # draws the photos once
    names = zipfile.ZipFile(io.BytesIO(whole.content)).namelist()
    assert len(names) == 47 and len(whole.content) > 10_000_000
    fetched = cluster.calls()["storage_gets"]
    attack_started = time.monotonic()
    with ExitStack() as held:
        talkers = [
            held.enter_context(slow_header_connection(cluster.balancer)) for _ in range(5 * THREADS)
        ]
        readers = [
            held.enter_context(slow_reading_download(cluster.balancer, zip_path))
            for _ in range(3 * THREADS)
        ]
        # The instances write every ZIP whole, at their own pace: nginx keeps what the
        # readers have not taken yet.
        deadline = time.monotonic() + 90
        while cluster.calls()["storage_gets"] < fetched + len(readers) * len(names):
            assert time.monotonic() < deadline, "the slow readers hold the instances' threads"
            time.sleep(0.5)
        for path in ("/healthz", gallery) * 3:
            started = time.monotonic()
            answer = requests.get(cluster.balancer + path, timeout=10)
            assert answer.status_code == 200
            assert time.monotonic() - started < 3, path  # a held instance takes forever
        # A slow reader still gets the whole ZIP, from nginx's buffer.
        readers[0].settimeout(30)
        received = b"".join(iter(lambda: readers[0].recv(1 << 16), b""))
        head, body = received.split(b"\r\n\r\n", 1)
        assert head.startswith(b"HTTP/1.1 200 OK")
        archive = zipfile.ZipFile(io.BytesIO(body))
        assert archive.namelist() == names and archive.testzip() is None
        # nginx has given up on the slow-header clients (client_header_timeout, 10 s).
        time.sleep(max(0.0, attack_started + 11 - time.monotonic()))
        assert all(closed_by_server(talker) for talker in talkers)
    assert time.monotonic() - attack_started < 150


def closed_by_server(client: socket.socket) -> bool:
    client.settimeout(1)
    try:
        return client.recv(1024) == b""
    except ConnectionResetError:  # reset_timedout_connection
        return True
    except TimeoutError:
        return False


def test_health_through_the_balancer(cluster):
    health = requests.get(f"{cluster.balancer}/healthz", timeout=10).json()
    assert health == {"status": "ok", "cache": "ok"}


GALLERY_PAGES_FLUSHED = (
    "from django.db.models import Sum; from photos.models import DailyFigure; "
    "print(DailyFigure.objects.filter(event__slug='demo-city-marathon', figure='gallery_pages')"
    ".aggregate(n=Sum('count'))['n'] or 0)"
)


def gallery_pages_flushed(cluster) -> int:
    """Flush the figures counted in Redis, then read the demo event's gallery pages."""
    cluster.servers.manage("flush_figures")
    answer = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", GALLERY_PAGES_FLUSHED],
        cwd=ROOT,
        env=cluster.servers.env,
        capture_output=True,
        text=True,
        check=True,
    )
    return int(answer.stdout.strip().splitlines()[-1])


def test_figures_counted_on_two_instances_while_flushing_lose_nothing(cluster):
    before = gallery_pages_flushed(cluster)
    url = f"{EVENT_PATH}/bib/2024/"
    pages, flushes = [], []
    with ThreadPoolExecutor(8) as pool:
        for n in range(60):
            base = cluster.instances[n % 2]
            pages.append(pool.submit(lambda base=base: requests.get(base + url, timeout=30)))
            if n in (20, 40):  # flushes run while both instances count
                flushes.append(pool.submit(cluster.servers.manage, "flush_figures"))
        statuses = [page.result().status_code for page in pages]
        for flush in flushes:
            flush.result()
    assert statuses == [200] * 60
    assert gallery_pages_flushed(cluster) - before == 60
