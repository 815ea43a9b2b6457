from django.db import migrations

from apps.core.migration_helpers import history_order_index

# The logs whose records go on hold often enough for the SLA report to ask; the calls'
# history (the largest, written by every import) is left without one.
HISTORIES = (
    "interruptions_historicalinterruption",
    "failures_historicalfailurereport",
    "escalations_historicalescalation",
    "recovery_historicalrecoverycase",
)


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0001_initial"),
        ("interruptions", "0012_maintenance_window_index"),
        ("failures", "0009_open_work_index"),
        ("escalations", "0011_open_work_index"),
        ("recovery", "0009_open_work_index"),
    ]

    operations = [history_order_index(table) for table in HISTORIES]
