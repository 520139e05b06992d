"""Web origins organisers list for an event (the sites that may embed it), in canonical form."""

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError

# Plain http is only for trying an embed on one's own machine.
LOOPBACK_HOSTS = ("localhost", "::1")


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
