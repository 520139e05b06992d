"""Demo race photos for the local stand-ins (9Pic, RunSignUp): drawn with Pillow, kept on disk.

Runners stand on a road, each with a legible BIB. Every length is relative to the picture's
size, so one scene drawn as a 3000 px original or a 300 px thumbnail shows the same thing.
Also drawn here: the providers' watermark, a camera's sensor noise, and a runner's selfie.
"""

import colorsys
import os
import random
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFont

QUALITY = 88
# The long side the scene's fixed lengths were laid out for; other sizes scale them.
DESIGN_LONG_SIDE = 3000
SKIN = (224, 178, 140)


def saved_once(path: Path, draw: Callable[[], Image.Image], quality: int = QUALITY) -> Path:
    """`path`, saved as a JPEG from `draw()` on first use. Safe when requests ask at once."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write aside, then rename: a concurrent reader sees no file or a whole one.
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
        try:
            with os.fdopen(handle, "wb") as file:
                draw().save(file, "JPEG", quality=quality, optimize=True)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    return path


def draw_race_photo(
    size: tuple[int, int], *, bibs: Sequence[str], seed: int, caption: str
) -> Image.Image:
    """A road scene with one runner per BIB (none: just the road), the same for the same seed."""
    width, height = size
    scale = max(width, height) / DESIGN_LONG_SIDE
    rng = random.Random(seed)  # noqa: S311 - a repeatable picture, not a secret
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)

    horizon = int(height * rng.uniform(0.45, 0.6))
    sky_hue = rng.uniform(0.52, 0.62)
    for y in range(horizon):  # sky: light at the horizon
        shade = y / horizon
        draw.line(
            [(0, y), (width, y)], fill=_rgb(sky_hue, 0.45 - 0.25 * shade, 0.55 + 0.35 * shade)
        )
    draw.rectangle([0, horizon, width, height], fill=(88, 92, 98))  # road
    marking, gap, vanishing = 90 * scale, 420 * scale, 6 * scale
    x = -200 * scale
    while x < width:  # lane markings in perspective
        draw.polygon(
            [
                (x, height),
                (x + marking, height),
                (width // 2 + vanishing, horizon),
                (width // 2 - vanishing, horizon),
            ],
            fill=(118, 122, 128),
        )
        x += gap

    # Runners stand in the middle of the frame, as photographers shoot them.
    slot = width / (len(bibs) + 1)
    runner = min(slot * 0.9, height * 0.6)
    for n, bib in enumerate(bibs):
        _draw_runner(
            draw,
            rng,
            centre=int(slot * (n + 1)),
            ground=int((height + runner) / 2),
            size=runner,
            bib=bib,
        )

    font = ImageFont.load_default(size=max(1, height // 40))
    draw.text((width // 40, height - height // 22), caption, font=font, fill=(255, 255, 255))

    # Sensor-like grain, so file sizes are those of real photos rather than of flat colour.
    grain = Image.effect_noise((max(1, width // 2), max(1, height // 2)), 40).resize(size)
    return Image.blend(image, Image.merge("RGB", (grain, grain, grain)), 0.15)


def _draw_runner(
    draw: ImageDraw.ImageDraw,
    rng: random.Random,
    *,
    centre: int,
    ground: int,
    size: float,
    bib: str,
) -> None:
    shirt = _rgb(rng.random(), 0.65, 0.5)
    body_width = size * 0.42
    top = ground - size
    head = size * 0.09
    draw.ellipse([centre - head, top, centre + head, top + 2 * head], fill=SKIN)
    torso = [centre - body_width / 2, top + 2.2 * head, centre + body_width / 2, top + size * 0.62]
    draw.rounded_rectangle(torso, radius=size * 0.05, fill=shirt)
    leg = body_width * 0.22
    for side in (-1, 1):
        x = centre + side * body_width * 0.22
        draw.rectangle([x - leg / 2, torso[3], x + leg / 2, ground], fill=(40, 40, 48))

    bib_box = [
        centre - body_width * 0.38,
        top + size * 0.3,
        centre + body_width * 0.38,
        top + size * 0.52,
    ]
    draw.rectangle(
        bib_box, fill=(250, 250, 250), outline=(20, 20, 20), width=max(2, int(size / 150))
    )
    font = ImageFont.load_default(size=max(1, int((bib_box[3] - bib_box[1]) * 0.62)))
    draw.text(
        ((bib_box[0] + bib_box[2]) / 2, (bib_box[1] + bib_box[3]) / 2),
        bib,
        font=font,
        fill=(10, 10, 10),
        anchor="mm",
    )


def watermarked(image: Image.Image, text: str) -> Image.Image:
    """`image` with `text` stamped faintly low in the frame, clear of the runners' BIBs."""
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    font = ImageFont.load_default(size=max(1, image.height // 6))
    ImageDraw.Draw(layer).text(
        (image.width / 2, image.height * 0.8),
        text,
        font=font,
        fill=(255, 255, 255, 90),
        anchor="mm",
    )
    return Image.alpha_composite(image.convert("RGBA"), layer).convert("RGB")


def with_sensor_noise(image: Image.Image) -> Image.Image:
    """`image` with a camera sensor's per-pixel noise: saved at high quality it weighs what a
    camera's JPEG does (about 12 MB at 24 megapixels), since noise does not compress."""
    tile_side = 1024
    # One noise tile repeated: JPEG compresses 8x8 blocks alone, so repeats save nothing, and
    # a tile is drawn in a fraction of the time the whole frame would take.
    tile = Image.merge("RGB", [Image.effect_noise((tile_side, tile_side), 8) for _ in range(3)])
    noise = Image.new("RGB", image.size)
    for x in range(0, image.width, tile_side):
        for y in range(0, image.height, tile_side):
            noise.paste(tile, (x, y))
    # effect_noise centres on 128: add it around zero.
    return ImageChops.add(image, noise, offset=-128)


def draw_selfie(shirt: tuple[int, int, int], size: tuple[int, int] = (480, 640)) -> Image.Image:
    """A runner's selfie: a face above a shirt of colour `shirt`, which fills most of the frame,
    against a grey wall (the 9Pic stand-in's toy face matcher goes by the shirt's colour)."""
    width, height = size
    image = Image.new("RGB", size, (150, 150, 150))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle(
        [width * 0.05, height * 0.5, width * 0.95, height * 1.1], radius=width * 0.2, fill=shirt
    )
    draw.ellipse([width * 0.28, height * 0.12, width * 0.72, height * 0.56], fill=SKIN)
    for eye in (0.42, 0.58):
        draw.ellipse(
            [width * (eye - 0.03), height * 0.3, width * (eye + 0.03), height * 0.34],
            fill=(40, 40, 48),
        )
    draw.arc(
        [width * 0.42, height * 0.38, width * 0.58, height * 0.46], 20, 160, fill=(120, 40, 40)
    )
    return image


def _rgb(hue: float, saturation: float, value: float) -> tuple[int, int, int]:
    red, green, blue = colorsys.hsv_to_rgb(hue, saturation, value)
    return int(red * 255), int(green * 255), int(blue * 255)
