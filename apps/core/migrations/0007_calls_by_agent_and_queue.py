from django.db import migrations, models

from apps.core.summaries.operations import InstallSummaryTriggers


def _variant_length(length: int):
    def alter(apps, schema_editor):
        # SQLite keeps no length on text columns; altering would rebuild the table under the
        # triggers that write to it, so only PostgreSQL is told.
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f'ALTER TABLE "core_summaryrow" ALTER COLUMN "variant" TYPE varchar({length})'
            )

    return alter


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_summary_rows"),
        ("calls", "0009_summaries"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="summaryrow",
                    name="variant",
                    field=models.CharField(
                        help_text="The kind's own dimension, if any.", max_length=80
                    ),
                ),
            ],
            database_operations=[
                migrations.RunPython(_variant_length(80), _variant_length(24)),
            ],
        ),
        InstallSummaryTriggers("calls.call.agent_queue"),
    ]
