"""Celery tasks of the audits: thin wrappers that run an audit and record the run."""

from collections.abc import Callable

from celery import shared_task

from apps.core.runs import run_recorded

from . import audits, overruns
from .models import AuditFinding
from .services import AuditOutcome


def run_audit(task: str, audit: Callable[[], AuditOutcome]) -> dict:
    """Run `audit` as a recorded task run, and tie the findings it filed to that run."""
    filed: list[int] = []

    def work() -> dict:
        outcome = audit()
        filed.extend(outcome.finding_ids)
        return outcome.as_dict()

    run = run_recorded(task, work)
    AuditFinding.objects.filter(pk__in=filed).update(run=run)
    return run.outcome


@shared_task
def audit_stale_records() -> dict:
    """Open records with no update within their severity's limit (hourly)."""
    return run_audit("audit_stale_records", audits.audit_stale_records)


@shared_task
def audit_completeness() -> dict:
    """Resolved and closed records missing what their kind needs (nightly)."""
    return run_audit("audit_completeness", audits.audit_completeness)


@shared_task
def audit_recurrence() -> dict:
    """The same service or escalation category hit again and again (nightly)."""
    return run_audit("audit_recurrence", audits.audit_recurrence)


@shared_task
def audit_maintenance_overruns() -> dict:
    """Maintenance windows still under way long past their planned end (every 15 minutes)."""
    return run_audit("audit_maintenance_overruns", overruns.audit_maintenance_overruns)
