from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from photos.models import Event, Organisation, Provider
from standins.ninepic import catalogue as ninepic_catalogue
from standins.racesite import site_origin
from standins.runsignup import catalogue as runsignup_catalogue


class Command(BaseCommand):
    help = (
        "Create (or refresh) the demo events served by the local stand-ins: one on 9Pic, "
        "one on RunSignUp (fill its index with `sync_runsignup_photos demo-trail-run`); and "
        "a second organisation with its own 9Pic key, whose events can be imported."
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
            # The day its photos were taken, on clocks that read UTC in January: a finish
            # time finds them (try 09:41).
            date=ninepic_catalogue.PHOTO_SETS["city"].gun.date(),
            time_zone="Europe/London",
            allows_browse_all=True,
            accent_colour="#c2410c",
            # The demo race site (/_standin/race-site/) embeds it.
            embed_origins=site_origin(settings.PORTAL_URL) or "",
            intro="Photos from the start, the bridge and the finish line are ready. "
            "Try BIB 1234, the finish time 09:41, or a selfie: this demo finds runners by "
            "their shirt's colour, so any mostly red picture finds the runner of BIB 777.",
            # The organiser's texts in the runner's language (the admin's "Texts in other
            # languages"); the trail run shows the fallback to the event's own.
            translated_texts={
                "de": {
                    "name": "Demo-Stadtmarathon",
                    "intro": "Die Fotos vom Start, von der Brücke und vom Ziel sind da. "
                    "Probier die Startnummer 1234, die Zielzeit 09:41 oder ein Selfie: diese "
                    "Demo erkennt Läufer an der Farbe ihres Shirts, jedes überwiegend rote Bild "
                    "findet die Startnummer 777.",
                },
                "es": {
                    "name": "Maratón de Demo City",
                    "intro": "Ya están las fotos de la salida, el puente y la meta. Prueba "
                    "el dorsal 1234, la hora de llegada 09:41 o un selfie: esta demo reconoce a "
                    "los corredores por el color de su camiseta, y cualquier imagen casi toda "
                    "roja encuentra el dorsal 777.",
                },
                "fr": {
                    "name": "Marathon de Demo City",
                    "intro": "Les photos du départ, du pont et de l’arrivée sont prêtes. "
                    "Essayez le dossard 1234, l’heure d’arrivée 09:41 ou un selfie : cette démo "
                    "reconnaît les coureurs à la couleur de leur maillot, et toute image surtout "
                    "rouge trouve le dossard 777.",
                },
            },
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
            allows_browse_all=True,
            accent_colour="#15803d",
            intro="Photos from the start, the course and the finish are ready. "
            f"Try BIB {runsignup_catalogue.DEMO_BIB}.",
        )
        harbour, _ = Organisation.objects.get_or_create(
            ninepic_org_id=ninepic_catalogue.OTHER_ORG_ID,
            defaults={"name": "Demo Harbour Timing"},
        )
        harbour.set_ninepic_api_key(settings.NINEPIC_STANDIN_OTHER_API_KEY)
        harbour.save()
        self.stdout.write(
            f"Demo organisation with its own key: /admin/photos/organisation/{harbour.pk}/change/ "
            "(import its events from 9Pic there)"
        )

    def seed(self, *, slug: str, **fields) -> None:
        event, created = Event.objects.update_or_create(
            slug=slug, defaults={"is_published": True, **fields}
        )
        verb = "Created" if created else "Updated"
        self.stdout.write(f"{verb} demo event: {event.get_absolute_url()}")
