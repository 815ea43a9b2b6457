from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "apps.sla"
    label = "sla"
    verbose_name = "SLA and business calendars"

    def ready(self) -> None:
        # Core asks one hook for every record's due times; this app answers with SLA policies
        # in the client's business time, so core never imports it.
        from apps.core.targets import register_due_time_policy, register_paused_clock

        from .clocks import resolution_minutes_left
        from .services import due_times_for

        register_due_time_policy(due_times_for)
        register_paused_clock(resolution_minutes_left)

        from django.db.models.signals import m2m_changed, post_save, pre_save

        from apps.core.models import RecordLink
        from apps.interruptions.models import Interruption

        from . import signals

        pre_save.connect(signals.maintenance_saving, sender=Interruption, dispatch_uid="sla-mw0")
        post_save.connect(signals.maintenance_saved, sender=Interruption, dispatch_uid="sla-mw")
        post_save.connect(signals.cause_linked, sender=RecordLink, dispatch_uid="sla-link")
        m2m_changed.connect(
            signals.services_changed,
            sender=Interruption.affected_services.through,
            dispatch_uid="sla-services",
        )
