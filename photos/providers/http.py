"""HTTP plumbing the provider clients share: sessions, the retry loop, capped reads.

Failure contract of `with_retries`: it returns what one attempt returned, or raises a
`ProviderError` within the policy's `time_budget` seconds. An attempt asks for another try
by raising `Retry`; timeouts and connection failures are retried too. Delays double from `backoff`,
a `Retry-After` the provider sent wins. Nothing here logs a URL: callers say `where`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from fnmatch import fnmatchcase
from typing import TypeVar
from urllib.parse import urlsplit

import requests
from django.conf import settings

from photos.domain import (
    Original,
    PhotoNotFound,
    ProviderError,
    ProviderTimeout,
    ProviderUnavailable,
)

T = TypeVar("T")

# Below this much budget left, another attempt could not finish anyway.
MIN_ATTEMPT_SECONDS = 0.5
DOWNLOAD_CHUNK_SIZE = 64 * 1024

_local = threading.local()


def session() -> requests.Session:
    """One pooled Session per thread: gunicorn's threaded workers share nothing mutable."""
    current = getattr(_local, "session", None)
    if current is None:
        current = _local.session = requests.Session()
    return current


@dataclass(frozen=True)
class CallPolicy:
    """How long a client waits for its provider, and how often it tries again."""

    connect_timeout: float
    read_timeout: float
    time_budget: float
    max_retries: int
    backoff: float

    @classmethod
    def from_settings(cls, prefix: str) -> CallPolicy:
        """From the settings `<prefix>_CONNECT_TIMEOUT`, `<prefix>_READ_TIMEOUT`, … ."""
        return cls(**{f.name: getattr(settings, f"{prefix}_{f.name.upper()}") for f in fields(cls)})

    @property
    def timeouts(self) -> tuple[float, float]:
        return (self.connect_timeout, self.read_timeout)


@dataclass(frozen=True)
class StorageHosts:
    """Where a provider keeps its photo files: the only hosts a client fetches or redirects to
    ("*" in a pattern matches a label)."""

    patterns: tuple[str, ...]
    allow_http: bool = False

    def hold(self, url: str) -> bool:
        parts = urlsplit(url)
        schemes = ("https", "http") if self.allow_http else ("https",)
        host = parts.hostname or ""
        return parts.scheme in schemes and any(fnmatchcase(host, p) for p in self.patterns)


class Retry(Exception):  # noqa: N818 - it is an instruction, not an error
    """Raised by an attempt: this failure may pass, try again (after `retry_after` s if set)."""

    def __init__(self, failure: ProviderError, *, retry_after: float | None = None):
        super().__init__(str(failure))
        self.failure = failure
        self.retry_after = retry_after


def with_retries(
    attempt: Callable[[tuple[float, float]], T],
    *,
    where: str,
    logger: logging.Logger,
    policy: CallPolicy,
) -> T:
    """Call `attempt((connect, read timeouts))` until it returns, within the time budget."""
    # urllib3's Retry has no overall deadline: hence this loop.
    deadline = time.monotonic() + policy.time_budget
    tries = 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining < MIN_ATTEMPT_SECONDS:
            failure: ProviderError = ProviderTimeout(
                f"{where}: no answer within {policy.time_budget:g}s"
            )
            logger.warning("%s", failure)
            raise failure
        retry_after: float | None = None
        try:
            return attempt(
                (min(policy.connect_timeout, remaining), min(policy.read_timeout, remaining))
            )
        except Retry as retry:
            failure, retry_after = retry.failure, retry.retry_after
        except requests.Timeout as error:
            failure = ProviderTimeout(f"{where}: timed out ({type(error).__name__})")
        except requests.RequestException as error:
            # Only the exception's type: its text holds the URL, query string included.
            failure = ProviderUnavailable(f"{where}: unreachable ({type(error).__name__})")
        tries += 1
        delay = retry_after if retry_after is not None else policy.backoff * 2 ** (tries - 1)
        if tries > policy.max_retries or time.monotonic() + delay > deadline - MIN_ATTEMPT_SECONDS:
            logger.warning("%s; gave up after %d attempt(s)", failure, tries)
            raise failure
        logger.debug("%s; retrying in %.2fs", failure, delay)
        time.sleep(delay)


def read_capped(
    response: requests.Response, *, where: str, limit: int, logger: logging.Logger
) -> bytes:
    """The body, or ProviderUnavailable if it is larger than any real answer could be."""
    body = bytearray()
    # iter_content, unlike raw reads, turns a cut connection into a requests exception.
    for chunk in response.iter_content(64 * 1024):
        body += chunk
        if len(body) > limit:
            logger.error("%s sent an answer over %d bytes", where, limit)
            raise ProviderUnavailable(f"{where}: oversized answer")
    return bytes(body)


def retry_after_seconds(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def redact_url(url: str) -> str:
    """A URL without its query string (signatures, keys), safe for logs."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def open_download(
    session: requests.Session,
    url: str,
    *,
    filename: str,
    timeout: tuple[float, float],
    storage: str,
    gone_statuses: tuple[int, ...] = (),
) -> Original:
    """Start streaming a file from a provider's storage (`storage` names it in errors).
    A status in `gone_statuses` means the file is no longer there: PhotoNotFound."""
    try:
        response = session.get(url, stream=True, timeout=timeout)
    except requests.Timeout as error:
        raise ProviderTimeout(f"{storage} timed out for {redact_url(url)}") from error
    except requests.RequestException as error:
        raise ProviderUnavailable(
            f"{storage} unreachable for {redact_url(url)}: {type(error).__name__}"
        ) from error
    if response.status_code != 200:
        response.close()
        failure = PhotoNotFound if response.status_code in gone_statuses else ProviderUnavailable
        raise failure(f"{storage} answered {response.status_code} for {redact_url(url)}")
    length = response.headers.get("Content-Length")
    return Original(
        filename=filename,
        content_type=response.headers.get("Content-Type", "image/jpeg"),
        content_length=int(length) if length and length.isdigit() else None,
        chunks=stream(response),
    )


def stream(response: requests.Response) -> Iterator[bytes]:
    try:
        yield from response.iter_content(DOWNLOAD_CHUNK_SIZE)
    finally:
        response.close()
