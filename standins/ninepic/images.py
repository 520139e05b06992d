"""The demo photos as 9Pic serves them, each drawn once and kept under NINEPIC_STANDIN_MEDIA_DIR:
originals in storage (NINEPIC_STANDIN_ORIGINAL_SIZE, 3000x2000 unless set; with
NINEPIC_STANDIN_CAMERA_ORIGINALS, a camera's sensor noise at quality 95, about 12 MB at
6000x4000), and on the CDN the watermarked previews of the same scenes (small: 480 px on the
long side, large: 1600 px) and the events' covers (1200x630)."""

from pathlib import Path

from django.conf import settings
from PIL import Image

from standins.photos import QUALITY, draw_race_photo, saved_once, watermarked, with_sensor_noise

from .catalogue import DemoEvent, DemoPhoto

DEFAULT_ORIGINAL_SIZE = (3000, 2000)
PREVIEW_LONG_SIDES = {"small": 480, "large": 1600}
COVER_SIZE = (1200, 630)
CAMERA_QUALITY = 95
WATERMARK = "9Pic"


def original_size(photo: DemoPhoto) -> tuple[int, int]:
    return photo.size(settings.NINEPIC_STANDIN_ORIGINAL_SIZE)


def preview_size(photo: DemoPhoto, variant: str) -> tuple[int, int]:
    width, height = original_size(photo)
    scale = PREVIEW_LONG_SIDES[variant] / max(width, height)
    return int(width * scale + 0.5), int(height * scale + 0.5)


def original_path(event_id: int, photo: DemoPhoto) -> Path:
    """The original JPEG of `photo`, drawn on first use at the configured size and grain."""
    landscape = settings.NINEPIC_STANDIN_ORIGINAL_SIZE
    size = photo.size(landscape)
    camera = settings.NINEPIC_STANDIN_CAMERA_ORIGINALS
    # Other sizes and grains have a folder each, so a changed setting never serves a stale
    # file; the default keeps the place it always had (the benchmark puts files there).
    folder = _media()
    if camera or landscape != DEFAULT_ORIGINAL_SIZE:
        folder = folder / (f"{landscape[0]}x{landscape[1]}" + ("-camera" if camera else ""))
    path = folder / str(event_id) / f"{photo.image_id}.jpg"
    if camera:
        return saved_once(path, lambda: with_sensor_noise(draw_photo(photo, size)), CAMERA_QUALITY)
    return saved_once(path, lambda: draw_photo(photo, size), QUALITY)


def preview_path(event_id: int, photo: DemoPhoto, variant: str) -> Path:
    """The watermarked preview ("small" or "large") of `photo`, drawn on first use."""
    size = preview_size(photo, variant)
    path = _media() / "cdn" / f"{size[0]}x{size[1]}" / str(event_id) / f"{photo.image_id}.jpg"
    return saved_once(path, lambda: watermarked(draw_photo(photo, size), WATERMARK))


def cover_path(event: DemoEvent) -> Path:
    """The event's cover: its road, empty, with its name."""
    path = _media() / "cdn" / "covers" / f"{event.event_id}.jpg"
    return saved_once(
        path,
        lambda: draw_race_photo(COVER_SIZE, bibs=(), seed=event.event_id, caption=event.name or ""),
    )


def draw_photo(photo: DemoPhoto, size: tuple[int, int] | None = None) -> Image.Image:
    """The scene of `photo` at `size` (width, height), by default as a 3000x2000 original."""
    return draw_race_photo(
        size or photo.size(DEFAULT_ORIGINAL_SIZE),
        bibs=photo.bibs,
        seed=photo.seed,
        caption=photo.caption,
    )


def _media() -> Path:
    # Read per call: tests point it at a folder of their own.
    return Path(settings.NINEPIC_STANDIN_MEDIA_DIR)
