"""Demo originals at real size (3000x2000), drawn once and kept on disk."""

from pathlib import Path

from PIL import Image

from standins.photos import draw_race_photo, saved_once

from .catalogue import DemoPhoto

LANDSCAPE = (3000, 2000)


def original_path(media_dir: Path, event_id: int, photo: DemoPhoto) -> Path:
    """The JPEG of `photo`, drawn on first use."""
    path = media_dir / str(event_id) / f"{photo.image_id}.jpg"
    return saved_once(path, lambda: draw_photo(photo))


def draw_photo(photo: DemoPhoto) -> Image.Image:
    return draw_race_photo(
        LANDSCAPE[::-1] if photo.is_portrait else LANDSCAPE,
        bibs=photo.bibs,
        seed=photo.index,
        caption=f"Demo City Marathon · photo {photo.index + 1}",
    )
