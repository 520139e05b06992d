"""Previews of 9Pic photos, made by the portal once from each original: a gallery never sends
a runner's phone originals.

Two levels: the Django cache (Redis via CACHE_URL: every instance sees what one made)
and a bounded folder on this machine (PREVIEW_DIR, PREVIEW_CACHE_MB, least recently
served removed first; 0 keeps none), from which responses are streamed. A preview is opened
before it is served, so removing it meanwhile cannot fail the response; one just made is
served from memory.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import os
import tempfile
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO

from django.conf import settings
from PIL import Image, ImageOps

from photos import sharedcache, singleflight
from photos.domain import Original, ProviderTimeout, ProviderUnavailable

# Bump when the rendering changes: it is part of every preview's name and ETag.
RENDER_VERSION = 1


@dataclass(frozen=True)
class PreviewSize:
    name: str
    width: int
    height: int
    crop: bool  # crop to exactly width x height (the grid), or fit inside (the viewer)
    quality: int


SIZES = {
    # The grid's tiles: 3:2 like most race photos, so the page can reserve their space.
    "small": PreviewSize("small", 720, 480, crop=True, quality=70),
    "large": PreviewSize("large", 1600, 1600, crop=False, quality=78),
}
# How long the shared level keeps a preview (Redis evicts before that if it must).
SHARED_SECONDS = 30 * 24 * 3600
# Originals are read into memory this far, then spill to a temporary file.
SPOOL_BYTES = 16 * 1024 * 1024
# Originals come from cameras. Other formats Pillow reads (PNG, TIFF, …) pack far more
# pixels into far fewer bytes, and nothing decodes them at a fraction of their size.
ORIGINAL_FORMATS = ("JPEG",)
# How long a preview waits for one of the PREVIEW_RENDERS slots of its process.
RENDER_WAIT_SECONDS = 10

# Pillow only warns of a picture over its pixel limit (up to twice it), then decodes it:
# here that is an error. Warning filters are process-wide; only previews open pictures
# that come from outside.
warnings.simplefilter("error", Image.DecompressionBombWarning)


def preview_name(photo_key: str, size: PreviewSize) -> str:
    """The file name of one rendering of one photo (`photo_key` names the photo)."""
    return f"{photo_key}-{size.name}-v{RENDER_VERSION}.jpg"


def etag(name: str) -> str:
    """A preview never changes for a given name, so its ETag needs no file read."""
    return hashlib.sha256(name.encode()).hexdigest()[:32]


def preview_file(
    name: str,
    size: PreviewSize,
    open_original: Callable[[], Original],
    *,
    admit: Callable[[], None] | None = None,
) -> BinaryIO:
    """The preview, open for reading: from this machine's store, else from the shared cache,
    else made from `open_original()` (once, however many ask at the same time). `admit()`
    runs before a missing preview is made or waited for (single flight's `admit`)."""
    store = PreviewStore(settings.PREVIEW_DIR, settings.PREVIEW_CACHE_MB * 1024 * 1024)
    kept = store.open(name)
    if kept is not None:
        return kept
    shared_key = f"preview:{name}"

    def make() -> bytes:
        original = open_original()
        try:
            data = render(original.chunks, size)
        finally:
            original.close()  # render may stop reading early
        sharedcache.put(shared_key, data, SHARED_SECONDS)
        return data

    data = singleflight.shared(
        f"making:{name}",
        lookup=lambda: sharedcache.get(shared_key),
        compute=make,
        wait=settings.NINEPIC_TIME_BUDGET + 10,
        admit=admit,
    )
    store.put(name, data)
    return io.BytesIO(data)


def render(chunks: Iterable[bytes], size: PreviewSize) -> bytes:
    """The preview of the JPEG original in `chunks`, reading at most PREVIEW_MAX_ORIGINAL_MB
    of it, with at most PREVIEW_RENDERS previews being made at once in this process.

    Raises ProviderUnavailable for an original that is larger, is not a JPEG Pillow reads,
    or has more pixels than Pillow's MAX_IMAGE_PIXELS (read from its header, before any is
    decoded); ProviderTimeout if no render slot frees within RENDER_WAIT_SECONDS.
    """
    limit_mb = settings.PREVIEW_MAX_ORIGINAL_MB
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as original:
        for chunk in chunks:
            original.write(chunk)
            if original.tell() > limit_mb * 1024 * 1024:
                raise ProviderUnavailable(f"original over {limit_mb} MB: no preview made")
        original.seek(0)
        with _render_slot():
            image = _decoded(original, size)
            if size.crop:
                # Runners are usually in the middle or a little above: keep heads in frame.
                image = ImageOps.fit(
                    image, (size.width, size.height), Image.Resampling.LANCZOS, centering=(0.5, 0.4)
                )
            else:
                image.thumbnail((size.width, size.height), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            image.save(out, "JPEG", quality=size.quality, optimize=True, progressive=True)
    return out.getvalue()


def _decoded(original: IO[bytes], size: PreviewSize) -> Image.Image:
    try:
        image = Image.open(original, formats=ORIGINAL_FORMATS)
        # Pillow has checked the header already and, with the filter above, refused more
        # pixels than its limit; but warning filters are process state, replaced while any
        # `catch_warnings` runs: so the count is checked here too.
        if Image.MAX_IMAGE_PIXELS and image.width * image.height > Image.MAX_IMAGE_PIXELS:
            raise ValueError(f"{image.width}x{image.height} pixels are too many")
        # JPEG draft mode decodes at 1/2, 1/4 or 1/8 scale: a 24-megapixel photo
        # is reduced while decoding instead of after.
        image.draft("RGB", (size.width, size.height))
        return ImageOps.exif_transpose(image).convert("RGB")
    except (
        OSError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as error:
        raise ProviderUnavailable(f"original is not a readable image: {error}") from error


@functools.cache
def _render_slots(count: int) -> threading.BoundedSemaphore:
    return threading.BoundedSemaphore(count)


@contextlib.contextmanager
def _render_slot() -> Iterator[None]:
    """One of the process's PREVIEW_RENDERS slots: decoding takes memory and both cores."""
    slots = _render_slots(settings.PREVIEW_RENDERS)
    if not slots.acquire(timeout=RENDER_WAIT_SECONDS):
        raise ProviderTimeout(f"no preview render slot free within {RENDER_WAIT_SECONDS}s")
    try:
        yield
    finally:
        slots.release()


class PreviewStore:
    """Files in one folder, bounded in total size; the least recently used go first."""

    _lock = threading.Lock()
    # Bytes in each folder as this process last counted, plus what it added since:
    # a full scan happens only when that passes the bound.
    _estimates: dict[Path, int] = {}

    def __init__(self, folder: Path, max_bytes: int):
        self.folder = folder
        self.max_bytes = max_bytes

    def open(self, name: str) -> BinaryIO | None:
        """The kept file, open for reading and marked as recently used; None if it is not
        kept. Once open, it stays readable even if it is removed to make room."""
        path = self.folder / name
        try:
            file = path.open("rb")
        except FileNotFoundError:
            return None
        with contextlib.suppress(FileNotFoundError):
            os.utime(path)
        return file

    def put(self, name: str, data: bytes) -> None:
        """Keep `data` as `name`, unless it is kept already or alone exceeds the bound
        (a bound of 0 keeps nothing)."""
        path = self.folder / name
        if len(data) > self.max_bytes or path.exists():
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".part")
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
        with self._lock:
            estimate = self._estimates.get(self.folder)
            estimate = self._evict() if estimate is None else estimate + len(data)
            if estimate > self.max_bytes:
                estimate = self._evict()
            self._estimates[self.folder] = estimate

    def _evict(self) -> int:
        """Remove least recently used files until the folder fits; return its size."""
        entries = []
        for entry in os.scandir(self.folder):
            if entry.name.endswith(".jpg"):
                with contextlib.suppress(FileNotFoundError):
                    stat = entry.stat()
                    entries.append((stat.st_mtime, stat.st_size, entry.path))
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries):
            if total <= self.max_bytes:
                break
            with contextlib.suppress(FileNotFoundError):
                os.remove(path)
            total -= size
        return total
