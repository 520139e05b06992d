from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.forms import ModelChoiceField
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language_info
from django.views.decorators.http import require_POST

from photos import credentials, figures, images, signage
from photos.colours import contrast_attributes
from photos.domain import ProviderError, ProviderMisconfigured, SearchMethod
from photos.models import Event, Organisation, PhotoSubscription
from photos.organisations import is_organiser, managed_by, visible_events
from photos.origins import missing_twins
from photos.providers import PROVIDERS, provider_for
from photos.providers.base import PhotoProvider, RefreshFailed
from photos.providers.ninepic import accounts
from photos.web.embedding import embed_code

if TYPE_CHECKING:
    # The stubs' types of ModelAdmin.fieldsets and of one fieldset's options.
    from django.contrib.admin.options import _FieldOpts, _FieldsetSpec

SEARCH_LABELS = {SearchMethod.BIB: "BIB", SearchMethod.SELFIE: "selfie"}

# The admin is mostly this one model: a menu column beside every page would take a quarter of
# a 1280-pixel screen from the event list (the breadcrumbs and the index lead everywhere).
admin.site.enable_nav_sidebar = False


def _fieldset(provider: type[PhotoProvider]) -> tuple[str, _FieldOpts]:
    """The fields that name an event at the provider, together, with its words for organisers.
    static/photos/admin.js shows only the chosen provider's (all show without JavaScript)."""
    return provider.label, {
        "fields": list(provider.event_fields),
        "description": provider.admin_description,
        "classes": ["provider-fields", f"provider-{provider.key}"],
    }


def _origin_twins(event: Event | None) -> list[str]:
    return missing_twins(event.embed_origin_list) if event is not None else []


# The organiser's texts that runners read in their language: the event's own fields hold
# them in its default language, Event.translated_texts in others.
TRANSLATED_TEXTS = ("name", "intro")


def _translated_field(text: str, code: str) -> str:
    return f"{text}_{code}"


def _translated_text_fields() -> dict[str, forms.Field]:
    """A field for each text in each language (name_de, intro_de, …), empty by default."""
    fields: dict[str, forms.Field] = {}
    for code, _name in settings.LANGUAGES:
        language = get_language_info(code)["name"]  # in English, as the admin is
        fields[_translated_field("name", code)] = forms.CharField(
            label=f"Name in {language}", required=False, max_length=120
        )
        fields[_translated_field("intro", code)] = forms.CharField(
            label=f"Introduction in {language}",
            required=False,
            widget=forms.Textarea(attrs={"rows": 3, "cols": 40}),
            help_text=f"Empty: runners reading {language} see the name and introduction above.",
        )
    return fields


class EventAdminForm(forms.ModelForm[Event]):
    """The event as organisers set it up: what its photo provider needs and supports, and
    its texts in each language. (EventAdmin gives it its model and fields.)"""

    # Shown by EventAdmin only while a listed site's www. or bare-domain twin is not.
    add_origin_twins = forms.BooleanField(required=False)

    class Meta:
        widgets = {
            # Browsers show a colour picker; admin.js adds the live contrast check.
            "accent_colour": forms.TextInput(attrs={"type": "color", **contrast_attributes()}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, texts in self.instance.translated_texts.items():
            for text, value in texts.items():
                if (name := _translated_field(text, code)) in self.fields:
                    self.fields[name].initial = value
        twins = _origin_twins(self.instance) if "add_origin_twins" in self.fields else []
        if twins:
            sites = " and ".join(twins)
            self.fields["add_origin_twins"].label = f"Also allow {sites}"
            self.fields["add_origin_twins"].help_text = (
                f"Browsers count {sites} as another site: a race page there shows runners a "
                "link instead of the photo search until it is listed too."
            )

    def clean_logo(self) -> Any:
        return self._scaled_down("logo", images.LOGO)

    def clean_hero_image(self) -> Any:
        return self._scaled_down("hero_image", images.HERO)

    def _scaled_down(self, name: str, fit: images.Fit) -> Any:
        """A new upload of the picture `name`, scaled down into `fit` and without its
        metadata; else as it was (the stored file) or cleared (False)."""
        picture = self.cleaned_data.get(name)
        if not isinstance(picture, UploadedFile):
            return picture
        if picture.size is not None and picture.size > images.MAX_BYTES:
            raise forms.ValidationError(f"The picture is over {images.MAX_BYTES // 2**20} MB.")
        stem = PurePath(picture.name or name).stem
        try:
            return images.scaled_down(picture.read(), fit, stem=stem)
        except images.NotAPicture as error:
            raise forms.ValidationError(str(error)) from error

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        provider = PROVIDERS.get(cleaned.get("provider", ""))
        if provider is None:
            return cleaned
        for name in provider.required_event_fields:
            if cleaned.get(name) is None and name not in self.errors:
                self.add_error(name, f"Required for {provider.label} events.")
        offered = [
            method
            for method, flag in (
                (SearchMethod.BIB, "offers_bib_search"),
                (SearchMethod.SELFIE, "offers_selfie_search"),
            )
            if cleaned.get(flag)
        ]
        if offered and not provider.supported_searches.intersection(offered):
            supported = " or ".join(
                SEARCH_LABELS[m] for m in SEARCH_LABELS if m in provider.supported_searches
            )
            field = "offers_bib_search" if SearchMethod.BIB in provider.supported_searches else None
            self.add_error(
                field,
                f"{provider.label} photos can only be found by {supported}: "
                f"offer {supported} search.",
            )
        if cleaned.get("add_origin_twins") and "embed_origins" in cleaned:
            listed = cleaned["embed_origins"].split()
            cleaned["embed_origins"] = "\n".join([*listed, *_origin_twins(self.instance)])
        return cleaned

    def save(self, commit: bool = True) -> Event:
        texts: dict[str, dict[str, str]] = {}
        for code, _language in settings.LANGUAGES:
            given = {
                text: value
                for text in TRANSLATED_TEXTS
                if (value := self.cleaned_data.get(_translated_field(text, code)))
            }
            if given:
                texts[code] = given
        self.instance.translated_texts = texts
        return super().save(commit)


# Declared on the class, so that the admin's fieldsets may name them.
for _name, _field in _translated_text_fields().items():
    EventAdminForm.base_fields[_name] = EventAdminForm.declared_fields[_name] = _field


@dataclass(frozen=True)
class FiguresChart:
    """An event's figures for its admin page: a bar a day of searches over the last CHART_DAYS
    (inline SVG: no script, no inline style), and a table of every figure for the last week
    and in total over those days."""

    bars: list[tuple[int, int, int, figures.Day]]  # x, y and height in pixels, the day
    week: list[figures.Day]
    rows: list[tuple[str, list[int], int]]  # label, the week's counts, the total
    no_photos: tuple[list[str], str]  # the share of searches without photos: each day, total

    CHART_DAYS: ClassVar[int] = 30
    BAR_WIDTH: ClassVar[int] = 12
    HEIGHT: ClassVar[int] = 80

    @property
    def width(self) -> int:
        return self.CHART_DAYS * self.BAR_WIDTH

    @classmethod
    def of(cls, event: Event) -> FiguresChart:
        days = figures.days_of(event, cls.CHART_DAYS)
        most = max((day.searches for day in days), default=0) or 1
        heights = [round(cls.HEIGHT * day.searches / most) for day in days]
        bars = [
            (n * cls.BAR_WIDTH, cls.HEIGHT - height, height, day)
            for n, (height, day) in enumerate(zip(heights, days, strict=True))
        ]
        week = days[-7:]
        total = figures.Day(
            days[-1].day, {f: sum(d.counts[f] for d in days) for f in figures.FIGURES}
        )
        rows = [
            (label, [day.counts[name] for day in week], total.counts[name])
            for name, label in figures.FIGURES.items()
        ]
        return cls(bars, week, rows, ([day.no_photos_share for day in week], total.no_photos_share))


def _subscriptions(confirmed: bool) -> Coalesce:
    """How many of the event's email requests are (or are not yet) confirmed. A subquery:
    another join would multiply the counts the providers annotate."""
    counted = (
        PhotoSubscription.objects.filter(event=OuterRef("pk"), confirmed_at__isnull=not confirmed)
        .order_by()
        .values("event")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


@admin.register(Event)
class EventAdmin(admin.ModelAdmin[Event]):
    form = EventAdminForm
    # Readable at 1280 pixels beside the filters: the slug is searchable and on the event's
    # page.
    list_display = [
        "name",
        "date",
        "is_published",
        "provider",
        "photo_status",
        "photo_emails",
        "organisation",
    ]
    list_filter = [
        "is_published",
        "provider",
        # Only the organisations of the events the user sees: never others' names.
        ("organisation", admin.RelatedOnlyFieldListFilter),
        "offers_bib_search",
        "offers_selfie_search",
        "date",
    ]
    search_fields = ["name", "slug", "location", "=org_id", "=event_id", "=runsignup_race_id"]
    prepopulated_fields = {"slug": ["name"]}
    date_hierarchy = "date"
    actions = ["check_connection", "refresh_from_provider"]
    # Organisers paste bare domains; the logo must be https anyway.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_fields = ["provider_status", "photo_emails"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "slug",
                    "organisation",
                    "is_published",
                    "date",
                    "time_zone",
                    "location",
                ]
            },
        ),
        ("Photos", {"fields": ["provider", "provider_status"]}),
        *(_fieldset(provider) for provider in PROVIDERS.values()),
        (
            "Search",
            {
                "fields": [
                    "offers_bib_search",
                    "offers_selfie_search",
                    "bibs_are_numbers",
                    "allows_browse_all",
                ]
            },
        ),
        ("Language", {"fields": ["default_language"]}),
        ("Branding", {"fields": ["intro", "logo", "logo_url", "hero_image", "accent_colour"]}),
        (
            "Texts in other languages",
            {
                "fields": list(_translated_text_fields()),
                "classes": ["collapse"],
                "description": "Runners read the event's name and introduction in their "
                "language where one is given here, else as above.",
            },
        ),
        ("Embedding", {"fields": ["embed_origins", "add_origin_twins", "race_photos_page"]}),
        ("Emails to runners", {"fields": ["photo_emails"]}),
    ]

    class Media:
        js = ["photos/admin.js"]
        css = {"all": ["photos/admin.css"]}

    def get_fieldsets(self, request: HttpRequest, obj: Event | None = None) -> _FieldsetSpec:
        # A new event has no status at its provider and no email requests yet; the twins
        # of its sites are offered once it is saved with them.
        shown_later = {*self.readonly_fields, "add_origin_twins"} if obj is None else set()
        if not _origin_twins(obj):
            shown_later.add("add_origin_twins")
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in shown_later]})
            for name, options in self.fieldsets
            if set(options["fields"]) - shown_later
        ]

    def save_model(self, request: HttpRequest, obj: Event, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if twins := _origin_twins(obj):
            self.message_user(
                request,
                f"{obj.name}: {' and '.join(twins)} may not show the photo search, though "
                f"{'they look' if len(twins) > 1 else 'it looks'} like a listed site. "
                "Open the event and tick “Also allow” under Embedding to add "
                f"{'them' if len(twins) > 1 else 'it'}.",
                level=messages.WARNING,
            )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Event]:
        events = visible_events(request.user, super().get_queryset(request))
        events = events.select_related("organisation")
        for provider in PROVIDERS.values():
            events = provider.with_status(events)
        return events.annotate(
            waiting_emails=_subscriptions(confirmed=True),
            unconfirmed_emails=_subscriptions(confirmed=False),
        )

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        if db_field.name == "organisation":
            # Organisers pick one of theirs; the site's own staff only the default (empty).
            kwargs["queryset"] = managed_by(request.user)
            kwargs["required"] = is_organiser(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        event = self.get_object(request, object_id)
        if event is not None:
            extra_context = {
                **(extra_context or {}),
                "embed": embed_code(request, event.slug),
                "figures": FiguresChart.of(event),
                "qr_targets": signage.targets(request, event),
            }
            if request.method == "GET" and (held_back := provider_for(event).unpublished_reason()):
                self.message_user(request, held_back, level=messages.WARNING)
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<path:object_id>/figures.csv",
                self.admin_site.admin_view(self.figures_csv),
                name="photos_event_figures",
            ),
            path(
                "<path:object_id>/qr/<str:target>.<str:kind>",
                self.admin_site.admin_view(self.qr_code),
                name="photos_event_qr",
            ),
        ]
        return own + super().get_urls()

    def _visible(self, request: HttpRequest, object_id: str) -> Event:
        """The event if the user may see it (404 otherwise: others' events look absent)."""
        event = self.get_object(request, object_id)
        if event is None or not self.has_view_or_change_permission(request, event):
            raise Http404("no such event")
        return event

    def figures_csv(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Every day's figures of the event, one row a day: counts only."""
        event = self._visible(request, object_id)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{event.slug}-figures.csv"'
        writer = csv.writer(response)
        writer.writerow(["day", *figures.FIGURES, "searches_without_photos_share"])
        for day in figures.days_of(event):
            writer.writerow([day.day.isoformat(), *day.counts.values(), day.no_photos_share])
        return response

    def qr_code(self, request: HttpRequest, object_id: str, target: str, kind: str) -> HttpResponse:
        """A QR code of the event's search page (or race website page) as SVG or PNG."""
        event = self._visible(request, object_id)
        url = signage.targets(request, event).get(target)
        if url is None or kind not in signage.KINDS:
            raise Http404("no such QR code")
        code = signage.qr_code(url, kind=kind, name=f"{event.slug}-{target}-qr")
        response = HttpResponse(code.content, content_type=code.content_type)
        response["Content-Disposition"] = f'attachment; filename="{code.filename}"'
        return response

    @admin.display(description="photos")
    def photo_status(self, event: Event) -> str:
        return provider_for(event).summary()

    @admin.display(description="status at the provider")
    def provider_status(self, event: Event) -> str:
        lines = provider_for(event).status()
        if not lines:
            return "–"
        return format_html(
            "<dl class='provider-status'>{}</dl>",
            format_html_join("", "<dt>{}</dt><dd>{}</dd>", ((s.label, s.value) for s in lines)),
        )

    @admin.display(description="“email me” requests")
    def photo_emails(self, event: Event) -> str:
        """Counts only: organisers never see runners' addresses."""
        waiting = getattr(event, "waiting_emails", 0)
        unconfirmed = getattr(event, "unconfirmed_emails", 0)
        return f"{waiting} waiting, {unconfirmed} unconfirmed"

    @admin.action(description="Check photo provider connection")
    def check_connection(self, request: HttpRequest, queryset: QuerySet[Event]) -> None:
        for event in queryset:
            try:
                check = provider_for(event).check_connection()
            except ProviderError as failure:
                self.message_user(request, f"{event.name}: {failure}", level=messages.ERROR)
                continue
            self.message_user(
                request,
                f"{event.name}: {check.message}",
                level=messages.SUCCESS if check.ok else messages.ERROR,
            )

    @admin.action(description="Refresh from the photo provider now")
    def refresh_from_provider(self, request: HttpRequest, queryset: QuerySet[Event]) -> None:
        for event in queryset:
            try:
                done = provider_for(event).refresh()
            except (RefreshFailed, ProviderError) as failure:
                self.message_user(request, f"{event.name}: {failure}", level=messages.ERROR)
                continue
            self.message_user(request, f"{event.name}: {done}", level=messages.SUCCESS)


class OrganisationAdminForm(forms.ModelForm[Organisation]):
    """The organisation, with its 9Pic API key write-only: the page never holds the stored
    key, only when it was set and how it ends. (OrganisationAdmin gives it its fields.)"""

    ninepic_api_key = forms.CharField(
        label="new 9Pic API key",
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    forget_ninepic_api_key = forms.BooleanField(
        label="remove the stored key",
        required=False,
        help_text="Its events then cannot be read until a key is set.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ninepic_api_key"].help_text = (
            f"{self.instance.ninepic_api_key_summary} Leave empty to keep it. Stored encrypted; "
            "never shown again."
        )

    def clean_ninepic_api_key(self) -> str:
        key: str = self.cleaned_data["ninepic_api_key"]
        if key and (not key.isprintable() or " " in key):
            raise forms.ValidationError("A 9Pic API key has no spaces or control characters.")
        if key and not credentials.can_encrypt():
            raise forms.ValidationError(
                "The server cannot store keys: CREDENTIALS_ENCRYPTION_KEYS is not set "
                "(see docs/configuration.md)."
            )
        return key

    def save(self, commit: bool = True) -> Organisation:
        if self.cleaned_data.get("forget_ninepic_api_key"):
            self.instance.set_ninepic_api_key("")
        elif key := self.cleaned_data.get("ninepic_api_key"):
            self.instance.set_ninepic_api_key(key)
        return super().save(commit)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    """Superusers add organisations and choose their managers; managers see only theirs, may
    replace its key, check it and import its events from 9Pic."""

    form = OrganisationAdminForm
    actions = ["check_key"]
    list_display = ["name", "ninepic_org_id", "ninepic_key", "event_count"]
    search_fields = ["name", "=ninepic_org_id"]
    filter_horizontal = ["managers"]
    fieldsets = [
        (None, {"fields": ["name", "ninepic_org_id", "managers"]}),
        ("9Pic API key", {"fields": ["ninepic_api_key", "forget_ninepic_api_key"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organisation]:
        return managed_by(request.user).annotate(number_of_events=Count("events"))

    def get_readonly_fields(
        self, request: HttpRequest, obj: Organisation | None = None
    ) -> list[str]:
        # Only superusers say who manages what, and which 9Pic account it is.
        return [] if request.user.is_superuser else ["ninepic_org_id", "managers"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Organisation | None = None) -> bool:
        return request.user.is_superuser

    @admin.display(description="9Pic API key")
    def ninepic_key(self, organisation: Organisation) -> str:
        return organisation.ninepic_api_key_summary

    @admin.display(description="events", ordering="number_of_events")
    def event_count(self, organisation: Organisation) -> int:
        return getattr(organisation, "number_of_events", 0)

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<path:object_id>/check-key/",
                self.admin_site.admin_view(self.check_key_view),
                name="photos_organisation_check_key",
            ),
            path(
                "<path:object_id>/import/",
                self.admin_site.admin_view(self.import_view),
                name="photos_organisation_import",
            ),
        ]
        return own + super().get_urls()

    def _own(self, request: HttpRequest, object_id: str) -> Organisation:
        """The organisation if the user may change it (404 otherwise: others' look absent)."""
        organisation = self.get_object(request, object_id)
        if organisation is None or not self.has_change_permission(request, organisation):
            raise Http404("no such organisation")
        return organisation

    @admin.action(description="Check the 9Pic key")
    def check_key(self, request: HttpRequest, queryset: QuerySet[Organisation]) -> None:
        for organisation in queryset:
            self._report_check(request, organisation)

    def _report_check(self, request: HttpRequest, organisation: Organisation) -> None:
        check = accounts.check_key(organisation)
        self.message_user(
            request,
            f"{organisation}: {check.message}",
            level=messages.SUCCESS if check.ok else messages.ERROR,
        )

    @method_decorator(require_POST)
    def check_key_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        organisation = self._own(request, object_id)
        self._report_check(request, organisation)
        return redirect("admin:photos_organisation_change", organisation.pk)

    def import_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The organisation's events at 9Pic, a page at a time; those ticked become portal
        events (unpublished) when the form is sent."""
        organisation = self._own(request, object_id)
        if not request.user.has_perm("photos.add_event"):
            raise PermissionDenied
        page = _page_number(request.POST if request.method == "POST" else request.GET)
        if request.method == "POST":
            chosen = {
                int(i) for i in request.POST.getlist("event_id") if i.isdigit() and len(i) < 10
            }
            if not chosen:
                self.message_user(request, "Tick the events to import.", level=messages.WARNING)
            else:
                self._import(request, organisation, chosen, page)
            url = reverse("admin:photos_organisation_import", args=[organisation.pk])
            return redirect(f"{url}?page={page}")
        try:
            candidates, pagination = accounts.events_at_9pic(organisation, page)
            problem = ""
        except ProviderError as error:
            candidates, pagination = [], None
            problem = (
                accounts.refusal(error, organisation)
                if isinstance(error, ProviderMisconfigured)
                else f"Could not read the events from 9Pic: {error}"
            )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Import events of {organisation} from 9Pic",
            "opts": self.opts,
            "original": organisation,
            "candidates": candidates,
            "pagination": pagination,
            "page": page,
            "problem": problem,
        }
        return TemplateResponse(request, "admin/photos/organisation/import.html", context)

    def _import(
        self, request: HttpRequest, organisation: Organisation, chosen: set[int], page: int
    ) -> None:
        try:
            report = accounts.import_events(organisation, chosen, page)
        except ProviderError as error:
            self.message_user(request, f"Nothing imported: {error}", level=messages.ERROR)
            return
        for event in report.created:
            link = reverse("admin:photos_event_change", args=[event.pk])
            self.message_user(
                request,
                format_html(
                    '<a href="{}">{}</a> imported (unpublished): check it, then publish it.',
                    link,
                    event.name,
                ),
                level=messages.SUCCESS,
            )
        for problem in report.problems:
            self.message_user(request, problem, level=messages.WARNING)


def _page_number(query: QueryDict) -> int:
    """The listing page asked for: 1 unless a sensible number."""
    value = query.get("page", "1")
    return int(value) if value.isdigit() and 0 < len(value) < 5 and int(value) > 0 else 1
