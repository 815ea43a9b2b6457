"""Celery tasks of the webhooks: one delivery attempt, and the minute's retries."""

from celery import shared_task

from .delivery import deliveries_queue_due, delivery_attempt


@shared_task(name="apps.webhooks.tasks.deliver_webhook")
def deliver_webhook(delivery_id: int) -> str:
    """Post one event to one subscription (queued through the outbox)."""
    return delivery_attempt(delivery_id)


@shared_task(name="apps.webhooks.tasks.retry_webhooks")
def retry_webhooks() -> dict:
    """Queue the deliveries whose next attempt has come (every minute, see schedules)."""
    return {"queued": deliveries_queue_due()}
