"""Every summarised kind keeps its triggers, whatever a migration did to its table.

SQLite rebuilds a table for many schema changes (a column added with a default, a constraint
altered), and its triggers go with the old table. After each migrate run, a kind whose triggers
are missing gets them back and its summary rows rebuilt from the table.
"""

from django.db import connection

from .kinds import SPECS
from .spec import SummarySpec


def existing_triggers() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {name for (name,) in cursor.fetchall()}


def missing_triggers(spec: SummarySpec, existing: set[str]) -> bool:
    return any(spec.trigger_name(event) not in existing for event in ("ins", "upd", "del"))


def restore_summary_triggers() -> list[str]:
    """Install the triggers of every kind that lacks any and rebuild its rows; the kinds."""
    tables = set(connection.introspection.table_names())
    existing = existing_triggers()
    restored = []
    for spec in SPECS.values():
        if spec.table not in tables or not missing_triggers(spec, existing):
            continue
        with connection.cursor() as cursor:
            for statement in spec.install_sql(connection.vendor) + spec.rebuild_sql(
                connection.vendor
            ):
                cursor.execute(statement)
        restored.append(spec.kind)
    return restored
