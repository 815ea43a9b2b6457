"""End to end with a real worker and Redis: changes made while the broker is down are
delivered, signed and in order, once the outbox is flushed."""

import json
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from apps.core.choices import Status
from apps.core.services.records import record_change_status
from apps.interruptions.services import interruption_create
from apps.webhooks.models import Delivery, DeliveryState
from apps.webhooks.signing import signature_is_valid
from tests.celery_worker import broker_at, closed_port_url, running_worker, wait_for

pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True)]


def test_changes_during_a_broker_outage_reach_the_receiver_in_order(
    world, subscribe, receiver, tmp_path
):
    with running_worker(tmp_path):
        subscription = subscribe()
        with broker_at(closed_port_url()):
            record = interruption_create(
                actor=world.agent,
                values={
                    "client": world.client_a,
                    "kind": "incident",
                    "title": "Chat down",
                    "severity": "SEV3",
                    "occurred_at": timezone.now() - timedelta(minutes=5),
                },
            )
            record = record_change_status(record, target=Status.IN_PROGRESS, actor=world.agent)
            record_change_status(record, target=Status.RESOLVED, actor=world.agent)
        assert receiver.requests == []

        call_command("flush_outbox")
        wait_for(lambda: len(receiver.requests) >= 3)
        time.sleep(0.5)  # nothing more arrives

    bodies = [json.loads(request.body) for request in receiver.requests]
    assert [body["sequence"] for body in bodies] == [1, 2, 3]
    assert [body["event"] for body in bodies] == [
        "record.created",
        "record.status_changed",
        "record.status_changed",
    ]
    for request in receiver.requests:
        assert signature_is_valid(
            subscription.secret,
            request.headers["X-Portal-Timestamp"],
            request.body,
            request.headers["X-Portal-Signature"],
            now=int(time.time()),
        )
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.DELIVERED}
