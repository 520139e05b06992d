from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from photos.subscriptions import notify_subscribers


class Command(BaseCommand):
    help = (
        "Email runners who asked to be told when their photos are ready, once there are photos "
        "for their search (or more of them), and forget them; delete expired requests. Checks "
        "at most SUBSCRIPTION_CHECKS_PER_MINUTE searches per event a minute and stops after "
        "--time-limit seconds: run it every few minutes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--time-limit",
            type=float,
            default=240,
            help="seconds to check for (default 240, for a schedule every 5 minutes); a check "
            "already started finishes",
        )

    def handle(self, *args: Any, time_limit: float, **options: Any) -> None:
        if not settings.SENDS_EMAIL:
            raise CommandError("EMAIL_URL is not set: the portal sends no email.")
        report = notify_subscribers(time_limit=time_limit)
        self.stdout.write(
            f"{report.searches_checked} searches checked, {report.emails_sent} emails sent, "
            f"{report.expired} expired requests deleted, {report.searches_left} searches left "
            "for the next run."
        )
        for problem in report.problems:
            self.stderr.write(problem)
        if report.mail_failed:
            # A non-zero exit, so that the scheduler's log or alerting notices.
            raise CommandError("The mail server did not take an email (see above).")
