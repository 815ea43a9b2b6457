"""Two sweeps at once on PostgreSQL: every due escalation moves exactly once."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from apps.core.choices import Tier, TimelineKind
from apps.core.models import TimelineEntry
from apps.escalations.models import Escalation
from apps.escalations.sweep import escalation_sweep
from tests.escalations.test_sweep import _escalate, category, matrix  # noqa: F401

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs on it)"
    ),
]


def test_concurrent_sweeps_move_each_escalation_once(world, matrix, category):  # noqa: F811
    start = timezone.now() - timedelta(minutes=100)
    due = [_escalate(world, category, start) for _ in range(30)]
    when = start + timedelta(minutes=31)
    results, errors = [], []
    # Each run connects first, then all start together, so their batches really interleave.
    start_together = threading.Barrier(3, timeout=30)

    def sweep():
        try:
            connection.ensure_connection()
            start_together.wait()
            results.append(escalation_sweep(now=when, batch_size=7))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sum(result.moved for result in results) == len(due)
    assert Escalation.objects.filter(tier=Tier.TECHNICAL).count() == len(due)
    assert TimelineEntry.objects.filter(kind=TimelineKind.ESCALATED).count() == len(due)
