"""Due times of records: the one hook every log kind goes through, and the default targets.

`due_times_for(record)` answers (first response due, resolution due). An app may register
the portal's due-time policy (apps.sla does: SLA policies in business time); core does not
depend on it. Without one, the defaults below apply: wall-clock time from when the record
occurred, severity → (first response within, resolution within).
"""

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from .choices import Severity

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
