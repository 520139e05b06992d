import re

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.middleware.gzip import GZipMiddleware
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from photos import selectors
from photos.web.languages import preferred_language

EVENT_PATH = re.compile(r"^/(?:embed/)?events/(?P<slug>[-a-zA-Z0-9_]+)/")


class TextGZipMiddleware(GZipMiddleware):
    """Compress pages and stylesheets, never photos: JPEGs do not shrink, and a gzipped
    download would lose its Content-Length (and its progress bar)."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if not response.get("Content-Type", "").startswith("text/"):
            return response
        return super().process_response(request, response)


class RunnerLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, with the event's default language between the browser's
    and LANGUAGE_CODE. Order for an unprefixed address: Django's language cookie, the
    browser's Accept-Language, the event's default, LANGUAGE_CODE; the parent then
    redirects to the prefixed address with Vary: Accept-Language, Cookie. Prefixed
    addresses (every runner page) cost no query."""

    def process_request(self, request: HttpRequest) -> None:
        path = request.path_info
        translation.activate(
            translation.get_language_from_path(path)
            or preferred_language(request)
            or self.event_language(path)
            or settings.LANGUAGE_CODE
        )
        request.LANGUAGE_CODE = translation.get_language()

    @staticmethod
    def event_language(path: str) -> str | None:
        match = EVENT_PATH.match(path)
        return match and selectors.event_default_language(match["slug"])
