from django.apps import AppConfig


class PhotosConfig(AppConfig):
    name = "photos"
    verbose_name = "Race photos"

    def ready(self) -> None:
        from photos import checks  # noqa: F401 - registers the deploy checks
