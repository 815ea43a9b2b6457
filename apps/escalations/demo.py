"""Demo escalations, told through the services (so each has its timeline and history), and
bulk volume for benchmarks."""

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction

from apps.core.bulk_insert import BulkTable
from apps.core.choices import RootCause, Severity, Status, Tier
from apps.core.demo import DEMO_DAYS, DemoClient, DemoOrganisation, StoryClock
from apps.core.history_followers import history_written
from apps.core.models import CodeListEntry
from apps.core.services.records import record_change_status
from apps.core.services.references import format_reference, reserve_reference_numbers
from apps.core.targets import default_due_times
from apps.interruptions.models import Interruption

from .models import Escalation, EscalationChannel, EscalationOrigin
from .services import (
    escalation_create,
    escalation_move_tier,
    escalation_update,
)

DEMO_ROWS = 60
DUE_SOON = 3  # per client: open escalations whose resolution falls due within two hours
VOLUME_BATCH = 5000
SEVERITY_MIX = (Severity.SEV1, Severity.SEV2, Severity.SEV2, Severity.SEV3, Severity.SEV4)


@dataclass(frozen=True)
class Scenario:
    category: str  # escalation category code
    origin: str
    channel: str
    title: str
    reason: str
    steps: str
    outcome: str
    review: str


# What the post-resolution review found behind each kind of escalation of the demo.
CAUSE_BY_CATEGORY = {
    "billing-dispute": RootCause.TECHNOLOGY,
    "service-failure": RootCause.THIRD_PARTY,
    "complaint": RootCause.PEOPLE,
    "technical-fault": RootCause.TECHNOLOGY,
    "delivery-problem": RootCause.THIRD_PARTY,
    "regulatory": RootCause.PROCESS,
    "vip-customer": RootCause.PROCESS,
}

SCENARIOS = (
    Scenario(
        "billing-dispute", EscalationOrigin.CUSTOMER, EscalationChannel.VOICE,
        "Customer charged twice for one order",
        "Frontline could not reverse the duplicate charge; the customer asked for a supervisor.",
        "Billing confirmed the duplicate capture and refunded it; confirmation e-mailed.",
        "Duplicate charge refunded in full, customer accepted the apology.",
        "Payment gateway retries now checked for duplicates before capture.",
    ),
    Scenario(
        "service-failure", EscalationOrigin.TECHNICAL, EscalationChannel.CHAT,
        "Order tracking shows no updates for five days",
        "Tracking data missing for the parcel; carrier API returned errors to the agent.",
        "Technical support re-synchronised the carrier feed and traced the parcel manually.",
        "Parcel located and delivered the next day.",
        "Alert added when the carrier feed has no updates for more than six hours.",
    ),
    Scenario(
        "complaint", EscalationOrigin.CUSTOMER, EscalationChannel.EMAIL,
        "Formal complaint about repeated call transfers",
        "Customer transferred four times without resolution and lodged a formal complaint.",
        "Service management called the customer back, reviewed the call recordings.",
        "Complaint upheld, goodwill credit applied, written reply sent within five days.",
        "Transfer routing for returns queries corrected; agents coached on warm transfers.",
    ),
    Scenario(
        "technical-fault", EscalationOrigin.TECHNICAL, EscalationChannel.WEB,
        "Customer cannot log in to the self-service portal",
        "Password reset e-mails never arrive; frontline checks found no account problem.",
        "Engineering found the reset e-mails blocked by the gateway's spam filter; allow-listed.",
        "Customer logged in and updated the account the same day.",
        "Reset e-mails monitored end to end with a synthetic account every hour.",
    ),
    Scenario(
        "delivery-problem", EscalationOrigin.PRIORITY, EscalationChannel.VOICE,
        "Medical equipment delivery missed its promised slot",
        "Time-critical delivery for a vulnerable customer; priority escalation by the agent.",
        "Courier re-booked for a same-day slot, team lead monitored until delivered.",
        "Delivered four hours late, customer satisfied with the follow-up.",
        "Vulnerable-customer flag now routes deliveries to the priority courier lane.",
    ),
    Scenario(
        "regulatory", EscalationOrigin.INTERNAL, EscalationChannel.EMAIL,
        "Data access request not answered within the legal deadline",
        "Team lead found a subject access request older than 25 days still unanswered.",
        "Compliance team collated the data and sent the response by secure e-mail.",
        "Request answered one day before the deadline.",
        "Access requests tracked in their own queue with a ten-day internal target.",
    ),
    Scenario(
        "vip-customer", EscalationOrigin.PRIORITY, EscalationChannel.SOCIAL,
        "VIP account holder complaining publicly on social media",
        "High-profile customer posted about a failed upgrade; social team escalated.",
        "Account manager contacted the customer privately and completed the upgrade.",
        "Public post updated by the customer thanking the team.",
        "Upgrade failures for VIP accounts now alert the account manager directly.",
    ),
    Scenario(
        "service-failure", EscalationOrigin.PROCESS, EscalationChannel.VOICE,
        "Refunds for returned items repeatedly delayed beyond 14 days",
        "Third refund-delay contact this month from the same customer; points to the process.",
        "Warehouse return scans matched to refunds by hand; batch job fixed by IT.",
        "All outstanding refunds for the customer paid.",
        "Refund batch job monitored; returns scanned at the dock are refunded within 48 h.",
    ),
    Scenario(
        "billing-dispute", EscalationOrigin.CUSTOMER, EscalationChannel.CHAT,
        "Roaming charges disputed after a trip abroad",
        "Customer was told roaming was included; frontline cannot waive charges over 50.",
        "Billing reviewed the plan terms and the sales call; charges partly waived.",
        "Roaming charges reduced by 70%, customer kept the contract.",
        "Sales script corrected to explain which countries the plan covers.",
    ),
    Scenario(
        "technical-fault", EscalationOrigin.INTERNAL, EscalationChannel.VOICE,
        "Number porting stuck for a business customer",
        "Porting request failed twice with an unexplained error from the porting API.",
        "Technical support resubmitted with corrected account details via the vendor.",
        "Numbers ported overnight with no loss of service.",
        "Porting form validates the donor account number before submission.",
    ),
)  # fmt: skip

CUSTOMERS = (
    "Jane Doe", "Ahmed Khan", "Maria Garcia", "Wei Zhang", "Olivia Brown", "Lucas Martin",
    "Fatima Ali", "Noah Wilson", "Emma Thompson", "Mateo Silva", "Yuki Tanaka", "Sara Novak",
)  # fmt: skip

# Where each demo escalation ends up: status, and the highest tier it reached.
STORIES = (
    (Status.NEW, Tier.FRONTLINE),
    (Status.IN_PROGRESS, Tier.FRONTLINE),
    (Status.IN_PROGRESS, Tier.TECHNICAL),
    (Status.IN_PROGRESS, Tier.EXPERT),
    (Status.ON_HOLD, Tier.TECHNICAL),
    (Status.RESOLVED, Tier.TECHNICAL),
    (Status.CLOSED, Tier.FRONTLINE),
    (Status.CLOSED, Tier.TECHNICAL),
    (Status.CLOSED, Tier.EXPERT),
    (Status.CANCELLED, Tier.FRONTLINE),
)


def demo_escalations_exist(organisation: DemoOrganisation) -> bool:
    client_ids = [demo.client.pk for demo in organisation.clients]
    return Escalation.objects.filter(client_id__in=client_ids).exists()


def _categories() -> dict[str, CodeListEntry]:
    return {
        entry.code: entry
        for entry in CodeListEntry.objects.filter(
            list_name=CodeListEntry.ListName.ESCALATION_CATEGORY
        )
    }


def seed_demo_escalations(
    organisation: DemoOrganisation, *, count: int = DEMO_ROWS, rng: random.Random, now: datetime
) -> int:
    """Create the demo escalations once (none if the demo clients already have some).

    About a third are escalated from the client's demo interruptions and linked to them;
    a few per client are open and fall due within two hours.
    """
    if count <= 0 or demo_escalations_exist(organisation):
        return 0
    categories = _categories()
    # The demo interruptions an agent escalates from: the most recent of each client.
    origins: dict[int, list[Interruption]] = {}
    for demo in organisation.clients:
        origins[demo.client.pk] = list(
            Interruption.objects.filter(client=demo.client).order_by("-occurred_at", "-id")[:30]
        )
    created = 0
    with transaction.atomic():
        for index in range(count):
            demo = organisation.clients[index % len(organisation.clients)]
            due_soon = index // len(organisation.clients) < DUE_SOON
            _tell_story(demo, index, categories, origins, rng=rng, now=now, due_soon=due_soon)
            created += 1
    return created


def _tell_story(
    demo: DemoClient, index: int, categories, origins, *, rng, now, due_soon: bool
) -> None:
    scenario = SCENARIOS[index % len(SCENARIOS)]
    status, top_tier = STORIES[rng.randrange(len(STORIES))]
    severity = rng.choice(SEVERITY_MIX)
    agent = rng.choice(demo.members[Tier.FRONTLINE])
    candidates = origins.get(demo.client.pk, [])
    origin = rng.choice(candidates) if candidates and index % 3 == 0 else None
    if due_soon:
        status, top_tier = Status.IN_PROGRESS, Tier.TECHNICAL
        occurred_at = now - timedelta(minutes=rng.randint(20, 90))
        resolution_due = now + timedelta(minutes=rng.randint(30, 110))
    else:
        # Every twentieth from the start of the demo's span, so that it is covered.
        days = DEMO_DAYS - 5 if index % 20 == 19 else rng.uniform(0.2, DEMO_DAYS - 5)
        occurred_at = now - timedelta(days=days)
        resolution_due = None
    first_due, default_resolution = default_due_times(severity, occurred_at)
    if due_soon:
        first_due = occurred_at + timedelta(minutes=15)
    responded = status not in (Status.NEW, Status.CANCELLED)
    first_at = (
        min(now, occurred_at + (first_due - occurred_at) * rng.uniform(0.2, 1.3))
        if responded
        else None
    )
    # Logged after what it records (its first response included), then worked over hours.
    clock = StoryClock(max(occurred_at, first_at or occurred_at), now, rng)
    clock.advance(0.05, 0.5)
    with clock:
        escalation = escalation_create(
            actor=agent,
            values={
                "client": demo.client,
                "title": scenario.title,
                "severity": severity,
                "origin": EscalationOrigin.TECHNICAL if origin else scenario.origin,
                "channel": scenario.channel,
                "category": categories[scenario.category],
                "customer_name": rng.choice(CUSTOMERS),
                "account_reference": f"{demo.client.code.upper()}-{rng.randint(100000, 999999)}",
                "reason": scenario.reason,
                "occurred_at": occurred_at,
                "first_response_due": first_due,
                "resolution_due": resolution_due or default_resolution,
                "team": demo.teams[Tier.FRONTLINE],
                "assignee": agent,
                # Logged after the fact, with the first response it already had: recorded later,
                # an on-time response would come after the missed target was stamped.
                "first_response_at": first_at,
            },
            origin=origin,
        )
        if status == Status.NEW:
            return
        if status == Status.CANCELLED:
            record_change_status(
                escalation,
                target=Status.CANCELLED,
                actor=demo.lead,
                reason="Customer withdrew the complaint after a callback.",
            )
            return
        clock.advance(0.1, 2)
        escalation = record_change_status(escalation, target=Status.IN_PROGRESS, actor=agent)
        reasons = {
            Tier.TECHNICAL: "Needs a fix the frontline cannot make.",
            Tier.EXPERT: "Customer impact and complaint risk need service management.",
        }
        for tier in (Tier.TECHNICAL, Tier.EXPERT):
            if tier <= top_tier:
                clock.advance(1, 30)
                escalation = escalation_move_tier(
                    escalation,
                    tier=tier,
                    team=demo.teams[tier],
                    reason=reasons[tier],
                    actor=demo.lead,
                )
        clock.advance(0.5, 12)
        if status == Status.ON_HOLD:
            record_change_status(escalation, target=Status.ON_HOLD, actor=demo.lead)
            return
        if status in (Status.RESOLVED, Status.CLOSED):
            escalation = escalation_update(
                escalation,
                actor=demo.lead,
                changes={
                    "resolution_steps": scenario.steps,
                    "outcome": scenario.outcome,
                    "root_cause_category": CAUSE_BY_CATEGORY.get(
                        scenario.category, RootCause.UNKNOWN
                    ),
                    "root_cause_analysis": scenario.review,
                    "post_resolution_review": scenario.review if status == Status.CLOSED else "",
                },
                expected_version=escalation.version,
            )
            clock.advance(0.1, 2)
            escalation = record_change_status(escalation, target=Status.RESOLVED, actor=demo.lead)
            if status == Status.CLOSED:
                clock.advance(4, 72)
                record_change_status(escalation, target=Status.CLOSED, actor=demo.lead)


def generate_escalation_volume(
    organisation: DemoOrganisation,
    *,
    count: int,
    rng: random.Random,
    now: datetime,
    batch_size: int = VOLUME_BATCH,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Bulk-insert `count` escalations for benchmarks over the last year, each with the
    history the services would have left: raised, taken up, some moved between tiers, most of
    the older ones resolved or closed (no timeline)."""
    categories = list(_categories().values())
    escalations, versions = BulkTable(Escalation), BulkTable(Escalation.history.model)
    done = 0
    while done < count:
        size = min(batch_size, count - done)
        with transaction.atomic():
            numbers = reserve_reference_numbers(Escalation.reference_prefix, now.year, size)
            rows, history = [], []
            for number, pk in zip(numbers, escalations.reserve_ids(size), strict=True):
                demo = rng.choice(organisation.clients)
                occurred_at = now - timedelta(minutes=rng.randint(10, 365 * 24 * 60))
                told = _volume_story(rng, occurred_at, now)
                row = _volume_row(demo, pk, number, told[0], rng, categories, now)
                for index, (at, tier, status) in enumerate(told):
                    row = _volume_version(row, demo, at, tier, status, rng)
                    history.append(
                        row
                        | {
                            "history_date": at,
                            "history_type": "~" if index else "+",
                            "history_user_id": demo.lead.pk if index else row["reported_by_id"],
                            "history_change_reason": "",
                        }
                    )
                rows.append(row)
            escalations.insert(rows)
            for version, history_id in zip(
                history, versions.reserve_ids(len(history)), strict=True
            ):
                version["history_id"] = history_id
            versions.insert(history)
            history_written(Escalation, [row["id"] for row in rows])
        done += size
        if progress is not None:
            progress(done, count)
    return done


def _volume_story(rng: random.Random, occurred_at: datetime, now: datetime) -> list[tuple]:
    """(at, tier, status) of each version of a volume escalation, up to `now`: logged minutes
    after it was raised, taken up, moved up (now and then back down), put on hold, and in the
    end resolved and closed, or cancelled."""
    at = occurred_at + timedelta(minutes=rng.randint(1, 30))
    tier = Tier.FRONTLINE if rng.random() < 0.85 else Tier.TECHNICAL
    told = [(at, tier, Status.NEW)]
    plan = [(rng.uniform(0.1, 2), tier, Status.IN_PROGRESS)]
    while tier < Tier.EXPERT and rng.random() < 0.4:
        tier += 1
        plan.append((rng.uniform(1, 30), tier, Status.IN_PROGRESS))
    if tier > Tier.FRONTLINE and rng.random() < 0.1:
        tier -= 1
        plan.append((rng.uniform(1, 12), tier, Status.IN_PROGRESS))
    if rng.random() < 0.15:
        plan.append((rng.uniform(0.5, 12), tier, Status.ON_HOLD))
        plan.append((rng.uniform(1, 48), tier, Status.IN_PROGRESS))
    ending = rng.random()
    if ending < 0.05:
        plan.append((rng.uniform(1, 24), tier, Status.CANCELLED))
    else:
        plan.append((rng.uniform(1, 72), tier, Status.RESOLVED))
        if ending < 0.6:
            plan.append((rng.uniform(4, 72), tier, Status.CLOSED))
    for hours, tier, status in plan:
        at += timedelta(hours=hours)
        if at > now:
            break
        told.append((at, tier, status))
    return told


def _volume_row(demo: DemoClient, pk, number, created, rng, categories, now) -> dict:
    """The escalation as logged: its creation version."""
    at, tier, _ = created
    scenario = rng.choice(SCENARIOS)
    severity = rng.choice(Severity.values)
    occurred_at = at - timedelta(minutes=rng.randint(1, 30))
    first_due, resolution_due = default_due_times(severity, occurred_at)
    return {
        "id": pk,
        "reference": format_reference(Escalation.reference_prefix, now.year, number),
        "client_id": demo.client.pk,
        "title": scenario.title,
        "severity": severity,
        "origin": scenario.origin,
        "channel": scenario.channel,
        "category_id": rng.choice(categories).pk,
        "customer_name": rng.choice(CUSTOMERS),
        "account_reference": f"{demo.client.code.upper()}-{rng.randint(1, 999999)}",
        "reason": scenario.reason,
        "reported_by_id": rng.choice(demo.members[Tier.FRONTLINE] or [demo.lead]).pk,
        "occurred_at": occurred_at,
        "first_response_due": first_due,
        "resolution_due": resolution_due,
        "created_at": at,
        "version": 0,
        "tier_entered_at": occurred_at,
        "tier": tier,
    }


def _volume_version(row: dict, demo: DemoClient, at, tier, status, rng) -> dict:
    """`row` after the change that leaves it at `tier` and `status` at `at`."""
    row = dict(row, status=status.value, updated_at=at, version=row["version"] + 1)
    if tier != row["tier"] or "team_id" not in row:
        person = rng.choice(demo.members[tier] or [None])
        row.update(
            tier=tier,
            team_id=demo.teams[tier].pk,
            assignee_id=person.pk if person else None,
            tier_entered_at=at if row["version"] > 1 else row["tier_entered_at"],
        )
    if status == Status.IN_PROGRESS and row.get("first_response_at") is None:
        row["first_response_at"] = at
    if status == Status.RESOLVED:
        row["resolved_at"] = at
    elif status == Status.CLOSED:
        row["closed_at"] = at
    elif status == Status.CANCELLED:
        row["cancel_reason"] = "Customer withdrew the complaint after a callback."
    for due, met, stamp in (
        ("first_response_due", row.get("first_response_at"), "first_response_breached_at"),
        ("resolution_due", row.get("resolved_at"), "resolution_breached_at"),
    ):
        if row.get(stamp) is None and (met or at) > row[due]:
            row[stamp] = row[due]
    return row
