from django.apps import AppConfig


class RunSignUpStandinConfig(AppConfig):
    name = "runsignup_standin"
    label = "runsignup_standin"
    verbose_name = "RunSignUp stand-in"
