"""Stale records: open with no update for longer than their severity's limit.

One definition, read by the stale record audit (apps.audits), the lists' `stale` filter and
the leads' home page.
"""

from datetime import datetime, timedelta

from django.db.models import Q

from .choices import Severity, Status

STALE_AFTER = {
    Severity.SEV1: timedelta(hours=4),
    Severity.SEV2: timedelta(hours=24),
    Severity.SEV3: timedelta(days=3),
    Severity.SEV4: timedelta(days=7),
}


def stale_condition(now: datetime) -> Q:
    """Open, and last updated before `now` less its severity's limit."""
    overdue = Q(pk__in=[])
    for severity, limit in STALE_AFTER.items():
        overdue |= Q(severity=severity, updated_at__lt=now - limit)
    return Q(status__in=Status.open_values()) & overdue


def stale_limit_text(severity: str) -> str:
    """The limit of `severity` as people say it: "4 hours", "3 days"."""
    hours = STALE_AFTER[severity].total_seconds() / 3600
    return f"{int(hours)} hours" if hours < 48 else f"{int(hours // 24)} days"
