"""Escalation services: what views, admin and commands call to change escalations."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.core.choices import LinkRelation, Severity, Tier, TimelineKind
from apps.core.models import LogRecord, Team
from apps.core.services.links import record_link
from apps.core.services.records import record_apply, record_create, record_update
from apps.core.services.timeline import timeline_log

from .models import Escalation

# Default targets (wall-clock time from when the escalation was raised) until SLA policies
# per client and severity exist: severity → (first response within, resolution within).
DEFAULT_TARGETS: dict[str, tuple[timedelta, timedelta]] = {
    Severity.SEV1: (timedelta(minutes=30), timedelta(hours=4)),
    Severity.SEV2: (timedelta(hours=1), timedelta(hours=8)),
    Severity.SEV3: (timedelta(hours=4), timedelta(hours=24)),
    Severity.SEV4: (timedelta(hours=8), timedelta(hours=72)),
}


def default_due_times(severity: str, raised_at: datetime) -> tuple[datetime, datetime]:
    """(first response due, resolution due) for an escalation raised at `raised_at`."""
    first_response, resolution = DEFAULT_TARGETS.get(severity, DEFAULT_TARGETS[Severity.SEV3])
    return raised_at + first_response, raised_at + resolution


def _with_due_times(values: dict, *, severity: str, raised_at: datetime | None) -> dict:
    """`values` with the due times that were left empty filled from the severity."""
    if raised_at is None:
        return values
    first_response_due, resolution_due = default_due_times(severity, raised_at)
    filled = dict(values)
    if not filled.get("first_response_due"):
        filled["first_response_due"] = first_response_due
    if not filled.get("resolution_due"):
        filled["resolution_due"] = resolution_due
    return filled


def escalation_create(*, actor, values: dict, origin: LogRecord | None = None) -> Escalation:
    """Log an escalation; empty due times default from its severity; linked to its origin.

    The origin (e.g. the interruption it was escalated from) must belong to the same client:
    the escalation is recorded as caused by it.
    """
    values = _with_due_times(
        values,
        severity=values.get("severity", Severity.SEV3),
        raised_at=values.get("occurred_at"),
    )
    with transaction.atomic():
        escalation = record_create(Escalation, actor=actor, values=values)
        if origin is not None:
            record_link(escalation, origin, relation=LinkRelation.CAUSED_BY, actor=actor)
    return escalation


def escalation_update(
    escalation: Escalation, *, actor, changes: dict, expected_version: int
) -> Escalation:
    """Apply an edit; due times emptied on the form fall back to the severity's defaults."""
    changes = _with_due_times(
        changes,
        severity=changes.get("severity", escalation.severity),
        raised_at=changes.get("occurred_at", escalation.occurred_at),
    )
    return record_update(
        escalation, actor=actor, changes=changes, expected_version=expected_version
    )


def _locked(escalation: Escalation) -> Escalation:
    return Escalation.objects.select_for_update().select_related("client").get(pk=escalation.pk)


def escalation_move_tier(
    escalation: Escalation,
    *,
    tier: int,
    team: Team | None,
    reason: str,
    actor,
    expected_version: int | None = None,
) -> Escalation:
    """Move an open escalation to another tier and hand it to a team of that tier.

    The team must serve the escalation's client and work at `tier`; moving to the current
    tier, or without a reason, is refused. The assignee stays only if they are a member of
    the new team. Who, when and why go on the timeline and into the history.
    """
    reason = (reason or "").strip()
    with transaction.atomic():
        current = _locked(escalation)
        errors = {}
        if not current.is_open:
            errors["tier"] = f"{current.reference} is no longer open."
        elif tier not in Tier.values:
            errors["tier"] = "Choose tier 1, 2 or 3."
        elif tier == current.tier:
            errors["tier"] = f"{current.reference} is already at {Tier(tier).label}."
        if not reason:
            errors["reason"] = "Give the reason for moving the escalation."
        if team is None:
            errors["team"] = "Choose the team that takes the escalation over."
        elif not team.clients.filter(pk=current.client_id).exists():
            errors["team"] = f"{team.name} does not serve {current.client}."
        elif tier in Tier.values and team.tier != tier:
            errors["team"] = f"{team.name} does not work at {Tier(tier).label}."
        if errors:
            raise ValidationError(errors)
        previous = current.tier
        changes: dict = {"tier": tier, "team": team}
        if (
            current.assignee_id is not None
            and not team.memberships.filter(user_id=current.assignee_id).exists()
        ):
            changes["assignee"] = None
        verb = "Moved up" if tier > previous else "Moved down"
        message = f"{verb} from {Tier(previous).label} to {Tier(tier).label}, team {team.name}"
        if "assignee" in changes:
            message += " (unassigned)"
        moved = record_apply(
            current,
            actor=actor,
            changes=changes,
            reason=f"Moved to {Tier(tier).label}: {reason}",
            expected_version=expected_version,
        )
        timeline_log(
            moved,
            kind=TimelineKind.ASSIGNMENT,
            message=f"{message}: {reason}",
            actor=actor,
            data={"from_tier": previous, "to_tier": tier, "team": team.pk, "reason": reason},
        )
    return moved


def escalation_record_first_response(
    escalation: Escalation,
    *,
    actor,
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Escalation:
    """Record when the customer first got a response; only once per escalation."""
    at = at or timezone.now()
    with transaction.atomic():
        current = _locked(escalation)
        if current.first_response_at is not None:
            raise ValidationError(
                {"first_response_at": f"{current.reference}'s first response is already recorded."}
            )
        updated = record_apply(
            current,
            actor=actor,
            changes={"first_response_at": at},
            reason="First response recorded",
            expected_version=expected_version,
        )
        late = updated.first_response_due is not None and at > updated.first_response_due
        timeline_log(
            updated,
            kind=TimelineKind.EDIT,
            message="First response recorded" + (", after its due time." if late else "."),
            actor=actor,
            data={"fields": ["first_response_at"]},
        )
    return updated
