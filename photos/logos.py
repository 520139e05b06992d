"""Organisers' logo uploads, scaled down and re-encoded before they are stored.

Runner pages show a logo 48 CSS pixels high; a few times that covers the densest phone
screens, and a camera-sized upload would cost every runner's page its weight. Re-encoding
also drops what the file carried besides the picture (EXIF, GPS, comments).
"""

from __future__ import annotations

from io import BytesIO
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageOps, UnidentifiedImageError

# Wide logos stay wide: four times the shown height, and room for a banner-shaped one.
MAX_SIZE = (800, 192)
# Refused before decoding: a small file can claim billions of pixels.
MAX_PIXELS = 40_000_000
# Pillow's format name: the extension it is stored under.
FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}


def shrink_logo(upload: UploadedFile[bytes]) -> ContentFile[bytes]:
    """The upload as a picture at most MAX_SIZE, in its own format (PNG, JPEG or WebP),
    without metadata. Anything else, or a picture of more than MAX_PIXELS, raises a
    ValidationError in the organiser's words; nothing is stored then."""
    upload.seek(0)
    try:
        with Image.open(upload) as picture:
            if picture.format not in FORMATS:
                raise ValidationError(
                    "Upload the logo as PNG, JPEG or WebP (an SVG can be given as an address)."
                )
            if picture.width * picture.height > MAX_PIXELS:
                raise ValidationError(
                    f"That picture is {picture.width}×{picture.height} pixels: upload one of "
                    f"at most {MAX_PIXELS // 1_000_000} megapixels."
                )
            file_format = picture.format
            # Cameras store portraits sideways with a note to turn them.
            shrunk = ImageOps.exif_transpose(picture)
            keeps_transparency = file_format != "JPEG"
            shrunk = shrunk.convert("RGBA" if keeps_transparency else "RGB")
            shrunk.thumbnail(MAX_SIZE, Image.Resampling.LANCZOS)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise ValidationError("That file is not a picture this portal can read.") from None
    encoded = BytesIO()
    options = {"optimize": True} if file_format == "PNG" else {"quality": 90}
    shrunk.save(encoded, format=file_format, **options)
    name = f"{PurePath(upload.name or 'logo').stem}.{FORMATS[file_format]}"
    return ContentFile(encoded.getvalue(), name=name)
