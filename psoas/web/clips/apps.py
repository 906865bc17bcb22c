from django.apps import AppConfig


class ClipsConfig(AppConfig):
    name = "psoas.web.clips"
    label = "clips"
    verbose_name = "Patients' clips analysed for their clinicians"
