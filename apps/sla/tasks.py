"""Celery tasks of the SLA engine."""

from celery import shared_task
from django.contrib.auth import get_user_model

from apps.core.models import Client
from apps.core.runs import run_recorded

from .breaches import stamp_missed_targets
from .services import (
    sla_recompute_clocks,
    sla_recompute_for_maintenance,
    sla_recompute_open_records,
)


@shared_task
def recompute_for_maintenance(interruption_id: int) -> dict:
    """Due times and tier clocks of the records a maintenance window holds, after it changed."""
    return sla_recompute_for_maintenance(interruption_id)


@shared_task
def recompute_clocks_of(content_type_id: int, record_id: int) -> dict:
    """Due times and tier clock of one record newly tied to a maintenance window."""
    return sla_recompute_clocks(content_type_id, record_id)


@shared_task
def recompute_open_records(
    client_id: int, actor_id: int | None, reason: str, severities: list[str] | None = None
) -> dict:
    """Due times of a client's open records after its SLA configuration changed (when too
    many to recompute within the administrator's request)."""
    client = Client.objects.filter(pk=client_id).first()
    if client is None:
        return {"changed": 0}
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    changed = sla_recompute_open_records(client, actor=actor, reason=reason, severities=severities)
    return {"changed": changed}


@shared_task
def stamp_breaches() -> dict:
    """Stamp the records whose due time passed since the last run (every minute)."""
    return run_recorded("stamp_breaches", stamp_missed_targets).outcome
