import contextlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator, URLValidator
from django.db import models
from django.urls import reverse

from photos.embedding import parse_origins, validate_origins
from photos.providers.base import SearchMethod

hex_colour = RegexValidator(
    r"^#[0-9a-fA-F]{6}$", "Enter a colour as # followed by six hex digits, e.g. #0b5fff."
)


class Event(models.Model):
    name = models.CharField(max_length=120)
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

    org_id = models.PositiveIntegerField(
        "9Pic organisation ID",
        validators=[MinValueValidator(1)],
        help_text="Shown in the 9Pic dashboard's organisation selector (top left).",
    )
    event_id = models.PositiveIntegerField(
        "9Pic event ID",
        validators=[MinValueValidator(1)],
        help_text="Shown beside the event's name in the 9Pic dashboard.",
    )
    default_language = models.CharField(
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
        help_text="Runner pages use it when the browser asks for none of the portal's "
        "languages. Runners can always switch.",
    )
    offers_bib_search = models.BooleanField("offer BIB search", default=True)
    offers_selfie_search = models.BooleanField(
        "offer selfie search",
        default=True,
        help_text="Runners paste the request ID that 9Pic FaceFind gave them for their selfie.",
    )

    logo_url = models.URLField(
        "logo address",
        blank=True,
        validators=[URLValidator(schemes=["https"])],
        help_text="An https:// address of the race's logo (PNG or SVG), e.g. from its website.",
    )
    accent_colour = models.CharField(
        max_length=7,
        default="#0b5fff",
        validators=[hex_colour],
        help_text="Buttons and links use it. Text on it is black or white, whichever reads better.",
    )
    intro = models.TextField(
        "introduction",
        blank=True,
        help_text="A few words above the search form, e.g. when photos will be ready.",
    )

    embed_origins = models.TextField(
        "sites that may embed the portal",
        blank=True,
        validators=[validate_origins],
        help_text="One origin per line, e.g. https://www.myrace.org. Only these sites may show "
        "this event's photo search in an iframe; with none, it cannot be embedded.",
    )

    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("photos:event", args=[self.slug])

    def clean(self) -> None:
        if not self.offers_bib_search and not self.offers_selfie_search:
            raise ValidationError("Offer at least one way to search: BIB or selfie.")
        # An invalid list is reported on the field by its validator.
        with contextlib.suppress(ValidationError):
            self.embed_origins = "\n".join(parse_origins(self.embed_origins))

    @property
    def search_methods(self) -> list[SearchMethod]:
        methods = []
        if self.offers_bib_search:
            methods.append(SearchMethod.BIB)
        if self.offers_selfie_search:
            methods.append(SearchMethod.SELFIE)
        return methods

    @property
    def embed_origin_list(self) -> list[str]:
        return parse_origins(self.embed_origins)

    @property
    def accent_text_colour(self) -> str:
        """Black or white, whichever contrasts more with the accent (WCAG relative luminance)."""
        channels = [int(self.accent_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
        return "#000000" if (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05) else "#ffffff"
