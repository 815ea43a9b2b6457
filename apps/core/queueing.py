"""Queueing Celery tasks from services: after the transaction commits, never blocking a save."""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def delay_safely(task, *args, **kwargs) -> bool:
    """Queue `task`; if the broker cannot be reached, log it and let the caller carry on."""
    try:
        task.delay(*args, **kwargs)
    except Exception:  # noqa: BLE001 - any broker failure must not undo a committed save
        logger.exception("Could not queue %s%r: broker unavailable", task.name, args)
        return False
    return True


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Queue `task` once the current transaction has committed (at once outside one)."""
    transaction.on_commit(lambda: delay_safely(task, *args, **kwargs))
