from django.apps import AppConfig


class NinePicStandinConfig(AppConfig):
    name = "ninepic_standin"
    label = "ninepic_standin"
    verbose_name = "9Pic stand-in"
