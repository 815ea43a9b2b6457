"""A broker outage loses nothing: the save succeeds at once, the outbox keeps the task, and
once Redis is back the flush publishes it and a real worker runs it, once."""

import time
from datetime import UTC, datetime

import pytest
from django.core.management import call_command

from apps.core.models import AlertDelivery, OutboxMessage
from apps.core.queueing import flush_outbox
from apps.interruptions.services import interruption_create
from apps.interruptions.tasks import send_interruption_alert
from apps.notifications.models import Notification
from tests.celery_worker import (
    broker_at,
    closed_port_url,
    finished_tasks,
    mails,
    running_worker,
    wait_for,
)

pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True)]

SAVE_BUDGET_SECONDS = 2.0


@pytest.fixture
def worker(tmp_path):
    with running_worker(tmp_path) as running:
        yield running


def _severe_values(world) -> dict:
    return {
        "client": world.client_a,
        "kind": "outage",
        "title": "Telephony down",
        "severity": "SEV1",
        "occurred_at": datetime(2026, 11, 20, 9, 0, tzinfo=UTC),
    }


def test_a_save_during_a_broker_outage_is_delivered_once_the_broker_is_back(world, worker):
    world.lead.email = "lead@example.test"
    world.lead.save()

    with broker_at(closed_port_url()):
        started = time.monotonic()
        interruption = interruption_create(actor=world.agent, values=_severe_values(world))
        elapsed = time.monotonic() - started
        print(f"save with the broker down: {elapsed:.3f}s")
        assert elapsed <= SAVE_BUDGET_SECONDS, f"the save waited {elapsed:.1f}s for the broker"

        (message,) = OutboxMessage.objects.all()
        assert (message.task_name, message.args) == (
            send_interruption_alert.name,
            [interruption.pk],
        )
        assert message.sent_at is None
        assert message.claimed_until is None
        assert message.attempts == 1
        assert "OperationalError" in message.last_error

        # A flush while the broker is still down keeps the message for later.
        assert flush_outbox().sent == 0
        message.refresh_from_db()
        assert (message.sent_at, message.attempts) == (None, 2)

    # Redis is back: the flush (as beat or cron would run it) publishes, the worker delivers.
    call_command("flush_outbox")
    message.refresh_from_db()
    assert message.sent_at is not None
    assert message.attempts == 3

    delivery = wait_for(lambda: AlertDelivery.objects.filter(object_id=interruption.pk).first())
    assert delivery.recipients == "lead@example.test"
    sent = wait_for(lambda: mails(worker["mail_dir"]))
    assert len(sent) == 1
    assert interruption.reference in sent[0]
    assert list(
        Notification.objects.filter(object_id=interruption.pk).values_list(
            "recipient__username", flat=True
        )
    ) == ["lead"]

    # Nothing is published twice: another flush finds nothing, the worker ran one task.
    assert flush_outbox().sent == 0
    time.sleep(1)
    assert finished_tasks(worker["log_file"]) == 1
    assert len(mails(worker["mail_dir"])) == 1
