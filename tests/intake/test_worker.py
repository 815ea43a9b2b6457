"""End to end with a real worker: posted alerts become interruptions after the answer, also
when the broker was down while they were posted (the outbox keeps them)."""

import pytest

from apps.core.models import OutboxMessage
from apps.core.queueing import flush_outbox
from apps.intake.models import IntakeRequest, Outcome
from apps.interruptions.models import Interruption
from tests.celery_worker import broker_at, closed_port_url, running_worker, wait_for
from tests.factories_intake import IntegrationFactory

from .payloads import alertmanager, alertmanager_alert, post

pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True)]


def _all_worked() -> bool:
    return not IntakeRequest.objects.filter(outcome=Outcome.RECEIVED).exists()


def test_posted_alerts_are_worked_by_the_worker_even_after_a_broker_outage(world, client, tmp_path):
    source = IntegrationFactory(client=world.client_a, services=[world.service_a])
    with running_worker(tmp_path):
        assert post(client, source, alertmanager()).status_code == 202
        wait_for(_all_worked)
        assert Interruption.objects.count() == 1
        with broker_at(closed_port_url()):
            resolved = alertmanager(alertmanager_alert(status="resolved"))
            assert post(client, source, resolved).status_code == 202
        assert OutboxMessage.objects.filter(sent_at__isnull=True).exists()
        assert not _all_worked()
        assert flush_outbox().sent >= 1
        wait_for(_all_worked)
    interruption = Interruption.objects.get()
    assert interruption.ended_at is not None
    assert set(IntakeRequest.objects.values_list("outcome", flat=True)) == {Outcome.ACCEPTED}
