from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "psoas.web.audit"
    label = "audit"
    verbose_name = "The clinic's audit trail"

    def ready(self) -> None:
        from psoas.web.audit import trail

        trail.listen_for_changes()
