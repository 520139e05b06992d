"""Per-client limits on runner actions, counted in the Django cache by django-ratelimit.

With a shared cache (Redis via CACHE_URL) the counts hold across workers and machines.
Many runners can share one address (a venue's Wi-Fi, a carrier's NAT): keep limits high
enough for a family paging through a gallery, low enough to stop a scraper.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage


def client_ip(request: HttpRequest) -> str:
    """The client's address: from X-Forwarded-For only behind TRUSTED_PROXY_COUNT proxies.

    Each trusted proxy appends the address it saw, so the client is the one that many
    places from the right; anything further left was written by the client itself.
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
        return address
    # One IPv6 subscriber usually holds a whole /64.
    return str(ipaddress.ip_network(f"{ip}/64", strict=False)) if ip.version == 6 else str(ip)


def seconds_until_allowed(request: HttpRequest, action: str) -> int | None:
    """Count this request against `action`'s limit; None if allowed, else seconds to wait."""
    rate = settings.RATE_LIMITS.get(action)
    if not rate:
        return None
    usage = get_usage(
        request,
        group=f"runner-{action}",
        key=lambda group, request: client_ip(request),
        rate=rate,
        increment=True,
    )
    if usage is None or not usage["should_limit"]:
        return None
    return max(1, int(usage["time_left"]))
