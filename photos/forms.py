"""Runner input, validated before anything is sent upstream."""

import re
import uuid

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from photos.providers.base import SearchMethod

BIB_PATTERN = re.compile(r"[A-Za-z0-9-]{1,20}")
PAGE_PATTERN = re.compile(r"[0-9]{1,5}")
NUMBER_PATTERN = re.compile(r"[0-9]{1,18}")
MAX_PAGE = 10_000
# What a runner who left a search's field empty is asked for.
REQUIRED = {
    SearchMethod.BIB: gettext_lazy("Enter your BIB number."),
    SearchMethod.SELFIE: gettext_lazy("Enter your selfie search ID."),
}


def clean_bib(value: str) -> str:
    bib = value.strip()
    if not bib:
        raise forms.ValidationError(REQUIRED[SearchMethod.BIB], code="required")
    if not BIB_PATTERN.fullmatch(bib):
        raise forms.ValidationError(
            _("A BIB number has 1 to 20 letters, digits or hyphens, e.g. 1234 or A-17."),
            code="invalid",
        )
    return bib


def clean_uuid(value: str) -> str:
    """The canonical lower-case form of a UUID (selfie search and photo IDs), or ValueError."""
    text = value.strip()
    # Only the 36-character hyphenated form: uuid.UUID also takes braces and "urn:".
    if len(text) != 36:
        raise ValueError(text)
    return str(uuid.UUID(text))


def clean_selfie_id(value: str) -> str:
    if not value.strip():
        raise forms.ValidationError(REQUIRED[SearchMethod.SELFIE], code="required")
    try:
        return clean_uuid(value)
    except ValueError:
        raise forms.ValidationError(
            _("That is not a valid selfie search ID: it looks like %(example)s."),
            code="invalid",
            params={"example": "ddc661a7-8861-4793-9437-af42a82d12f8"},
        ) from None


def clean_number(value: str) -> str:
    """The canonical form of a positive whole number (RunSignUp photo IDs), or ValueError."""
    text = value.strip()
    if not NUMBER_PATTERN.fullmatch(text) or int(text) == 0:
        raise ValueError(text)
    return str(int(text))


def clean_identifier(method: SearchMethod, value: str) -> str:
    if method is SearchMethod.BIB:
        return clean_bib(value)
    return clean_selfie_id(value)


def clean_page(value: str | None) -> int:
    if value is None or value == "":
        return 1
    if not PAGE_PATTERN.fullmatch(value) or not 1 <= int(value) <= MAX_PAGE:
        raise forms.ValidationError(_("That page number does not exist."), code="invalid")
    return int(value)


class SearchForm(forms.Form):
    """One of `bib` or `selfie`, whichever the runner filled in (and the event offers)."""

    bib = forms.CharField(required=False, max_length=100, label=gettext_lazy("BIB number"))
    selfie = forms.CharField(required=False, max_length=100, label=gettext_lazy("Selfie search ID"))

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
            first = self.methods[0]
            self.add_error(first.value, REQUIRED[first])
            return cleaned
        method = filled[0]
        try:
            cleaned["method"] = method
            cleaned["identifier"] = clean_identifier(method, cleaned[method.value])
        except forms.ValidationError as error:
            self.add_error(method.value, error)
        return cleaned
