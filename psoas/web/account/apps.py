from django.apps import AppConfig


class AccountConfig(AppConfig):
    name = "psoas.web.account"
    label = "account"
