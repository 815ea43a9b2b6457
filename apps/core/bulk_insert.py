"""Writing many new rows fast: COPY on PostgreSQL, one prepared executemany elsewhere.

`QuerySet.bulk_create` prepares every value of every row through its field (about 200 µs a
row for a 40-column log record, before the database does any work), which is most of the
time of a call import, a sweep's history or a demo load. Rows written here are already
valid and in the database's own types, so they go straight to the driver; primary keys are
reserved up front so related rows can point at them. Use inside `transaction.atomic()`.
"""

import json
import threading
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from datetime import datetime
from operator import itemgetter

from django.db import connection, connections, models, transaction

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


def run_in_parallel(
    jobs: Iterable[Callable[[], int]],
    *,
    workers: int,
    report: Callable[[int], None] | None = None,
) -> int:
    """Run each job (one big statement or a few, returning how many records it wrote) in a
    transaction of its own, on `workers` threads with a connection each; returns the total.

    Each job is one or a few large statements (INSERT … SELECT): the database does the work,
    so two connections keep both cores of a small machine busy. The first error stops the
    run and is raised here; jobs already committed stay.
    """
    jobs = iter(jobs)
    if workers <= 1 or connection.in_atomic_block:
        # Another connection could not see what this transaction has not committed.
        total = 0
        for job in jobs:
            with transaction.atomic():
                written = job()
            total += written
            if report:
                report(written)
        return total
    lock = threading.Lock()
    errors: list[BaseException] = []
    totals: list[int] = []

    def next_job():
        with lock:
            if errors:
                return None
            return next(jobs, None)

    def work() -> None:
        try:
            while (job := next_job()) is not None:
                with transaction.atomic():
                    written = job()
                with lock:
                    totals.append(written)
                    if report:
                        report(written)
        except BaseException as error:  # raised on the calling thread below
            with lock:
                errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, daemon=True) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return sum(totals)


# Below this many new rows, or fewer than a table already holds, keeping the indexes up to
# date as rows arrive costs less than building them again.
REBUILD_MIN_ROWS = 500_000


def worth_rebuilding_indexes(model: type[models.Model], adding: int) -> bool:
    """Whether loading `adding` rows into `model`'s table goes faster by dropping its
    secondary indexes and building them afterwards (PostgreSQL only).

    Measured on a two-core machine: a quarter of a million calls take 11 s into the bare
    table and 80 s into the indexed one, two trigram indexes being half of it; building every
    index again over a million calls takes about as long as keeping them up to date over a
    quarter of a million.
    """
    if connection.vendor != "postgresql" or adding < REBUILD_MIN_ROWS:
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = %s::regclass",
            [model._meta.db_table],
        )
        (present,) = cursor.fetchone()
    return adding >= present


@contextmanager
def secondary_indexes_dropped(
    *model_classes: type[models.Model],
    workers: int = 2,
    stage: Callable[[str], None] | None = None,
):
    """Drop the tables' plain secondary indexes for a large load, and build them again on
    the way out, whether the load succeeded or failed.

    Primary keys and unique indexes stay, so the load is still checked for duplicates and
    nothing needs to be unique when the indexes come back. The indexes are built from their
    own definitions (`pg_get_indexdef`), the slowest first, on `workers` connections at
    once. Must not run inside a transaction: other connections write the rows.
    """
    if connection.vendor != "postgresql":
        yield []
        return
    definitions = _drop_secondary_indexes(model_classes)
    try:
        yield [name for name, _ in definitions]
    finally:
        if stage:
            stage(f"Building {len(definitions)} indexes again...")
        _build_indexes(definitions, workers)


def _drop_secondary_indexes(model_classes) -> list[tuple[str, str]]:
    tables = [model._meta.db_table for model in model_classes]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT index.relname, pg_get_indexdef(i.indexrelid), am.amname
            FROM pg_index i
            JOIN pg_class index ON index.oid = i.indexrelid
            JOIN pg_am am ON am.oid = index.relam
            WHERE i.indrelid = ANY (%s::regclass[])
              AND NOT i.indisprimary AND NOT i.indisunique
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            """,
            [tables],
        )
        found = cursor.fetchall()
        # Inverted (trigram) indexes take the longest to build: start them first.
        found.sort(key=lambda row: (row[2] == "btree", row[0]))
        quote = connection.ops.quote_name
        for name, _, _ in found:
            cursor.execute(f"DROP INDEX {quote(name)}")
    return [(name, definition) for name, definition, _ in found]


def _build_indexes(definitions: list[tuple[str, str]], workers: int) -> None:
    def job(definition: str) -> Callable[[], int]:
        def build() -> int:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
                cursor.execute(definition)
            return 1

        return build

    try:
        run_in_parallel((job(definition) for _, definition in definitions), workers=workers)
    finally:
        # Whatever stopped the parallel builds, each missing index gets one more try here.
        missing = _missing(definitions)
        for definition in missing:
            try:
                with transaction.atomic():
                    job(definition)()
            except Exception:
                continue
        missing = _missing(definitions)
        if missing:
            raise RuntimeError("Indexes to build again by hand: " + "; ".join(missing))


def _missing(definitions: list[tuple[str, str]]) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relname = ANY (%s)",
            [[name for name, _ in definitions]],
        )
        present = {row[0] for row in cursor.fetchall()}
    return [definition for name, definition in definitions if name not in present]
