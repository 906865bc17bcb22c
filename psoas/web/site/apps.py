from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "psoas.web.site"
    label = "site"
