"""Running the webhook deliveries the outbox holds, as a worker would, at a chosen time."""

from datetime import datetime

from django.utils import timezone

from apps.core.models import OutboxMessage
from apps.webhooks.delivery import deliveries_queue_due, delivery_attempt
from apps.webhooks.events import DELIVER_TASK


def run_queued(now: datetime | None = None) -> list[str]:
    """Run every queued delivery task (and those they queue), oldest first, at `now`."""
    now = now or timezone.now()
    outcomes = []
    while True:
        message = OutboxMessage.objects.filter(task_name=DELIVER_TASK, sent_at__isnull=True).first()
        if message is None:
            return outcomes
        OutboxMessage.objects.filter(pk=message.pk).update(sent_at=now)
        outcomes.append(delivery_attempt(*message.args, now=now))


def sweep_and_run(now: datetime) -> list[str]:
    """The minute's retry sweep at `now`, then the tasks it queued."""
    deliveries_queue_due(now=now)
    return run_queued(now)
