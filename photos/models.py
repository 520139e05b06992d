import contextlib
import zoneinfo
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator, URLValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language

from photos import credentials
from photos.colours import text_colour_on, validate_readable_on_page
from photos.origins import allowed_origins, parse_origins, validate_origins

hex_colour = RegexValidator(
    r"^#[0-9a-fA-F]{6}$", "Enter a colour as # followed by six hex digits, e.g. #0b5fff."
)


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    """Every IANA time zone this system knows, by name (a callable: no migration lists them)."""
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


def site_time_zone() -> str:
    """New events' time zone: the site's."""
    return str(settings.TIME_ZONE)


class Provider(models.TextChoices):
    """Where an event's photos are: each value is a key of photos.providers.PROVIDERS."""

    NINEPIC = "ninepic", "9Pic"
    RUNSIGNUP = "runsignup", "RunSignUp"


@dataclass(frozen=True)
class EventTexts:
    """What the organiser wrote for runners, in one language."""

    name: str
    intro: str


class Organisation(models.Model):
    """A race organiser, timing company or photo agency: its 9Pic account and key, and the
    staff who manage its events. Events without one belong to the default organisation,
    whose key is the environment's (NINEPIC_API_KEY): a portal for one organisation needs
    no rows here."""

    name = models.CharField(max_length=120, unique=True)
    ninepic_org_id = models.PositiveIntegerField(
        "9Pic organisation ID",
        unique=True,
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Shown in the 9Pic dashboard's organisation selector (top left).",
    )
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="organisations",
        help_text="Staff who see and change this organisation's events, and only those. "
        "Give them the event permissions (a group) as well.",
    )
    # The 9Pic API key: a Fernet token (photos/credentials.py), never the key itself. Only
    # when it was set and its last four characters are kept readable, to tell keys apart.
    ninepic_api_key_token = models.TextField(blank=True, editable=False)
    ninepic_api_key_set_at = models.DateTimeField(null=True, blank=True, editable=False)
    ninepic_api_key_ending = models.CharField(max_length=4, blank=True, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def has_ninepic_api_key(self) -> bool:
        return bool(self.ninepic_api_key_token)

    def set_ninepic_api_key(self, key: str) -> None:
        """Encrypt and keep `key` ("" forgets it); saved with the organisation.
        ImproperlyConfigured without CREDENTIALS_ENCRYPTION_KEYS."""
        self.ninepic_api_key_token = credentials.encrypt(key) if key else ""
        self.ninepic_api_key_set_at = timezone.now() if key else None
        self.ninepic_api_key_ending = key[-4:] if len(key) >= 12 else ""

    def ninepic_api_key(self) -> str:
        """The 9Pic API key in plain text, for the client's header only; "" if none is set.
        CredentialUnreadable if the encryption keys cannot decrypt it."""
        if not self.ninepic_api_key_token:
            return ""
        return credentials.decrypt(self.ninepic_api_key_token)

    @property
    def ninepic_api_key_summary(self) -> str:
        """What the admin shows of the key: when it was set and how it ends, never more."""
        if not self.has_ninepic_api_key or self.ninepic_api_key_set_at is None:
            return "No key yet: its events cannot be read until one is set."
        ending = f", ends …{self.ninepic_api_key_ending}" if self.ninepic_api_key_ending else ""
        return f"Set on {self.ninepic_api_key_set_at:%Y-%m-%d %H:%M} UTC{ending}."


class Event(models.Model):
    name = models.CharField(
        max_length=120,
        help_text="In the event's default language, and in any other whose own is not given "
        "under “Texts in other languages”.",
    )
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        help_text="Whose event it is: its staff manage it, and 9Pic is asked with its key. "
        "Empty: the default organisation, with the server's keys.",
    )
    slug = models.SlugField(
        unique=True,
        help_text="Part of the public address, /events/this-slug/. Race websites link to it: "
        "changing it breaks their links.",
    )
    is_published = models.BooleanField(
        default=False, help_text="Only published events are shown to runners."
    )
    date = models.DateField(null=True, blank=True)
    location = models.CharField(max_length=120, blank=True)

    provider = models.CharField(
        "photo provider",
        max_length=16,
        choices=Provider,
        default=Provider.NINEPIC,
        help_text="Where the event's photos are. Runners see the same pages either way.",
    )
    org_id = models.PositiveIntegerField(
        "9Pic organisation ID",
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Shown in the 9Pic dashboard's organisation selector (top left).",
    )
    event_id = models.PositiveIntegerField(
        "9Pic event ID",
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Shown beside the event's name in the 9Pic dashboard.",
    )
    runsignup_race_id = models.PositiveIntegerField(
        "RunSignUp race ID",
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="The race's number at RunSignUp (race_id in its API), as in the address of "
        "the race's dashboard there.",
    )
    runsignup_event_days_id = models.PositiveIntegerField(
        "RunSignUp race event days ID",
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Groups the race's events of one year (race_event_days_id in RunSignUp's API).",
    )
    runsignup_album_id = models.PositiveIntegerField(
        "RunSignUp album ID",
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Optional: only this generic photo album. Empty takes all the race's photos.",
    )
    default_language = models.CharField(
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
        help_text="Runner pages use it when the browser asks for none of the portal's "
        "languages. Runners can always switch.",
    )
    time_zone = models.CharField(
        max_length=64,
        choices=time_zone_choices,
        default=site_time_zone,
        help_text="Where the race is run: runners give their finish time on its clocks "
        "(photo providers keep capture times in UTC).",
    )
    offers_bib_search = models.BooleanField("offer BIB search", default=True)
    offers_selfie_search = models.BooleanField(
        "offer selfie search",
        default=True,
        help_text="Runners paste the request ID that 9Pic FaceFind gave them for their selfie.",
    )
    bibs_are_numbers = models.BooleanField(
        "BIBs are numbers only",
        default=False,
        help_text="Phones then offer a number pad for the BIB. (RunSignUp BIBs always are.)",
    )
    allows_browse_all = models.BooleanField(
        "let runners browse all photos",
        default=False,
        help_text="Offers every photo of the event, newest first, as a last resort when a "
        "search finds nothing. Off: some races do not want every photo browsable.",
    )

    logo = models.ImageField(
        upload_to="logos/",
        blank=True,
        width_field="logo_width",
        height_field="logo_height",
        help_text="The race's logo as PNG, JPEG or WebP, shown 48 pixels high above every "
        "page; larger pictures are scaled down when uploaded.",
    )
    # Recorded on upload: pages reserve the logo's shape before it loads.
    logo_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    logo_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    logo_url = models.URLField(
        "logo address",
        blank=True,
        validators=[URLValidator(schemes=["https"])],
        help_text="Or an https:// address of the logo (e.g. an SVG on the race's website), "
        "if none is uploaded.",
    )
    accent_colour = models.CharField(
        max_length=7,
        default="#0b5fff",
        validators=[hex_colour, validate_readable_on_page],
        help_text="Buttons, ticks and the current page use it; text on it is black or white, "
        "whichever reads better. It must stand out from the pages' light grey (4.5:1).",
    )
    hero_image = models.ImageField(
        "hero picture",
        upload_to="events/heroes/",
        blank=True,
        width_field="hero_image_width",
        height_field="hero_image_height",
        help_text="Shown above the search form (e.g. the race's cover image). Scaled down to "
        "1600×900 when uploaded.",
    )
    # Kept with the picture, so that pages give its size without opening the file.
    hero_image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    hero_image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    intro = models.TextField(
        "introduction",
        blank=True,
        help_text="A few words above the search form, e.g. when photos will be ready. In the "
        "event's default language, like its name.",
    )

    # {"de": {"name": …, "intro": …}, …}: beside the event, not in a table of their own, as
    # every runner page reads them with it; the admin gives a field to each (photos/admin.py).
    translated_texts = models.JSONField(
        "texts in other languages", default=dict, blank=True, editable=False
    )

    embed_origins = models.TextField(
        "sites that may embed the portal",
        blank=True,
        validators=[validate_origins],
        help_text="One origin per line, e.g. https://www.myrace.org. Only these sites may show "
        "this event's photo search in an iframe; with none, it cannot be embedded.",
    )

    race_photos_page = models.URLField(
        "race website's photo page",
        blank=True,
        validators=[URLValidator(schemes=["https"])],
        help_text="The page of the race website that embeds the photo search, if any: its QR "
        "code can then lead there.",
    )

    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("photos:event", args=[self.slug])

    def clean(self) -> None:
        # What the provider needs and supports is checked by the admin's form (photos/admin.py).
        if not self.offers_bib_search and not self.offers_selfie_search:
            raise ValidationError("Offer at least one way to search: BIB or selfie.")
        own_org_id = self.organisation.ninepic_org_id if self.organisation else None
        if own_org_id and self.org_id and self.org_id != own_org_id:
            raise ValidationError(
                {"org_id": f"{self.organisation} is organisation {own_org_id} at 9Pic."}
            )
        # An invalid list is reported on the field by its validator.
        with contextlib.suppress(ValidationError):
            self.embed_origins = "\n".join(parse_origins(self.embed_origins))

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The race's time zone: runners' clock times are read in it."""
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def embed_origin_list(self) -> list[str]:
        """The sites that may frame this event's embed pages, in the form browsers report."""
        return allowed_origins(self.embed_origins)

    @property
    def accent_text_colour(self) -> str:
        return text_colour_on(self.accent_colour)

    @property
    def logo_src(self) -> str:
        """The logo's address for runner pages: the uploaded one, else the organiser's link."""
        return self.logo.url if self.logo else self.logo_url

    @property
    def texts(self) -> EventTexts:
        """The organiser's texts in the active language (the runner's): each one not given in
        it is the event's own, in its default language."""
        given = self.translated_texts.get(get_language() or "", {})
        return EventTexts(
            name=given.get("name") or self.name, intro=given.get("intro") or self.intro
        )


class RunSignUpPhoto(models.Model):
    """One photo of a RunSignUp event, as its last sync saw it: RunSignUp cannot search by BIB,
    so runners' searches read this index (filled by `sync_runsignup_photos`)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="runsignup_photos")
    photo_id = models.PositiveBigIntegerField()
    album_id = models.PositiveBigIntegerField(null=True, blank=True)
    uploaded_filename = models.CharField(max_length=255, blank=True)
    uploaded_at = models.DateTimeField()
    original_url = models.URLField(max_length=1000)
    large_url = models.URLField(max_length=1000)
    large_width = models.PositiveIntegerField()
    large_height = models.PositiveIntegerField()
    thumbnail_url = models.URLField(max_length=1000)
    thumbnail_width = models.PositiveIntegerField()
    thumbnail_height = models.PositiveIntegerField()
    # The full listing that last saw the photo: one that ends without seeing it removes it.
    seen_in_listing = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "photo_id"], name="runsignup_photo_once")
        ]
        # Gallery order, which browsing all photos pages through (newest first: backwards).
        indexes = [
            models.Index(fields=["event", "uploaded_at", "photo_id"], name="runsignup_upload_order")
        ]

    def __str__(self) -> str:
        return f"RunSignUp photo {self.photo_id}"


class RunSignUpPhotoBib(models.Model):
    """A BIB seen on a photo. The event is repeated here so that a search is one index scan."""

    photo = models.ForeignKey(RunSignUpPhoto, on_delete=models.CASCADE, related_name="bibs")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    bib = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["photo", "bib"], name="runsignup_bib_once_per_photo")
        ]
        indexes = [models.Index(fields=["event", "bib", "photo"], name="runsignup_bib_lookup")]

    def __str__(self) -> str:
        return f"BIB {self.bib} on {self.photo}"


class RunSignUpSync(models.Model):
    """Where an event's RunSignUp index stands, and the listing in progress if one was cut."""

    event = models.OneToOneField(
        Event, on_delete=models.CASCADE, primary_key=True, related_name="runsignup_sync"
    )
    last_synced_at = models.DateTimeField(null=True, blank=True)
    # Newest upload seen by a completed listing: the next incremental one starts a little before.
    uploaded_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    # The listing in progress: the page to ask for next (None: none in progress), since when
    # (None: a full listing), its number, and the newest upload it has seen so far.
    next_page = models.PositiveIntegerField(null=True, blank=True)
    listing_since = models.DateTimeField(null=True, blank=True)
    listing = models.PositiveBigIntegerField(default=0)
    listing_uploaded_until = models.DateTimeField(null=True, blank=True)
    # Held by a running sync (renewed each page), so that the scheduler's run and the admin's
    # "sync now" never list at the same time; a crashed sync's hold simply runs out.
    locked_until = models.DateTimeField(null=True, blank=True)
    # Photos the listing in progress (or the last one) could not index: how many, and why
    # (one line each, the first few), for the organiser.
    skipped_photos = models.PositiveIntegerField(default=0)
    skip_reasons = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"RunSignUp sync of {self.event}"


class PhotoSubscription(models.Model):
    """A runner's request to be emailed once when photos of their search appear, or more of
    them (`notify_photo_subscribers`). Only what that email needs is kept, and only until it
    is sent, the runner unsubscribes or the request expires; organisers see counts only."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="photo_subscriptions")
    email = models.EmailField()
    method = models.CharField(max_length=16)  # a photos.domain.SearchMethod
    identifier = models.CharField(max_length=64)  # the search's, in canonical form
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    photos_seen = models.PositiveIntegerField()  # the runner saw this many: more is news
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["event", "email", "method", "identifier"], name="subscription_once"
            )
        ]
        # The scheduled command's queue: confirmed requests, least recently checked first.
        indexes = [models.Index(fields=["confirmed_at", "checked_at"], name="subscription_queue")]

    def __str__(self) -> str:
        # Never the address: this shows in logs and error reports.
        return f"photo subscription {self.pk}"


class DailyFigure(models.Model):
    """How often something happened on an event's pages in a day (photos/figures.py): a
    count only, never who or what was searched."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="figures")
    day = models.DateField()
    figure = models.CharField(max_length=40)  # a key of photos.figures.FIGURES
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "day", "figure"], name="figure_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.figure} on {self.day}"
