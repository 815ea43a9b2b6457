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
