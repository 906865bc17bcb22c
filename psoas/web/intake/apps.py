from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "psoas.web.intake"
    label = "intake"
