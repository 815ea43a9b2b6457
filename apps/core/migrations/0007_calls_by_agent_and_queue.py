from django.db import migrations, models

from apps.core.summaries.operations import InstallSummaryTriggers


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_summary_rows"),
        ("calls", "0009_summaries"),
    ]

    operations = [
        migrations.AlterField(
            model_name="summaryrow",
            name="variant",
            field=models.CharField(help_text="The kind's own dimension, if any.", max_length=80),
        ),
        InstallSummaryTriggers("calls.call.agent_queue"),
    ]
