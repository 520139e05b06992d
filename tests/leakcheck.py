"""Records every response the test suite makes, so a fixture can prove the API key never leaks."""

from collections.abc import Iterable, Iterator
from threading import Lock

_lock = Lock()
_captured: list[tuple[str, bytes]] = []


def record(where: str, blob: bytes) -> None:
    with _lock:
        _captured.append((where, blob))


def clear() -> None:
    with _lock:
        _captured.clear()


def leaks(secret: str) -> list[str]:
    """Where `secret` appeared: request paths of responses whose headers or body held it."""
    needle = secret.encode()
    with _lock:
        return [where for where, blob in _captured if needle in blob]


def _tee(where: str, chunks: Iterable[bytes], overlap: int = 256) -> Iterator[bytes]:
    # Keep the tail of the previous chunk so a secret split across two chunks is still seen.
    tail = b""
    for chunk in chunks:
        record(where, tail + chunk)
        tail = chunk[-overlap:]
        yield chunk


class CaptureResponsesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        where = request.get_full_path()
        headers = "\n".join(f"{name}: {value}" for name, value in response.items())
        record(where, headers.encode())
        if response.streaming:
            response.streaming_content = _tee(where, response.streaming_content)
        else:
            record(where, response.content)
        return response
