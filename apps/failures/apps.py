from django.apps import AppConfig

# The kinds a failure report can be filed from ("File a failure report" on their pages).
FAILURE_ORIGINS = (
    "interruptions.Interruption",
    "escalations.Escalation",
    "calls.Call",
    "recovery.RecoveryCase",
)


class FailuresConfig(AppConfig):
    name = "apps.failures"
    label = "failures"
    verbose_name = "Failure reports"

    def ready(self) -> None:
        from apps.core.followups import register_follow_up

        register_follow_up(
            label="File a failure report", target="failures.FailureReport", origins=FAILURE_ORIGINS
        )
