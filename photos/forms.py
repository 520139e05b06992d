"""Runner input, validated before anything is sent upstream, with messages in runner words."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib.auth.base_user import BaseUserManager
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from photos import identifiers, timewindows
from photos.domain import SearchMethod

if TYPE_CHECKING:
    from photos.models import Event
    from photos.providers.base import PhotoProvider

# What a runner who left a search's field empty is asked for.
REQUIRED = {
    SearchMethod.BIB: gettext_lazy("Enter your BIB number."),
    SearchMethod.SELFIE: gettext_lazy("Enter your selfie search ID."),
}


def clean_bib(value: str) -> str:
    if not value.strip():
        raise forms.ValidationError(REQUIRED[SearchMethod.BIB], code="required")
    try:
        return identifiers.clean_bib(identifiers.tidy_bib_input(value))
    except ValueError:
        raise forms.ValidationError(
            _("A BIB number has 1 to 20 letters, digits or hyphens, e.g. 1234 or A-17."),
            code="invalid",
        ) from None


def clean_selfie_id(value: str) -> str:
    if not value.strip():
        raise forms.ValidationError(REQUIRED[SearchMethod.SELFIE], code="required")
    try:
        return identifiers.clean_uuid(value)
    except ValueError:
        raise forms.ValidationError(
            _("That is not a valid selfie search ID: it looks like %(example)s."),
            code="invalid",
            params={"example": "ddc661a7-8861-4793-9437-af42a82d12f8"},
        ) from None


CLEANERS = {SearchMethod.BIB: clean_bib, SearchMethod.SELFIE: clean_selfie_id}


def clean_page(value: str | None) -> int:
    try:
        return identifiers.clean_page(value)
    except ValueError:
        raise forms.ValidationError(_("That page number does not exist."), code="invalid") from None


class SearchForm(forms.Form):
    """One of `bib` or `selfie`, whichever the runner filled in (and the event offers)."""

    bib = forms.CharField(required=False, max_length=100, label=gettext_lazy("BIB number"))
    selfie = forms.CharField(required=False, max_length=100, label=gettext_lazy("Selfie search ID"))

    def __init__(
        self, *args: Any, methods: list[SearchMethod], numeric_bibs: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.methods = [method for method in methods if method.finds_a_runner]
        self.numeric_bibs = numeric_bibs  # the field then asks phones for a number pad
        for method in (SearchMethod.BIB, SearchMethod.SELFIE):
            if method not in self.methods:
                del self.fields[method.value]

    @classmethod
    def of(cls, provider: PhotoProvider, data: Mapping[str, str] | None = None) -> SearchForm:
        """The form of the searches the event's provider offers runners."""
        return cls(data, methods=provider.search_methods, numeric_bibs=provider.numeric_bibs)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
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
            cleaned["identifier"] = CLEANERS[method](cleaned[method.value])
        except forms.ValidationError as error:
            self.add_error(method.value, error)
        return cleaned


def _time_of_day(value: str) -> time:
    try:
        return timewindows.parse_clock(value)
    except ValueError:
        raise forms.ValidationError(
            _("Enter a time of day in hours and minutes, e.g. 09:41."), code="invalid"
        ) from None


class TimeSearchForm(forms.Form):
    """Find me by my finish time: the clock time the runner finished at, or their start time
    and race time (net or gun), on the race day and its clocks. `clock` is the finish."""

    finish = forms.CharField(
        required=False, max_length=20, label=gettext_lazy("Your finish time (clock time)")
    )
    start = forms.CharField(required=False, max_length=20, label=gettext_lazy("Your start time"))
    duration = forms.CharField(
        required=False, max_length=20, label=gettext_lazy("Your race time (net or gun)")
    )

    def __init__(self, *args: Any, day: date, zone: ZoneInfo, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.day, self.zone = day, zone

    @classmethod
    def of(cls, event: Event, data: Mapping[str, str] | None = None) -> TimeSearchForm:
        """The form for an event with a race day (the time search needs one)."""
        assert event.date is not None  # offered only then (PhotoProvider.search_methods)
        return cls(data, day=event.date, zone=event.zone)

    @property
    def first_error(self) -> str | None:
        """The first field with an error: the page focuses it (one field only)."""
        return next((name for name in self.fields if name in self.errors), None)

    @property
    def finish_shown(self) -> str:
        return self._time_shown("finish")

    @property
    def start_shown(self) -> str:
        return self._time_shown("start")

    def _time_shown(self, name: str) -> str:
        """A time field's value shown again: as HH:MM, or empty where it was no time (a time
        input may only hold a valid one)."""
        try:
            return timewindows.parse_clock(self[name].value() or "").strftime("%H:%M")
        except ValueError:
            return ""

    def clean_finish(self) -> time | None:
        value = self.cleaned_data["finish"].strip()
        return _time_of_day(value) if value else None

    def clean_start(self) -> time | None:
        value = self.cleaned_data["start"].strip()
        return _time_of_day(value) if value else None

    def clean_duration(self) -> timedelta | None:
        value = self.cleaned_data["duration"].strip()
        if not value:
            return None
        try:
            return timewindows.parse_duration(value)
        except ValueError:
            raise forms.ValidationError(
                _("Enter your race time as hours, minutes and seconds, e.g. 3:41:27."),
                code="invalid",
            ) from None

    def clean(self) -> dict[str, Any]:
        super().clean()
        if self.errors:
            return self.cleaned_data
        cleaned = self.cleaned_data
        finish, start, duration = (
            cleaned.get("finish"),
            cleaned.get("start"),
            cleaned.get("duration"),
        )
        if finish is not None:
            cleaned["clock"] = finish
        elif start is not None and duration is not None:
            try:
                cleaned["clock"] = timewindows.finish_clock(self.day, start, duration, self.zone)
            except ValueError:
                self.add_error(
                    "duration", _("That finish is not on the race day: check both times.")
                )
        elif start is not None:
            self.add_error("duration", _("Enter your race time too, e.g. 3:41:27."))
        elif duration is not None:
            self.add_error("start", _("Enter your start time too, e.g. 08:00."))
        else:
            self.add_error(
                "finish", _("Enter the time you finished, or your start time and race time.")
            )
        return cleaned


class SubscribeForm(forms.Form):
    """The address for "email me when my photos are ready"."""

    email = forms.EmailField(
        max_length=254,
        label=gettext_lazy("Your email address"),
        error_messages={
            "required": gettext_lazy("Enter your email address."),
            "invalid": gettext_lazy("Check the email address: it looks like name@example.com."),
        },
    )

    def clean_email(self) -> str:
        # A domain has no letter case: one request per address, however it was typed.
        return BaseUserManager.normalize_email(self.cleaned_data["email"])
