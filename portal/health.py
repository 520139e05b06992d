import logging

from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from photos import sharedcache

logger = logging.getLogger(__name__)


@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: the process answers and its database does (503 otherwise). Never
    calls a provider, so an upstream outage does not take every instance out of rotation.

    A cache outage answers 200 with `"status": "degraded"`: every instance shares the one
    Redis, so a 503 would take them all out of rotation at once, while pages work without
    it (photos/sharedcache.py). Monitoring alerts on "degraded"; the balancer keeps serving.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        logger.error("health check: database unavailable: %s", type(error).__name__)
        return JsonResponse({"status": "database unavailable"}, status=503)
    if not sharedcache.is_available():
        return JsonResponse({"status": "degraded", "cache": "unavailable"})
    return JsonResponse({"status": "ok", "cache": "ok"})
