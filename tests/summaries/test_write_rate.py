"""What the summary triggers cost writers, on PostgreSQL (run with -m benchmark -s).

- 8 concurrent writers, each creating and then updating records one statement at a time;
- one bulk load of SUMMARY_BENCH_ROWS rows (default 1,000,000) in one INSERT … SELECT, as the
  volume seeding writes them.

Each is measured with the triggers and again with them dropped; they are put back after.
"""

import os
import threading
import time

import pytest
from django.db import connection
from django.utils import timezone

from apps.core.models import SummaryRow
from apps.core.summaries.fold import fold_deltas
from apps.core.summaries.kinds import SPECS
from apps.interruptions.models import Interruption
from tests.concurrency import run_at_once

from .figures import assert_figures_match

pytestmark = [
    pytest.mark.benchmark,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="measured on PostgreSQL"),
]

WRITERS, WRITES_EACH = 8, 250
SPEC = SPECS["interruptions.interruption"]


def _execute(statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _writes_per_second(world) -> float:
    sequence = iter(range(10**9))
    run = time.monotonic_ns() % 10**9
    lock = threading.Lock()

    def write() -> int:
        for index in range(WRITES_EACH):
            with lock:
                number = next(sequence)
            record = Interruption.objects.create(
                reference=f"BENCH-{run}-{number}",
                client=world.client_a,
                title="Bench",
                kind="incident",
                severity=("SEV1", "SEV2", "SEV3", "SEV4")[index % 4],
                occurred_at=timezone.now(),
                resolution_due=timezone.now(),
            )
            Interruption.objects.filter(pk=record.pk).update(status="in_progress")
        return WRITES_EACH * 2

    began = time.monotonic()
    results, errors = run_at_once(write, threads=WRITERS)
    elapsed = time.monotonic() - began
    assert errors == []
    return sum(results) / elapsed


def _bulk_load_seconds(world, rows: int) -> float:
    """Insert `rows` interruptions in one INSERT … SELECT; every column from the model."""
    columns, values = [], []
    specific = {
        "reference": "'BULK-' || n || '-' || left(md5(random()::text), 8)",
        "client_id": str(world.client_a.pk),
        "title": "'Bulk'",
        "kind": "(ARRAY['incident','outage','error'])[1 + n % 3]",
        "severity": "(ARRAY['SEV1','SEV2','SEV3','SEV4'])[1 + n % 4]",
        "status": "(ARRAY['new','closed','resolved'])[1 + n % 3]",
        "occurred_at": "now() - (n % 365) * interval '1 day'",
        "closed_at": "now()",
        "created_at": "now()",
        "updated_at": "now()",
        "version": "1",
    }
    for field in Interruption._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(f'"{field.column}"')
        if field.column in specific:
            values.append(specific[field.column])
        elif field.null:
            values.append("NULL")
        else:
            default = field.get_default()
            values.append("0" if isinstance(default, bool | int) and default is not True else "''")
            if isinstance(default, bool):
                values[-1] = "TRUE" if default else "FALSE"
    sql = (
        f"INSERT INTO interruptions_interruption ({', '.join(columns)}) "
        f"SELECT {', '.join(values)} FROM generate_series(1, {rows}) AS n"
    )
    began = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(sql)
    return time.monotonic() - began


def test_write_rate_with_and_without_the_summary_triggers(world):
    rows = int(os.environ.get("SUMMARY_BENCH_ROWS", "1000000"))
    with_triggers = _writes_per_second(world)
    loaded_with = _bulk_load_seconds(world, rows)
    deltas = SummaryRow.objects.filter(folded=False).count()
    began = time.monotonic()
    fold_deltas()
    fold_seconds = time.monotonic() - began
    assert_figures_match(Interruption, world.admin)

    _execute(SPEC.drop_sql("postgresql"))
    try:
        _execute(["TRUNCATE interruptions_interruption CASCADE"])
        without = _writes_per_second(world)
        loaded_without = _bulk_load_seconds(world, rows)
    finally:
        _execute(SPEC.install_sql("postgresql"))
    print(
        f"\n{WRITERS} writers, create + update each: {with_triggers:,.0f} writes/s with the "
        f"triggers, {without:,.0f} without"
        f"\nbulk load of {rows:,} rows in one statement: {loaded_with:.1f} s with the "
        f"triggers ({deltas:,} deltas), {loaded_without:.1f} s without; "
        f"fold of the deltas: {fold_seconds:.1f} s"
    )
