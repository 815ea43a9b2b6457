"""Celery tasks of escalations: thin wrappers that call services."""

from smtplib import SMTPException

from celery import shared_task

from apps.core.runs import ESCALATION_SWEEP, run_recorded
from apps.notifications.services import notification_send_email

from .sweep import escalation_sweep

SWEEP_TASK = ESCALATION_SWEEP


@shared_task
def sweep_escalations() -> dict:
    """Warn, move up and breach every escalation whose time has come (every minute)."""
    return run_recorded(SWEEP_TASK, lambda: escalation_sweep().as_dict()).outcome


@shared_task(
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=5,
)
def send_escalation_emails(notification_ids: list[int]) -> int:
    """E-mail a chunk of the sweep's notifications; each goes out at most once."""
    return sum(notification_send_email(pk) for pk in notification_ids)
