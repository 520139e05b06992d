from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from photos import services
from photos.embedding import embed_code
from photos.models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["name", "date", "location", "is_published", "org_id", "event_id", "slug"]
    list_filter = ["is_published", "offers_bib_search", "offers_selfie_search", "date"]
    search_fields = ["name", "slug", "location", "=org_id", "=event_id"]
    prepopulated_fields = {"slug": ["name"]}
    date_hierarchy = "date"
    actions = ["check_ninepic_connection"]
    # Organisers paste bare domains; the logo must be https anyway.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["name", "slug", "is_published", "date", "location"]}),
        ("9Pic", {"fields": ["org_id", "event_id"]}),
        ("Search", {"fields": ["offers_bib_search", "offers_selfie_search"]}),
        ("Language", {"fields": ["default_language"]}),
        ("Branding", {"fields": ["logo_url", "accent_colour", "intro"]}),
        ("Embedding", {"fields": ["embed_origins"]}),
    ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        event = self.get_object(request, object_id)
        if event is not None:
            extra_context = {**(extra_context or {}), "embed": embed_code(request, event.slug)}
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description="Check 9Pic connection")
    def check_ninepic_connection(self, request: HttpRequest, queryset: QuerySet[Event]) -> None:
        for event in queryset:
            check = services.check_connection(event=event)
            self.message_user(
                request,
                f"{event.name}: {check.message}",
                level=messages.SUCCESS if check.ok else messages.ERROR,
            )
