"""Servers for the benchmark and the load test: the stand-in and the portal under gunicorn,
on loopback ports, each started on demand and stopped on exit, against a throwaway database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
KEY = "bench-9pic-key"
EVENT_PATH = "/en/events/demo-city-marathon"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Servers:
    def __init__(self, workdir: Path, **env: str):
        self.workdir = workdir
        self.env = {
            **os.environ,
            "ENV_FILE": os.devnull,
            "DEBUG": "False",
            "SECRET_KEY": "bench-secret-key",
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
            "NINEPIC_API_KEY": KEY,
            "NINEPIC_STANDIN_API_KEY": KEY,
            "NINEPIC_STANDIN_MEDIA_DIR": str(workdir / "originals"),
            "PREVIEW_DIR": str(workdir / "previews"),
            "LOG_LEVEL": "WARNING",
            "SECURE_SSL_REDIRECT": "False",  # plain http on loopback
            # All load comes from one address here: limits would measure themselves.
            **dict.fromkeys(
                [
                    "RATELIMIT_SEARCH",
                    "RATELIMIT_GALLERY",
                    "RATELIMIT_PREVIEW",
                    "RATELIMIT_DOWNLOAD",
                ],
                "",
            ),
            "UPSTREAM_CALLS_PER_MINUTE_PER_EVENT": "0",
            **env,
        }
        self.manage("collectstatic", "--noinput", "-v0")
        self.manage("migrate", "--noinput", "-v0")
        # The demo events are the stand-ins' (the portals here talk to a stand-in elsewhere).
        self.manage("seed_demo", NINEPIC_STANDIN="True", RUNSIGNUP_STANDIN="True")

    def manage(self, *args: str, **env: str) -> None:
        subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env={**self.env, **env},
            check=True,
            stdout=subprocess.DEVNULL,
        )

    @contextmanager
    def server(self, name: str, args: list[str], **env: str):
        port = free_port()
        log = (self.workdir / f"{name}.log").open("w")
        process = subprocess.Popen(
            [GUNICORN, "portal.wsgi", "--bind", f"127.0.0.1:{port}", *args],
            cwd=ROOT,
            env={**self.env, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    requests.get(f"{url}/", timeout=1)
                    break
                except (requests.ConnectionError, requests.Timeout):  # not up, or busy starting
                    if time.monotonic() > deadline or process.poll() is not None:
                        raise RuntimeError(f"{name} did not start; see {log.name}") from None
                    time.sleep(0.1)
            yield url, process.pid
        finally:
            process.terminate()
            process.wait(timeout=30)
            log.close()

    def standin(self, latency_ms: int, **env: str):
        # A config of its own (not the portal's gunicorn.conf.py): plenty of threads, so
        # that the stand-in is never what limits a measurement.
        config = self.workdir / "standin.conf.py"
        config.write_text("worker_class = 'gthread'\nworkers = 1\nthreads = 256\n")
        return self.server(
            f"standin-{latency_ms}ms",
            ["--config", str(config)],
            NINEPIC_STANDIN="True",
            NINEPIC_STANDIN_LATENCY_MS=str(latency_ms),
            **env,
        )

    def portal(self, name: str, upstream: str, *args: str, **env: str):
        return self.server(
            name,
            ["--config", "gunicorn.conf.py", "--access-logfile", "/dev/null", *args],
            NINEPIC_BASE_URL=f"{upstream}/_standin/9pic",
            # The stand-in (in another process here) serves its photos over plain http.
            NINEPIC_STORAGE_HOSTS="127.0.0.1",
            NINEPIC_STORAGE_ALLOW_HTTP="True",
            # And its previews, as 9Pic's CDN.
            NINEPIC_PREVIEW_HOSTS="127.0.0.1",
            NINEPIC_PREVIEW_ALLOW_HTTP="True",
            **env,
        )


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


# --- Backing services: Redis, PostgreSQL and nginx from Debian, on loopback ----------------


def _wait_for_port(port: int, process: subprocess.Popen, name: str) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"{name} did not start") from None
            time.sleep(0.1)


@contextmanager
def _running(command: list[str], name: str, port: int, log: Path):
    with log.open("w") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
        try:
            _wait_for_port(port, process, name)
            yield
        finally:
            process.terminate()
            process.wait(timeout=30)


@contextmanager
def redis(workdir: Path):
    """A throwaway Redis; yields its URL."""
    port = free_port()
    command = [
        "redis-server",
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(workdir),
    ]
    with _running(command, "redis-server", port, workdir / "redis.log"):
        yield f"redis://127.0.0.1:{port}/0"


@contextmanager
def postgres(workdir: Path):
    """A throwaway PostgreSQL cluster with a database "portal"; yields its URL."""
    binaries = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
    data = workdir / "pg"
    # PostgreSQL refuses to run as root: then it runs as Debian's "postgres" user.
    as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    data.mkdir()
    if as_owner:
        os.chmod(workdir, 0o755)  # noqa: S103 - postgres must reach its folder inside
        subprocess.run(["chown", "postgres:postgres", str(data)], check=True)
    subprocess.run(
        [*as_owner, str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    port = free_port()
    command = [
        *as_owner,
        str(binaries / "postgres"),
        "-D",
        str(data),
        "-p",
        str(port),
        "-k",
        str(data),
        "-c",
        "listen_addresses=127.0.0.1",
        "-c",
        "fsync=off",
    ]
    with _running(command, "postgres", port, workdir / "postgres.log"):
        url = f"postgres://postgres@127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while subprocess.run(
            [
                str(binaries / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-U",
                "postgres",
                "portal",
            ],
            capture_output=True,
            check=False,
        ).returncode:
            if time.monotonic() > deadline:
                raise RuntimeError("could not create the database")
            time.sleep(0.2)
        yield f"{url}/portal"


@contextmanager
def smtp(workdir: Path):
    """A real SMTP server (aiosmtpd) on loopback that keeps every message it receives in a
    Maildir; yields its EMAIL_URL and the Maildir's path."""
    port = free_port()
    maildir = workdir / "mail"
    command = [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}"]
    command += ["-c", "aiosmtpd.handlers.Mailbox", str(maildir)]
    with _running(command, "aiosmtpd", port, workdir / "smtp.log"):
        yield f"smtp://127.0.0.1:{port}", maildir


NGINX_SITE = ROOT / "deploy" / "nginx.conf"


def nginx_site(listen: str, backends: list[str]) -> str:
    """deploy/nginx.conf with its placeholders filled in, as envsubst would."""
    values = {
        "PORTAL_LISTEN": listen,
        "PORTAL_SERVERS": " ".join(f"server {b.removeprefix('http://')};" for b in backends),
    }
    site = NGINX_SITE.read_text()
    for name, value in values.items():
        site = site.replace(f"${{{name}}}", value)
    if "${" in site:
        raise RuntimeError(f"{NGINX_SITE} has a placeholder nginx_site() does not fill in")
    return site


@contextmanager
def nginx(workdir: Path, backends: list[str]):
    """nginx with the production site (deploy/nginx.conf) balancing round-robin over
    `backends` (http://host:port); yields its URL. Only the process's own paths are
    this harness's: everything in front of the portal is the shipped file."""
    port = free_port()
    prefix = workdir / "nginx"
    prefix.mkdir()
    (prefix / "portal.conf").write_text(nginx_site(f"127.0.0.1:{port}", backends))
    user = "user root;\n" if os.geteuid() == 0 else ""
    (prefix / "nginx.conf").write_text(
        f"""{user}worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {prefix}/body;
  proxy_temp_path {prefix}/proxy;
  fastcgi_temp_path {prefix}/fastcgi;
  uwsgi_temp_path {prefix}/uwsgi;
  scgi_temp_path {prefix}/scgi;
  include {prefix}/portal.conf;
}}
"""
    )
    command = ["nginx", "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"]
    with _running(command, "nginx", port, workdir / "nginx.log"):
        yield f"http://127.0.0.1:{port}"
