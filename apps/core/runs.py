"""Recording periodic task runs, and reading when one last finished."""

from collections.abc import Callable
from datetime import datetime, timedelta

from django.utils import timezone

from .models import TaskRun

ESCALATION_SWEEP = "escalation_sweep"
# The sweep runs every minute; five minutes without a finished run means it has stopped.
ENGINE_LATE_AFTER = timedelta(minutes=5)


def run_recorded(task: str, work: Callable[[], dict]) -> TaskRun:
    """Run `work`, keeping when it started and finished and the summary it returns.

    A run that fails keeps its error and no finish time, and the error is raised again.
    """
    run = TaskRun.objects.create(task=task, started_at=timezone.now())
    try:
        outcome = work()
    except Exception as error:
        TaskRun.objects.filter(pk=run.pk).update(error=repr(error)[:2000])
        raise
    run.finished_at = timezone.now()
    run.outcome = outcome
    run.save(update_fields=["finished_at", "outcome"])
    return run


def last_finished(task: str) -> datetime | None:
    return (
        TaskRun.objects.filter(task=task, finished_at__isnull=False)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )


def engine_state(now: datetime | None = None) -> dict:
    """Whether the escalation sweep has finished a run lately, for /healthz and the header."""
    now = now or timezone.now()
    finished = last_finished(ESCALATION_SWEEP)
    late = finished is None or now - finished > ENGINE_LATE_AFTER
    return {
        "ok": not late,
        "last_finished": finished.isoformat() if finished else None,
        "minutes_ago": int((now - finished).total_seconds() // 60) if finished else None,
    }
