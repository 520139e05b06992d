"""HTTP plumbing the provider clients share: sessions, deadlines, the retry loop, capped
reads, and downloads from storage.

Every wait on a provider has a wall-clock bound, a `Deadline` (deadlines.py): socket
timeouts only bound each wait for the next packet, so an answer dripped a byte at a time
would hold a thread as long as the provider likes. Everything a provider answers is read
through `read_capped` or `open_download`, which stop at the deadline.

Failure contract of `with_retries`: it returns what one attempt returned, or raises a
`ProviderError` within the policy's `time_budget` seconds. An attempt asks for another try
by raising `Retry`; timeouts and connection failures are retried too. Delays double from
`backoff`, a `Retry-After` the provider sent wins. Logs name a URL only without its query
string (`redact_url`); callers say `where`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from fnmatch import fnmatchcase
from typing import TypeVar
from urllib.parse import quote, urljoin, urlsplit

import requests
import urllib3
from django.conf import settings
from urllib3.util import Url, parse_url

from photos.domain import (
    Original,
    PhotoNotFound,
    ProviderError,
    ProviderTimeout,
    ProviderUnavailable,
)
from photos.providers.deadlines import Deadline, WatchedAdapter

T = TypeVar("T")

logger = logging.getLogger(__name__)

# Below this much budget left, another attempt could not finish anyway.
MIN_ATTEMPT_SECONDS = 0.5
DOWNLOAD_CHUNK_SIZE = 64 * 1024
# Storage may send a download on to another of its hosts (S3 does, between regions);
# real storage never needs more hops than this.
MAX_REDIRECTS = 3
# Shorter strings are no real key or secret, and would match ordinary text in answers.
MIN_SECRET_LENGTH = 8
# Content-Encodings urllib3 decodes (gzip, deflate; br and zstd when their packages are
# installed): what a runner receives of those is the file itself.
DECODED_ENCODINGS = frozenset({"identity", *urllib3.response.HTTPResponse.CONTENT_DECODERS})

_local = threading.local()


def session() -> requests.Session:
    """One pooled Session per thread: gunicorn's threaded workers share nothing mutable.
    Its connections give their socket to the Deadline being watched (see deadlines.py)."""
    current: requests.Session | None = getattr(_local, "session", None)
    if current is None:
        current = _local.session = requests.Session()
        for prefix in ("http://", "https://"):
            current.mount(prefix, WatchedAdapter())
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


# --- Which URLs may be fetched ------------------------------------------------------


def as_sent(url: str) -> Url | None:
    """`url` parsed as requests will send it (urllib3's parse of requests' prepared URL), or
    None unless that is `url` exactly, character for character.

    Parsers disagree about URLs that are not in this form (`https://a:1\\@b/` is host b to
    urlsplit, host a to requests and browsers), so a host read by any other parser may not
    be the host fetched. Refused: backslashes, user info, upper-case or international
    hosts, characters requests would quote, a missing path."""
    if "\\" in url:
        return None
    prepared = requests.PreparedRequest()
    try:
        prepared.prepare_url(url, None)
    except (requests.RequestException, ValueError):
        return None
    if prepared.url != url:
        return None
    parsed = parse_url(url)
    return parsed if parsed.auth is None else None


@dataclass(frozen=True)
class StorageHosts:
    """Where a provider keeps its photo files: the only hosts a client fetches, follows a
    redirect to, or sends a browser to ("*" in a pattern matches any labels)."""

    patterns: tuple[str, ...]
    allow_http: bool = False

    def hold(self, url: str) -> bool:
        """Whether `url`, read exactly as it will be fetched (`as_sent`), is on these hosts."""
        sent = as_sent(url)
        schemes = ("https", "http") if self.allow_http else ("https",)
        return (
            sent is not None
            and sent.scheme in schemes
            and any(fnmatchcase(sent.host or "", p) for p in self.patterns)
        )


# --- Calls to a provider's API ------------------------------------------------------


class Retry(Exception):  # noqa: N818 - it is an instruction, not an error
    """Raised by an attempt: this failure may pass, try again (after `retry_after` s if set)."""

    def __init__(self, failure: ProviderError, *, retry_after: float | None = None):
        super().__init__(str(failure))
        self.failure = failure
        self.retry_after = retry_after


def with_retries(
    attempt: Callable[[Deadline], T],
    *,
    where: str,
    logger: logging.Logger,
    policy: CallPolicy,
) -> T:
    """Call `attempt(deadline)` until it returns, within the time budget. An attempt takes
    its timeouts from `deadline.within(policy.timeouts)` and reads with `read_capped`."""
    # urllib3's Retry has no overall deadline: hence this loop.
    with Deadline(policy.time_budget, where=where) as deadline:
        tries = 0
        while True:
            if deadline.remaining() < MIN_ATTEMPT_SECONDS:
                failure: ProviderError = deadline.timed_out()
                logger.warning("%s", failure)
                raise failure
            retry_after: float | None = None
            try:
                with deadline.watching():
                    return attempt(deadline)
            except Retry as retry:
                failure, retry_after = retry.failure, retry.retry_after
            except ProviderTimeout as timeout:
                failure = timeout
            except requests.RequestException as error:
                failure = _failure(error, deadline)
            tries += 1
            delay = retry_after if retry_after is not None else policy.backoff * 2 ** (tries - 1)
            if tries > policy.max_retries or delay > deadline.remaining() - MIN_ATTEMPT_SECONDS:
                logger.warning("%s; gave up after %d attempt(s)", failure, tries)
                raise failure
            logger.debug("%s; retrying in %.2fs", failure, delay)
            time.sleep(delay)


def _failure(error: requests.RequestException, deadline: Deadline) -> ProviderError:
    """What a failed request means for the runner. Only the exception's type is said: its
    text holds the URL, query string included."""
    if deadline.expired:  # the deadline cut the connection
        return deadline.timed_out()
    if isinstance(error, requests.Timeout):
        return ProviderTimeout(f"{deadline.where}: timed out ({type(error).__name__})")
    return ProviderUnavailable(f"{deadline.where}: unreachable ({type(error).__name__})")


def read_capped(
    response: requests.Response,
    *,
    deadline: Deadline,
    limit: int,
    logger: logging.Logger,
    secrets: Iterable[str] = (),
) -> bytes:
    """The body without `secrets` (see `redact`); ProviderUnavailable if it is larger than
    any real answer could be, ProviderTimeout if it is not all there by the deadline."""
    body = bytearray()
    try:
        # iter_content, unlike raw reads, turns a cut connection into a requests exception.
        for chunk in response.iter_content(64 * 1024):
            deadline.check()
            body += chunk
            if len(body) > limit:
                logger.error("%s sent an answer over %d bytes", deadline.where, limit)
                raise ProviderUnavailable(f"{deadline.where}: oversized answer")
    except requests.RequestException as error:
        if deadline.expired:  # cut at the deadline: a timeout, not a failure
            raise deadline.timed_out() from error
        raise
    if deadline.expired:  # cut at the deadline, and the cut looked like the end
        raise deadline.timed_out()
    return redact(bytes(body), secrets)


def redact(answer: bytes, secrets: Iterable[str]) -> bytes:
    """`answer` with every secret in it (as sent, URL-quoted or JSON-escaped) replaced by
    "…". Providers echo keys back in error messages and links; whatever the portal reads
    goes into logs, exceptions and the admin's pages, so credentials are taken out of every
    answer as it is read, for every provider here."""
    for secret in secrets:
        if len(secret) < MIN_SECRET_LENGTH:
            continue
        for form in {secret, quote(secret, safe=""), secret.replace("/", "\\/")}:
            answer = answer.replace(form.encode(), "…".encode())
    return answer


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


# --- Downloads from storage ---------------------------------------------------------


def open_download(
    session: requests.Session,
    url: str,
    *,
    hosts: StorageHosts,
    storage: str,
    filename: str,
    timeout: tuple[float, float],
    time_limit: float,
    gone_statuses: tuple[int, ...] = (),
) -> Original:
    """Start streaming a file from a provider's storage (`storage` names it in errors).

    Redirects are followed only onto `hosts`, at most MAX_REDIRECTS. The chunks are the
    file itself (a Content-Encoding urllib3 knows is decoded; any other is refused). All
    of it, redirects included, must come within `time_limit` seconds of waiting on
    storage (time the reader spends on a chunk does not count); past that, or if the
    connection breaks, the chunks end with ProviderTimeout or ProviderUnavailable. A
    status in `gone_statuses` means the file is no longer there: PhotoNotFound.
    """
    deadline = Deadline(time_limit, where=f"{storage} for {redact_url(url)}")
    try:
        response = _get_following_redirects(
            session, url, hosts=hosts, storage=storage, timeout=timeout, deadline=deadline
        )
        if response.status_code != 200:
            response.close()
            gone = response.status_code in gone_statuses
            raise (PhotoNotFound if gone else ProviderUnavailable)(
                f"{storage} answered {response.status_code} for {redact_url(url)}"
            )
        encoding = response.headers.get("Content-Encoding", "").strip().lower()
        encodings = {e.strip() for e in encoding.split(",")} - {""}
        if not encodings <= DECODED_ENCODINGS:
            response.close()
            logger.error("%s sent %s for %s", storage, encoding, redact_url(url))
            raise ProviderUnavailable(f"{storage} sent an unknown encoding for {redact_url(url)}")
    except BaseException:
        deadline.close()
        raise
    length = response.headers.get("Content-Length", "")
    return Original(
        filename=filename,
        content_type=response.headers.get("Content-Type", "image/jpeg"),
        # Content-Length counts the bytes sent, before decoding: the file's own is unknown.
        content_length=int(length) if length.isdigit() and not encodings - {"identity"} else None,
        chunks=_stream(response, deadline),
    )


def _get_following_redirects(
    session: requests.Session,
    url: str,
    *,
    hosts: StorageHosts,
    storage: str,
    timeout: tuple[float, float],
    deadline: Deadline,
) -> requests.Response:
    """The answer to GET `url`, following redirects while they stay on `hosts`."""
    for _ in range(MAX_REDIRECTS + 1):
        if not hosts.hold(url):
            logger.error("%s: refused a link outside its hosts: %s", storage, redact_url(url))
            raise ProviderUnavailable(f"{storage}: untrusted link {redact_url(url)}")
        deadline.check()
        try:
            with deadline.watching():
                response = session.get(
                    url, stream=True, allow_redirects=False, timeout=deadline.within(timeout)
                )
        except requests.RequestException as error:
            raise _failure(error, deadline) from error
        if deadline.expired:  # headers cut at the deadline can look like a whole answer
            response.close()
            raise deadline.timed_out()
        location = session.get_redirect_target(response)
        if location is None:
            return response
        response.close()
        url = urljoin(response.url, location)
    logger.error("%s redirected more than %d times", storage, MAX_REDIRECTS)
    raise ProviderUnavailable(f"{storage}: too many redirects for {redact_url(url)}")


def _stream(response: requests.Response, deadline: Deadline) -> Iterator[bytes]:
    try:
        for chunk in response.iter_content(DOWNLOAD_CHUNK_SIZE):
            deadline.check()
            with deadline.paused():
                yield chunk
        if deadline.expired:  # cut at the deadline, and the cut looked like the end
            raise deadline.timed_out()
    except requests.RequestException as error:
        if deadline.expired:
            raise deadline.timed_out() from error
        broke_off = f"{deadline.where}: broke off ({type(error).__name__})"
        raise ProviderUnavailable(broke_off) from error
    finally:
        response.close()
        deadline.close()
