"""Celery tasks of the SLA engine."""

from celery import shared_task

from .services import sla_recompute_clocks, sla_recompute_for_maintenance


@shared_task
def recompute_for_maintenance(interruption_id: int) -> dict:
    """Due times and tier clocks of the records a maintenance window holds, after it changed."""
    return sla_recompute_for_maintenance(interruption_id)


@shared_task
def recompute_clocks_of(content_type_id: int, record_id: int) -> dict:
    """Due times and tier clock of one record newly tied to a maintenance window."""
    return sla_recompute_clocks(content_type_id, record_id)
