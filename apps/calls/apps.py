from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "apps.calls"
    label = "calls"
    verbose_name = "Call logs"

    def ready(self) -> None:
        from apps.core.retention import register_personal_data

        from .models import Call

        # The caller's number and name, and the customer's account: anonymised past the
        # client's retention. The rest of the call stays for the statistics.
        register_personal_data(
            Call,
            fields=("caller_number", "customer_name", "account_reference"),
            names=("customer_name",),
        )
