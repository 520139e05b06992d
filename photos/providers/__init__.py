"""Every photo provider the portal knows, and the one serving an event.

To add a provider: write its client (`<name>/client.py`, the only code that talks to
it) and its PhotoProvider class (`<name>/provider.py`), register the class below, give
it its settings (portal/settings/providers.py) and add its choice and identifier fields
to Event with a migration. Nothing else changes: views, the admin and the ZIP code only
ever call `provider_for(event)`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from photos.providers.base import PhotoProvider
from photos.providers.ninepic.provider import NinePicProvider
from photos.providers.runsignup.provider import RunSignUpProvider

if TYPE_CHECKING:
    from photos.models import Event

PROVIDERS: dict[str, type[PhotoProvider]] = {
    provider.key: provider for provider in (NinePicProvider, RunSignUpProvider)
}


def provider_for(event: Event, *, spender: str | None = None) -> PhotoProvider:
    """The event's provider, making calls on behalf of `spender` (see PhotoProvider)."""
    return PROVIDERS[event.provider](event, spender=spender)
