from django.apps import AppConfig

# The kinds a call can be logged from ("Log a call" on their pages): calling a customer
# about an outage, an escalation, a failure or their recovery.
CALL_ORIGINS = (
    "interruptions.Interruption",
    "escalations.Escalation",
    "failures.FailureReport",
    "recovery.RecoveryCase",
)


class CallsConfig(AppConfig):
    name = "apps.calls"
    label = "calls"
    verbose_name = "Call logs"

    def ready(self) -> None:
        from apps.core.followups import register_follow_up
        from apps.core.retention import register_personal_data

        register_follow_up(label="Log a call", target="calls.Call", origins=CALL_ORIGINS)

        from .models import Call

        # The caller's number and name, and the customer's account: anonymised past the
        # client's retention. The rest of the call stays for the statistics.
        register_personal_data(
            Call,
            fields=("caller_number", "customer_name", "account_reference"),
            names=("customer_name",),
        )
