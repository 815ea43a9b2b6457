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


# The calls report's call-back compliance (apps.reports.calls.call_back_counts) reads a
# client's missed and dropped inbound calls given a call-back due time, of one period, from
# this index alone: a month of them without touching the calls' table.
CALL_BACKS_OWED_INDEX = (
    'CREATE INDEX IF NOT EXISTS "call_callback_owed" ON "calls_call" (client_id, occurred_at) '
    "INCLUDE (id, assignee_id, team_id, queue, follow_up_due, status) "
    "WHERE direction = 'inbound' AND outcome IN ('missed', 'dropped') "
    "AND follow_up_due IS NOT NULL"
)


def _call_backs_owed_index(apps, schema_editor):
    # PostgreSQL only: SQLite has no covering indexes, and its test volumes need none.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CALL_BACKS_OWED_INDEX)


def _drop_call_backs_owed_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('DROP INDEX IF EXISTS "call_callback_owed"')


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
        migrations.RunPython(_call_backs_owed_index, _drop_call_backs_owed_index),
    ]
