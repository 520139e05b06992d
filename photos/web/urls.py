from django.urls import path, register_converter

from photos.web import downloads, subscriptions, views
from photos.web.addresses import SearchMethodConverter

app_name = "photos"
register_converter(SearchMethodConverter, "search")

# A search's pages: <search:method> is "bib", "selfie", "time" or "all", <identifier> its BIB,
# request ID, time search (08:41, 08:41~10min~oldest) or order (newest, oldest).
SEARCH = "events/<slug:slug>/<search:method>/<str:identifier>"

urlpatterns = [
    path("", views.event_list, name="event-list"),
    path("events/<slug:slug>/", views.event_home, name="event"),
    path("events/<slug:slug>/search", views.search, name="search"),
    path("events/<slug:slug>/selfie/", views.selfie_upload, name="selfie-upload"),
    path("events/<slug:slug>/time", views.time_search, name="time-search"),
    path("events/<slug:slug>/theme.css", views.event_theme, name="theme"),
    path("events/<slug:slug>/hero.jpg", views.hero_image, name="hero"),
    path("events/<slug:slug>/shared", views.shared, name="shared"),
    path(f"{SEARCH}/", views.gallery, name="gallery"),
    path(f"{SEARCH}/photos/<str:image_id>/", views.photo_page, name="photo"),
    path(f"{SEARCH}/photos.zip", downloads.photos_zip, name="zip"),
    path(f"{SEARCH}/email/", subscriptions.subscribe, name="subscribe"),
    path(
        "events/<slug:slug>/email/confirm/<str:token>/",
        subscriptions.confirm,
        name="subscription-confirm",
    ),
    # Not under the event: unsubscribing works whatever became of it.
    path("email/unsubscribe/<str:token>/", subscriptions.unsubscribe, name="unsubscribe"),
    path("events/<slug:slug>/photos/<str:image_id>/download", downloads.download, name="download"),
    path(
        "events/<slug:slug>/photos/<str:image_id>/preview",
        downloads.preview,
        {"size": "small"},
        name="preview",
    ),
    path(
        "events/<slug:slug>/photos/<str:image_id>/preview/large",
        downloads.preview,
        {"size": "large"},
        name="preview-large",
    ),
]
