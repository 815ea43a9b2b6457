"""Celery tasks of failure reports: thin wrappers that call services."""

from celery import shared_task

from apps.audits.breaches import file_sla_breaches as file_breaches
from apps.audits.tasks import run_audit


@shared_task
def file_sla_breaches() -> dict:
    """A compliance failure report for each new SLA breach, once (every five minutes)."""
    return run_audit("file_sla_breaches", file_breaches)
