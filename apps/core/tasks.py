"""Celery tasks of core: the outbox flush, the summaries' fold and the retention run."""

from celery import shared_task

from .queueing import flush_outbox as flush
from .retention import apply_retention as anonymise_past_retention
from .runs import run_recorded
from .summaries.fold import fold_deltas

RETENTION_TASK = "apply_retention"


@shared_task
def flush_outbox() -> dict:
    """Publish outbox messages a broker outage left unsent (every minute, see schedules)."""
    result = flush()
    return {"sent": result.sent, "failed": result.failed, "pruned": result.pruned}


@shared_task
def fold_summaries() -> dict:
    """Fold the summaries' deltas into their daily and all-time rows (every minute, see
    schedules); safe beside writers and beside another fold."""
    return {"folded": fold_deltas()}


@shared_task
def apply_retention() -> dict:
    """Anonymise personal data past each client's retention (nightly, see schedules); the
    run is recorded with the records anonymised per kind."""
    run = run_recorded(RETENTION_TASK, lambda: anonymise_past_retention().as_dict())
    return run.outcome
