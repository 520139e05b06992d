from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from portal.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("photos.urls")),
    # The same runner pages, made to live inside an iframe on a race's own website.
    path("embed/", include("photos.urls", namespace="embed")),
]

if settings.NINEPIC_STANDIN:
    urlpatterns.append(path("_standin/9pic/", include("ninepic_standin.urls")))
if settings.RUNSIGNUP_STANDIN:
    urlpatterns.append(path("_standin/runsignup/", include("runsignup_standin.urls")))
