"""Trouble on demand, shared by the stand-ins: which fault strikes a call, answers dripped a
byte at a time, and what a storage host may send instead of the photo asked for.

A fault setting lists names with the share of calls each strikes, "name:share,…", e.g.
"throttle:0.05,error-503:0.02" for a load test; a name alone strikes every call.

Storage faults (NINEPIC_STANDIN_STORAGE_FAULTS, RUNSIGNUP_STANDIN_STORAGE_FAULTS), each
instead of the JPEG asked for:

- `redirect-loopback`: 302 to http://127.0.0.1:<the same port>/admin/, another path on loopback.
- `redirect-metadata`: 302 to the cloud metadata service, http://169.254.169.254/latest/….
- `redirect-chain`: 302 to the same address CHAIN_HOPS times (a `standin-hop` parameter
  counts them), then the photo.
- `slow-drip`: the photo a byte every STANDIN_DRIP_MS, the rest at once after
  STANDIN_DRIP_SECONDS.
- `gzip`: the photo gzipped, with `Content-Encoding: gzip`.
- `huge-png`: a black PNG of 9400x9400 pixels: 250 kB, 265 MB once decoded, just under
  Pillow's MAX_IMAGE_PIXELS, so Pillow opens it without a word.
- `pixel-bomb`: a black PNG of 12000x12000 pixels (410 kB, 432 MB decoded), over Pillow's
  MAX_IMAGE_PIXELS: Pillow only warns (it refuses past twice that).
- `wrong-type`: an HTML page (`text/html`), as a captive portal or a misrouted bucket sends.
"""

import gzip
import random
import struct
import time
import zlib
from collections.abc import Collection, Iterator
from functools import cache
from pathlib import Path

from django.conf import settings
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)

STORAGE_FAULTS = (
    "redirect-loopback",
    "redirect-metadata",
    "redirect-chain",
    "slow-drip",
    "gzip",
    "huge-png",
    "pixel-bomb",
    "wrong-type",
)
CHAIN_HOPS = 5
HOP_PARAMETER = "standin-hop"
METADATA_URL = "http://169.254.169.254/latest/meta-data/iam/security-credentials/"
HUGE_PNG_SIDE = 9400
PIXEL_BOMB_SIDE = 12000
# Names a provider may give a file, each wrong in its own way: climbing out of a folder,
# splitting a header, hiding a folder or a program, or saying nothing.
ODD_FILENAMES = (
    "../../../../home/x/.bashrc",
    "photo\r\nSet-Cookie: session=stolen.jpg",
    "x/{image_id}.exe",
    "",
    "..",
    "C:\\Windows\\win.ini",
    "/etc/passwd",
    "{image_id}.jpg\x00.html",
)


def parse(spec: str, known: Collection[str]) -> list[tuple[str, float]]:
    """The faults of a setting with their shares; ValueError names an unknown one."""
    faults = []
    for item in filter(None, (part.strip() for part in spec.split(","))):
        name, _, share = item.partition(":")
        if name not in known:
            raise ValueError(f"unknown stand-in fault {name!r}; known: {', '.join(known)}")
        faults.append((name, float(share) if share else 1.0))
    return faults


def pick(spec: str, known: Collection[str]) -> str | None:
    """The fault that strikes this call, if one does."""
    roll = random.random()  # noqa: S311 - a share of calls, not a secret
    for name, share in parse(spec, known):
        if roll < share:
            return name
        roll -= share
    return None


def dripped(body: bytes, content_type: str, status: int = 200) -> StreamingHttpResponse:
    """`body` a byte every STANDIN_DRIP_MS, the rest at once after STANDIN_DRIP_SECONDS, so
    that no dripping answer holds a server thread for longer."""
    response = StreamingHttpResponse(_drip(body), content_type=content_type, status=status)
    response["Content-Length"] = str(len(body))
    return response


def _drip(body: bytes) -> Iterator[bytes]:
    pause = settings.STANDIN_DRIP_MS / 1000
    stop = time.monotonic() + settings.STANDIN_DRIP_SECONDS
    for sent in range(len(body)):
        if time.monotonic() >= stop:
            yield body[sent:]
            return
        yield body[sent : sent + 1]
        time.sleep(pause)


def storage_fault(request: HttpRequest, spec: str) -> str | None:
    """The storage fault striking this GET; a redirect chain, once started, goes on."""
    if HOP_PARAMETER in request.GET:
        return "redirect-chain"
    return pick(spec, STORAGE_FAULTS)


def storage_answer(
    fault: str | None, request: HttpRequest, path: Path, content_type: str = "image/jpeg"
) -> HttpResponse:
    """What storage sends for the object at `path`: the file itself, or the fault's answer."""
    if fault == "redirect-loopback":
        return HttpResponseRedirect(f"http://127.0.0.1:{request.get_port()}/admin/")
    if fault == "redirect-metadata":
        return HttpResponseRedirect(METADATA_URL)
    if fault == "redirect-chain":
        hop = request.GET.get(HOP_PARAMETER, "")
        hop = int(hop) if hop.isdecimal() else 0
        if hop < CHAIN_HOPS:
            query = request.GET.copy()
            query[HOP_PARAMETER] = str(hop + 1)
            return HttpResponseRedirect(
                request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
            )
    if fault == "slow-drip":
        return dripped(path.read_bytes(), content_type)
    if fault == "gzip":
        response = HttpResponse(gzip.compress(path.read_bytes()), content_type=content_type)
        response["Content-Encoding"] = "gzip"
        return response
    if fault == "huge-png":
        return HttpResponse(blank_png(HUGE_PNG_SIDE, HUGE_PNG_SIDE), content_type="image/png")
    if fault == "pixel-bomb":
        return HttpResponse(blank_png(PIXEL_BOMB_SIDE, PIXEL_BOMB_SIDE), content_type="image/png")
    if fault == "wrong-type":
        return HttpResponse(
            "<!doctype html><title>Sign in to the Wi-Fi</title><p>Accept the terms to go on.",
            content_type="text/html",
        )
    return object_response(path, content_type)


def object_response(path: Path, content_type: str = "image/jpeg") -> FileResponse:
    """The file at `path` as a storage host sends it, streamed."""
    response = FileResponse(path.open("rb"), content_type=content_type)
    # FileResponse names the file inline; a storage object carries no such header.
    del response["Content-Disposition"]
    return response


@cache
def blank_png(width: int, height: int) -> bytes:
    """A black RGB PNG of `width` x `height`: small on the wire, huge once decoded."""
    row = b"\x00" * (1 + 3 * width)  # filter byte, then the row's pixels
    compressor = zlib.compressobj(9)
    pixels = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8 bits, RGB
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )
