from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "psoas.web.outcomes"
    label = "outcomes"
    verbose_name = "Pain and questionnaires"
