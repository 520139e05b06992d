"""Per-client limits on runner actions, counted in the Django cache by django-ratelimit.

With a shared cache (Redis via CACHE_URL) the counts hold across workers and machines.
Many runners can share one address (a venue's Wi-Fi, a carrier's NAT): keep limits high
enough for a family paging through a gallery, low enough to stop a scraper. IPv6 clients
count per /64 (django-ratelimit's RATELIMIT_IPV6_MASK), as one subscriber holds a whole one.
Without the cache, limits let every request through (photos.sharedcache logs the outage):
runners keep their photos while it lasts.
"""

import contextlib
import ipaddress

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage

from photos import sharedcache


class RateLimited(Exception):  # noqa: N818 - a state the runner is in, not a fault
    """The client used up an action's limit; `wait` is the seconds until it may again."""

    def __init__(self, wait: int):
        super().__init__(f"rate limited for {wait}s")
        self.wait = wait


def client_ip(request: HttpRequest) -> str:
    """The client's address (RATELIMIT_IP_META_KEY): from X-Forwarded-For only behind
    TRUSTED_PROXY_COUNT proxies.

    Each trusted proxy appends the address it saw, so the client is the one that many
    places from the right; anything further left was written by the client itself. An
    IPv4 client of a dual-stack socket arrives as ::ffff:a.b.c.d: it is counted as a.b.c.d,
    not as part of the IPv6 /64 that all of IPv4 would otherwise share.
    """
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [a.strip() for a in request.headers.get("X-Forwarded-For", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        # Not an address (a misconfigured proxy chain): the peer is the one we know.
        ip = ipaddress.ip_address(request.META.get("REMOTE_ADDR") or "0.0.0.0")  # noqa: S104
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return str(ip)


def client_key(request: HttpRequest) -> str:
    """The client as limits count it: its address (client_ip), an IPv6 one as its /64."""
    ip = ipaddress.ip_address(client_ip(request))
    if ip.version == 4:
        return str(ip)
    mask = getattr(settings, "RATELIMIT_IPV6_MASK", 64)
    return str(ipaddress.ip_network(f"{ip}/{mask}", strict=False).network_address)


def check(request: HttpRequest, action: str, *, per: str | None = None) -> None:
    """Count this request against `action`'s limit (RATE_LIMITS): per client address, or
    given `per`, per that value whoever sends it (an email address, an event: the cache key
    holds only its hash). RateLimited past it. Lets the request through when the cache is
    unavailable."""
    rate = settings.RATE_LIMITS.get(action)
    if not rate:
        return
    key = "ip" if per is None else (lambda group, request: per)
    usage = None
    with contextlib.suppress(sharedcache.CacheUnavailable):
        usage = sharedcache.attempt(
            lambda: get_usage(request, group=f"runner-{action}", key=key, rate=rate, increment=True)
        )
    if usage is not None and usage["should_limit"]:
        raise RateLimited(max(1, int(usage["time_left"])))
