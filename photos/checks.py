"""`manage.py check --deploy`: what a production deployment must not go live without."""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.db import DatabaseError

from photos.models import Event
from photos.providers import PROVIDERS


@checks.register(checks.Tags.security, deploy=True)
def provider_settings(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Every provider that a published event uses has its keys: a deployment with only
    RunSignUp events needs no 9Pic key, and the other way round."""
    try:
        used = set(
            Event.objects.filter(is_published=True).values_list("provider", flat=True).distinct()
        )
    except DatabaseError:
        return []  # not migrated yet: nothing is published
    return [
        checks.Error(
            f"{', '.join(missing)} not set, but published events have their photos on "
            f"{PROVIDERS[key].label}.",
            hint="Set it in the environment (or .env); see docs/configuration.md.",
            id="photos.E001",
        )
        for key in sorted(used)
        if key in PROVIDERS and (missing := PROVIDERS[key].missing_settings())
    ]
