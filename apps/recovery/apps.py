from django.apps import AppConfig

# The kinds a recovery case can be started from ("Start recovery case" on their pages): the
# record whose failure the customer suffered. A kind not installed yet simply never matches.
RECOVERY_ORIGINS = (
    "interruptions.Interruption",
    "failures.FailureReport",
    "escalations.Escalation",
    "calls.Call",
)


class RecoveryConfig(AppConfig):
    name = "apps.recovery"
    label = "recovery"
    verbose_name = "Recovery cases"

    def ready(self) -> None:
        from apps.core.followups import register_follow_up
        from apps.core.retention import register_personal_data

        from .models import RecoveryCase

        register_follow_up(
            label="Start recovery case", target="recovery.RecoveryCase", origins=RECOVERY_ORIGINS
        )
        register_personal_data(
            RecoveryCase, fields=("customer_name", "account_reference"), names=("customer_name",)
        )
