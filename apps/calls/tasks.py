"""Celery tasks of call logs: thin wrappers that run a service and record the run."""

from celery import shared_task

from apps.core.runs import run_recorded

from .callbacks import schedule_call_backs


@shared_task
def follow_up_missed_calls() -> dict:
    """A call-back due time for every missed or dropped inbound call (every 15 minutes)."""
    run = run_recorded("follow_up_missed_calls", lambda: schedule_call_backs().as_dict())
    return run.outcome
