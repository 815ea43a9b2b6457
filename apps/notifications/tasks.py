"""Celery tasks of notifications: take ids, call a service, retry only transient failures."""

from smtplib import SMTPException

from celery import shared_task

from .services import notification_send_email


@shared_task(
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def send_notification_email(notification_id: int) -> bool:
    """E-mail one notification (once: a retry or a second delivery sends nothing more)."""
    return notification_send_email(notification_id)
