"""9Pic FaceFind in the stand-in: a toy face matcher anyone can steer, and the searches it keeps.

The matcher goes by the colour of the runner's shirt, the main colour of a selfie: of the
picture's strongly coloured pixels (saturation and brightness both over 40 %), the most
fall in one of six hue sectors of 60°, centred on red (0°), yellow, green, cyan, blue and
magenta; that colour picks the event's runner wearing it (catalogue.PhotoSet.runners):

| shirt | Demo City Marathon (456, 457) | Demo Harbour 10K (789) |
|-------|-------------------------------|------------------------|
| red | BIB 777: 15 photos (the demo selfie search) | BIB 5001 |
| yellow | BIB 88 | nobody |
| green | BIB A-17 | BIB B-3 |
| blue | BIB 3105 | BIB 5017 |
| cyan, magenta | nobody | nobody |

A runner is found on the photos showing their BIB and on a few where it is hidden. A picture
with little colour (under a tenth of its pixels: grey, black, white, a face alone) or a shirt
nobody wears matches nobody: an empty result, as for a selfie of someone not in the race.
`sample-selfie.jpg` beside this file is `selfie("red")` saved as a JPEG: BIB 777's selfie.

Searches live in this process's memory: the newest MAX_SEARCHES, plus the demo selfie
search (catalogue.DEMO_SELFIE_REQUEST_ID), which is always there.
"""

import threading
from collections import Counter, OrderedDict
from pathlib import Path
from typing import IO

from PIL import Image

from standins.photos import draw_selfie

from . import catalogue
from .catalogue import DemoPhoto

SAMPLE_SELFIE = Path(__file__).with_name("sample-selfie.jpg")
HUES = ("red", "yellow", "green", "cyan", "blue", "magenta")
# A shirt of each colour, for drawing selfies that match.
SHIRTS = {
    "red": (200, 30, 40),
    "yellow": (230, 200, 30),
    "green": (40, 160, 60),
    "cyan": (30, 180, 200),
    "blue": (40, 70, 200),
    "magenta": (190, 40, 170),
}
MAX_SEARCHES = 1000
_SAMPLE_SIDE = 64
_STRONG = 102  # 40 % of 255
_ENOUGH = _SAMPLE_SIDE * _SAMPLE_SIDE // 10

_searches: OrderedDict[tuple[int, str], tuple[DemoPhoto, ...]] = OrderedDict()
_searches_lock = threading.Lock()


class NotAPicture(ValueError):
    """The upload is not an image Pillow can read (or is too large to decode)."""


def selfie(shirt: str) -> Image.Image:
    """A selfie of a runner in a shirt of colour `shirt` (a HUES name)."""
    return draw_selfie(SHIRTS[shirt])


def shirt_colour(upload: IO[bytes]) -> str | None:
    """The main colour of the picture in `upload`, one of HUES, or None if it has little colour.

    Raises NotAPicture for anything Pillow cannot open, and for a picture with more pixels
    than Pillow's decompression bomb limit allows.
    """
    try:
        with Image.open(upload) as picture:
            picture.draft("RGB", (_SAMPLE_SIDE * 2, _SAMPLE_SIDE * 2))  # JPEGs decode small
            sample = picture.convert("RGB").resize((_SAMPLE_SIDE, _SAMPLE_SIDE))
    except (
        OSError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,  # an error where the portal's previews are loaded
    ) as error:
        raise NotAPicture(str(error)) from error
    pixels = sample.convert("HSV").tobytes()  # hue, saturation, value: a byte each
    sectors = Counter(
        # Hue runs 0-255 here; half a sector's shift centres the first sector on red.
        HUES[(hue + 256 // 12) % 256 * len(HUES) // 256]
        for hue, saturation, value in zip(pixels[::3], pixels[1::3], pixels[2::3], strict=True)
        if saturation > _STRONG and value > _STRONG
    )
    if not sectors or sectors.most_common(1)[0][1] < _ENOUGH:
        return None
    return sectors.most_common(1)[0][0]


def match(event_id: int, upload: IO[bytes]) -> tuple[DemoPhoto, ...]:
    """The photos of the event's runner the selfie in `upload` shows; raises NotAPicture."""
    shirt = shirt_colour(upload)
    return tuple(catalogue.runner_photos(event_id, shirt) or ()) if shirt else ()


def result(event_id: int, request_id: str) -> tuple[DemoPhoto, ...] | None:
    """The photos a search found, or None if the event has no search of that request_id."""
    if request_id == catalogue.DEMO_SELFIE_REQUEST_ID:
        found = catalogue.photos_for_selfie(event_id, request_id)
        if found:
            return tuple(found)
    with _searches_lock:
        return _searches.get((event_id, request_id))


def remember(event_id: int, request_id: str, photos: tuple[DemoPhoto, ...]) -> None:
    with _searches_lock:
        _searches[(event_id, request_id)] = photos
        while len(_searches) > MAX_SEARCHES:
            _searches.popitem(last=False)


def forget_all() -> None:
    """Drops every search but the demo one (tests start from none)."""
    with _searches_lock:
        _searches.clear()
