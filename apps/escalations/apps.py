from django.apps import AppConfig

# The kinds an agent can escalate from ("Escalate" on their record pages).
ESCALATION_ORIGINS = ("interruptions.Interruption", "recovery.RecoveryCase", "calls.Call")


class EscalationsConfig(AppConfig):
    name = "apps.escalations"
    label = "escalations"
    verbose_name = "Escalations"

    def ready(self) -> None:
        from apps.core.followups import register_follow_up

        register_follow_up(
            label="Escalate", target="escalations.Escalation", origins=ESCALATION_ORIGINS
        )

        from apps.sla.services import register_clock_recheck

        from .models import Escalation
        from .sweep import recheck_tier_clocks

        register_clock_recheck(Escalation, recheck_tier_clocks)

        from apps.core.history_followers import follow_history

        from .tier_stays import refresh_tier_stays

        follow_history(Escalation, refresh_tier_stays)

        from apps.core.retention import register_personal_data

        # The customer's name and account: anonymised past the client's retention.
        register_personal_data(
            Escalation, fields=("customer_name", "account_reference"), names=("customer_name",)
        )
