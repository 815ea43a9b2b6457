"""Due times from SLA policies, business calendars and the record's own history.

A due time is never nudged: it is always recomputed from the record's start (`occurred_at`),
the client's active policy for the record's severity, the client's calendar and the periods
the record spent on hold (read from its history). Changing the severity therefore puts the
due time where the new severity puts it from the start, not shifted by a difference.

Without an active policy for the severity, the portal's default targets (apps.core.targets)
apply as plain minutes on a 24×7 calendar, so records of clients not configured yet keep the
wall-clock defaults. Time on hold never counts, with or without a policy.

While a record is on hold its clock is stopped: a target not reached before the hold began
has no due time (None) until the record comes off hold, when it is recomputed; a target
already missed before the hold keeps its due time. A first response ends that clock, so holds
after it do not move the first-response due time. Whatever moves a due time, a target missed
before is stamped first (apps.core.targets.stamp_breaches): a breach stays a breach.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from apps.core.bulk_writes import copy_to_history, update_rows
from apps.core.choices import Severity, Status, TimelineKind
from apps.core.models import Client, LogRecord, TimelineEntry
from apps.core.queueing import enqueue_on_commit
from apps.core.record_events import announce
from apps.core.roles import log_models
from apps.core.services.records import record_apply
from apps.core.services.timeline import timeline_log
from apps.core.targets import (
    DEFAULT_TARGETS,
    DUE_TIME_FIELDS,
    breach_events,
    breach_stamps_of,
    due_time_changes,
    stamp_breaches,
)

from .business_time import ALWAYS_OPEN, CalendarSpec, add_business_minutes
from .maintenance import (
    maintenance_holds,
    maintenance_holds_of,
    open_records_tied_to,
    services_ever_affected,
    window_reach,
)
from .models import SlaPolicy
from .selectors import (
    OpenHold,
    active_policies,
    active_policy,
    calendar_spec_for,
    hold_intervals,
    hold_intervals_of,
)

DueTimes = tuple[datetime | None, datetime | None]
# Records locked, recomputed and written together by `sla_recompute_open_records`.
RECOMPUTE_BATCH = 500


def policy_minutes(policy: SlaPolicy | None, severity: str) -> tuple[int, int]:
    """(first response, resolution) target minutes: the policy's, or the portal's defaults."""
    if policy is not None:
        return policy.first_response_minutes, policy.resolution_minutes
    first, resolution = DEFAULT_TARGETS.get(severity, DEFAULT_TARGETS[Severity.SEV3])
    return first // timedelta(minutes=1), resolution // timedelta(minutes=1)


def compute_due_times(
    spec: CalendarSpec,
    start: datetime | None,
    minutes: tuple[int, int],
    holds: Sequence[OpenHold],
    *,
    first_response_at: datetime | None = None,
) -> DueTimes:
    """(first response due, resolution due) from plain values; no database access."""
    if start is None:
        return None, None
    first_minutes, resolution_minutes = minutes
    return (
        _due(spec, start, first_minutes, holds, clock_stopped_at=first_response_at),
        _due(spec, start, resolution_minutes, holds, clock_stopped_at=None),
    )


def _due(
    spec: CalendarSpec,
    start: datetime,
    minutes: int,
    holds: Sequence[OpenHold],
    *,
    clock_stopped_at: datetime | None,
) -> datetime | None:
    closed, open_since = [], None
    for hold_start, hold_end in holds:
        if clock_stopped_at is not None:
            if hold_start >= clock_stopped_at:
                continue
            hold_end = clock_stopped_at if hold_end is None else min(hold_end, clock_stopped_at)
        if hold_end is None:
            open_since = hold_start
        else:
            closed.append((hold_start, hold_end))
    due = add_business_minutes(spec, start, minutes, closed)
    if open_since is not None and due > open_since:
        return None  # the clock stopped before reaching the target and has not restarted
    return due


def due_times_for(record: LogRecord) -> DueTimes:
    """(first response due, resolution due) of any log record, as its client's SLA sets them.

    Registered with core (apps.core.targets) as the portal's due-time policy. About ten
    queries: the policy, the calendar with its hours and holidays, the record's history, the
    maintenance windows of the services it is tied to.
    """
    if record.occurred_at is None:
        return None, None
    policy = active_policy(record.client_id, record.severity)
    spec = calendar_spec_for(record.client_id) if policy is not None else ALWAYS_OPEN
    return compute_due_times(
        spec,
        record.occurred_at,
        policy_minutes(policy, record.severity),
        [*hold_intervals(record), *maintenance_holds(record)],
        first_response_at=getattr(record, "first_response_at", None),
    )


def _describe(changes: dict, before: dict) -> dict:
    return {
        "fields": sorted(changes),
        "from": {name: _iso(before[name]) for name in sorted(changes)},
        "to": {name: _iso(changes[name]) for name in sorted(changes)},
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


DUE_LABELS = {"first_response_due": "first response due", "resolution_due": "resolution due"}


def _shown(value: datetime | None) -> str:
    if value is None:
        return "paused"
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M %Z}"


def recompute_message(reason: str, changes: dict, before: dict) -> str:
    """What moved the due times and where from and to, as the timeline says it."""
    moves = "; ".join(
        f"{DUE_LABELS.get(name, name)} {_shown(before[name])} → {_shown(changes[name])}"
        for name in sorted(changes)
    )
    return f"Due times recomputed: {reason}; {moves}."


def sla_recompute(record: LogRecord, *, actor=None, reason: str) -> LogRecord:
    """Recompute the record's due times; save them only if they differ.

    The change goes through core `record_apply` (locked, version raised, validated, one
    history version "Due times recomputed: <reason>") with an event on the timeline.
    """
    with transaction.atomic():
        locked = type(record).objects.select_for_update().get(pk=record.pk)
        changes = due_time_changes(locked)
        if not changes:
            return locked
        before = {name: getattr(locked, name) for name in changes}
        message = recompute_message(reason, changes, before)
        updated = record_apply(locked, actor=actor, changes=changes, reason=message)
        timeline_log(
            updated,
            kind=TimelineKind.EDIT,
            message=message,
            actor=actor,
            data=_describe(changes, before),
        )
    return updated


def _open_of(model, client: Client, severities: Iterable[str] | None):
    rows = model.objects.filter(client=client, status__in=Status.open_values())
    return rows if severities is None else rows.filter(severity__in=list(severities))


def sla_recompute_open_records(
    client: Client,
    *,
    actor=None,
    reason: str,
    severities: Iterable[str] | None = None,
    batch_size: int = RECOMPUTE_BATCH,
) -> int:
    """Recompute the due times of every open record of `client` (of `severities` only, when
    given: a policy moves the records of its severity); returns how many changed.

    Called when a policy or the calendar of the client changes. Cost: the calendar and the
    policies are read once (four queries); then, per log kind, one query for the open ids,
    and per batch of `batch_size` records one locking select, one history select for the
    records ever on hold, and for the changed ones one batched UPDATE, one bulk history
    insert and one bulk timeline insert: 10,000 open records are twenty batches, about a
    hundred statements. The time goes to building history rows and the business-time
    arithmetic (tens of microseconds per record and target).
    Each changed record gets its version raised, a history version and a timeline event,
    exactly as `sla_recompute` does one at a time.
    """
    spec = calendar_spec_for(client)
    policies = active_policies(client.pk)
    changed = 0
    for model in log_models():
        pks = list(_open_of(model, client, severities).order_by("pk").values_list("pk", flat=True))
        for index in range(0, len(pks), batch_size):
            changed += _recompute_batch(
                model, pks[index : index + batch_size], spec, policies, actor, reason
            )
    return changed


# More open records than this are recomputed by a worker, not in the administrator's request.
RECOMPUTE_IN_REQUEST = 2000


def sla_recompute_open_records_soon(
    client: Client, *, actor=None, reason: str, severities: Iterable[str] | None = None
) -> int | None:
    """Recompute the client's open records now when they are few (returns how many changed),
    or queue the recompute for a worker after commit when they are many (returns None)."""
    open_count = sum(_open_of(model, client, severities).count() for model in log_models())
    if open_count <= RECOMPUTE_IN_REQUEST:
        return sla_recompute_open_records(client, actor=actor, reason=reason, severities=severities)
    from .tasks import recompute_open_records

    enqueue_on_commit(
        recompute_open_records,
        client.pk,
        actor.pk if actor is not None else None,
        reason,
        sorted(severities) if severities is not None else None,
    )
    return None


def sla_recompute_for_maintenance(
    interruption_id: int, *, batch_size: int = RECOMPUTE_BATCH
) -> dict[str, int]:
    """After a maintenance window was planned, moved, ended or cancelled: recompute the due
    times of the open records tied to a service it affects (or affected) and opened before
    the latest end it has had, then let the apps with clocks of their own (escalation tiers)
    recheck theirs. Records opened after the window were never under it: they are left as
    they are."""
    from apps.interruptions.models import Interruption

    interruption = (
        Interruption.objects.filter(pk=interruption_id).only("client_id", "reference").first()
    )
    if interruption is None:
        return {"changed": 0, "rechecked": 0}
    client_id = interruption.client_id
    services = services_ever_affected(interruption_id)
    reach = window_reach(interruption_id)
    spec = calendar_spec_for(client_id)
    policies = active_policies(client_id)
    reason = f"maintenance window {interruption.reference} changed"
    changed = rechecked = 0
    for model in log_models():
        pks = open_records_tied_to(model, client_id, services, opened_before=reach)
        for index in range(0, len(pks), batch_size):
            changed += _recompute_batch(
                model, pks[index : index + batch_size], spec, policies, None, reason
            )
        for recheck in _clock_rechecks.get(model, ()):
            rechecked += recheck(pks)
    return {"changed": changed, "rechecked": rechecked}


def sla_recompute_clocks(content_type_id: int, record_id: int) -> dict[str, int]:
    """Recompute one record's due times and let its app recheck its own clock."""
    model = ContentType.objects.get_for_id(content_type_id).model_class()
    record = model.objects.filter(pk=record_id, status__in=Status.open_values()).first()
    if record is None:
        return {"changed": 0, "rechecked": 0}
    before = record.version
    updated = sla_recompute(record, reason="tied to a maintenance window")
    rechecked = sum(recheck([record_id]) for recheck in _clock_rechecks.get(model, ()))
    return {"changed": int(updated.version != before), "rechecked": rechecked}


# Model → callables rechecking that model's own clocks for a list of record ids.
_clock_rechecks: dict[type[LogRecord], list] = {}


def register_clock_recheck(model: type[LogRecord], recheck) -> None:
    """Have `recheck(ids)` called when maintenance windows move under `model`'s records; it
    answers how many records it changed."""
    _clock_rechecks.setdefault(model, [])
    if recheck not in _clock_rechecks[model]:
        _clock_rechecks[model].append(recheck)


def _recompute_batch(
    model: type[LogRecord],
    pks: list[int],
    spec: CalendarSpec,
    policies: dict[str, SlaPolicy],
    actor,
    reason: str,
) -> int:
    names = [name for name in DUE_TIME_FIELDS if _has_field(model, name)]
    stamps = [stamp for _, stamp, _ in breach_stamps_of(model)]
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            model.objects.select_for_update()
            .filter(pk__in=pks, status__in=Status.open_values())
            .order_by("pk")
        )
        holds = hold_intervals_of(model, pks)
        for pk, windows in maintenance_holds_of(model, rows, now=now).items():
            holds[pk] = [*holds.get(pk, []), *windows]
        changed, events, breaches = [], [], []
        for row in rows:
            policy = policies.get(row.severity)
            due = dict(
                zip(
                    DUE_TIME_FIELDS,
                    compute_due_times(
                        spec if policy is not None else ALWAYS_OPEN,
                        row.occurred_at,
                        policy_minutes(policy, row.severity),
                        holds.get(row.pk, []),
                        first_response_at=getattr(row, "first_response_at", None),
                    ),
                    strict=True,
                )
            )
            changes = {name: due[name] for name in names if getattr(row, name) != due[name]}
            if not changes:
                continue
            # A target already missed keeps its stamp.
            breaches.extend(breach_events(row, stamp_breaches(row, now)))
            before = {name: getattr(row, name) for name in changes}
            for name, value in changes.items():
                setattr(row, name, value)
            row.version += 1
            row.updated_at = now
            row._change_reason = recompute_message(reason, changes, before)
            changed.append(row)
            events.append((row, _describe(changes, before)))
        if not changed:
            return 0
        update_rows(model, changed, [*names, *stamps, "version", "updated_at"])
        copy_to_history(
            model,
            {row.pk: row._change_reason for row in changed},
            date=now,
            user_id=actor.pk if actor is not None else None,
        )
        content_type = ContentType.objects.get_for_model(model)
        TimelineEntry.objects.bulk_create(
            TimelineEntry(
                client_id=row.client_id,
                content_type=content_type,
                object_id=row.pk,
                kind=TimelineKind.EDIT,
                actor=actor,
                message=row._change_reason,
                data=data,
            )
            for row, data in events
        )
        announce(breaches)
    return len(changed)


def _has_field(model: type[LogRecord], name: str) -> bool:
    return any(field.name == name for field in model._meta.concrete_fields)
