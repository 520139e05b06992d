"""Web origins organisers list for an event (the sites that may embed it), in canonical form.

The canonical form is the one browsers serialise (`event.origin`, `URL.origin`): lower case,
an internationalised host in punycode, no default port, IPv6 compressed in brackets. The
portal writes these into the embed pages' CSP header (frame-ancestors) and compares them
with `event.origin` in portal.js, so both must be exactly what a browser reports. Anything
that is not a plain origin (a path, a query, user info, a wildcard, `;`, backslashes, IPv4
written other than as four decimal numbers) is refused rather than guessed at.
"""

import functools
import ipaddress
import logging
import re

import idna
from django.core.exceptions import ValidationError

logger = logging.getLogger(__name__)

DEFAULT_PORTS = {"https": 443, "http": 80}
# A browser reads a host whose last label is a number (decimal, or 0x… hex) as IPv4.
NUMERIC_LABEL = re.compile(r"[0-9]+|0x[0-9a-f]*", re.ASCII)
EXAMPLE = "https://www.myrace.org"


def parse_origin(line: str) -> str:
    """`scheme://host[:port]` in canonical form, or a ValidationError saying what is wrong.
    Plain http is only for trying an embed on one's own machine: localhost, 127.0.0.0/8
    written as an address, or [::1]."""
    text = line.strip()
    scheme, separator, rest = text.partition("://")
    scheme = scheme.lower()
    if not separator or scheme not in DEFAULT_PORTS:
        raise ValidationError(f"“{text}” must start with https://, e.g. {EXAMPLE}")
    authority, _, after = rest.partition("/")
    if after or "@" in authority or any(c in authority for c in "?#\\"):
        raise ValidationError(f"“{text}” must be an origin only, without a path: e.g. {EXAMPLE}")
    if "*" in authority:
        raise ValidationError(f"“{text}”: list each site exactly, wildcards are not supported.")
    host, port = _host_and_port(authority, text)
    if scheme == "http" and not _is_loopback(host):
        raise ValidationError(
            f"“{text}” must use https:// (http is only allowed for localhost, 127.0.0.1 and [::1])."
        )
    if port == DEFAULT_PORTS[scheme]:
        port = None
    return f"{scheme}://{host}" + (f":{port}" if port else "")


def _host_and_port(authority: str, text: str) -> tuple[str, int | None]:
    not_an_address = ValidationError(f"“{text}” is not a web address, e.g. {EXAMPLE}")
    if authority.startswith("["):
        literal, _, port_text = authority[1:].partition("]")
        try:
            address = ipaddress.IPv6Address(literal)
        except ValueError:
            raise not_an_address from None
        if address.scope_id:  # a zone (fe80::1%eth0) means nothing outside one machine
            raise not_an_address
        host = f"[{address.compressed}]"
        if port_text and not port_text.startswith(":"):
            raise not_an_address
        port_text = port_text[1:]
    else:
        name, _, port_text = authority.partition(":")
        host = _canonical_host_name(name, text)
    if not port_text:
        if authority.endswith(":"):
            raise not_an_address
        return host, None
    if not port_text.isascii() or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise not_an_address
    return host, int(port_text)


def _canonical_host_name(name: str, text: str) -> str:
    """A domain name in punycode (IDNA as browsers apply it: UTS #46, non-transitional), or an
    IPv4 address written as four decimal numbers."""
    try:
        host = idna.encode(name, uts46=True, std3_rules=True, transitional=False).decode()
    except idna.IDNAError:
        raise ValidationError(
            f"“{text}”: “{name}” is not a valid host name (letters, digits, hyphens and dots)."
        ) from None
    if host.endswith("."):
        raise ValidationError(f"“{text}”: write the host without a final dot.")
    if NUMERIC_LABEL.fullmatch(host.rsplit(".", 1)[-1]):
        try:
            address = ipaddress.IPv4Address(host)
        except ValueError:
            address = None
        if address is None or str(address) != host:
            raise ValidationError(
                f"“{text}”: write an IPv4 address as four decimal numbers, e.g. 127.0.0.1."
            )
    return host


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _entries(text: str) -> list[str]:
    """One origin per line; commas and spaces also separate."""
    return text.replace(",", "\n").split()


def parse_origins(text: str) -> list[str]:
    """Every origin listed, canonical, duplicates dropped; the first invalid one raises."""
    return list(dict.fromkeys(parse_origin(entry) for entry in _entries(text)))


def allowed_origins(text: str) -> list[str]:
    """The origins that may frame an event: `parse_origins` without the invalid entries, which
    are left out, never let through. A list saved before a stricter check may hold some: each
    is logged once per process, and the admin explains it when the event is next saved."""
    origins = []
    for entry in _entries(text):
        try:
            origins.append(parse_origin(entry))
        except ValidationError as error:
            _log_left_out(" ".join(error.messages))
    return list(dict.fromkeys(origins))


@functools.cache
def _log_left_out(reason: str) -> None:
    logger.warning("embed origin left out: %s", reason)


def validate_origins(text: str) -> None:
    errors = []
    for entry in _entries(text):
        try:
            parse_origin(entry)
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)


def missing_twins(origins: list[str]) -> list[str]:
    """The `www.` or bare-domain twins of these canonical origins that are not among them.

    Browsers treat https://myrace.org and https://www.myrace.org as two sites, where
    organisers see one: a race site reached by the other name cannot frame the event.
    A bare domain's twin is offered only where the host is itself a registrable domain
    (myrace.org, myrace.co.uk): photos.myrace.org has no www. twin worth suggesting."""
    listed = set(origins)
    twins = (_twin(origin) for origin in origins)
    return list(dict.fromkeys(t for t in twins if t is not None and t not in listed))


def _twin(origin: str) -> str | None:
    scheme, _, authority = origin.partition("://")
    if authority.startswith("["):
        return None
    host, colon, port = authority.partition(":")
    if host.startswith("www."):
        return f"{scheme}://{host.removeprefix('www.')}{colon}{port}"
    labels = host.split(".")
    # The last label of a canonical IPv4 address is a number; localhost has one label.
    if NUMERIC_LABEL.fullmatch(labels[-1]) or not _is_registrable(labels):
        return None
    return f"{scheme}://www.{host}{colon}{port}"


def _is_registrable(labels: list[str]) -> bool:
    """A guess without the public suffix list: name.tld, or name.co.uk-like (a second level
    of at most three letters under a two-letter country code)."""
    if len(labels) == 2:
        return True
    return len(labels) == 3 and len(labels[2]) == 2 and len(labels[1]) <= 3
