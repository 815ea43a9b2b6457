"""Two sweeps at once on PostgreSQL: every due escalation moves exactly once."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from apps.core.choices import Tier, TimelineKind
from apps.core.models import TimelineEntry
from apps.escalations.models import Escalation
from apps.escalations.sweep import escalation_sweep
from tests.concurrency import run_at_once
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
    results, errors = run_at_once(lambda: escalation_sweep(now=when, batch_size=7))

    assert errors == []
    assert sum(result.moved for result in results) == len(due)
    assert Escalation.objects.filter(tier=Tier.TECHNICAL).count() == len(due)
    assert TimelineEntry.objects.filter(kind=TimelineKind.ESCALATED).count() == len(due)
