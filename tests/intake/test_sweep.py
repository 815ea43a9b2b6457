"""A storm queues a handful of runs, and the sweep queues one for requests left unworked."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core.models import OutboxMessage
from apps.intake.models import IntakeRequest
from apps.intake.receiving import PROCESS_TASK, intake_sweep
from tests.factories_intake import IntegrationFactory

from .payloads import alertmanager, post

pytestmark = pytest.mark.django_db


def _runs(integration) -> int:
    return OutboxMessage.objects.filter(task_name=PROCESS_TASK, args=[integration.pk]).count()


def test_requests_queue_no_run_while_one_waits_unclaimed(world, client):
    source = IntegrationFactory(client=world.client_a)
    other = IntegrationFactory(client=world.client_a)
    for _ in range(3):
        post(client, source, alertmanager())
    post(client, other, alertmanager())
    assert (_runs(source), _runs(other)) == (1, 1)
    OutboxMessage.objects.update(claimed_until=timezone.now() + timedelta(minutes=1))
    post(client, source, alertmanager())  # the waiting run may have read its requests already
    assert _runs(source) == 2


def test_the_sweep_queues_a_run_for_requests_left_unworked(world, client):
    source = IntegrationFactory(client=world.client_a)
    post(client, source, alertmanager())
    OutboxMessage.objects.update(sent_at=timezone.now())  # sent, and its run missed the request
    assert intake_sweep() == []  # not yet: it has only just come
    IntakeRequest.objects.update(received_at=timezone.now() - timedelta(minutes=1))
    assert intake_sweep() == [source.pk]
    assert OutboxMessage.objects.filter(task_name=PROCESS_TASK, sent_at__isnull=True).count() == 1
    assert intake_sweep() == [source.pk]  # the run queued is still waiting: no second one
    assert OutboxMessage.objects.filter(task_name=PROCESS_TASK, sent_at__isnull=True).count() == 1
