from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "psoas.web.clinic"
    label = "clinic"

    def ready(self) -> None:
        from psoas.web.clinic import scope

        scope.guard_person_rows()
