from django.urls import path

from . import storage, views

app_name = "ninepic_standin"

API = "api/v1/ext/<int:org_id>"
EVENT = f"{API}/event/<int:event_id>"

urlpatterns = [
    path("stats", views.stats_view, name="stats"),
    path(f"{API}/events", views.list_events, name="events"),
    path(f"{EVENT}/ping", views.ping, name="ping"),
    path(f"{EVENT}/details", views.event_details, name="details"),
    path(f"{EVENT}/bibs/<str:bib>", views.bib_search, name="bib-search"),
    path(f"{EVENT}/faces", views.face_search, name="face-search"),
    path(f"{EVENT}/faces/<str:request_id>", views.face_search_result, name="face-search-result"),
    path(f"{EVENT}/images", views.all_photos, name="all-photos"),
    path(f"{EVENT}/timeline/days", views.timeline_days, name="timeline-days"),
    path(f"{EVENT}/timeline/images", views.timeline_images, name="timeline-images"),
    path(f"{EVENT}/original-photos", views.original_photos, name="original-photos"),
    path(
        "storage/raw-memories/imgs/<int:event_id>/large/<str:image_id>.jpg",
        storage.storage_object,
        name="object",
    ),
    # 9Pic's CDN, photos.9pic.ai: /imgs/{event_id}/{small|large}/{image_id}.jpg and covers.
    path(
        "cdn/imgs/<int:event_id>/<str:variant>/<str:image_id>.jpg",
        storage.preview,
        name="preview",
    ),
    path("cdn/imgs/<int:event_id>/cover.jpg", storage.cover, name="cover"),
]
