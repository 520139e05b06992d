"""Runner input, validated before anything is sent upstream."""

import re
import uuid

from django import forms

from photos.providers.base import SearchMethod

BIB_PATTERN = re.compile(r"[A-Za-z0-9-]{1,20}")
PAGE_PATTERN = re.compile(r"[0-9]{1,5}")
NUMBER_PATTERN = re.compile(r"[0-9]{1,18}")
MAX_PAGE = 10_000


def clean_bib(value: str) -> str:
    bib = value.strip()
    if not bib:
        raise forms.ValidationError("Enter your BIB number.", code="required")
    if not BIB_PATTERN.fullmatch(bib):
        raise forms.ValidationError(
            "A BIB number has 1 to 20 letters, digits or hyphens, e.g. 1234 or A-17.",
            code="invalid",
        )
    return bib


def clean_uuid(value: str, *, what: str) -> str:
    """The canonical lower-case form of a UUID, or a ValidationError naming `what`."""
    text = value.strip()
    if not text:
        raise forms.ValidationError(f"Enter your {what}.", code="required")
    try:
        # Only the 36-character hyphenated form: uuid.UUID also takes braces and "urn:".
        if len(text) != 36:
            raise ValueError
        return str(uuid.UUID(text))
    except ValueError:
        raise forms.ValidationError(
            f"That is not a valid {what}: it looks like ddc661a7-8861-4793-9437-af42a82d12f8.",
            code="invalid",
        ) from None


def clean_number(value: str, *, what: str) -> str:
    """The canonical form of a numeric ID (no leading zeros), or a ValidationError naming `what`."""
    text = value.strip()
    if not text:
        raise forms.ValidationError(f"Enter your {what}.", code="required")
    if not NUMBER_PATTERN.fullmatch(text) or int(text) == 0:
        raise forms.ValidationError(f"That is not a valid {what}: it is a number.", code="invalid")
    return str(int(text))


def clean_identifier(method: SearchMethod, value: str) -> str:
    if method is SearchMethod.BIB:
        return clean_bib(value)
    return clean_uuid(value, what="selfie search ID")


def clean_page(value: str | None) -> int:
    if value is None or value == "":
        return 1
    if not PAGE_PATTERN.fullmatch(value) or not 1 <= int(value) <= MAX_PAGE:
        raise forms.ValidationError("That page number does not exist.", code="invalid")
    return int(value)


class SearchForm(forms.Form):
    """One of `bib` or `selfie`, whichever the runner filled in (and the event offers)."""

    bib = forms.CharField(required=False, max_length=100, label="BIB number")
    selfie = forms.CharField(required=False, max_length=100, label="Selfie search ID")

    def __init__(self, *args, methods: list[SearchMethod], **kwargs):
        super().__init__(*args, **kwargs)
        self.methods = methods
        for method in SearchMethod:
            if method not in methods:
                del self.fields[method.value]

    def clean(self) -> dict:
        cleaned = super().clean()
        filled = [m for m in self.methods if (cleaned.get(m.value) or "").strip()]
        if not filled:
            if self.errors:
                return cleaned
            field = self.methods[0].value
            what = "your BIB number" if field == "bib" else "your selfie search ID"
            self.add_error(field, f"Enter {what}.")
            return cleaned
        method = filled[0]
        try:
            cleaned["method"] = method
            cleaned["identifier"] = clean_identifier(method, cleaned[method.value])
        except forms.ValidationError as error:
            self.add_error(method.value, error)
        return cleaned
