from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles_after_migrate(sender, **kwargs) -> None:
    from .roles import sync_roles

    sync_roles()


def _sync_schedules_after_migrate(sender, **kwargs) -> None:
    from .schedules import sync_schedules

    sync_schedules()


def _restore_summary_triggers_after_migrate(sender, using, **kwargs) -> None:
    from django.db import connections

    from .models.summaries import SummaryRow
    from .summaries.installed import restore_summary_triggers

    if SummaryRow._meta.db_table in connections[using].introspection.table_names():
        restore_summary_triggers()


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from simple_history.signals import pre_create_historical_record

        from .write_source import mark_history_source

        pre_create_historical_record.connect(mark_history_source, dispatch_uid="core_write_source")
        # Once per migrate run, after every app's permissions exist.
        post_migrate.connect(_sync_roles_after_migrate, sender=self, dispatch_uid="core_sync_roles")
        post_migrate.connect(
            _sync_schedules_after_migrate, sender=self, dispatch_uid="core_sync_schedules"
        )
        post_migrate.connect(
            _restore_summary_triggers_after_migrate,
            sender=self,
            dispatch_uid="core_restore_summary_triggers",
        )
        from config.celery import ensure_embedded_broker_folders

        from .access import watch_organisation

        watch_organisation()

        ensure_embedded_broker_folders()
