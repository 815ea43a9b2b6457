"""Writers of one record's events at once on PostgreSQL (findings do not lock the record):
each event gets its own number, and the numbers follow the order the changes committed."""

import itertools
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from apps.audits.models import FindingKind
from apps.audits.services import finding_file
from apps.interruptions.models import Interruption
from apps.webhooks.models import WebhookEvent
from tests.concurrency import run_at_once
from tests.factories import InterruptionFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs on it)"
    ),
]


def test_concurrent_findings_about_one_record_are_numbered_once_each(world, subscribe):
    subscribe()
    record = InterruptionFactory(client=world.client_a, occurred_at=timezone.now())
    counter = itertools.count()

    def file_findings():
        for _ in range(5):
            number = next(counter)
            finding_file(
                kind=FindingKind.STALE,
                fingerprint=f"stale:{number}",
                severity="SEV3",
                summary=f"Finding {number}",
                record=Interruption.objects.get(pk=record.pk),
                now=timezone.now() + timedelta(seconds=number),
            )

    _, errors = run_at_once(file_findings, threads=3)

    assert errors == []
    events = WebhookEvent.objects.filter(stream=f"interruptions.interruption:{record.pk}")
    assert sorted(events.values_list("sequence", flat=True)) == list(range(1, 16))
    by_number = list(events.order_by("sequence").values_list("created_at", flat=True))
    assert by_number == sorted(by_number)
