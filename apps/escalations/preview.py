"""What an escalation matrix will do, step by step, for a given start: and what never will."""

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from apps.core.choices import Tier
from apps.core.models import Client, Team
from apps.core.selectors import members_by_team
from apps.sla.business_time import business_minutes_between
from apps.sla.selectors import calendar_spec_for

from .engine import WARNING_SHARE, matrix_for, matrix_snapshot, step_above, step_at, tier_clock
from .models import EscalationMatrix


@dataclass(frozen=True)
class PreviewEvent:
    at: datetime
    business_minutes: float
    what: str


@dataclass
class MatrixPreview:
    matrix: EscalationMatrix | None
    events: list[PreviewEvent] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _notified(step: dict, members: dict[int, int]) -> str:
    told = []
    if step["notify_team"]:
        told.append(f"{step['team_name']} ({members.get(step['team'], 0)} people) notified")
    if step["notify_lead"]:
        told.append("its lead notified" if step["lead"] else "no lead to notify")
    return "; ".join(told) or "nobody notified"


def _step_warnings(client: Client, steps: list[dict], members: dict[int, int]) -> list[str]:
    warnings = []
    if not step_at(steps, Tier.FRONTLINE):
        warnings.append(
            "The matrix has no Tier 1 step: escalations raised at Tier 1 never move by themselves."
        )
    tiers = [step["tier"] for step in steps]
    for missing in range(Tier.TECHNICAL, max(tiers)):
        if missing not in tiers:
            warnings.append(
                f"No step for {Tier(missing).label}: escalations jump over it, and one "
                f"raised at {Tier(missing).label} never moves."
            )
    serving = set(Team.objects.filter(clients=client).values_list("pk", flat=True))
    for step in steps:
        label = Tier(step["tier"]).label
        if step["team"] not in serving:
            warnings.append(f"{label}: {step['team_name']} no longer serves {client}.")
        if step["notify_team"] and not members.get(step["team"]):
            warnings.append(f"{label}: {step['team_name']} has no members to notify.")
        if step["notify_lead"] and not step["lead"]:
            warnings.append(f"{label}: {step['team_name']} has no lead to notify.")
    return warnings


def matrix_preview(
    client: Client, category_id: int | None, severity: str, start: datetime
) -> MatrixPreview:
    """The events an escalation raised at `start` would go through, if nobody acted."""
    matrix = matrix_for(client.pk, category_id, severity)
    if matrix is None:
        return MatrixPreview(
            None,
            warnings=["No active matrix applies: such escalations never move up by themselves."],
        )
    steps = matrix_snapshot(matrix)
    preview = MatrixPreview(matrix)
    if not steps:
        preview.warnings.append("The matrix has no steps: nothing will ever fire.")
        return preview
    team_ids = [step["team"] for step in steps]
    members = {team_id: len(people) for team_id, people in members_by_team(team_ids).items()}
    preview.warnings += _step_warnings(client, steps, members)
    spec = calendar_spec_for(client.pk)
    zone = ZoneInfo(client.timezone)

    def add(at: datetime, what: str) -> None:
        minutes = business_minutes_between(spec, start, at)
        preview.events.append(PreviewEvent(at.astimezone(zone), minutes, what))

    step = step_at(steps, Tier.FRONTLINE) or min(steps, key=lambda each: each["tier"])
    entered = start
    add(entered, f"{Tier(step['tier']).label}: {step['team_name']} takes it.")
    while step is not None:
        try:
            clock = tier_clock(spec, steps, step["tier"], entered)
        except ValueError as error:  # a calendar without working hours
            preview.warnings.append(f"{error} Nothing in this matrix can fire.")
            return preview
        add(
            clock.warn_at,
            f"Warning: {int(WARNING_SHARE * 100)}% of the {Tier(step['tier']).label} time used.",
        )
        following = step_above(steps, step["tier"])
        if following is None:
            add(clock.deadline, "Breach: the top tier's time ran out; the client's leads told.")
            break
        add(
            clock.deadline,
            f"{Tier(following['tier']).label}: {following['team_name']} takes it; "
            + _notified(following, members)
            + ".",
        )
        step, entered = following, clock.deadline
    return preview
