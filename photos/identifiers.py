"""What runners and providers name things by, in canonical form: BIBs, UUIDs, numbers, pages.

Each function returns the canonical form or raises ValueError; nothing here talks to a
provider. Forms turn the ValueErrors into words for runners; providers and the sync use
the same rules for what they receive.
"""

import re
import uuid

BIB_PATTERN = re.compile(r"[A-Za-z0-9-]{1,20}")
PAGE_PATTERN = re.compile(r"[0-9]{1,5}")
NUMBER_PATTERN = re.compile(r"[0-9]{1,18}")
MAX_PAGE = 10_000


def clean_bib(value: str) -> str:
    """1 to 20 letters, digits or hyphens, e.g. 1234 or A-17."""
    bib = value.strip()
    if not BIB_PATTERN.fullmatch(bib):
        raise ValueError(bib)
    return bib


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
