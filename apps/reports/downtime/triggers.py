"""The triggers that tell the downtime upkeep which days a write made stale.

Any write to an interruption's client, kind, status or times, or to its affected services,
by whatever path (services, admin, bulk actions, loads, raw SQL), appends a change for the
UTC days of its start and end before and after the write. The triggers only append rows, so
writers never wait on one another for them; the next read recomputes those days
(`upkeep.settle`). On PostgreSQL they run once per statement, with transition tables; on
SQLite once per row.
"""

from django.db import migrations, transaction

from .measures import measure_case

CHANGES = "reports_downtimechange"
INTERRUPTIONS = "interruptions_interruption"
AFFECTED = "interruptions_interruption_affected_services"
EVENTS = {"ins": "INSERT", "upd": "UPDATE", "del": "DELETE"}


def _moved(old: str, new: str, distinct: str) -> str:
    """Whether a write changed what the spans and tallies read of an interruption."""
    pairs = [
        (f"{old}.client_id", f"{new}.client_id"),
        (measure_case(f"{old}.kind"), measure_case(f"{new}.kind")),
        (f"({old}.status = 'cancelled')", f"({new}.status = 'cancelled')"),
        (f"{old}.occurred_at", f"{new}.occurred_at"),
        (f"{old}.ended_at", f"{new}.ended_at"),
    ]
    return " OR ".join(f"{a} {distinct} {b}" for a, b in pairs)


def _name(table: str, event: str) -> str:
    return f"downtime_{table}_{event}"


def _postgresql_days(rows: str) -> str:
    """Changes for the days of `rows` (interruptions, aliased r)."""
    return (
        f"INSERT INTO {CHANGES} (client_id, day) SELECT DISTINCT r.client_id, d.day "
        f"FROM {rows} CROSS JOIN LATERAL (VALUES ((r.occurred_at AT TIME ZONE 'UTC')::date), "
        f"((r.ended_at AT TIME ZONE 'UTC')::date)) AS d(day) WHERE d.day IS NOT NULL"
    )


def _postgresql_bodies() -> dict[tuple[str, str], tuple[str, str]]:
    """(table, event) → (the statement, its REFERENCING clause)."""
    moved = _moved("o", "n", "IS DISTINCT FROM")
    both = (
        f"(SELECT o.* FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE {moved} "
        f"UNION ALL SELECT n.* FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE {moved}) r"
    )
    links = "(SELECT interruption_id FROM {source}) a JOIN {table} r ON r.id = a.interruption_id"
    linked_both = links.format(
        source="old_rows UNION SELECT interruption_id FROM new_rows", table=INTERRUPTIONS
    )
    old, new, old_and_new = (
        "REFERENCING OLD TABLE AS old_rows",
        "REFERENCING NEW TABLE AS new_rows",
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    )
    return {
        (INTERRUPTIONS, "ins"): (_postgresql_days("new_rows r"), new),
        (INTERRUPTIONS, "upd"): (_postgresql_days(both), old_and_new),
        (INTERRUPTIONS, "del"): (_postgresql_days("old_rows r"), old),
        (AFFECTED, "ins"): (
            _postgresql_days(links.format(source="new_rows", table=INTERRUPTIONS)),
            new,
        ),
        (AFFECTED, "upd"): (_postgresql_days(linked_both), old_and_new),
        (AFFECTED, "del"): (
            _postgresql_days(links.format(source="old_rows", table=INTERRUPTIONS)),
            old,
        ),
    }


def _sqlite_days(row: str) -> str:
    return (
        f"INSERT INTO {CHANGES} (client_id, day) SELECT {row}.client_id, date({row}.occurred_at) "
        f"UNION SELECT {row}.client_id, date({row}.ended_at) WHERE {row}.ended_at IS NOT NULL;"
    )


def _sqlite_linked_days(row: str) -> str:
    return (
        f"INSERT INTO {CHANGES} (client_id, day) SELECT i.client_id, date(i.occurred_at) "
        f"FROM {INTERRUPTIONS} i WHERE i.id = {row}.interruption_id "
        f"UNION SELECT i.client_id, date(i.ended_at) FROM {INTERRUPTIONS} i "
        f"WHERE i.id = {row}.interruption_id AND i.ended_at IS NOT NULL;"
    )


def _sqlite_bodies() -> dict[tuple[str, str], tuple[str, str]]:
    """(table, event) → (the statements, the WHEN clause or "")."""
    return {
        (INTERRUPTIONS, "ins"): (_sqlite_days("NEW"), ""),
        (INTERRUPTIONS, "upd"): (
            _sqlite_days("OLD") + " " + _sqlite_days("NEW"),
            f"WHEN {_moved('OLD', 'NEW', 'IS NOT')}",
        ),
        (INTERRUPTIONS, "del"): (_sqlite_days("OLD"), ""),
        (AFFECTED, "ins"): (_sqlite_linked_days("NEW"), ""),
        (AFFECTED, "upd"): (_sqlite_linked_days("OLD") + " " + _sqlite_linked_days("NEW"), ""),
        (AFFECTED, "del"): (_sqlite_linked_days("OLD"), ""),
    }


def install_sql(vendor: str) -> list[str]:
    statements = drop_sql(vendor)
    if vendor == "postgresql":
        for (table, event), (body, referencing) in _postgresql_bodies().items():
            name = _name(table, event)
            statements.append(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"{body}; RETURN NULL; END $$"
            )
            statements.append(
                f'CREATE TRIGGER {name} AFTER {EVENTS[event]} ON "{table}" {referencing} '
                f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
            )
        return statements
    for (table, event), (body, when) in _sqlite_bodies().items():
        statements.append(
            f'CREATE TRIGGER {_name(table, event)} AFTER {EVENTS[event]} ON "{table}" '
            f"FOR EACH ROW {when} BEGIN {body} END"
        )
    return statements


def drop_sql(vendor: str) -> list[str]:
    statements = []
    for table in (INTERRUPTIONS, AFFECTED):
        for event in EVENTS:
            name = _name(table, event)
            if vendor == "postgresql":
                statements.append(f'DROP TRIGGER IF EXISTS {name} ON "{table}"')
                statements.append(f"DROP FUNCTION IF EXISTS {name}()")
            else:
                statements.append(f"DROP TRIGGER IF EXISTS {name}")
    return statements


def trigger_names() -> list[str]:
    return [_name(table, event) for table in (INTERRUPTIONS, AFFECTED) for event in EVENTS]


def restore_triggers(conn) -> bool:
    """Install the triggers again, and rebuild what they keep, if any is missing (SQLite
    drops a table's triggers when a migration rebuilds it); whether they were."""
    if CHANGES not in conn.introspection.table_names():
        return False
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        existing = {name for (name,) in cursor.fetchall()}
    if existing.issuperset(trigger_names()):
        return False
    from .upkeep import rebuild

    with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
        for statement in install_sql(conn.vendor):
            cursor.execute(statement)
        rebuild(conn)
    return True


class InstallDowntimeUpkeep(migrations.operations.base.Operation):
    """Create (or replace) the triggers as the code states them now, and rebuild every
    span and tally from the interruptions in the same transaction. Run again (a new
    migration) whenever what they keep changes."""

    reduces_to_sql = False
    reversible = True

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        from .upkeep import rebuild

        conn = schema_editor.connection
        for statement in install_sql(conn.vendor):
            schema_editor.execute(statement, params=None)
        rebuild(conn)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        for statement in drop_sql(schema_editor.connection.vendor):
            schema_editor.execute(statement, params=None)

    def describe(self) -> str:
        return "Install the downtime triggers and rebuild the spans and tallies"

    def deconstruct(self):
        return self.__class__.__name__, [], {}

    @property
    def migration_name_fragment(self) -> str:
        return "downtime_upkeep"
