"""Celery tasks of the reports."""

from celery import shared_task

from apps.core.runs import run_recorded

from .downtime.upkeep import settle_all
from .monthly import deliver_monthly_reports

MONTHLY_TASK = "send_monthly_sla_reports"


@shared_task
def send_monthly_sla_reports() -> dict:
    """E-mail each client's monthly SLA report once its first business day begins (hourly,
    see schedules); the run records which reports went out."""

    def work() -> dict:
        sent = deliver_monthly_reports()
        return {"sent": [f"{item.client.code} {item.month:%Y-%m}" for item in sent]}

    return run_recorded(MONTHLY_TASK, work).outcome


@shared_task
def settle_downtime() -> dict:
    """Recompute the downtime days writes have made stale (every minute, see schedules);
    safe beside readers and beside another run, which settle a client one at a time."""
    return {"clients": settle_all()}
