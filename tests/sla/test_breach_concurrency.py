"""Two stamping runs at once on PostgreSQL: every missed target is stamped exactly once."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from apps.core.choices import TimelineKind
from apps.core.models import TimelineEntry
from apps.interruptions.models import Interruption
from apps.sla.breaches import stamp_missed_targets
from tests.concurrency import run_at_once
from tests.factories import InterruptionFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs on it)"
    ),
]


def test_concurrent_runs_stamp_each_record_once(world):
    now = timezone.now()
    late = [
        InterruptionFactory(
            client=world.client_a,
            occurred_at=now - timedelta(days=2),
            resolution_due=now - timedelta(hours=1),
        )
        for _ in range(40)
    ]
    results, errors = run_at_once(lambda: stamp_missed_targets(now=now, batch_size=7))

    assert errors == []
    assert sum(result["interruptions.interruption"] for result in results) == len(late)
    assert Interruption.objects.filter(resolution_breached_at__isnull=False).count() == len(late)
    assert TimelineEntry.objects.filter(kind=TimelineKind.BREACH).count() == len(late)
    stamped_versions = Interruption.history.filter(history_change_reason__startswith="Breached")
    assert stamped_versions.count() == len(late)
