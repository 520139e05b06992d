"""What runners and providers name things by, in canonical form: BIBs, UUIDs, numbers,
pages, and the names of downloaded files.

Each `clean_*` function returns the canonical form or raises ValueError; nothing here
talks to a provider. Forms turn the ValueErrors into words for runners; providers and the
sync use the same rules for what they receive.
"""

import re
import unicodedata
import uuid
from pathlib import PurePosixPath

BIB_PATTERN = re.compile(r"[A-Za-z0-9-]{1,20}")
# Marks runners type around a BIB that are never part of one: "#1234", "1234.", "(A-17)".
BIB_WRAPPING = "#.,;:!?'\"()[]‘’“”«»"
# A dot, comma or apostrophe between digits groups thousands: 1.234, 1,234, 1'234.
DIGIT_GROUPING = re.compile(r"(?<=[0-9])[.,'’](?=[0-9])")
MINUS_SIGN = "\u2212"
PAGE_PATTERN = re.compile(r"[0-9]{1,5}")
NUMBER_PATTERN = re.compile(r"[0-9]{1,18}")
# The largest number NUMBER_PATTERN takes; it fits a 64-bit column (PositiveBigIntegerField).
MAX_NUMBER = 10**18 - 1
MAX_PAGE = 10_000

# The formats originals come in; any other name is not an image a runner should save.
IMAGE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".heic", ".heif", ".webp"})
MAX_FILENAME_LENGTH = 100
PATH_SEPARATORS = re.compile(r"[/\\]")
RESERVED_ON_WINDOWS = re.compile(r'[<>:"|?*]')


def tidy_bib_input(value: str) -> str:
    """A BIB as a runner typed it, tidied for `clean_bib`: compatibility forms made plain
    (full-width １２３４ is 1234, Ａ is A), every dash or minus sign a hyphen, no spaces or
    invisible characters anywhere (" 1 234 "), no digit grouping (1.234, 1,234, 1'234), no
    marks around it ("#1234", "1234.", "(A-17)"). Letter case is left to `clean_bib`.
    Never raises: what is left may still not be a BIB."""
    text = unicodedata.normalize("NFKC", value)
    # Spaces, and the invisible characters copying from a results page brings along.
    kept = (c for c in text if not c.isspace() and unicodedata.category(c) != "Cf")
    text = "".join("-" if unicodedata.category(c) == "Pd" or c == MINUS_SIGN else c for c in kept)
    return DIGIT_GROUPING.sub("", text).strip(BIB_WRAPPING)


def clean_bib(value: str) -> str:
    """1 to 20 letters, digits or hyphens, e.g. 1234 or A-17, in upper case: BIBs are
    matched in any case (9Pic's BIB Search does), so `a-17` and `A-17` are one search."""
    bib = value.strip()
    if not BIB_PATTERN.fullmatch(bib):
        raise ValueError(bib)
    return bib.upper()


def clean_uuid(value: str) -> str:
    """The canonical lower-case form of a UUID (selfie search and 9Pic photo IDs)."""
    text = value.strip()
    # Only the 36-character hyphenated form: uuid.UUID also takes braces and "urn:".
    if len(text) != 36:
        raise ValueError(text)
    return str(uuid.UUID(text))


def clean_number(value: str) -> str:
    """The canonical form of a positive whole number (RunSignUp photo IDs)."""
    text = value.strip()
    if not NUMBER_PATTERN.fullmatch(text) or int(text) == 0:
        raise ValueError(text)
    return str(int(text))


def clean_page(value: str | None) -> int:
    """A gallery page from 1 to MAX_PAGE; none given is the first."""
    if value is None or value == "":
        return 1
    if not PAGE_PATTERN.fullmatch(value) or not 1 <= int(value) <= MAX_PAGE:
        raise ValueError(value)
    return int(value)


def is_clean_uuid(value: str) -> bool:
    """Whether `value` is a UUID already in the canonical form `clean_uuid` gives."""
    try:
        return clean_uuid(value) == value
    except ValueError:
        return False


def safe_filename(name: str, *, image_id: str) -> str:
    """A file name from upstream, made harmless for a download or a ZIP entry: its last
    path part (after `/` or `\\`), without control or invisible characters, characters
    Windows refuses, or leading and trailing dots and spaces; at most MAX_FILENAME_LENGTH
    characters, ending in an image extension. `<image_id>.jpg` if nothing usable is left."""
    base = PATH_SEPARATORS.split(name)[-1]
    base = "".join(character for character in base if character.isprintable())
    base = RESERVED_ON_WINDOWS.sub("_", base).strip(" .")
    path = PurePosixPath(base)
    if path.suffix.lower() not in IMAGE_EXTENSIONS:
        return f"{image_id}.jpg"
    return path.stem[: MAX_FILENAME_LENGTH - len(path.suffix)] + path.suffix
