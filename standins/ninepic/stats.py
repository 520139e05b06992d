"""What this stand-in process served, for load tests and benchmarks (`GET …/stats`):

- `api_calls`: every API call, and `api_calls.<endpoint>` per endpoint (the URL names in
  urls.py, e.g. `api_calls.bib-search`);
- `storage_gets` and `storage_bytes`: requests for originals and the bytes sent (what a
  portal pulls from 9Pic's storage);
- `cdn_gets` and `cdn_bytes`: the same for previews and covers.

Bytes are counted as they are sent, so a download cut short counts what went out.
"""

import threading
from collections import Counter
from collections.abc import Iterable, Iterator

from django.http import HttpResponse, StreamingHttpResponse

_counts: Counter[str] = Counter()
_lock = threading.Lock()


def count(name: str, amount: int = 1) -> None:
    with _lock:
        _counts[name] += amount


def snapshot() -> dict[str, int]:
    with _lock:
        return dict(_counts)


def reset() -> None:
    with _lock:
        _counts.clear()


def counting_bytes(response: HttpResponse, name: str) -> HttpResponse:
    """`response`, adding the bytes of its body to `name` as they are sent."""
    if isinstance(response, StreamingHttpResponse):
        response.streaming_content = _counted(response.streaming_content, name)
    else:
        count(name, len(response.content))
    return response


def _counted(chunks: Iterable[bytes], name: str) -> Iterator[bytes]:
    for chunk in chunks:
        count(name, len(chunk))
        yield chunk
