from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _restore_downtime_triggers_after_migrate(sender, using, **kwargs) -> None:
    from django.db import connections

    from .downtime.triggers import restore_triggers

    restore_triggers(connections[using])


class ReportsConfig(AppConfig):
    name = "apps.reports"
    label = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        # SQLite drops a table's triggers when a migration rebuilds it: put them back.
        post_migrate.connect(
            _restore_downtime_triggers_after_migrate,
            sender=self,
            dispatch_uid="reports_restore_downtime_triggers",
        )
