"""Celery tasks of core: the outbox flush."""

from celery import shared_task

from .queueing import flush_outbox as flush


@shared_task
def flush_outbox() -> dict:
    """Publish outbox messages a broker outage left unsent (every minute, see schedules)."""
    result = flush()
    return {"sent": result.sent, "failed": result.failed, "pruned": result.pruned}
