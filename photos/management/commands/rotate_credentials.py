from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from photos import credentials
from photos.models import Organisation


class Command(BaseCommand):
    help = (
        "Encrypt every organisation's stored API key anew with the first of "
        "CREDENTIALS_ENCRYPTION_KEYS, so that the older keys can then be dropped from the list."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        rotated, unreadable = 0, []
        with transaction.atomic():
            for organisation in Organisation.objects.select_for_update().exclude(
                ninepic_api_key_token=""
            ):
                try:
                    organisation.ninepic_api_key_token = credentials.rotate(
                        organisation.ninepic_api_key_token
                    )
                except credentials.CredentialUnreadable:
                    unreadable.append(organisation.name)
                    continue
                organisation.save(update_fields=["ninepic_api_key_token"])
                rotated += 1
        self.stdout.write(f"{rotated} organisation keys encrypted with the first key.")
        if unreadable:
            raise CommandError(
                "No key in CREDENTIALS_ENCRYPTION_KEYS decrypts the key of "
                f"{', '.join(unreadable)}: put back the key it was stored with, or enter the "
                "organisation's key again."
            )
