"""A runner's selfie, checked and made into the small JPEG sent to the provider's face search.

Everything happens in memory: the portal never writes a selfie to disk, a cache or a log.
What the runner sent is refused before it is decoded if it is empty, larger than
SELFIE_MAX_BYTES, not a picture Pillow can read (JPEG, PNG, WebP, and HEIC/HEIF through
pi-heif), or larger than SELFIE_MAX_PIXELS (a small file can unpack into gigabytes). What is
sent on is a new JPEG drawn from the pixels alone, upright, at most SELFIE_SIDE pixels on its
longest side: no EXIF (GPS position, camera, time), no comments, no colour profile.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from enum import Enum

from django.conf import settings
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps

try:  # Decoding only: pi-heif brings libheif's HEVC decoder and no encoder.
    from pi_heif.as_plugin import register_heif_opener
except ImportError:  # pragma: no cover - a deployment without it says so to HEIC senders
    HEIF_SUPPORTED = False
else:
    register_heif_opener()
    HEIF_SUPPORTED = True

# Face matching needs a face, not a poster: this keeps a selfie around 100-300 KB.
SELFIE_SIDE = 1280
JPEG_QUALITY = 85
FORMATS = ("JPEG", "PNG", "WEBP", *(("HEIF",) if HEIF_SUPPORTED else ()))
# The first bytes of an HEIF file (ISO base media "ftyp" box with an HEIF brand), to tell
# an iPhone picture apart from junk when HEIF cannot be decoded here.
_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1", b"avif")


class Refusal(Enum):
    """Why a selfie was refused, in the runner's words, with the status of the answer."""

    EMPTY = (400, gettext_lazy("Choose a picture of your face first."))
    TOO_LARGE = (413, gettext_lazy("That picture is too large. Choose one under %(megabytes)s MB."))
    NOT_A_PICTURE = (
        400,
        gettext_lazy("That file is not a picture we can read. Choose a JPEG or PNG photo."),
    )
    HEIC_UNSUPPORTED = (
        415,
        gettext_lazy(
            "That picture is in Apple's HEIC format, which we cannot read here. Take a "
            "screenshot of it, or set your camera to “Most Compatible”, and try again."
        ),
    )
    TOO_MANY_PIXELS = (
        400,
        gettext_lazy("That picture has too many pixels. Choose a smaller one, like a selfie."),
    )

    @property
    def status(self) -> int:
        return self.value[0]

    @property
    def message(self) -> str:
        return str(self.value[1]) % {"megabytes": settings.SELFIE_MAX_BYTES // (1024 * 1024)}


class SelfieRefused(Exception):
    """What the runner sent cannot be sent on; `refusal` says why, in their words."""

    def __init__(self, refusal: Refusal):
        super().__init__(refusal.name)
        self.refusal = refusal


@dataclass(frozen=True)
class Selfie:
    """The JPEG to send: `jpeg` bytes of `width` x `height` pixels."""

    jpeg: bytes
    width: int
    height: int

    def __repr__(self) -> str:  # never the bytes, wherever it is printed
        return f"Selfie({self.width}x{self.height}, {len(self.jpeg)} bytes)"


def prepare(sent: bytes) -> Selfie:
    """The selfie in `sent` (what the runner uploaded) as a clean JPEG; SelfieRefused if it
    cannot be one. Decodes at most SELFIE_MAX_PIXELS pixels (JPEGs at a reduced scale)."""
    if not sent:
        raise SelfieRefused(Refusal.EMPTY)
    if len(sent) > settings.SELFIE_MAX_BYTES:
        raise SelfieRefused(Refusal.TOO_LARGE)
    with warnings.catch_warnings():
        # Our own pixel cap below is lower than Pillow's warning threshold.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(sent), formats=FORMATS) as picture:
                if picture.width * picture.height > settings.SELFIE_MAX_PIXELS:
                    raise SelfieRefused(Refusal.TOO_MANY_PIXELS)
                # A JPEG decodes straight at 1/2, 1/4 or 1/8 of its size: far less memory.
                picture.draft("RGB", (SELFIE_SIDE, SELFIE_SIDE))
                upright = ImageOps.exif_transpose(picture)
                upright.thumbnail((SELFIE_SIDE, SELFIE_SIDE), Image.Resampling.LANCZOS)
                pixels = upright.convert("RGB")
        except Image.DecompressionBombError:
            raise SelfieRefused(Refusal.TOO_MANY_PIXELS) from None
        except (OSError, ValueError, SyntaxError, EOFError):
            refusal = Refusal.HEIC_UNSUPPORTED if _is_heif(sent) else Refusal.NOT_A_PICTURE
            raise SelfieRefused(refusal) from None
    out = io.BytesIO()
    # Only the pixels: Pillow writes no EXIF, comment or ICC profile unless asked to.
    pixels.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return Selfie(jpeg=out.getvalue(), width=pixels.width, height=pixels.height)


def _is_heif(sent: bytes) -> bool:
    return "HEIF" not in FORMATS and sent[4:8] == b"ftyp" and sent[8:12] in _HEIF_BRANDS
