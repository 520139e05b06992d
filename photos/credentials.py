"""Organisations' API keys, encrypted at rest with keys from the environment.

CREDENTIALS_ENCRYPTION_KEYS is a list of Fernet keys: the first encrypts, every one decrypts
(cryptography's MultiFernet), so a key is rotated by putting a new one first, running
`manage.py rotate_credentials`, and then dropping the old one. The database holds only
Fernet tokens: a dump of it, a fixture or a backup carries no key in plain text.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class CredentialUnreadable(Exception):  # noqa: N818 - a state of the stored key, not a fault
    """No key of CREDENTIALS_ENCRYPTION_KEYS decrypts a stored credential (or none is set)."""


def _fernet() -> MultiFernet:
    keys = settings.CREDENTIALS_ENCRYPTION_KEYS
    if not keys:
        raise ImproperlyConfigured(
            "CREDENTIALS_ENCRYPTION_KEYS is not set: organisations' keys cannot be stored or read."
        )
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured(
            "Each of CREDENTIALS_ENCRYPTION_KEYS must be a Fernet key (32 url-safe base64 bytes)."
        ) from error


def can_encrypt() -> bool:
    """Whether credentials can be stored now (CREDENTIALS_ENCRYPTION_KEYS is set and valid)."""
    try:
        _fernet()
    except ImproperlyConfigured:
        return False
    return True


def encrypt(secret: str) -> str:
    """`secret` as a Fernet token under the first key; ImproperlyConfigured without keys."""
    return _fernet().encrypt(secret.encode()).decode()


def decrypt(token: str) -> str:
    """The secret in `token`; CredentialUnreadable if no configured key decrypts it."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except (InvalidToken, ImproperlyConfigured) as error:
        raise CredentialUnreadable(
            "a stored key cannot be decrypted with CREDENTIALS_ENCRYPTION_KEYS"
        ) from error


def rotate(token: str) -> str:
    """`token` encrypted anew under the first key; CredentialUnreadable as `decrypt`."""
    try:
        return _fernet().rotate(token.encode()).decode()
    except (InvalidToken, ImproperlyConfigured) as error:
        raise CredentialUnreadable(
            "a stored key cannot be decrypted with CREDENTIALS_ENCRYPTION_KEYS"
        ) from error
