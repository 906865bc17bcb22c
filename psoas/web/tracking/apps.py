from django.apps import AppConfig


class TrackingConfig(AppConfig):
    name = "psoas.web.tracking"
    label = "tracking"
    verbose_name = "Sessions done"
