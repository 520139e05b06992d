from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.views.decorators.cache import cache_control
from django.views.i18n import JavaScriptCatalog

from portal.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
]

# Runner pages carry their language: /de/events/…; unprefixed addresses redirect to the
# negotiated one (photos/middleware.py), so every old and shared link keeps working.
urlpatterns += i18n_patterns(
    path("", include("photos.web.urls")),
    # portal.js's texts in the page's language, plurals included: ours only (packages), not
    # the admin's. An hour in browsers: new translations only come with a deploy.
    path(
        "jsi18n/",
        cache_control(public=True, max_age=3600)(JavaScriptCatalog.as_view(packages=["photos"])),
        name="javascript-catalog",
    ),
    # The same runner pages, made to live inside an iframe on a race's own website.
    path("embed/", include("photos.web.urls", namespace="embed")),
    prefix_default_language=True,
)

# Organisers' uploads, with DEBUG only (static() adds nothing otherwise): production keeps
# them in a bucket or serves them from the proxy (docs/deploying.md).
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

if settings.NINEPIC_STANDIN:
    urlpatterns.append(path("_standin/9pic/", include("standins.ninepic.urls")))
if settings.RUNSIGNUP_STANDIN:
    urlpatterns.append(path("_standin/runsignup/", include("standins.runsignup.urls")))
if settings.NINEPIC_STANDIN or settings.RUNSIGNUP_STANDIN:
    urlpatterns.append(path("_standin/race-site/", include("standins.racesite")))
