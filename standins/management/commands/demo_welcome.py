import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from standins.ninepic import catalogue as ninepic_catalogue
from standins.runsignup import catalogue as runsignup_catalogue

DEMO_ADMIN = "demo"


class Command(BaseCommand):
    help = (
        "The demo's last words (make run): where the portal is, searches to try, and an admin "
        f"sign-in: the superuser “{DEMO_ADMIN}” with a fresh password each run. Only with "
        "DEBUG and the stand-ins on (this command exists only with them)."
    )

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("demo_welcome makes an admin with a printed password: DEBUG only.")
        password = self.demo_admin_password()
        portal = settings.PORTAL_URL
        bibs = [
            f"{bib} ({count})" for bib, count in ninepic_catalogue.DEMO_BIBS.items() if count > 8
        ]
        lines = [
            "",
            f"Portal: {portal}/",
            f"  Demo City Marathon (on 9Pic): {portal}/events/demo-city-marathon/",
            f"    search BIB {', '.join(bibs)},",
            "    the finish time 09:41, or a selfie: any mostly red picture",
            "    (standins/ninepic/sample-selfie.jpg), or the search ID",
            f"    {ninepic_catalogue.DEMO_SELFIE_REQUEST_ID}",
            f"  Demo Trail Run (on RunSignUp): {portal}/events/demo-trail-run/",
            f"    search BIB {runsignup_catalogue.DEMO_BIB}",
            f"A race site embedding the portal (another origin): {portal}/_standin/race-site/",
            f"Admin: {portal}/admin/ as {DEMO_ADMIN}, password {password}",
            "Ctrl-C stops the demo.",
        ]
        self.stdout.write("\n".join(lines))

    def demo_admin_password(self) -> str:
        """A new password for the demo's superuser (made on first run): only the last one
        printed works."""
        password = secrets.token_urlsafe(12)
        admin, _created = get_user_model().objects.get_or_create(username=DEMO_ADMIN)
        admin.is_staff = admin.is_superuser = True
        admin.set_password(password)
        admin.save()
        return password
