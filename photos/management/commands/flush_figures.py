from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from photos import figures


class Command(BaseCommand):
    help = (
        "Move the figures counted in the shared cache (searches, downloads, …) into the "
        "database, where the event admin shows them. Run it every few minutes; at least daily, "
        "or counts older than three days are lost. Runs that overlap skip: one flushes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=figures.FLUSH_DAYS,
            choices=range(1, figures.FLUSH_DAYS + 1),
            metavar=f"1-{figures.FLUSH_DAYS}",
            help=f"days back to flush, today included (default {figures.FLUSH_DAYS})",
        )

    def handle(self, *args: Any, days: int, **options: Any) -> None:
        flushed = figures.flush(days)
        if flushed is None:
            self.stdout.write("Another flush is running, or the cache is unavailable: skipped.")
            return
        self.stdout.write(f"{flushed.counts} counts of {flushed.counters} figures flushed.")
