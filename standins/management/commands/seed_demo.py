from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from photos.models import Event, Provider
from standins.ninepic import catalogue as ninepic_catalogue
from standins.racesite import site_origin
from standins.runsignup import catalogue as runsignup_catalogue


class Command(BaseCommand):
    help = (
        "Create (or refresh) the demo events served by the local stand-ins: one on 9Pic, "
        "one on RunSignUp (fill its index with `sync_runsignup_photos demo-trail-run`)."
    )

    def handle(self, *args, **options) -> None:
        yesterday = timezone.localdate() - timedelta(days=1)
        self.seed(
            slug="demo-city-marathon",
            name="Demo City Marathon",
            provider=Provider.NINEPIC,
            org_id=ninepic_catalogue.DEMO_ORG_ID,
            event_id=ninepic_catalogue.DEMO_EVENT_ID,
            location="Demo City",
            date=yesterday,
            accent_colour="#c2410c",
            # The demo race site (/_standin/race-site/) embeds it.
            embed_origins=site_origin(settings.PORTAL_URL) or "",
            intro="Photos from the start, the bridge and the finish line are ready. "
            "Try BIB 1234, or the selfie search ID "
            f"{ninepic_catalogue.DEMO_SELFIE_REQUEST_ID}.",
        )
        self.seed(
            slug="demo-trail-run",
            name="Demo Trail Run",
            provider=Provider.RUNSIGNUP,
            runsignup_race_id=runsignup_catalogue.DEMO_RACE_ID,
            runsignup_event_days_id=runsignup_catalogue.DEMO_EVENT_DAYS_ID,
            offers_selfie_search=False,
            location="Demo Hills",
            date=yesterday,
            accent_colour="#15803d",
            intro="Photos from the start, the course and the finish are ready. "
            f"Try BIB {runsignup_catalogue.DEMO_BIB}.",
        )

    def seed(self, *, slug: str, **fields) -> None:
        event, created = Event.objects.update_or_create(
            slug=slug, defaults={"is_published": True, **fields}
        )
        verb = "Created" if created else "Updated"
        self.stdout.write(f"{verb} demo event: {event.get_absolute_url()}")
