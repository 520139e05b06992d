from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from photos.models import Event, Provider
from photos.providers.runsignup.sync import SyncFailed, sync_event


class Command(BaseCommand):
    help = (
        "Copy RunSignUp events' photo listings into the portal's index, incrementally "
        "(photos uploaded since the last sync) unless --full. Run it every few minutes on "
        "race day and --full nightly; an interrupted sync resumes where it stopped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "slugs", nargs="*", help="events to sync (default: every RunSignUp event)"
        )
        parser.add_argument(
            "--full",
            action="store_true",
            help="list every photo, and remove the ones RunSignUp no longer has",
        )

    def handle(self, *args: Any, slugs: list[str], full: bool, **options: Any) -> None:
        events = Event.objects.filter(provider=Provider.RUNSIGNUP).order_by("slug")
        if slugs:
            events = events.filter(slug__in=slugs)
            unknown = sorted(set(slugs) - {e.slug for e in events})
            if unknown:
                raise CommandError(f"No RunSignUp event with the slug {', '.join(unknown)}.")
        failures = []
        for event in events:
            try:
                sync_event(event=event, full=full, progress=self.stdout.write)
            except SyncFailed as failure:
                self.stderr.write(f"{event.slug}: {failure}")
                failures.append(event.slug)
        if failures:
            # A non-zero exit, so that the scheduler's log or alerting notices.
            raise CommandError(f"Sync stopped for {', '.join(failures)} (see above).")
