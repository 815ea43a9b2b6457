"""Celery tasks of interruptions: thin wrappers that take ids and call a service."""

from smtplib import SMTPException

from celery import shared_task

from .services import interruption_send_alert


@shared_task(
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=5,
)
def send_interruption_alert(interruption_id: int) -> None:
    """E-mail the client's team leads about a SEV1/SEV2 interruption (once per record)."""
    interruption_send_alert(interruption_id)
