"""The escalation matrix at work: which matrix an escalation enters, and its tier clock.

A tier's clock runs in the client's business time from when the escalation entered the tier;
time on hold does not count. Deadlines are always computed from the start, the matrix copy
and the hold periods in the history, never by adding to a stored value.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Case, IntegerField, Q, Value, When

from apps.core.choices import Tier
from apps.sla.business_time import CalendarSpec, add_business_minutes

from .models import EscalationMatrix

WARNING_SHARE = 0.8  # a warning when 80% of a tier's time has gone


def matrix_for(client_id: int, category_id: int | None, severity: str) -> EscalationMatrix | None:
    """The client's most specific active matrix: category and severity, then either, then any."""
    specificity = Case(
        When(category_id=category_id, then=Value(2)), default=Value(0), output_field=IntegerField()
    ) + Case(When(severity=severity, then=Value(1)), default=Value(0), output_field=IntegerField())
    return (
        EscalationMatrix.objects.filter(client_id=client_id, active=True)
        .filter(Q(category_id=category_id) | Q(category__isnull=True))
        .filter(Q(severity=severity) | Q(severity=""))
        .annotate(specificity=specificity)
        .order_by("-specificity")
        .first()
    )


def matrix_snapshot(matrix: EscalationMatrix) -> list[dict]:
    return [step.snapshot() for step in matrix.steps.select_related("team").order_by("tier")]


def step_at(steps: list[dict], tier: int) -> dict | None:
    return next((step for step in steps if step["tier"] == tier), None)


def step_above(steps: list[dict], tier: int) -> dict | None:
    """The next step up the matrix (a tier without a step is passed over)."""
    higher = [step for step in steps if step["tier"] > tier]
    return min(higher, key=lambda step: step["tier"]) if higher else None


@dataclass(frozen=True)
class TierClock:
    warn_at: datetime
    deadline: datetime


def tier_clock(
    spec: CalendarSpec, steps: list[dict], tier: int, entered_at: datetime, holds=()
) -> TierClock | None:
    """When the escalation at `tier` since `entered_at` is warned about and moves on."""
    step = step_at(steps, tier)
    if step is None or entered_at is None:
        return None
    minutes = step["minutes"]
    return TierClock(
        warn_at=add_business_minutes(spec, entered_at, minutes * WARNING_SHARE, holds),
        deadline=add_business_minutes(spec, entered_at, minutes, holds),
    )


def matrix_name(matrix: EscalationMatrix) -> str:
    return str(matrix)


def entry_values(
    *, client_id: int, category_id: int | None, severity: str, tier: int, entered_at, spec
) -> dict:
    """Fields of a new escalation entering its matrix at `tier` (empty when none applies)."""
    matrix = matrix_for(client_id, category_id, severity)
    if matrix is None:
        return {}
    steps = matrix_snapshot(matrix)
    clock = tier_clock(spec, steps, tier, entered_at)
    values = {
        "matrix_steps": steps,
        "matrix_name": matrix_name(matrix),
        "tier_entered_at": entered_at,
        "tier_deadline": clock.deadline if clock else None,
        "tier_warn_at": clock.warn_at if clock else None,
    }
    step = step_at(steps, tier)
    if step is not None:
        values["team_id"] = step["team"]
    return values


def describe_steps(steps: list[dict]) -> str:
    return "; ".join(
        f"{Tier(step['tier']).label}: {step['team_name']}, {step['minutes']} business min"
        for step in steps
    )
