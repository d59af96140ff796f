from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit trail"

    def ready(self):
        # Model and auth signals that write the trail for changes made anywhere (pages, admin, CLI).
        from audit import receivers  # noqa: F401
