"""Embed pages: which requests are embedded, the framing headers, the organisers' snippets."""

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.urls import reverse

from photos.web.languages import without_language

EMBED_NAMESPACE = "embed"


def is_embed(request: HttpRequest) -> bool:
    match = request.resolver_match
    return match is not None and match.namespace == EMBED_NAMESPACE


def allow_framing(response: HttpResponseBase, origins: list[str]) -> None:
    """Let these origins (and the portal itself, for the admin's preview) frame the response."""
    # Attributes the middlewares read, set as their decorators (@csp_replace,
    # @xframe_options_exempt) set them; no response class declares them.
    response._csp_replace = {"frame-ancestors": ["'self'", *origins]}  # type: ignore[attr-defined]
    response.xframe_options_exempt = True  # type: ignore[attr-defined]


@dataclass(frozen=True)
class EmbedCode:
    url: str
    snippet: str
    iframe: str


def embed_code(request: HttpRequest, slug: str) -> EmbedCode:
    """What an organiser pastes into the race website, with absolute addresses of this portal.
    The address names no language: each runner gets theirs (or the event's default)."""
    url = request.build_absolute_uri(without_language(reverse("embed:event", args=[slug])))
    # The unhashed name: organisers' pages keep it for years, across our deploys.
    script = request.build_absolute_uri(f"{settings.STATIC_URL.rstrip('/')}/photos/embed.js")
    return EmbedCode(
        url=url,
        snippet=f'<div data-race-photos="{url}"></div>\n<script src="{script}" async></script>',
        iframe=(
            f'<iframe src="{url}" title="Race photos" width="100%" height="1400" '
            f'style="border:0" allow="web-share; clipboard-write"></iframe>'
        ),
    )
