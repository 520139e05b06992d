"""Pictures organisers give the portal (an event's hero picture; later its logo): read with
Pillow, turned upright, scaled down to what a page shows and stored as JPEG, so that pages
never carry a camera's full-size file and the stored file holds no EXIF (location, camera)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

# Larger than any photo a page shows; a decompression bomb is refused before decoding.
MAX_PIXELS = 60_000_000
MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Fit:
    """The box a picture is scaled down into (never up), and its JPEG quality."""

    width: int
    height: int
    quality: int = 85


# The search page's picture: full width on a laptop, sharp on a phone's retina screen.
HERO = Fit(1600, 900)


class NotAPicture(ValueError):
    """What was given is no picture Pillow can read, or is too large to: the message says."""


def fitted_jpeg(data: bytes, fit: Fit, *, name: str) -> ContentFile[bytes]:
    """`data` (a JPEG, PNG, WebP, GIF…) upright, within `fit`, as a JPEG file named `name`.
    NotAPicture with words for the organiser if it cannot be read or is too large."""
    if len(data) > MAX_BYTES:
        raise NotAPicture(f"The picture is over {MAX_BYTES // (1024 * 1024)} MB.")
    try:
        with Image.open(io.BytesIO(data)) as picture:
            if picture.width * picture.height > MAX_PIXELS:
                raise NotAPicture("The picture has too many pixels.")
            upright = ImageOps.exif_transpose(picture)
            upright.thumbnail((fit.width, fit.height), Image.Resampling.LANCZOS)
            rgb = upright.convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise NotAPicture("That is not a picture the portal can read.") from error
    out = io.BytesIO()
    rgb.save(out, "JPEG", quality=fit.quality, optimize=True, progressive=True)
    return ContentFile(out.getvalue(), name=name)
