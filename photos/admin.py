from django.contrib import admin, messages
from django.db import models
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.timesince import timesince

from photos import services
from photos.embedding import embed_code
from photos.models import Event, Provider, RunSignUpSync
from photos.runsignup_sync import SyncFailed, sync_event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["name", "date", "location", "is_published", "provider", "photo_index", "slug"]
    list_filter = ["is_published", "provider", "offers_bib_search", "offers_selfie_search", "date"]
    search_fields = ["name", "slug", "location", "=org_id", "=event_id", "=runsignup_race_id"]
    prepopulated_fields = {"slug": ["name"]}
    date_hierarchy = "date"
    actions = ["check_connection", "sync_runsignup_photos"]
    # Organisers paste bare domains; the logo must be https anyway.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_fields = ["runsignup_last_sync", "runsignup_photo_count", "runsignup_last_error"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "is_published", "date", "location"]}),
        ("Photos", {"fields": ["provider"]}),
        ("9Pic", {"fields": ["org_id", "event_id"]}),
        (
            "RunSignUp",
            {
                "fields": [
                    "runsignup_race_id",
                    "runsignup_event_days_id",
                    "runsignup_album_id",
                    "runsignup_last_sync",
                    "runsignup_photo_count",
                    "runsignup_last_error",
                ],
                "description": "Runners search a copy of the race's photo list that the portal "
                "keeps up to date (sync_runsignup_photos, or “Sync RunSignUp photos now” in the "
                "list of events). The API key and secret come from the server's environment.",
            },
        ),
        ("Search", {"fields": ["offers_bib_search", "offers_selfie_search"]}),
        ("Language", {"fields": ["default_language"]}),
        ("Branding", {"fields": ["logo_url", "accent_colour", "intro"]}),
        ("Embedding", {"fields": ["embed_origins"]}),
    ]

    def get_fieldsets(self, request: HttpRequest, obj: Event | None = None):
        if obj is not None and obj.provider == Provider.RUNSIGNUP:
            return self.fieldsets
        # The index's status means nothing before an event is on RunSignUp.
        return [
            (
                name,
                {
                    **options,
                    "fields": [f for f in options["fields"] if f not in self.readonly_fields],
                },
            )
            for name, options in self.fieldsets
        ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Event]:
        return (
            super()
            .get_queryset(request)
            .select_related("runsignup_sync")
            .annotate(indexed_photos=Count("runsignup_photos"))
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        event = self.get_object(request, object_id)
        if event is not None:
            extra_context = {**(extra_context or {}), "embed": embed_code(request, event.slug)}
        return super().change_view(request, object_id, form_url, extra_context)

    # --- RunSignUp index status ------------------------------------------------------

    @admin.display(description="photo index")
    def photo_index(self, event: Event) -> str:
        if event.provider != Provider.RUNSIGNUP:
            return "–"
        state = _sync_state(event)
        if state is not None and state.last_error:
            return f"{event.indexed_photos} photos; last sync failed"
        return f"{event.indexed_photos} photos, {self.runsignup_last_sync(event)}"

    @admin.display(description="last sync")
    def runsignup_last_sync(self, event: Event) -> str:
        state = _sync_state(event)
        if state is None or state.last_synced_at is None:
            return "never"
        ago = timesince(state.last_synced_at, timezone.now())
        return f"{ago} ago ({state.last_synced_at:%Y-%m-%d %H:%M} UTC)"

    @admin.display(description="photos indexed")
    def runsignup_photo_count(self, event: Event) -> int:
        return getattr(event, "indexed_photos", 0)  # a new event has none

    @admin.display(description="last error")
    def runsignup_last_error(self, event: Event) -> str:
        state = _sync_state(event)
        if state is None or not state.last_error:
            return "none"
        return f"{state.last_error} ({state.last_error_at:%Y-%m-%d %H:%M} UTC)"

    # --- Actions --------------------------------------------------------------------

    @admin.action(description="Check photo provider connection")
    def check_connection(self, request: HttpRequest, queryset: QuerySet[Event]) -> None:
        for event in queryset:
            check = services.check_connection(event=event)
            self.message_user(
                request,
                f"{event.name}: {check.message}",
                level=messages.SUCCESS if check.ok else messages.ERROR,
            )

    @admin.action(description="Sync RunSignUp photos now")
    def sync_runsignup_photos(self, request: HttpRequest, queryset: QuerySet[Event]) -> None:
        for event in queryset:
            try:
                result = sync_event(event=event)
            except SyncFailed as failure:
                self.message_user(request, f"{event.name}: {failure}", level=messages.ERROR)
                continue
            self.message_user(
                request,
                f"{event.name}: {result.saved} photos saved, {result.removed} removed; "
                f"{result.indexed} in the index.",
                level=messages.SUCCESS,
            )


def _sync_state(event: Event) -> RunSignUpSync | None:
    try:
        return event.runsignup_sync
    except RunSignUpSync.DoesNotExist:
        return None
