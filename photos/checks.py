"""`manage.py check --deploy`: what a production deployment must not go live without."""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.db import DatabaseError

from photos import credentials
from photos.models import Event, Organisation
from photos.providers import PROVIDERS

# The SECRET_KEY line of .env.example (tests/test_security.py keeps the two equal).
PLACEHOLDER_SECRET_KEY = "change-me-to-a-long-random-string"  # noqa: S105 - what to refuse


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


@checks.register(checks.Tags.security, deploy=True)
def standins_off(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """The stand-ins are for the demo and tests: besides serving made-up photos, switching one
    on lets the portal fetch that provider's storage from loopback hosts over plain http."""
    switched_on = [
        name for name in ("NINEPIC_STANDIN", "RUNSIGNUP_STANDIN") if getattr(settings, name)
    ]
    if not switched_on or settings.DEBUG:
        return []
    return [
        checks.Error(
            f"{' and '.join(switched_on)} on with DEBUG=False: a stand-in serves made-up photos "
            "and opens the storage allow-list to loopback hosts over plain http.",
            hint="Switch it off in production (leave the variable unset or False).",
            id="photos.E002",
        )
    ]


@checks.register(checks.Tags.security, deploy=True)
def secret_key_replaced(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """SECRET_KEY is not the placeholder .env.example ships with: anyone could forge sessions
    (the admin's included) and signed values with it."""
    if settings.SECRET_KEY != PLACEHOLDER_SECRET_KEY:
        return []
    return [
        checks.Error(
            "SECRET_KEY is the placeholder from .env.example.",
            hint="Set it to a long random string, the same on every instance, e.g. the output "
            "of: python -c 'import secrets; print(secrets.token_urlsafe(50))'",
            id="photos.E003",
        )
    ]


@checks.register(checks.Tags.security, deploy=True)
def email_links(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Emails to runners link to PORTAL_URL: in production it must be the portal's https
    address, or the links in every confirmation and photo email lead nowhere."""
    if not settings.SENDS_EMAIL or settings.DEBUG or settings.PORTAL_URL.startswith("https://"):
        return []
    return [
        checks.Error(
            "EMAIL_URL is set but PORTAL_URL is not the portal's https address: the links in "
            "runners' emails would lead nowhere.",
            hint="Set PORTAL_URL to the address runners open, e.g. https://photos.myrace.org.",
            id="photos.E004",
        )
    ]


@checks.register(checks.Tags.security, deploy=True)
def organisation_keys_readable(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Once organisations have keys of their own, CREDENTIALS_ENCRYPTION_KEYS is set and
    decrypts every one of them: else their events would fail on race day, not at deploy."""
    try:
        tokens = list(
            Organisation.objects.exclude(ninepic_api_key_token="").values_list(
                "name", "ninepic_api_key_token"
            )
        )
    except DatabaseError:
        return []  # not migrated yet: no keys
    if not tokens:
        return []
    if not credentials.can_encrypt():
        return [
            checks.Error(
                "CREDENTIALS_ENCRYPTION_KEYS is missing or invalid, but organisations have "
                "9Pic API keys stored encrypted with it.",
                hint="Set it to the Fernet keys the organisations' keys were stored with; see "
                "docs/organisers.md.",
                id="photos.E005",
            )
        ]
    unreadable = []
    for name, token in tokens:
        try:
            credentials.decrypt(token)
        except credentials.CredentialUnreadable:
            unreadable.append(name)
    if not unreadable:
        return []
    return [
        checks.Error(
            f"No key of CREDENTIALS_ENCRYPTION_KEYS decrypts the 9Pic API key of "
            f"{', '.join(unreadable)}.",
            hint="Keep the old key in the list (after the new one) until `manage.py "
            "rotate_credentials` has run; or enter the organisation's key again.",
            id="photos.E006",
        )
    ]
