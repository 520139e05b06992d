from django.apps import AppConfig


class StandinsConfig(AppConfig):
    name = "standins"
    verbose_name = "Provider stand-ins (demo and tests only)"
