"""Due times of records: the one hook every log kind goes through, and the default targets.

`due_times_for(record)` answers (first response due, resolution due). An app may register
the portal's due-time policy (apps.sla does: SLA policies in business time); core does not
depend on it. Without one, the defaults below apply: wall-clock time from when the record
occurred, severity → (first response within, resolution within).
"""

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from .choices import Severity, TimelineKind
from .record_events import RecordEvent, event_of

# Fields a log model may have that the policy fills; each model has the ones it has.
DUE_TIME_FIELDS = ("first_response_due", "resolution_due")
DueTimes = tuple[datetime | None, datetime | None]
_policy: list[Callable[..., DueTimes]] = []

DEFAULT_TARGETS: dict[str, tuple[timedelta, timedelta]] = {
    Severity.SEV1: (timedelta(minutes=30), timedelta(hours=4)),
    Severity.SEV2: (timedelta(hours=1), timedelta(hours=8)),
    Severity.SEV3: (timedelta(hours=4), timedelta(hours=24)),
    Severity.SEV4: (timedelta(hours=8), timedelta(hours=72)),
}


def default_due_times(severity: str, start: datetime) -> tuple[datetime, datetime]:
    """(first response due, resolution due) for a record of `severity` that began at `start`."""
    first_response, resolution = DEFAULT_TARGETS.get(severity, DEFAULT_TARGETS[Severity.SEV3])
    return start + first_response, start + resolution


def default_resolution_due(severity: str, start: datetime | None) -> datetime | None:
    if start is None:
        return None
    return default_due_times(severity, start)[1]


def register_due_time_policy(policy: Callable[..., DueTimes] | None) -> None:
    """Make `policy(record)` the source of every record's due times (None: the defaults)."""
    _policy[:] = [policy] if policy is not None else []


def _default_policy(record) -> DueTimes:
    if record.occurred_at is None:
        return None, None
    return default_due_times(record.severity, record.occurred_at)


def due_times_for(record) -> DueTimes:
    """(first response due, resolution due) for `record` (saved or not) as it stands."""
    return (_policy[0] if _policy else _default_policy)(record)


def resolution_due_for(record) -> datetime | None:
    return due_times_for(record)[1]


def due_time_changes(record, *, keep: Iterable[str] = ()) -> dict[str, datetime | None]:
    """Due-time fields of `record`'s model whose value differs from the computed one,
    leaving out those named in `keep` (set by hand in the same change)."""
    names = {field.name for field in record._meta.concrete_fields} - set(keep)
    computed = dict(zip(DUE_TIME_FIELDS, due_times_for(record), strict=True))
    return {
        name: value
        for name, value in computed.items()
        if name in names and getattr(record, name) != value
    }


# Due-time field → (its breach stamp, the fields that meet that target, first filled first).
# A first response is also given by resolving the record.
BREACH_STAMPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "first_response_due": ("first_response_breached_at", ("first_response_at", "resolved_at")),
    "resolution_due": ("resolution_breached_at", ("resolved_at",)),
}


def _field_names(model) -> set[str]:
    return {field.name for field in model._meta.concrete_fields}


def breach_stamps_of(model) -> list[tuple[str, str, tuple[str, ...]]]:
    """(due field, stamp field, fields meeting the target) for each clock `model` stamps."""
    names = _field_names(model)
    return [
        (due, stamp, tuple(name for name in met if name in names))
        for due, (stamp, met) in BREACH_STAMPS.items()
        if due in names and stamp in names
    ]


def missed_target(record, due_name: str, met_names: Iterable[str], now: datetime) -> bool:
    """Whether `record` missed the target of `due_name` by `now`: met after the due time,
    or still open and not met with the due time gone."""
    from .choices import Status

    due = getattr(record, due_name)
    if due is None:
        return False
    met = next((getattr(record, name) for name in met_names if getattr(record, name)), None)
    if met is not None:
        return met > due
    return record.status in Status.open_values() and due < now


def stamp_breaches(record, now: datetime) -> list[str]:
    """Stamp each target `record` has missed by `now` and that is not stamped yet with the
    due time it missed; returns the stamp fields set. A stamp is never cleared or moved:
    call this before anything moves a due time."""
    stamped = []
    for due_name, stamp_name, met_names in breach_stamps_of(type(record)):
        if getattr(record, stamp_name) is None and missed_target(record, due_name, met_names, now):
            setattr(record, stamp_name, getattr(record, due_name))
            stamped.append(stamp_name)
    return stamped


def breach_events(record, stamps: Iterable[str]) -> list[RecordEvent]:
    """The events of stamps `stamp_breaches` set on `record` for a write that logs no
    timeline entry of their own (as the breach stamping task does), once it is written."""
    due_of = {stamp: due for due, stamp, _ in breach_stamps_of(type(record))}
    return [
        event_of(
            record,
            TimelineKind.BREACH,
            # The stamp holds the due time it missed; the due time itself may have moved since.
            {"target": due_of[stamp], "due": getattr(record, stamp).isoformat()},
        )
        for stamp in stamps
    ]


def missed_target_branches(model, due_name: str, met_names: Iterable[str], now: datetime):
    """The ways a row not stamped yet has missed the target, one condition each: met late
    through one of `met_names` (the first one set), or still unmet and open past the due
    time. Each alone matches one partial index; together they are `missed_target`."""
    from django.db.models import F, Q

    from .choices import Status

    stamp_name = BREACH_STAMPS[due_name][0]
    pending = Q(**{f"{stamp_name}__isnull": True, f"{due_name}__isnull": False})
    branches = []
    unmet = Q()
    for name in met_names:
        branches.append(pending & unmet & Q(**{f"{name}__gt": F(due_name)}))
        unmet &= Q(**{f"{name}__isnull": True})
    open_past_due = Q(status__in=Status.open_values(), **{f"{due_name}__lt": now})
    branches.append(pending & unmet & open_past_due)
    return branches


def missed_target_condition(model, due_name: str, met_names: Iterable[str], now: datetime):
    """`missed_target` as a query condition over `model`'s rows not stamped yet for it."""
    from django.db.models import Q

    missed = Q(pk__in=[])
    for branch in missed_target_branches(model, due_name, met_names, now):
        missed |= branch
    return missed


_paused_clock: list[Callable[..., dict[int, int]]] = []


def register_paused_clock(clock: Callable[..., dict[int, int]] | None) -> None:
    """Make `clock(records)` answer the minutes left on paused resolution clocks."""
    _paused_clock[:] = [clock] if clock is not None else []


def is_paused(record) -> bool:
    """Open, not breached, and no resolution due time: its clock stands (on hold, or under
    maintenance)."""
    from .choices import Status

    return (
        record.pk is not None
        and record.status in Status.open_values()
        and record.resolution_due is None
        and record.resolution_breached_at is None
    )


def paused_minutes_left(records: Iterable) -> dict[int, int]:
    """Record id → business minutes left on its resolution clock, for the records among
    `records` (all of one kind) on hold and not breached; the others are left out. A fixed
    number of queries for any number of records, none when no record is on hold."""
    from .choices import Status

    paused = [record for record in records if record.status == Status.ON_HOLD and is_paused(record)]
    if not paused or not _paused_clock:
        return {}
    return _paused_clock[0](paused)
