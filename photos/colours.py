"""An event's accent colour: WCAG contrast, the text put on it, and whether runners can see it.

The accent fills buttons (with black or white text, whichever reads better: always at least
4.58:1) and marks ticked photos, the current page and the header's rule on the page's grey.
The admin asks it to stand out from that grey as text must (4.5:1), so whatever the pages
do with it stays readable. static/photos/admin.js checks the same live, with the numbers the
admin's widget hands it (`contrast_attributes`).
"""

import math
import re

from django.core.exceptions import ValidationError

# The runner pages' background (--wash in portal.css): darker than their white cards, so
# the stricter of the two for an accent.
PAGE_BACKGROUND = "#f3f4f6"
MINIMUM_CONTRAST = 4.5
BLACK, WHITE = "#000000", "#ffffff"


def relative_luminance(colour: str) -> float:
    """WCAG 2's relative luminance of `#rrggbb`."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2's contrast ratio of two `#rrggbb` colours, from 1 to 21."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_colour_on(colour: str) -> str:
    """Black or white, whichever contrasts more with `colour`."""
    return BLACK if contrast_ratio(colour, BLACK) > contrast_ratio(colour, WHITE) else WHITE


def readable_shade(colour: str) -> str:
    """The lightest darkening of `colour` (its hue kept) that reaches the minimum contrast on
    the page: a suggestion for organisers whose brand colour is too light."""
    channels = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    for percent in range(100, -1, -1):
        shade = "#" + "".join(f"{round(c * percent / 100):02x}" for c in channels)
        if contrast_ratio(shade, PAGE_BACKGROUND) >= MINIMUM_CONTRAST:
            return shade
    return BLACK  # not reached: black on the page's grey is 18.1:1


def validate_readable_on_page(colour: str) -> None:
    """Refuse an accent that runners could hardly tell from the page's background. Colours
    that are not `#rrggbb` are left to the format's own validator."""
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", colour):
        return
    ratio = contrast_ratio(colour, PAGE_BACKGROUND)
    if ratio < MINIMUM_CONTRAST:
        # Rounded down: 4.46 must not read as the 4.5 it misses.
        shown = math.floor(ratio * 10) / 10
        raise ValidationError(
            "%(colour)s stands out from the runner pages' background only %(ratio).1f:1; "
            "it needs %(minimum).1f:1 to be readable. A darker shade such as %(shade)s is.",
            code="low_contrast",
            params={
                "colour": colour,
                "ratio": shown,
                "minimum": MINIMUM_CONTRAST,
                "shade": readable_shade(colour),
            },
        )


def contrast_attributes() -> dict[str, str]:
    """What the admin's live check needs on the colour input (static/photos/admin.js)."""
    return {
        "data-contrast-background": PAGE_BACKGROUND,
        "data-contrast-minimum": str(MINIMUM_CONTRAST),
    }
