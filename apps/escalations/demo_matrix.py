"""Demo escalation matrices, and escalations whose time runs out soon after the demo starts."""

from datetime import datetime, timedelta

from apps.core.choices import Severity, Status, Tier
from apps.core.demo import DemoOrganisation
from apps.core.models import CodeListEntry
from apps.core.services.records import record_change_status
from apps.sla.selectors import calendar_spec_for

from .engine import tier_clock
from .models import Escalation, EscalationMatrix, MatrixStep
from .services import escalation_create

# Business minutes per tier: SEV1 moves fast, everything else on the default matrix.
MINUTES = {Severity.SEV1: (15, 30, 60), "": (60, 120, 240)}
ABOUT_TO_BREACH = "Demo: waiting on the billing platform vendor"


def seed_demo_matrices(organisation: DemoOrganisation) -> int:
    """A default matrix and a SEV1 matrix per demo client; existing ones are left as edited."""
    created = 0
    for demo in organisation.clients:
        for severity, minutes in MINUTES.items():
            matrix, new = EscalationMatrix.objects.get_or_create(
                client=demo.client, category=None, severity=severity
            )
            if not new:
                continue
            created += 1
            for tier, allowed in zip(Tier.values, minutes, strict=True):
                MatrixStep.objects.create(
                    matrix=matrix, tier=tier, team=demo.teams[tier], minutes_allowed=allowed
                )
    return created


def _entered_for_deadline(spec, steps, tier: int, deadline: datetime) -> datetime:
    """When an escalation must have entered `tier` for its time to run out at `deadline`
    (a search over start times: business time has no simple inverse)."""
    low, high = deadline - timedelta(days=30), deadline
    for _ in range(40):
        middle = low + (high - low) / 2
        if tier_clock(spec, steps, tier, middle).deadline < deadline:
            low = middle
        else:
            high = middle
    return high


def seed_escalations_about_to_breach(organisation: DemoOrganisation, *, now: datetime) -> int:
    """Per client, one escalation at the top tier whose time runs out 5–15 minutes from now,
    so the running portal shows warnings and a breach within its first quarter hour."""
    if Escalation.objects.filter(title=ABOUT_TO_BREACH).exists():
        return 0
    category = CodeListEntry.objects.filter(
        list_name=CodeListEntry.ListName.ESCALATION_CATEGORY, active=True
    ).first()
    made = 0
    for index, demo in enumerate(organisation.clients):
        spec = calendar_spec_for(demo.client.pk)
        steps = [
            {"tier": tier, "minutes": minutes}
            for tier, minutes in zip(Tier.values, MINUTES[""], strict=True)
        ]
        entered = _entered_for_deadline(
            spec, steps, Tier.EXPERT, now + timedelta(minutes=5 + 10 * index)
        )
        escalation = escalation_create(
            actor=demo.lead,
            values={
                "client": demo.client,
                "title": ABOUT_TO_BREACH,
                "severity": Severity.SEV2,
                "origin": "technical",
                "channel": "email",
                "category": category,
                "tier": Tier.EXPERT,
                "reason": "The vendor has not answered two reminders; the customer is waiting.",
                "occurred_at": entered,
            },
        )
        record_change_status(escalation, target=Status.IN_PROGRESS, actor=demo.lead)
        made += 1
    return made
