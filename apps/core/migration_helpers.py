"""Operations the apps' migrations share."""

from datetime import timedelta

from django.db import migrations
from django.db.models import F

# Frozen copy of the severity targets when `resolution_due` was introduced (hours).
_RESOLUTION_HOURS_AT_INTRODUCTION = {"SEV1": 4, "SEV2": 8, "SEV3": 24, "SEV4": 72}


def backfill_resolution_due(app_label: str, model_name: str) -> migrations.RunPython:
    """Give existing records the default resolution due time of their severity, set-based."""

    def forwards(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        for severity, hours in _RESOLUTION_HOURS_AT_INTRODUCTION.items():
            model.objects.filter(severity=severity, resolution_due__isnull=True).update(
                resolution_due=F("occurred_at") + timedelta(hours=hours)
            )

    return migrations.RunPython(forwards, migrations.RunPython.noop)


def trigram_search_index(table: str, columns: tuple[str, ...]) -> migrations.RunPython:
    """GIN trigram indexes for `icontains` search on PostgreSQL; nothing on other databases.

    `icontains` compiles to UPPER(column) LIKE UPPER('%text%'), hence the UPPER expression.
    """

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for column in columns:
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{table}_{column}_trgm" ON "{table}" '
                f'USING gin (UPPER("{column}"::text) gin_trgm_ops)'
            )

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for column in columns:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{table}_{column}_trgm"')

    return migrations.RunPython(forwards, backwards)


def backfill_breach_stamps(app_label: str, model_name: str) -> migrations.RunPython:
    """Stamp the targets existing records have missed by now, set-based: the stamp is the
    due time missed (the rule of apps.core.targets.missed_target_condition)."""

    def forwards(apps, schema_editor):
        from django.utils import timezone

        from apps.core.targets import breach_stamps_of, missed_target_condition

        model = apps.get_model(app_label, model_name)
        now = timezone.now()
        for due_name, stamp_name, met_names in breach_stamps_of(model):
            model.objects.filter(missed_target_condition(model, due_name, met_names, now)).update(
                **{stamp_name: F(due_name)}
            )

    return migrations.RunPython(forwards, migrations.RunPython.noop)


def hold_history_index(table: str) -> migrations.RunPython:
    """A partial index of the hold versions of a log's history (`status = 'on_hold'`), by
    client and date: the SLA report's time on hold reads the holds a period began with it.
    Covering on PostgreSQL; the history model is generated, so the index lives here."""
    name = f"{table}_holds"

    def forwards(apps, schema_editor):
        include = (
            ' INCLUDE ("id", "severity", "history_id")'
            if schema_editor.connection.vendor == "postgresql"
            else ""
        )
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("client_id", "history_date")'
            f"{include} WHERE \"status\" = 'on_hold'"
        )

    def backwards(apps, schema_editor):
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')

    return migrations.RunPython(forwards, backwards)


def history_order_index(table: str) -> migrations.RunPython:
    """An index of a log's history by record and order of versions, carrying the status: the
    version before or after a given one is read from it alone (the SLA report's time on
    hold asks, for each hold of a period, whether the record was on hold already and when it
    left). PostgreSQL only: SQLite's test volumes need none."""
    name = f"{table}_order"

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
                '("id", "history_date", "history_id") INCLUDE ("status")'
            )

    def backwards(apps, schema_editor):
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')

    return migrations.RunPython(forwards, backwards)
