"""Admin sign-in lock-out (django-axes): whom failures count against, and the page a locked-out
organiser sees. The settings and their reasons are in portal/settings/protection.py."""

import ipaddress

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from photos.ratelimits import client_ip


def client_network(request: HttpRequest) -> str:
    """AXES_CLIENT_IP_CALLABLE: the client as the rate limits count it (`client_ip`, which trusts
    X-Forwarded-For only as far as TRUSTED_PROXY_COUNT), IPv6 grouped per /64 as
    django-ratelimit groups it, else one subscriber could try from each of its addresses."""
    ip = ipaddress.ip_address(client_ip(request))
    # django-ratelimit's own settings, with its defaults.
    if ip.version == 6:
        mask = getattr(settings, "RATELIMIT_IPV6_MASK", 64)
    else:
        mask = getattr(settings, "RATELIMIT_IPV4_MASK", 32)
    return str(ipaddress.ip_network(f"{ip}/{mask}", strict=False).network_address)


def locked_out(
    request: HttpRequest,
    original: HttpResponse | None = None,
    credentials: dict[str, object] | None = None,
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: what happened and how long to wait, with 429 and Retry-After."""
    wait = settings.AXES_COOLOFF_TIME
    context = {
        **admin.site.each_context(request),
        "title": "Too many failed sign-ins",
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": round(wait.total_seconds() / 60),
    }
    response = render(request, "admin/locked_out.html", context, status=429)
    response["Retry-After"] = str(int(wait.total_seconds()))
    return response
