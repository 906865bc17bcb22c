from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "psoas.web.jobs"
    label = "jobs"
    verbose_name = "Jobs and generated files"
