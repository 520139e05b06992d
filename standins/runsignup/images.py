"""The demo photos' three variants, drawn at their own size once and kept on disk."""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from standins.photos import draw_race_photo, saved_once

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
    return _watermarked(image) if variant == "large" else image


def _watermarked(image: Image.Image) -> Image.Image:
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    font = ImageFont.load_default(size=image.height // 6)
    ImageDraw.Draw(layer).text(
        # Low in the frame, clear of the runners' BIBs.
        (image.width / 2, image.height * 0.8),
        "PROOF",
        font=font,
        fill=(255, 255, 255, 90),
        anchor="mm",
    )
    return Image.alpha_composite(image.convert("RGBA"), layer).convert("RGB")
