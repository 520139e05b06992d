"""Wall-clock bounds on exchanges with providers, up to an answer's last byte.

Socket timeouts bound each wait for the next packet, not an answer: headers sent a line a
minute, or a body dripped a byte at a time, each within the read timeout, would hold a
thread as long as the provider likes. A `Deadline` ends them: connections made by
`WatchedAdapter` (mounted by `http.session()`) give it their socket while it is watched,
and at the deadline a timer shuts that socket down, which ends any read blocked on it.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from types import TracebackType
from typing import Any

import requests
import urllib3
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from photos.domain import ProviderTimeout

# The timer cuts this long after the deadline: a read timeout due at the deadline itself
# ends that wait the ordinary way, the timer only what socket timeouts cannot end.
CUT_GRACE_SECONDS = 0.25

_local = threading.local()


class Deadline:
    """`seconds` for an exchange with a provider, up to its answer's last byte.

    Once they are up, `check()` raises ProviderTimeout, and (CUT_GRACE_SECONDS later) the
    timer shuts down the socket of the request sent within `watching()`. Time spent within
    `paused()` (a runner taking what was read) does not count. `close()` it when the
    exchange is over, or use it in a `with`; until then it keeps one timer thread.
    """

    def __init__(self, seconds: float, *, where: str):
        self.seconds = seconds
        self.where = where
        self.expired = False
        self._started = time.monotonic()
        self._paused_for = 0.0
        self._paused_at: float | None = None
        self._socket: socket.socket | None = None
        self._timer: threading.Timer | None = None
        self._closed = False
        self._lock = threading.Lock()
        self._arm(seconds + CUT_GRACE_SECONDS)

    def remaining(self) -> float:
        now = time.monotonic()
        paused = self._paused_for + (0.0 if self._paused_at is None else now - self._paused_at)
        return self.seconds - (now - self._started - paused)

    def within(self, timeout: tuple[float, float]) -> tuple[float, float]:
        """(connect, read) timeouts for requests, neither beyond the deadline."""
        left = max(self.remaining(), 0.001)
        return (min(timeout[0], left), min(timeout[1], left))

    def timed_out(self) -> ProviderTimeout:
        return ProviderTimeout(f"{self.where}: no answer within {self.seconds:g}s")

    def check(self) -> None:
        """ProviderTimeout once the time is up."""
        if self.expired or self.remaining() <= 0:
            raise self.timed_out()

    @contextlib.contextmanager
    def watching(self) -> Iterator[None]:
        """Requests this thread sends meanwhile through a WatchedAdapter are cut at the
        deadline."""
        _local.deadline = self
        try:
            yield
        finally:
            _local.deadline = None

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """The clock stops meanwhile: for the time a reader spends on what it was given."""
        with self._lock:
            self._paused_at = time.monotonic()
        try:
            yield
        finally:
            with self._lock:
                self._paused_for += time.monotonic() - (self._paused_at or 0.0)
                self._paused_at = None
                if self._timer is None and not self._closed:
                    self._arm(max(self.remaining(), 0.0) + CUT_GRACE_SECONDS)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._socket = None
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

    def __enter__(self) -> Deadline:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def watch(self, sock: socket.socket) -> None:
        """Shut `sock` down at the deadline (at once if it has passed)."""
        with self._lock:
            self._socket = sock
            if self.expired:
                _shut(sock)

    def _arm(self, seconds: float) -> None:
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def _expire(self) -> None:
        with self._lock:
            self._timer = None
            if self._closed or self._paused_at is not None:
                return  # `paused` arms the timer again when the reader is back
            left = self.remaining() + CUT_GRACE_SECONDS
            if left > 0:
                self._arm(left)
                return
            self.expired = True
            if self._socket is not None:
                _shut(self._socket)


def _shut(sock: socket.socket) -> None:
    # The plain socket's shutdown, also for TLS sockets: a read blocked in another thread
    # returns at once, whatever layer it is in.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _WatchedHTTPConnection(urllib3.connection.HTTPConnection):
    """Gives its socket to the thread's watched Deadline before it waits for an answer."""

    # urllib3's own getresponse narrows http.client's return type the same way.
    def getresponse(self) -> urllib3.response.HTTPResponse:  # type: ignore[override]
        deadline: Deadline | None = getattr(_local, "deadline", None)
        if deadline is not None and self.sock is not None:
            deadline.watch(self.sock)
        return super().getresponse()


class _WatchedHTTPSConnection(_WatchedHTTPConnection, urllib3.connection.HTTPSConnection):
    pass


class _WatchedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class WatchedAdapter(requests.adapters.HTTPAdapter):
    """requests' adapter, with connections that give their socket to the watched Deadline."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _WatchedHTTPConnectionPool,
            "https": _WatchedHTTPSConnectionPool,
        }
