from django.urls import path

from . import views

app_name = "ninepic_standin"

urlpatterns = [
    path("stats", views.stats, name="stats"),
    path(
        "api/v1/ext/<int:org_id>/event/<int:event_id>/original-photos",
        views.original_photos,
        name="original-photos",
    ),
    path(
        "storage/raw-memories/imgs/<int:event_id>/large/<str:image_id>.jpg",
        views.storage_object,
        name="object",
    ),
]
