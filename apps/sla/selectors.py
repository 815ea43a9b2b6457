"""Reads the SLA computations need: a client's calendar as values, policies, hold intervals."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from apps.core.choices import Status
from apps.core.models import Client, LogRecord

from .business_time import ALWAYS_OPEN, CalendarSpec
from .models import BusinessCalendar, SlaPolicy

# A hold that has not ended yet has no end.
OpenHold = tuple[datetime, datetime | None]


def calendar_spec_for(client: Client | int) -> CalendarSpec:
    """The client's calendar as a `CalendarSpec` (three queries).

    A client without a calendar, or whose calendar has no working hours yet, works 24×7.
    """
    client_id = client if isinstance(client, int) else client.pk
    calendar = (
        BusinessCalendar.objects.filter(client_id=client_id)
        .select_related("client")
        .prefetch_related("working_hours", "holidays")
        .first()
    )
    if calendar is None:
        return ALWAYS_OPEN
    hours = [(row.weekday, row.start_time, row.end_time) for row in calendar.working_hours.all()]
    if not hours:
        return ALWAYS_OPEN
    return CalendarSpec.build(
        calendar.client.timezone, hours, [holiday.date for holiday in calendar.holidays.all()]
    )


def active_policy(client_id: int, severity: str) -> SlaPolicy | None:
    return SlaPolicy.objects.filter(client_id=client_id, severity=severity, active=True).first()


def active_policies(client_id: int) -> dict[str, SlaPolicy]:
    """Severity → the client's active policy."""
    return {
        policy.severity: policy
        for policy in SlaPolicy.objects.filter(client_id=client_id, active=True)
    }


def holds_from_statuses(changes: Iterable[tuple[datetime, str]]) -> list[OpenHold]:
    """Periods on hold from (when, status) versions in time order; the last may be open."""
    holds: list[OpenHold] = []
    since = None
    for when, status in changes:
        if status == Status.ON_HOLD and since is None:
            since = when
        elif status != Status.ON_HOLD and since is not None:
            holds.append((since, when))
            since = None
    if since is not None:
        holds.append((since, None))
    return holds


def hold_intervals(record: LogRecord) -> list[OpenHold]:
    """When `record` was on hold, read from its history in one query, oldest first.

    A hold still running ends with None. A status change about to be saved counts too when
    its caller has set the history date the save will carry (`_history_date`), so the
    computation made before the save equals the one made from the history afterwards.
    """
    changes: list[tuple[datetime, str]] = []
    if record.pk is not None:
        changes = list(
            type(record)
            .history.filter(id=record.pk)
            .order_by("history_date", "history_id")
            .values_list("history_date", "status")
        )
    pending_at = getattr(record, "_history_date", None)
    if pending_at is not None and (not changes or changes[-1][1] != record.status):
        changes.append((pending_at, record.status))
    return holds_from_statuses(changes)


def hold_intervals_of(model: type[LogRecord], pks: Iterable[int]) -> dict[int, list[OpenHold]]:
    """Record id → its hold intervals, for the records among `pks` ever on hold (one query)."""
    historical = model.history.model
    ever_held = historical.objects.filter(id__in=list(pks), status=Status.ON_HOLD).values("id")
    rows = (
        historical.objects.filter(id__in=ever_held)
        .order_by("id", "history_date", "history_id")
        .values_list("id", "history_date", "status")
    )
    changes: dict[int, list[tuple[datetime, str]]] = defaultdict(list)
    for pk, when, status in rows:
        changes[pk].append((when, status))
    return {pk: holds_from_statuses(versions) for pk, versions in changes.items()}
