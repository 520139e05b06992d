from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language_info

from photos.colours import contrast_attributes
from photos.domain import ProviderError, SearchMethod
from photos.logos import shrink_logo
from photos.models import Event, PhotoSubscription
from photos.origins import missing_twins
from photos.providers import PROVIDERS, provider_for
from photos.providers.base import PhotoProvider, RefreshFailed
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

    def clean_logo(self) -> object:
        logo = self.cleaned_data["logo"]
        # Else unchanged (the stored file) or cleared (False).
        return shrink_logo(logo) if isinstance(logo, UploadedFile) else logo

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
    # Readable at 1280 pixels beside the admin's menu and filters: the slug is searchable
    # and on the event's page.
    list_display = ["name", "date", "is_published", "provider", "photo_status", "photo_emails"]
    list_filter = ["is_published", "provider", "offers_bib_search", "offers_selfie_search", "date"]
    search_fields = ["name", "slug", "location", "=org_id", "=event_id", "=runsignup_race_id"]
    prepopulated_fields = {"slug": ["name"]}
    date_hierarchy = "date"
    actions = ["check_connection", "refresh_from_provider"]
    # Organisers paste bare domains; the logo must be https anyway.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_fields = ["provider_status", "photo_emails"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "is_published", "date", "time_zone", "location"]}),
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
        ("Branding", {"fields": ["intro", "logo", "logo_url", "accent_colour"]}),
        (
            "Texts in other languages",
            {
                "fields": list(_translated_text_fields()),
                "classes": ["collapse"],
                "description": "Runners read the event's name and introduction in their "
                "language where one is given here, else as above.",
            },
        ),
        ("Embedding", {"fields": ["embed_origins", "add_origin_twins"]}),
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
        events = super().get_queryset(request)
        for provider in PROVIDERS.values():
            events = provider.with_status(events)
        return events.annotate(
            waiting_emails=_subscriptions(confirmed=True),
            unconfirmed_emails=_subscriptions(confirmed=False),
        )

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        event = self.get_object(request, object_id)
        if event is not None:
            extra_context = {**(extra_context or {}), "embed": embed_code(request, event.slug)}
        return super().change_view(request, object_id, form_url, extra_context)

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
