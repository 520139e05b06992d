from django.urls import path

from . import views

app_name = "runsignup_standin"

urlpatterns = [
    path("stats", views.stats, name="stats"),
    path(
        "rest/v2/photos/get-race-photos.json",
        views.get_race_photos,
        name="get-race-photos",
    ),
    path("images/<int:photo_id>/<str:variant>.jpg", views.image, name="image"),
]
