from django.apps import AppConfig


class MessagesConfig(AppConfig):
    name = "psoas.web.messages"
    label = "messages"
    verbose_name = "Messages between a patient and their care team"
