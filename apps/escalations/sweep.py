"""The time-based escalation sweep: warn at 80%, move up when a tier's time runs out, breach.

Set-based and safe to run twice or on two workers at once: open escalations whose warning or
deadline has come are read in id order, a batch at a time, each batch locked with
`SELECT … FOR UPDATE SKIP LOCKED` (on SQLite the write transaction itself is exclusive) and
written in the same transaction as its timeline events, history and notifications. A worker
killed half-way loses its transaction and nothing else: the next sweep does that batch again.
Before acting, every deadline is recomputed from the tier start, the matrix copy, the hold
periods in the history and the maintenance windows of the services the escalation is tied to,
so time on hold or under maintenance never makes anything move early. A maintenance window
still under way with no end recorded counts up to `now`: the clock stays stopped, and the
escalation is looked at again when the time it had left has passed.
"""

import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from apps.core.bulk_writes import copy_to_history, update_rows
from apps.core.choices import Status, Tier, TimelineKind
from apps.core.history_followers import history_written
from apps.core.record_events import announce
from apps.core.selectors import members_by_team
from apps.core.services.timeline import timeline_log_many
from apps.core.targets import breach_events, stamp_breaches
from apps.sla.maintenance import maintenance_holds_of
from apps.sla.selectors import calendar_spec_for, holds_from_statuses

from .engine import WARNING_SHARE, step_above, step_at, tier_clock
from .models import Escalation
from .notifications import EscalationEvent, notify_escalation_events

ACTIVE = (Status.NEW, Status.IN_PROGRESS)
BATCH_SIZE = 1000
UPDATED_FIELDS = [
    "tier",
    "team",
    "assignee",
    "tier_entered_at",
    "tier_deadline",
    "tier_warn_at",
    "warned_tier",
    "breached_at",
    "first_response_breached_at",
    "resolution_breached_at",
    "version",
    "updated_at",
]


@dataclass
class SweepResult:
    warned: int = 0
    moved: int = 0
    breached: int = 0
    rescheduled: int = 0
    seconds: float = 0.0
    references: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def as_dict(self) -> dict:
        return {
            "warned": self.warned,
            "moved": self.moved,
            "breached": self.breached,
            "rescheduled": self.rescheduled,
            "seconds": round(self.seconds, 3),
        }


def _due(now: datetime) -> Q:
    not_warned = Q(warned_tier__isnull=True) | Q(warned_tier__lt=F("tier"))
    return Q(tier_deadline__lte=now) | (Q(tier_warn_at__lte=now) & not_warned)


def escalation_sweep(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> SweepResult:
    """Act on every open escalation whose warning or tier deadline has come by `now`."""
    now = now or timezone.now()
    began = time.monotonic()
    result = SweepResult()
    after = 0
    specs: dict[int, object] = {}
    while True:
        with transaction.atomic():
            claimed = list(_claimable().filter(_due(now), pk__gt=after).order_by("pk")[:batch_size])
            if not claimed:
                break
            after = claimed[-1].pk
            _process(claimed, now, specs, result)
    result.seconds = time.monotonic() - began
    return result


def recheck_tier_clocks(ids: list[int], *, now: datetime | None = None) -> int:
    """Recompute the tier clocks of these escalations now (after their maintenance windows
    moved): those already due act at once, the others keep their exact times. Returns how
    many changed."""
    now = now or timezone.now()
    result = SweepResult()
    specs: dict[int, object] = {}
    for index in range(0, len(ids), BATCH_SIZE):
        with transaction.atomic():
            # Waits for rows someone is saving: a recheck skipped now would not come round again.
            rows = list(
                _claimable(skip_locked=False)
                .filter(pk__in=ids[index : index + BATCH_SIZE])
                .order_by("pk")
            )
            _process(rows, now, specs, result)
    return result.warned + result.moved + result.breached + result.rescheduled


# What the sweep reads of an escalation; its history versions are copied in the database.
READ_FIELDS = (
    "client_id",
    "reference",
    "title",
    "occurred_at",
    "matrix_steps",
    "tier",
    "team_id",
    "assignee_id",
    "tier_entered_at",
    "tier_deadline",
    "tier_warn_at",
    "warned_tier",
    "breached_at",
    "version",
    # What stamping a missed SLA target reads, so a row written here carries its stamps.
    "status",
    "first_response_due",
    "first_response_at",
    "resolution_due",
    "resolved_at",
    "first_response_breached_at",
    "resolution_breached_at",
)


def _claimable(*, skip_locked: bool = True):
    rows = Escalation.objects.filter(status__in=ACTIVE, breached_at__isnull=True).only(*READ_FIELDS)
    if connection.features.has_select_for_update_skip_locked:
        rows = rows.select_for_update(skip_locked=skip_locked, of=("self",))
    return rows


def _holds_by_escalation(rows: list[Escalation], now: datetime) -> dict[int, list]:
    """Hold periods of each escalation, read from the history in one query, and the
    maintenance windows that stop its clock (an overrun with no end yet counts to `now`)."""
    ids = [row.pk for row in rows]
    versions = (
        Escalation.history.filter(id__in=ids)
        .order_by("id", "history_date", "history_id")
        .values_list("id", "history_date", "status")
    )
    by_id: dict[int, list] = defaultdict(list)
    for pk, when, status in versions:
        by_id[pk].append((when, status))
    holds = {pk: holds_from_statuses(changes) for pk, changes in by_id.items()}
    for pk, windows in maintenance_holds_of(Escalation, rows, now=now).items():
        holds[pk] = [*holds.get(pk, []), *((start, end or now) for start, end in windows)]
    return holds


def _process(rows: list[Escalation], now: datetime, specs: dict, result: SweepResult) -> None:
    holds = _holds_by_escalation(rows, now)
    members = members_by_team({step["team"] for row in rows for step in row.matrix_steps})
    changed, events, notices, breaches = [], [], [], []
    for row in rows:
        if row.client_id not in specs:
            specs[row.client_id] = calendar_spec_for(row.client_id)
        spec = specs[row.client_id]
        row_holds = holds.get(row.pk, [])
        clock = tier_clock(spec, row.matrix_steps, row.tier, row.tier_entered_at, row_holds)
        if clock is None:
            continue
        if clock.deadline <= now:
            _move_or_breach(row, clock.deadline, spec, row_holds, members, events, notices, result)
        elif clock.warn_at <= now and (row.warned_tier or 0) < row.tier:
            row.warned_tier = row.tier
            row.tier_warn_at, row.tier_deadline = clock.warn_at, clock.deadline
            message = (
                f"Warning: {int(WARNING_SHARE * 100)}% of the {Tier(row.tier).label} time is "
                f"used; it moves on at {timezone.localtime(clock.deadline):%Y-%m-%d %H:%M}."
            )
            row._change_reason = message
            events.append((row, TimelineKind.WARNING, message, {"tier": row.tier}))
            notices.append(EscalationEvent(row, "warning", message))
            result.warned += 1
            result.references["warned"].append(row.reference)
        elif (row.tier_warn_at, row.tier_deadline) == (clock.warn_at, clock.deadline):
            continue
        else:
            # A hold or a maintenance window since the times were stored: only they move.
            row.tier_warn_at, row.tier_deadline = clock.warn_at, clock.deadline
            row._change_reason = (
                "Tier deadline recomputed: time on hold or under maintenance does not count."
            )
            result.rescheduled += 1
        breaches.extend(breach_events(row, stamp_breaches(row, now)))
        row.version += 1
        row.updated_at = now
        changed.append(row)
    if changed:
        _save(changed, now)
        timeline_log_many(events)
        announce(breaches)
        notify_escalation_events(notices)


def _save(rows: list[Escalation], now: datetime) -> None:
    """Write the sweep's fields of `rows` and a history version of each, with its reason.

    On PostgreSQL one statement does both: an UPDATE fed by one array per column (values go
    to the driver as they are, without per-value preparation by the fields or tens of
    thousands of placeholders to parse) whose RETURNING rows are the new versions.
    """
    reasons = {row.pk: row._change_reason for row in rows}
    if connection.vendor != "postgresql":
        update_rows(Escalation, rows, UPDATED_FIELDS)
        copy_to_history(Escalation, reasons, date=now)
        return
    quote = connection.ops.quote_name
    fields = [Escalation._meta.pk, *(Escalation._meta.get_field(name) for name in UPDATED_FIELDS)]
    arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)
    columns = ", ".join(quote(field.column) for field in fields)
    assignments = ", ".join(
        f"{quote(field.column)} = v.{quote(field.column)}" for field in fields[1:]
    )
    table, pk = quote(Escalation._meta.db_table), quote(fields[0].column)
    historical = Escalation.history.model
    tracked = [quote(field.column) for field in historical.tracked_fields]
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH updated AS ("
            f" UPDATE {table} SET {assignments}"
            f" FROM unnest({arrays}, %s::text[]) AS v ({columns}, change_reason)"
            f" WHERE {table}.{pk} = v.{pk}"
            f" RETURNING {', '.join(f'{table}.{column}' for column in tracked)}, v.change_reason"
            f") INSERT INTO {quote(historical._meta.db_table)} ({', '.join(tracked)}, "
            "history_date, history_user_id, history_change_reason, history_type) "
            f"SELECT {', '.join(tracked)}, %s, NULL, change_reason, '~' FROM updated",
            [
                *([getattr(row, field.attname) for row in rows] for field in fields),
                [reasons[row.pk] for row in rows],
                now,
            ],
        )
    history_written(Escalation, reasons)


def _move_or_breach(row, deadline, spec, holds, members, events, notices, result) -> None:
    step = step_at(row.matrix_steps, row.tier)
    following = step_above(row.matrix_steps, row.tier)
    if following is None:
        row.breached_at = deadline
        row.tier_deadline = deadline
        message = (
            f"Breached: the {Tier(row.tier).label} time ({step['minutes']} business min) ran "
            f"out at {timezone.localtime(deadline):%Y-%m-%d %H:%M} and no tier is left."
        )
        row._change_reason = message
        events.append((row, TimelineKind.BREACH, message, {"tier": row.tier}))
        notices.append(EscalationEvent(row, "breach", message))
        result.breached += 1
        result.references["breached"].append(row.reference)
        return
    previous = row.tier
    row.tier = following["tier"]
    row.team_id = following["team"]
    if row.assignee_id is not None and row.assignee_id not in members[row.team_id]:
        row.assignee_id = None
    row.tier_entered_at = deadline
    clock = tier_clock(spec, row.matrix_steps, row.tier, deadline, holds)
    row.tier_warn_at, row.tier_deadline = clock.warn_at, clock.deadline
    message = (
        f"Moved up automatically from {Tier(previous).label} to {Tier(row.tier).label}, "
        f"team {following['team_name']}: {step['minutes']} business min ran out at "
        f"{timezone.localtime(deadline):%Y-%m-%d %H:%M}."
    )
    row._change_reason = message
    events.append(
        (row, TimelineKind.ESCALATED, message, {"from_tier": previous, "to_tier": row.tier})
    )
    notices.append(EscalationEvent(row, f"tier{row.tier}", message))
    result.moved += 1
    result.references["moved"].append(row.reference)
