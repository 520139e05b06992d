"""Pictures runners might send as a selfie, good and bad, made on the fly."""

import io
import struct
import zlib

from PIL import Image

from standins.ninepic.facefind import SHIRTS
from standins.photos import draw_selfie

# Written into the EXIF of phone_photo(): none of it may reach 9Pic, a disk or a log.
MARKER = "selfie-marker-7c1e0f3a"
GPS_LATITUDE = (51.0, 30.0, 26.37)  # a race's start: degrees, minutes, seconds
GPS_IFD = 0x8825
IMAGE_DESCRIPTION = 0x010E
ORIENTATION = 0x0112


def phone_photo(
    shirt: str = "red", size: tuple[int, int] = (3024, 4032), *, rotated: bool = False
) -> bytes:
    """A selfie as a phone saves it: megapixels of sensor noise at JPEG quality 95, with EXIF
    holding a GPS position and MARKER. `rotated`: stored on its side, with EXIF Orientation 6
    (turn 90° clockwise to view), as phones held upright save them."""
    picture = draw_selfie(SHIRTS[shirt], size=size)
    noise = Image.effect_noise(size, 24).convert("RGB")
    picture = Image.blend(picture, noise, 0.12)
    exif = Image.Exif()
    exif[IMAGE_DESCRIPTION] = MARKER
    exif.get_ifd(GPS_IFD).update({1: "N", 2: GPS_LATITUDE, 3: "W", 4: (0.0, 7.0, 39.0)})
    if rotated:
        picture = picture.transpose(Image.Transpose.ROTATE_90)
        exif[ORIENTATION] = 6
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=95, exif=exif)
    return out.getvalue()


def png(size: tuple[int, int], mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size).save(out, "PNG")
    return out.getvalue()


def pixel_flood(width: int = 100_000, height: int = 100_000) -> bytes:
    """A PNG of a few hundred bytes whose header claims width x height pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    rows = zlib.compress(b"\0" * (1 + width // 8) * 8)  # the first rows only
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )
