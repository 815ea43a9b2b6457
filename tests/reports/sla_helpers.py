"""Helpers of the SLA report tests: records with exact SLA fields, the scope of a month, and
the figures of a report looked up by label."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apps.core.choices import Severity, Status
from apps.reports.content import Figure, Section, Table
from apps.reports.periods import MONTH, period_containing
from apps.reports.scope import ReportScope
from tests.log_kinds import LOG_FACTORIES

LONDON = ZoneInfo("Europe/London")


def london(*parts) -> datetime:
    return datetime(*parts, tzinfo=LONDON)


def record(
    kind: str,
    client,
    *,
    due: datetime | None,
    resolved: datetime | None = None,
    stamp: datetime | None = None,
    status: str | None = None,
    severity: str = Severity.SEV2,
    occurred: datetime | None = None,
    **fields,
):
    """A record of `kind` whose SLA fields are exactly these (written past any policy). It
    occurred long before, so that nothing is counted by when it occurred."""
    occurred = occurred or min(moment for moment in (due, resolved, stamp) if moment is not None)
    made = LOG_FACTORIES[kind](client=client, severity=severity, occurred_at=occurred)
    if status is None:
        status = Status.RESOLVED if resolved else Status.IN_PROGRESS
    values = {
        "resolution_due": due,
        "resolved_at": resolved,
        "resolution_breached_at": stamp,
        "status": status,
        "occurred_at": occurred - timedelta(days=400),
        **fields,
    }
    if status == Status.CLOSED:
        values["closed_at"] = resolved
    if status == Status.CANCELLED:
        values["cancel_reason"] = "Logged twice."
    type(made).objects.filter(pk=made.pk).update(**values)
    made.refresh_from_db()
    return made


def month_scope(client, day, now: datetime) -> ReportScope:
    zone = ZoneInfo(client.timezone)
    return ReportScope(client=client, period=period_containing(MONTH, day, zone), now=now)


def figures(sections: list[Section]) -> dict[str, Figure]:
    return {figure.label: figure for section in sections for figure in section.figures}


def table(sections: list[Section], key: str) -> Table:
    return next(table for section in sections for table in section.tables if table.key == key)


def row(found: Table, label: str) -> list:
    return next(cells for cells in found.rows if cells[0].value == label)
