from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from ninepic_standin import catalogue
from photos.models import Event


class Command(BaseCommand):
    help = "Create (or refresh) the demo event served by the local 9Pic stand-in."

    def handle(self, *args, **options) -> None:
        event, created = Event.objects.update_or_create(
            slug="demo-city-marathon",
            defaults={
                "name": "Demo City Marathon",
                "org_id": catalogue.DEMO_ORG_ID,
                "event_id": catalogue.DEMO_EVENT_ID,
                "is_published": True,
                "location": "Demo City",
                "date": timezone.localdate() - timedelta(days=1),
                "accent_colour": "#c2410c",
                "intro": "Photos from the start, the bridge and the finish line are ready. "
                "Try BIB 1234, or the selfie search ID "
                f"{catalogue.DEMO_SELFIE_REQUEST_ID}.",
            },
        )
        verb = "Created" if created else "Updated"
        self.stdout.write(f"{verb} demo event: {event.get_absolute_url()}")
