"""Writers and folds at once on PostgreSQL: no delta is lost or counted twice."""

import itertools
import threading
import time

import pytest
from django.db import connection
from django.utils import timezone

from apps.core.choices import Severity, Status
from apps.core.models import SummaryRow
from apps.core.summaries.fold import fold_deltas
from apps.interruptions.models import Interruption
from tests.concurrency import run_at_once
from tests.factories import InterruptionFactory

from .figures import assert_figures_match

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"
    ),
]

WRITERS, FOLDS, RECORDS_EACH = 8, 2, 12


def test_concurrent_writers_and_folds_lose_nothing(world):
    roles = itertools.count()
    writers_done = threading.Event()
    finished = itertools.count()

    def write() -> int:
        created = [
            InterruptionFactory(
                client=world.client_a,
                severity=list(Severity.values)[index % 4],
                team=world.team_a1 if index % 2 else None,
                resolution_due=timezone.now(),
            )
            for index in range(RECORDS_EACH)
        ]
        pks = [record.pk for record in created]
        Interruption.objects.filter(pk__in=pks[::2]).update(status=Status.IN_PROGRESS)
        Interruption.objects.filter(pk__in=pks[1::3]).update(resolution_breached_at=timezone.now())
        Interruption.objects.filter(pk__in=pks[::5]).delete()
        if next(finished) == WRITERS - 1:
            writers_done.set()
        return 0

    def fold() -> int:
        folded = 0
        while not writers_done.is_set():
            folded += fold_deltas(batch_size=7)
            time.sleep(0.01)
        return folded

    def work() -> int:
        return write() if next(roles) < WRITERS else fold()

    results, errors = run_at_once(work, threads=WRITERS + FOLDS)

    assert errors == []
    fold_deltas()
    assert not SummaryRow.objects.filter(folded=False).exists()
    figures = assert_figures_match(Interruption, world.admin)
    assert figures["rows"] == Interruption.objects.count() == WRITERS * (RECORDS_EACH - 3)
    assert_figures_match(Interruption, world.admin, "breached=true&severity=SEV1")
    assert_figures_match(Interruption, world.admin, f"team={world.team_a1.pk}&status=new")
