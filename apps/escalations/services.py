"""Escalation services: what views, admin and commands call to change escalations."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.core.choices import LinkRelation, Severity, Tier, TimelineKind
from apps.core.models import LogRecord, Team
from apps.core.services.links import record_link
from apps.core.services.records import record_apply, record_create, record_update
from apps.core.services.timeline import timeline_log
from apps.core.targets import due_times_for
from apps.sla.selectors import calendar_spec_for, hold_intervals

from .engine import entry_values, tier_clock
from .models import Escalation, EscalationMatrix

DUE_FIELDS = ("first_response_due", "resolution_due")


def _with_due_times(values: dict, *, record: Escalation) -> dict:
    """`values` with the due times it empties filled as the client's SLA sets them for
    `record` (the escalation as it will be)."""
    emptied = [name for name in DUE_FIELDS if name in values and not values[name]]
    if record.occurred_at is None or not emptied:
        return values
    due = dict(zip(DUE_FIELDS, due_times_for(record), strict=True))
    return values | {name: due[name] for name in emptied}


def escalation_create(*, actor, values: dict, origin: LogRecord | None = None) -> Escalation:
    """Log an escalation; empty due times are filled by core from the client's SLA for its
    severity; linked to its origin.

    The origin (e.g. the interruption it was escalated from) must belong to the same client:
    the escalation is recorded as caused by it.
    """
    with transaction.atomic():
        values = {**values, **_matrix_entry(values)}
        escalation = record_create(Escalation, actor=actor, values=values)
        if origin is not None:
            record_link(escalation, origin, relation=LinkRelation.CAUSED_BY, actor=actor)
    return escalation


def _matrix_entry(values: dict) -> dict:
    """The matrix a new escalation enters (a copy of its steps) and its first tier clock; the
    team of that tier unless one was chosen."""
    client = values.get("client")
    client_id = values.get("client_id") or getattr(client, "pk", None)
    category = values.get("category")
    if client_id is None or values.get("occurred_at") is None:
        return {}
    entry = entry_values(
        client_id=client_id,
        category_id=values.get("category_id") or getattr(category, "pk", None),
        severity=values.get("severity", Severity.SEV3),
        tier=values.get("tier", Tier.FRONTLINE),
        entered_at=values["occurred_at"],
        spec=calendar_spec_for(client_id),
    )
    if values.get("team") or values.get("team_id"):
        entry.pop("team_id", None)
    return entry


def escalation_update(
    escalation: Escalation, *, actor, changes: dict, expected_version: int
) -> Escalation:
    """Apply an edit; due times emptied on the form fall back to the client's SLA for the
    (new) severity, from the escalation's start and its time on hold. The escalation as it
    will be is the stored row with `changes`, not `escalation`, which a model form may
    already have changed."""
    with transaction.atomic():
        edited = Escalation.objects.select_for_update().get(pk=escalation.pk)
        for name, value in changes.items():
            setattr(edited, name, value)
        changes = _with_due_times(changes, record=edited)
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
        changes: dict = {"tier": tier, "team": team, **_tier_clock_from_now(current, tier)}
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


def _tier_clock_from_now(escalation: Escalation, tier: int) -> dict:
    """A moved escalation's clock starts again at its new tier, now."""
    now = timezone.now()
    clock = tier_clock(
        calendar_spec_for(escalation.client_id),
        escalation.matrix_steps,
        tier,
        now,
        hold_intervals(escalation),
    )
    return {
        "tier_entered_at": now,
        "tier_deadline": clock.deadline if clock else None,
        "tier_warn_at": clock.warn_at if clock else None,
    }


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


def matrix_edited(matrix: EscalationMatrix) -> None:
    """An edit of a matrix or of its steps raises its version. Escalations under way keep the
    copy of the steps they entered with; new ones copy this version."""
    EscalationMatrix.objects.filter(pk=matrix.pk).update(version=F("version") + 1)
