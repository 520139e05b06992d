"""Which sites may frame an event's embed pages: organisers' origin lists, headers, snippets."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponseBase
from django.urls import reverse

from photos.languages import without_language

# Plain http is only for trying an embed on one's own machine.
LOOPBACK_HOSTS = ("localhost", "::1")
EMBED_NAMESPACE = "embed"


def parse_origin(line: str) -> str:
    """`https://host[:port]` in canonical form, or a ValidationError saying what is wrong."""
    text = line.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise ValidationError(f"“{text}” is not a web address.") from None
    host = (parts.hostname or "").lower()
    if not host or parts.scheme not in ("https", "http"):
        raise ValidationError(f"“{text}” must start with https://, e.g. https://www.myrace.org")
    if parts.scheme == "http" and not (host in LOOPBACK_HOSTS or host.startswith("127.")):
        raise ValidationError(f"“{text}” must use https:// (http is only allowed for localhost).")
    if (
        parts.username
        or parts.password
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
    ):
        raise ValidationError(
            f"“{text}” must be an origin only, without a path: e.g. https://www.myrace.org"
        )
    if "*" in host:
        raise ValidationError(f"“{text}”: list each site exactly, wildcards are not supported.")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    return f"{parts.scheme}://{host}" + (f":{port}" if port else "")


def parse_origins(text: str) -> list[str]:
    """One origin per line (commas and spaces also separate); duplicates dropped."""
    origins: list[str] = []
    for line in text.replace(",", "\n").split():
        origin = parse_origin(line)
        if origin not in origins:
            origins.append(origin)
    return origins


def validate_origins(text: str) -> None:
    errors = []
    for line in text.replace(",", "\n").split():
        try:
            parse_origin(line)
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)


def is_embed(request: HttpRequest) -> bool:
    match = request.resolver_match
    return match is not None and match.namespace == EMBED_NAMESPACE


def allow_framing(response: HttpResponseBase, origins: list[str]) -> None:
    """Let these origins (and the portal itself, for the admin's preview) frame the response."""
    # django-csp's documented per-response override (what its @csp_replace decorator sets).
    response._csp_replace = {"frame-ancestors": ["'self'", *origins]}
    response.xframe_options_exempt = True


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
