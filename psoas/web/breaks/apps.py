from django.apps import AppConfig


class BreaksConfig(AppConfig):
    name = "psoas.web.breaks"
    label = "breaks"
    verbose_name = "Move breaks"
