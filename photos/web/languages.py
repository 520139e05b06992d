"""Which language a runner reads, and the same page's address in the others.

The address carries the language (/de/events/…): a prefixed address is the runner's
choice and needs no cookie, so it also holds inside third-party iframes. An address
without one (old links, shared links, embed snippets) is redirected to the runner's
language by photos.middleware.RunnerLocaleMiddleware.
"""

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation

# Django's own parser of the header (cached, q-values sorted); it has no public alias.
from django.utils.translation.trans_real import parse_accept_lang_header


def preferred_language(request: HttpRequest) -> str | None:
    """Django's language cookie or the browser's first language the portal speaks."""
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    accepted = parse_accept_lang_header(request.headers.get("Accept-Language", ""))
    for code in [*([cookie] if cookie else []), *(code for code, _quality in accepted)]:
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)  # de-AT → de
        except LookupError:
            continue
    return None


def without_language(path: str) -> str:
    """The address without its language prefix: it negotiates afresh for whoever opens it."""
    code = translation.get_language_from_path(path)
    return path.removeprefix(f"/{code}") if code else path


@dataclass(frozen=True)
class LanguageLink:
    code: str
    name: str
    url: str
    absolute_url: str  # for <link rel="alternate">, which search engines want absolute
    is_current: bool


def language_links(request: HttpRequest) -> list[LanguageLink]:
    """This page in each language, query included (embed pages stay embedded); none where
    the address names no page (a mistyped one's 404)."""
    current = translation.get_language_from_path(request.path_info)
    if request.resolver_match is None or current is None:
        return []
    # Every runner page exists in each language under the same path, so swapping the
    # prefix is enough: translate_url() would resolve and reverse it four times a page.
    rest = request.get_full_path().removeprefix(f"/{current}")
    links = []
    for code, name in settings.LANGUAGES:
        url = f"/{code}{rest}"
        absolute_url = request.build_absolute_uri(url)
        links.append(LanguageLink(code, name, url, absolute_url, is_current=code == current))
    return links
