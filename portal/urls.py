from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from portal.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
]

# Runner pages carry their language: /de/events/…; unprefixed addresses redirect to the
# negotiated one (photos/middleware.py), so every old and shared link keeps working.
urlpatterns += i18n_patterns(
    path("", include("photos.urls")),
    # The same runner pages, made to live inside an iframe on a race's own website.
    path("embed/", include("photos.urls", namespace="embed")),
    prefix_default_language=True,
)

if settings.NINEPIC_STANDIN:
    urlpatterns.append(path("_standin/9pic/", include("ninepic_standin.urls")))
