"""Write services shared by every log kind: create, edit, status, assignment, bulk actions.

Each app's services call these and add what is particular to its kind (side effects,
extra validation). Every change raises the record's version, goes through `save()` so the
history sees it, and leaves an event on the timeline.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from ..chain import open_records_caused_by
from ..choices import Status, TimelineKind
from ..exceptions import StaleRecordError, TransitionError
from ..history_followers import history_written
from ..models import LogRecord, Team
from ..record_events import announce
from ..scoping import accessible_client_ids
from ..targets import breach_events, due_time_changes, stamp_breaches
from ..workflow import is_allowed
from .references import next_reference
from .timeline import timeline_log


def _lock(record: LogRecord, expected_version: int | None) -> LogRecord:
    """The record as stored, row-locked; a target it has missed by now is stamped before
    the change in hand can move its due time (the stamp is written if the change is)."""
    locked = type(record).objects.select_for_update().get(pk=record.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleRecordError(locked, expected_version)
    locked._stamped_on_lock = stamp_breaches(locked, timezone.now())
    return locked


def _save(record: LogRecord, actor, reason: str) -> None:
    # Stamps set as the record was locked, and those missed with the values this change sets.
    stamped = [
        *getattr(record, "_stamped_on_lock", []),
        *stamp_breaches(record, timezone.now()),
    ]
    record.version += 1
    record._history_user = actor
    record._change_reason = reason
    record.full_clean()
    record.save()
    record._stamped_on_lock = []
    announce(breach_events(record, stamped))
    history_written(type(record), [record.pk])


def _set_many_to_many(record: LogRecord, values: dict[str, Iterable]) -> None:
    """Set many-to-many fields after a save, keeping one history version for the whole change.

    The history library writes a version for the save and another for each relation set;
    they are one change by one person, so the last (complete) version stands for all of them.
    """
    if not values:
        return
    saved = record.history.order_by("-history_date", "-history_id").first()
    for name, related in values.items():
        getattr(record, name).set(related)
    versions = list(record.history.filter(history_id__gte=saved.history_id).order_by("history_id"))
    if len(versions) > 1:
        record.history.filter(
            history_id__in=[version.history_id for version in versions[:-1]]
        ).delete()
        record.history.filter(history_id=versions[-1].history_id).update(
            history_type=saved.history_type,
            history_change_reason=saved.history_change_reason,
            history_user=saved.history_user,
        )
    history_written(type(record), [record.pk])


def _field_label(model: type[models.Model], name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def record_apply(
    record: LogRecord, *, actor, changes: dict, reason: str, expected_version: int | None = None
) -> LogRecord:
    """Set fields of a record for an app's own action (a tier move…): locked, stale versions
    refused, version raised, validated, one history version with `reason`.

    The caller runs it inside its transaction and writes the timeline entry it wants.
    """
    with transaction.atomic():
        locked = _lock(record, expected_version)
        for name, value in changes.items():
            setattr(locked, name, value)
        _save(locked, actor, reason)
    return locked


def _follow_due_times(record: LogRecord, changed: dict[str, list[str]]) -> None:
    """A new severity or start time recomputes the due times this change did not set."""
    for name, due in due_time_changes(record, keep=changed).items():
        changed[name] = [str(getattr(record, name)), str(due)]
        setattr(record, name, due)


def record_create(
    model: type[LogRecord], *, actor, values: dict, m2m: dict[str, Iterable] | None = None
) -> LogRecord:
    """Create a record of `model` with a new reference number, reported by `actor`."""
    with transaction.atomic():
        record = model(**values)
        if record.reported_by_id is None and actor is not None:
            record.reported_by = actor
        record.reference = next_reference(model.reference_prefix)
        record._history_user = actor
        record.full_clean()
        filled = {
            name: due
            for name, due in due_time_changes(record).items()
            if getattr(record, name) is None
        }
        if filled:
            for name, due in filled.items():
                setattr(record, name, due)
            record.clean()  # the filled due times against what was entered with them
        stamped = stamp_breaches(record, timezone.now())  # a record logged after the fact
        _check_same_client(record, record.assignee, record.team, m2m)
        record.save()
        history_written(model, [record.pk])
        _set_many_to_many(record, m2m or {})
        timeline_log(
            record,
            kind=TimelineKind.CREATED,
            message=f"Logged as {record.get_severity_display()}.",
            actor=actor,
        )
        announce(breach_events(record, stamped))
    return record


def record_update(
    record: LogRecord,
    *,
    actor,
    changes: dict,
    expected_version: int,
    m2m: dict[str, Iterable] | None = None,
) -> LogRecord:
    """Apply a person's edit, refusing it if someone else saved the record in between."""
    model = type(record)
    with transaction.atomic():
        locked = _lock(record, expected_version)
        changed: dict[str, list[str]] = {}
        for name, value in changes.items():
            old = getattr(locked, name)
            if old != value:
                setattr(locked, name, value)
                changed[name] = [str(old), str(value)]
        if changed.keys() & {"severity", "occurred_at"}:
            _follow_due_times(locked, changed)
        m2m_changed = {}
        for name, related in (m2m or {}).items():
            new_ids = {obj.pk for obj in related}
            if set(getattr(locked, name).values_list("pk", flat=True)) != new_ids:
                m2m_changed[name] = related
        if not changed and not m2m_changed:
            return locked
        _check_same_client(
            locked,
            locked.assignee if "assignee" in changed else None,
            locked.team if "team" in changed else None,
            m2m_changed,
        )
        labels = [_field_label(model, name) for name in [*changed, *m2m_changed]]
        _save(locked, actor, "Edited: " + ", ".join(labels))
        _set_many_to_many(locked, m2m_changed)
        timeline_log(
            locked,
            kind=TimelineKind.EDIT,
            message="Changed " + ", ".join(labels) + ".",
            actor=actor,
            data={"fields": sorted([*changed, *m2m_changed])},
        )
    return locked


def record_change_status(
    record: LogRecord,
    *,
    target: str,
    actor,
    reason: str = "",
    expected_version: int | None = None,
    override_open_follow_ups: bool = False,
) -> LogRecord:
    """Move a record along the workflow; closing checks that kind's closing rules.

    A record does not close while a record it caused is still open, unless someone allowed
    to (a team lead) overrides with a reason, which the history and timeline keep.
    """
    with transaction.atomic():
        locked = _lock(record, expected_version)
        current = locked.status
        if target not in Status.values:
            raise TransitionError(f"{target!r} is not a status.")
        if not is_allowed(current, target):
            raise TransitionError(
                f"{locked.reference} cannot move from {Status(current).label} "
                f"to {Status(target).label}."
            )
        reason = (reason or "").strip()
        if target == Status.CANCELLED and not reason:
            raise TransitionError({"reason": "Give a reason to cancel a record."})
        override_note = ""
        if target == Status.CLOSED:
            problems = locked.closing_problems()
            if problems:
                raise TransitionError(problems)
            override_note = _check_follow_ups_closed(
                locked, actor, reason, override=override_open_follow_ups
            )
        now = timezone.now()
        if target == Status.RESOLVED:
            locked.resolved_at = now
        elif target == Status.CLOSED:
            locked.closed_at = now
            locked.resolved_at = locked.resolved_at or now
        elif target == Status.IN_PROGRESS and current == Status.RESOLVED:
            locked.resolved_at = None
        elif target == Status.CANCELLED:
            locked.cancel_reason = reason
        locked.status = target
        message = f"{Status(current).label} → {Status(target).label}" + override_note
        _follow_hold(locked, current, now)
        _save(locked, actor, message + (f": {reason}" if override_note else ""))
        del locked._history_date
        timeline_log(
            locked,
            kind=TimelineKind.STATUS,
            message=message + (f": {reason}" if reason else "."),
            actor=actor,
            data={"from": current, "to": target},
        )
    return locked


def _follow_hold(record: LogRecord, current: str, now) -> None:
    """Time on hold does not count: going on or off hold recomputes the due times.

    The version about to be saved carries `now`, so the hold seen by the computation
    (history plus this change) is the one the history will hold.
    """
    record._history_date = now
    if Status.ON_HOLD in (current, record.status):
        for name, due in due_time_changes(record).items():
            setattr(record, name, due)


def _check_follow_ups_closed(record: LogRecord, actor, reason: str, *, override: bool) -> str:
    """Refuse to close over open follow-ups; with an allowed override, say what was open."""
    still_open = open_records_caused_by(record)
    if not still_open:
        return ""
    references = ", ".join(other.reference for other in still_open)
    may_override = actor is not None and actor.has_perm("core.close_with_open_follow_ups")
    if not override:
        advice = (
            "Close them first, or close anyway with a reason."
            if may_override
            else "Close them first, or ask a team lead to close it anyway."
        )
        raise TransitionError(
            {"status": f"Still open, caused by this record: {references}. {advice}"}
        )
    if not may_override:
        raise TransitionError(
            {"status": "Only a team lead may close a record while records it caused are open."}
        )
    if not reason:
        raise TransitionError({"reason": "Give the reason for closing while these are open."})
    return f" while {references} still open"


def _check_same_client(
    record: LogRecord, assignee=None, team: Team | None = None, m2m: dict | None = None
) -> None:
    """People, teams and related rows (services…) must belong to the record's client."""
    errors = {}
    if assignee is not None and record.client_id not in accessible_client_ids(assignee):
        errors["assignee"] = f"{assignee} does not work for {record.client}."
    if team is not None and not team.clients.filter(pk=record.client_id).exists():
        errors["team"] = f"{team} does not serve {record.client}."
    for name, related in (m2m or {}).items():
        strangers = [
            obj
            for obj in related
            if getattr(obj, "client_id", None) not in (None, record.client_id)
        ]
        if strangers:
            errors[name] = "Choose only what belongs to the record's client: " + ", ".join(
                str(obj) for obj in strangers
            )
    if errors:
        raise ValidationError(errors)


def record_assign(
    record: LogRecord,
    *,
    actor,
    assignee=None,
    team: Team | None = None,
    expected_version: int | None = None,
) -> LogRecord:
    """Give the record to a person and/or a team of its client. None leaves a part as is."""
    with transaction.atomic():
        locked = _lock(record, expected_version)
        _check_same_client(locked, assignee, team)
        parts = []
        if assignee is not None and locked.assignee_id != assignee.pk:
            locked.assignee = assignee
            parts.append(f"to {assignee.get_full_name() or assignee.get_username()}")
        if team is not None and locked.team_id != team.pk:
            locked.team = team
            parts.append(f"to team {team.name}")
        if not parts:
            return locked
        message = "Assigned " + " and ".join(parts) + "."
        _save(locked, actor, message)
        timeline_log(locked, kind=TimelineKind.ASSIGNMENT, message=message, actor=actor)
    return locked


@dataclass
class BulkResult:
    """What a bulk action did: references changed, and those refused with the reason."""

    done: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


def _error_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


def _bulk(model: type[LogRecord], actor, pks: Iterable[int], action) -> BulkResult:
    result = BulkResult()
    records = model.objects.for_user(actor).filter(pk__in=list(pks)).order_by("pk")
    for record in records:
        try:
            action(record)
        except (ValidationError, StaleRecordError) as error:
            result.refused.append((record.reference, _error_text(error)))
        else:
            result.done.append(record.reference)
    return result


def records_bulk_assign(
    model: type[LogRecord], *, actor, pks: Iterable[int], assignee=None, team=None
) -> BulkResult:
    """Assign every selected record the actor may reach; each one checked on its own."""
    return _bulk(
        model,
        actor,
        pks,
        lambda record: record_assign(record, actor=actor, assignee=assignee, team=team),
    )


def records_bulk_change_status(
    model: type[LogRecord], *, actor, pks: Iterable[int], target: str, reason: str = ""
) -> BulkResult:
    """Move every selected record the actor may reach; refusals are reported, not fatal."""
    return _bulk(
        model,
        actor,
        pks,
        lambda record: record_change_status(record, target=target, actor=actor, reason=reason),
    )
