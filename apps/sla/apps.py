from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "apps.sla"
    label = "sla"
    verbose_name = "SLA and business calendars"

    def ready(self) -> None:
        # Core asks one hook for every record's due times; this app answers with SLA policies
        # in the client's business time, so core never imports it.
        from apps.core.targets import register_due_time_policy

        from .services import due_times_for

        register_due_time_policy(due_times_for)
