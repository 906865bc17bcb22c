from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "psoas.web.clinic"
    label = "clinic"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from psoas.web.clinic import scope
        from psoas.web.clinic.models import Membership

        scope.guard_person_rows()
        for signal in (post_save, post_delete):
            signal.connect(scope.forget_roles, sender=Membership, dispatch_uid="psoas-roles")
