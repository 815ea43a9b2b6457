"""Writing many new rows fast: COPY on PostgreSQL, one prepared executemany elsewhere.

`QuerySet.bulk_create` prepares every value of every row through its field (about 200 µs a
row for a 40-column log record, before the database does any work), which is most of the
time of a call import, a sweep's history or a demo load. Rows written here are already
valid and in the database's own types, so they go straight to the driver; primary keys are
reserved up front so related rows can point at them. Use inside `transaction.atomic()`.
"""

import json
from collections.abc import Callable, Iterable
from datetime import datetime
from operator import itemgetter

from django.db import connection, models

Converter = Callable[[object], object]


class BulkTable:
    """One model's table: reserve primary keys, then insert rows given as attname → value."""

    def __init__(self, model: type[models.Model], *, with_pk: bool = True):
        self.model = model
        self.table = model._meta.db_table
        self.pk = model._meta.pk
        fields = [field for field in model._meta.concrete_fields if with_pk or field is not self.pk]
        self.attnames = [field.attname for field in fields]
        self.defaults = {field.attname: field.get_default() for field in fields}
        self.pick = itemgetter(*self.attnames)
        quote = connection.ops.quote_name
        self.columns_sql = ", ".join(quote(field.column) for field in fields)
        self.converters = self._converters(fields)

    def reserve_ids(self, count: int) -> list[int]:
        """`count` primary-key values no other writer will use."""
        if count <= 0:
            return []
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [self.table, self.pk.column, count],
                )
                return [row[0] for row in cursor.fetchall()]
            # SQLite: the write lock is held from the transaction's start (IMMEDIATE mode), and
            # AUTOINCREMENT never reuses a number, so start after both the rows and the counter.
            quote = connection.ops.quote_name
            cursor.execute(f"SELECT MAX({quote(self.pk.column)}) FROM {quote(self.table)}")
            highest = cursor.fetchone()[0] or 0
            cursor.execute("SELECT MAX(seq) FROM sqlite_sequence WHERE name = %s", [self.table])
            row = cursor.fetchone()
            start = max(highest, (row[0] if row else 0) or 0) + 1
        return list(range(start, start + count))

    def insert(self, rows: Iterable[dict]) -> int:
        """Insert `rows` (missing attnames take the field's blank value). Returns the count."""
        defaults, pick, converters = self.defaults, self.pick, self.converters

        def tuples():
            for row in rows:
                values = pick(defaults | row)
                if converters:
                    values = list(values)
                    for index, convert in converters:
                        if values[index] is not None:
                            values[index] = convert(values[index])
                yield values

        connection.ensure_connection()
        written = 0
        with connection.cursor() as wrapper:
            cursor = wrapper.cursor  # the driver's cursor: no per-row work in Django
            if connection.vendor == "postgresql":
                sql = (
                    f"COPY {connection.ops.quote_name(self.table)} ({self.columns_sql}) FROM STDIN"
                )
                with cursor.copy(sql) as copy:
                    for values in tuples():
                        copy.write_row(values)
                        written += 1
                return written
            placeholders = ", ".join(["%s"] * len(self.attnames))
            batch = list(tuples())
            cursor.executemany(
                f"INSERT INTO {connection.ops.quote_name(self.table)} ({self.columns_sql}) "
                f"VALUES ({placeholders})",
                batch,
            )
            return len(batch)

    @staticmethod
    def _converters(fields) -> list[tuple[int, Converter]]:
        """Python → database value conversions the driver does not do by itself."""
        if connection.vendor == "postgresql":
            # psycopg dumps aware datetimes, decimals and booleans natively; JSON it is told.
            from psycopg.types.json import Jsonb

            return [
                (index, Jsonb)
                for index, field in enumerate(fields)
                if isinstance(field, models.JSONField)
            ]
        converters = []
        zone = connection.timezone

        def naive_text(value: datetime) -> str:
            # What adapt_datetimefield_value stores, for aware values, at a fifth of the cost.
            return str(value.astimezone(zone).replace(tzinfo=None))

        for index, field in enumerate(fields):
            if isinstance(field, models.DateTimeField):
                converters.append((index, naive_text))
            elif isinstance(field, models.DecimalField):
                converters.append((index, str))
            elif isinstance(field, models.JSONField):
                converters.append((index, json.dumps))
        return converters


def tune_for_bulk_load() -> None:
    """Session settings for loading many rows on this connection.

    SQLite's default page cache is 2 MB: with a dozen indexes on a table of a million rows,
    most index pages would be re-read from the file for every batch.
    """
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -262144")  # KiB: 256 MB


def refresh_statistics(*model_classes: type[models.Model]) -> None:
    """Let PostgreSQL's planner know the tables just grew, rather than wait for autovacuum:
    lists and exports benchmarked right after a load should get the plans they will have."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in model_classes:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
