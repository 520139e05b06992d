"""Pictures organisers give the portal (an event's logo, its hero picture): read with Pillow,
turned upright, scaled down to what a page shows and re-encoded, so that pages never carry
a camera's full-size file and the stored file holds nothing but the picture (no EXIF,
location, camera or comments)."""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

# Refused before decoding: a small file can claim billions of pixels.
MAX_PIXELS = 40_000_000
MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Fit:
    """The box a picture is scaled down into (never up), and how it is stored."""

    width: int
    height: int
    quality: int = 85
    # Pillow's format name -> the stored file's extension, for pictures kept in their own
    # format (a logo's transparency); empty: any picture Pillow reads, stored as JPEG.
    own_formats: Mapping[str, str] = field(default_factory=dict)
    # What to say to a picture in another format, where `own_formats` are the only ones.
    other_format: str = ""


# The search page's picture: full width on a laptop, sharp on a phone's retina screen.
HERO = Fit(1600, 900)
# Shown 48 pixels high: four times that, and room for a banner-shaped logo.
LOGO = Fit(
    800,
    192,
    quality=90,
    own_formats={"PNG": "png", "JPEG": "jpg", "WEBP": "webp"},
    other_format="Upload the logo as PNG, JPEG or WebP (an SVG can be given as an address).",
)


class NotAPicture(ValueError):
    """What was given is no picture Pillow can read, or is too large to: the message says."""


def scaled_down(data: bytes, fit: Fit, *, stem: str) -> ContentFile[bytes]:
    """`data` upright, within `fit`, without metadata, as a file named `stem` with its
    format's extension. NotAPicture with words for the organiser if it cannot be read, is
    in a format `fit` does not take, or is too large."""
    if len(data) > MAX_BYTES:
        raise NotAPicture(f"The picture is over {MAX_BYTES // (1024 * 1024)} MB.")
    try:
        with Image.open(io.BytesIO(data)) as picture:
            if fit.own_formats and picture.format not in fit.own_formats:
                raise NotAPicture(fit.other_format)
            if picture.width * picture.height > MAX_PIXELS:
                raise NotAPicture(
                    f"That picture is {picture.width}×{picture.height} pixels: upload one of "
                    f"at most {MAX_PIXELS // 1_000_000} megapixels."
                )
            file_format = str(picture.format) if fit.own_formats else "JPEG"
            upright = ImageOps.exif_transpose(picture)
            upright.thumbnail((fit.width, fit.height), Image.Resampling.LANCZOS)
            shrunk = upright.convert("RGB" if file_format == "JPEG" else "RGBA")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise NotAPicture("That file is not a picture this portal can read.") from error
    out = io.BytesIO()
    if file_format == "PNG":
        shrunk.save(out, "PNG", optimize=True)
    else:
        shrunk.save(out, file_format, quality=fit.quality, optimize=True, progressive=True)
    extension = fit.own_formats.get(file_format, "jpg")
    return ContentFile(out.getvalue(), name=f"{stem}.{extension}")
