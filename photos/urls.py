from django.urls import path

from photos import views

app_name = "photos"

urlpatterns = [
    path("", views.event_list, name="event-list"),
    path("events/<slug:slug>/", views.event_page, name="event"),
    path("events/<slug:slug>/search", views.search, name="search"),
    path("events/<slug:slug>/theme.css", views.event_theme, name="theme"),
    path(
        "events/<slug:slug>/bib/<str:identifier>/",
        views.gallery,
        {"method": "bib"},
        name="gallery-bib",
    ),
    path(
        "events/<slug:slug>/selfie/<str:identifier>/",
        views.gallery,
        {"method": "selfie"},
        name="gallery-selfie",
    ),
    path(
        "events/<slug:slug>/bib/<str:identifier>/photos/<str:image_id>/",
        views.photo_page,
        {"method": "bib"},
        name="photo-bib",
    ),
    path(
        "events/<slug:slug>/selfie/<str:identifier>/photos/<str:image_id>/",
        views.photo_page,
        {"method": "selfie"},
        name="photo-selfie",
    ),
    path(
        "events/<slug:slug>/bib/<str:identifier>/photos.zip",
        views.photos_zip,
        {"method": "bib"},
        name="zip-bib",
    ),
    path(
        "events/<slug:slug>/selfie/<str:identifier>/photos.zip",
        views.photos_zip,
        {"method": "selfie"},
        name="zip-selfie",
    ),
    path("events/<slug:slug>/photos/<str:image_id>/download", views.download, name="download"),
    path(
        "events/<slug:slug>/photos/<str:image_id>/preview",
        views.preview,
        {"size": "small"},
        name="preview",
    ),
    path(
        "events/<slug:slug>/photos/<str:image_id>/preview/large",
        views.preview,
        {"size": "large"},
        name="preview-large",
    ),
]
