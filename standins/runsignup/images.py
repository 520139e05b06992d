"""The demo photos' three variants, drawn at their own size once and kept on disk."""

from pathlib import Path

from PIL import Image

from standins.photos import draw_race_photo, saved_once, watermarked

from .catalogue import ALBUMS, DemoPhoto


def image_path(media_dir: Path, photo: DemoPhoto, variant: str) -> Path:
    """The JPEG of one variant of `photo`, drawn on first use: the same scene at every size."""
    return saved_once(media_dir / f"{photo.photo_id}-{variant}.jpg", lambda: draw(photo, variant))


def draw(photo: DemoPhoto, variant: str) -> Image.Image:
    image = draw_race_photo(
        photo.size(variant),
        bibs=[str(bib) for bib in photo.bibs],
        seed=photo.photo_id,
        caption=f"Demo Race · {ALBUMS[photo.album_id]} · {photo.uploaded_filename}",
    )
    # RunSignUp watermarks its large images (their URLs say "large_watermarked"): only the
    # original is the photo a runner downloads.
    return watermarked(image, "PROOF") if variant == "large" else image
