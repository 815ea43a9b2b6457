"""How fast a telephony export of 100,000 calls imports, every check made, and that the same
file again adds nothing.

A benchmark, not part of the default run (it needs PostgreSQL and about a minute):
    pytest -m benchmark tests/calls/test_import_speed.py -s
CALL_IMPORT_BENCH_ROWS sets the file's rows; CALL_IMPORT_BENCH_CALLS the calls already logged
before it (default none; the goal is stated for a table of a million).
"""

import os
import random
import time

import pytest
from django.db import connection
from django.utils import timezone

from apps.calls.demo_volume import generate_call_volume
from apps.calls.importing import import_calls
from apps.calls.importing.sample import write_sample_export
from apps.calls.models import Call
from apps.core.demo import seed_organisation

# A real commit: the deferred foreign-key checks and the WAL flush are part of the import.
pytestmark = [pytest.mark.benchmark, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROWS = int(os.environ.get("CALL_IMPORT_BENCH_ROWS", "100000"))
CALLS_BEFORE = int(os.environ.get("CALL_IMPORT_BENCH_CALLS", "0"))
GOAL_ROWS_PER_SECOND = 5_000


def test_a_hundred_thousand_calls_import_at_five_thousand_rows_a_second(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("measured on PostgreSQL")
    organisation = seed_organisation()
    now = timezone.now()
    if CALLS_BEFORE:
        generate_call_volume(organisation, count=CALLS_BEFORE, rng=random.Random(2), now=now)
    path = tmp_path / "export.csv"
    with path.open("w", newline="") as out:
        write_sample_export(out, organisation, count=ROWS, rng=random.Random(1), now=now)
    told = []

    with path.open("rb") as source:
        report = import_calls(
            source,
            actor=organisation.admin,
            filename="export.csv",
            on_progress=lambda done, total: told.append((time.monotonic(), done, total)),
        )
    with path.open("rb") as source:
        again = import_calls(source, actor=organisation.admin, filename="export.csv")

    print(
        f"\n{ROWS:,} rows onto {CALLS_BEFORE:,} calls: imported in {report.seconds:.1f} s "
        f"({report.rate:,.0f} rows/s, goal {GOAL_ROWS_PER_SECOND:,}); the same file again "
        f"in {again.seconds:.1f} s ({again.rate:,.0f} rows/s), {again.skipped:,} skipped"
    )
    assert (report.created, report.error_count) == (ROWS, 0), report.errors[:5]
    assert (again.created, again.skipped) == (0, ROWS)
    assert Call.objects.count() == CALLS_BEFORE + ROWS
    assert told[-1][1:] == (ROWS, ROWS)
    assert len(told) >= ROWS // 2_000
    assert report.rate >= GOAL_ROWS_PER_SECOND
