from django.db import migrations, models
from django.db.models.functions import Coalesce


class Migration(migrations.Migration):
    dependencies = [("calls", "0006_call_back_claim_index")]

    # The nightly retention run (apps/core/retention.py, `records_past_retention`): per client,
    # finished calls still holding personal data, in order of last activity, up to the
    # client's cutoff. Partial on exactly the run's condition (`PersonalData.still_to_do`), so
    # anonymised calls leave it: it holds what the coming nights will take, not the table.
    # Database only: the retention rule owns this index, not the call model's declaration,
    # so the model's state does not list it and no later autodetected migration drops it.
    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AddIndex(
                    model_name="call",
                    index=models.Index(
                        models.F("client"),
                        Coalesce("closed_at", "resolved_at", "occurred_at"),
                        condition=models.Q(status__in=("resolved", "closed", "cancelled"))
                        & ~models.Q(
                            account_reference="",
                            caller_number="",
                            customer_name="Anonymised",
                        ),
                        name="call_retention_todo",
                    ),
                ),
            ],
        ),
    ]
