from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "psoas.web.programs"
    label = "programs"
    verbose_name = "People, profiles and plans"
