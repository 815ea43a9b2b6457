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

from ..choices import Status, TimelineKind
from ..exceptions import StaleRecordError, TransitionError
from ..models import LogRecord, Team
from ..scoping import accessible_client_ids
from ..workflow import is_allowed
from .references import next_reference
from .timeline import timeline_log


def _lock(record: LogRecord, expected_version: int | None) -> LogRecord:
    locked = type(record).objects.select_for_update().get(pk=record.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleRecordError(locked, expected_version)
    return locked


# The history's change-reason column is varchar(100); longer reasons would fail to save.
CHANGE_REASON_LENGTH = 100


def _save(record: LogRecord, actor, reason: str) -> None:
    record.version += 1
    record._history_user = actor
    if len(reason) > CHANGE_REASON_LENGTH:
        reason = reason[: CHANGE_REASON_LENGTH - 1] + "…"
    record._change_reason = reason
    record.full_clean()
    record.save()


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
        _check_same_client(record, record.assignee, record.team, m2m)
        record.save()
        _set_many_to_many(record, m2m or {})
        timeline_log(
            record,
            kind=TimelineKind.CREATED,
            message=f"Logged as {record.get_severity_display()}.",
            actor=actor,
        )
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
) -> LogRecord:
    """Move a record along the workflow; closing checks that kind's closing rules."""
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
        if target == Status.CLOSED:
            problems = locked.closing_problems()
            if problems:
                raise TransitionError(problems)
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
        message = f"{Status(current).label} → {Status(target).label}"
        _save(locked, actor, message)
        timeline_log(
            locked,
            kind=TimelineKind.STATUS,
            message=message + (f": {reason}" if reason else "."),
            actor=actor,
            data={"from": current, "to": target},
        )
    return locked


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
