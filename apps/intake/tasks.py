"""Celery tasks of the alert intake: thin wrappers that take ids and call a service."""

from celery import shared_task

from .processing import intake_process_pending
from .receiving import intake_sweep


@shared_task(
    name="apps.intake.tasks.process_intake",
    autoretry_for=(ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=5,
)
def process_intake(integration_id: int) -> int:
    """Work an integration's stored alert requests, oldest first (see processing.py)."""
    return intake_process_pending(integration_id)


@shared_task(name="apps.intake.tasks.sweep_intake")
def sweep_intake() -> dict:
    """Queue a run for integrations with requests left unworked (every minute, see
    schedules)."""
    return {"integrations": intake_sweep()}
