from django.apps import AppConfig


class BatchesConfig(AppConfig):
    name = "psoas.web.batches"
    label = "batches"
    verbose_name = "Batches of reports"
