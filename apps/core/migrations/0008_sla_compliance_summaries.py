from django.db import migrations

from apps.core.summaries.kinds import SLA_SPECS
from apps.core.summaries.operations import InstallSummaryTriggers


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_calls_by_agent_and_queue"),
        ("calls", "0011_open_work_index"),
        ("escalations", "0011_open_work_index"),
        ("failures", "0009_open_work_index"),
        ("interruptions", "0011_open_work_index"),
        ("recovery", "0009_open_work_index"),
    ]

    operations = [InstallSummaryTriggers(spec.kind) for spec in SLA_SPECS]
