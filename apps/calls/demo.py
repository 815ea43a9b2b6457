"""Demo call logs, told through the services (each with its timeline and history): a few
hundred calls over the last six months for each demo client, follow-up calls and QA audits."""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction

from apps.core.choices import Status, Tier
from apps.core.demo import DEMO_DAYS, DemoClient, DemoOrganisation, StoryClock
from apps.core.models import CodeListEntry
from apps.core.services.records import record_change_status

from .bulk_write import insert_demo_calls
from .models import Call, Direction, Outcome, QualityAudit, Sentiment
from .services import call_create, quality_audit_add

CALLS_PER_CLIENT = 150
WINDOW_DAYS = DEMO_DAYS - 5
AUDIT_SHARE = 0.2  # of the answered calls


@dataclass(frozen=True)
class Scenario:
    category: str  # query category code
    title: str
    description: str
    resolution: str


SCENARIOS = (
    Scenario("billing", "Customer asks why the bill went up",
             "Monthly bill 12.00 higher than usual; customer suspects a mistake.",
             "Explained the end of the introductory discount and the new price."),
    Scenario("order-status", "Where is my order?",
             "Order placed five days ago still shows as processing.",
             "Order found held for an address check; released and dispatched today."),
    Scenario("delivery", "Parcel marked delivered but not received",
             "Tracking says delivered yesterday; nothing at the door or with neighbours.",
             "Opened a carrier investigation and arranged a replacement."),
    Scenario("returns", "Refund for a return not received",
             "Item returned two weeks ago, no refund yet.",
             "Return scan found; refund issued, 3–5 working days to the card."),
    Scenario("technical-support", "Cannot log in to the app",
             "Password reset e-mails do not arrive.",
             "Updated the e-mail address on the account and reset the password on the call."),
    Scenario("account-change", "Change of address",
             "Customer moved house and wants future deliveries to the new address.",
             "Address updated after security questions; confirmation e-mail sent."),
    Scenario("complaint", "Complaint about a rude courier",
             "Courier was rude and left the parcel in the rain.",
             "Apologised, logged the complaint with the carrier, offered a goodwill voucher."),
    Scenario("cancellation", "Wants to cancel the subscription",
             "Customer no longer needs the service after moving abroad.",
             "Cancelled from the end of the billing period; final bill explained."),
    Scenario("product-information", "Is the product compatible?",
             "Asks whether the charger works with an older model.",
             "Confirmed compatibility and sent the product sheet by e-mail."),
)  # fmt: skip

CUSTOMERS = (
    "Jane Doe", "Ahmed Khan", "Maria Garcia", "Wei Zhang", "Olivia Brown", "Lucas Martin",
    "Fatima Ali", "Noah Wilson", "Emma Thompson", "Mateo Silva", "Yuki Tanaka", "Sara Novak",
)  # fmt: skip

# Outcome → (weight, disposition code).
OUTCOMES = {
    Outcome.RESOLVED: (60, "resolved-first-contact"),
    Outcome.FOLLOW_UP: (10, "callback-scheduled"),
    Outcome.ESCALATED: (6, "escalated"),
    Outcome.MISSED: (10, "no-answer"),
    Outcome.DROPPED: (6, "no-answer"),
    Outcome.VOICEMAIL: (8, "voicemail-left"),
}
QUEUES = {Direction.INBOUND: ("Billing", "Orders", "General"), Direction.OUTBOUND: ("Callbacks",)}


def demo_calls_exist(organisation: DemoOrganisation) -> bool:
    return Call.objects.filter(client_id__in=[d.client.pk for d in organisation.clients]).exists()


def codes() -> dict[tuple[str, str], CodeListEntry]:
    return {
        (entry.list_name, entry.code): entry
        for entry in CodeListEntry.objects.filter(
            list_name__in=[
                CodeListEntry.ListName.QUERY_CATEGORY,
                CodeListEntry.ListName.DISPOSITION,
            ]
        )
    }


def business_moment(rng: random.Random, now: datetime, zone: ZoneInfo, days: float) -> datetime:
    """A moment `days` ago (at most), during the client's opening hours (8:00–20:00)."""
    day = (now - timedelta(days=days)).astimezone(zone)
    moment = day.replace(hour=rng.randint(8, 19), minute=rng.randint(0, 59), second=0)
    return min(moment, now - timedelta(minutes=30))


def phone_number(rng: random.Random, client_code: str) -> str:
    if client_code == "globex":
        return f"+1 {rng.randint(200, 989)} 555 {rng.randint(0, 9999):04d}"
    return f"+44 20 7946 {rng.randint(0, 9999):04d}"


def seed_demo_calls(
    organisation: DemoOrganisation,
    *,
    per_client: int = CALLS_PER_CLIENT,
    rng: random.Random,
    now: datetime,
) -> int:
    """Create the demo calls once (none if the demo clients already have some)."""
    if per_client <= 0 or demo_calls_exist(organisation):
        return 0
    entries = codes()
    created = 0
    with transaction.atomic():
        for demo in organisation.clients:
            auditor = organisation.users.get("auditor") if demo.client.code == "acme" else None
            created += _seed_client(demo, auditor or demo.lead, entries, per_client, rng, now)
    return created


def _seed_client(demo: DemoClient, auditor, entries, count: int, rng, now) -> int:
    """The client's calls: those with a story to tell (audited, followed up) through the
    services, one by one; the plain ones as the services would leave them, written in bulk
    (creation version and timeline included), which keeps the demo quick to load."""
    zone = ZoneInfo(demo.client.timezone)
    customers = [
        (name, phone_number(rng, demo.client.code), f"{demo.client.code.upper()}-{100000 + i}")
        for i, name in enumerate(CUSTOMERS)
    ]
    weights = [weight for weight, _ in OUTCOMES.values()]
    plain: list[tuple[dict, bool]] = []
    created = 0
    for index in range(count):
        days = WINDOW_DAYS * (count - index) / count
        started = business_moment(rng, now, zone, days)
        outcome = rng.choices(list(OUTCOMES), weights)[0]
        direction = (
            Direction.OUTBOUND
            if outcome == Outcome.VOICEMAIL or rng.random() < 0.15
            else Direction.INBOUND
        )
        scenario = rng.choice(SCENARIOS)
        customer = rng.choice(customers)
        args = (demo, entries, rng, now, started, direction, outcome, scenario, customer)
        external_id = f"{demo.client.code.upper()}-DEMO-{index:05d}"
        followed_up = outcome == Outcome.FOLLOW_UP and days > 2 and rng.random() < 0.7
        audited = outcome not in Outcome.without_conversation() and rng.random() < AUDIT_SHARE
        created += 1
        if not (followed_up or audited):
            plain.append(_values(*args, external_id=external_id))
            continue
        call = _log(*args, external_id=external_id)
        if followed_up:
            follow_up = _log(
                demo, entries, rng, now, call.follow_up_due, Direction.OUTBOUND,
                Outcome.RESOLVED, scenario, customer, previous=call, external_id=f"{external_id}-F",
            )  # fmt: skip
            created += 1
            with StoryClock(follow_up.ended_at, now, rng) as clock:
                clock.advance(0.05, 1)
                _close(call, demo.lead)
            if rng.random() < AUDIT_SHARE:
                _audit(follow_up, auditor, rng, now)
        # Audited days later: after the call-back, as time goes.
        if audited:
            _audit(call, auditor, rng, now)
    insert_demo_calls(plain, now=now)
    return created


def _log(*args, **kwargs) -> Call:
    """A call logged by its agent through the service (timeline, history, closing rules),
    as the call ended."""
    values, close_now = _values(*args, **kwargs)
    rng, now = args[2], args[3]
    with StoryClock(values["ended_at"] or values["occurred_at"], now, rng):
        return call_create(actor=values["assignee"], values=values, close_now=close_now)


def _values(
    demo, entries, rng, now, started, direction, outcome, scenario, customer, *,
    external_id: str, previous: Call | None = None,
) -> tuple[dict, bool]:  # fmt: skip
    """What the agent enters for a call, and whether they close it at once."""
    agent = rng.choice(demo.members[Tier.FRONTLINE])
    spoken = outcome not in Outcome.without_conversation() or (
        outcome == Outcome.DROPPED and rng.random() < 0.5
    )
    answered = started + timedelta(seconds=rng.randint(5, 240)) if spoken else None
    ended = (answered or started) + timedelta(seconds=rng.randint(40, 1200) if spoken else 25)
    name, number, account = customer
    disposition = OUTCOMES[outcome][1]
    values = {
        "client": demo.client,
        "direction": direction,
        "title": f"Follow-up: {scenario.title}" if previous else scenario.title,
        "severity": rng.choice(["SEV4", "SEV4", "SEV4", "SEV3", "SEV2"]),
        "occurred_at": started,
        "answered_at": answered,
        "ended_at": ended,
        "caller_number": number,
        "customer_name": name if spoken or direction == Direction.OUTBOUND else "",
        "account_reference": account if spoken else "",
        "queue": rng.choice(QUEUES[direction]),
        "query_category": entries[(CodeListEntry.ListName.QUERY_CATEGORY, scenario.category)]
        if spoken
        else None,
        "disposition": entries[(CodeListEntry.ListName.DISPOSITION, disposition)],
        "outcome": outcome,
        "sentiment": rng.choice(list(Sentiment.values)) if spoken else "",
        "description": scenario.description if spoken else "",
        "resolution": scenario.resolution
        if outcome in (Outcome.RESOLVED, Outcome.ESCALATED)
        else "Promised a callback once the team has checked."
        if outcome == Outcome.FOLLOW_UP
        else "",
        "escalation_notes": "Passed to the technical team lead with the account details."
        if outcome == Outcome.ESCALATED
        else "",
        "follow_up_due": min(now + timedelta(days=1), ended + timedelta(days=1))
        if outcome == Outcome.FOLLOW_UP
        else None,
        "follow_up_of": previous,
        "external_call_id": external_id,
        "assignee": agent,
        "team": demo.teams[Tier.FRONTLINE],
    }
    # A resolved call is closed at once, as the agent does when the customer hangs up happy;
    # older missed, dropped, voicemail and escalated calls were dealt with long ago.
    settled = started < now - timedelta(days=3) and outcome != Outcome.FOLLOW_UP
    close_now = (outcome == Outcome.RESOLVED or settled) and rng.random() < 0.9
    return values, close_now


def _close(call: Call, lead) -> None:
    try:
        for target in (Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED):
            call = record_change_status(call, target=target, actor=lead)
    except ValidationError:
        pass  # left open in the queue, as some are


def _audit(call: Call, auditor, rng, now) -> None:
    good = rng.random() < 0.75
    scores = {
        name: rng.randint(3, 5) if good else rng.randint(1, 4) for name in QualityAudit.SCORE_FIELDS
    }
    total = QualityAudit.total_of(scores)
    scored_at = min(now, call.ended_at + timedelta(days=rng.randint(1, 5)))
    with StoryClock(scored_at, now, rng):
        quality_audit_add(
            call,
            actor=auditor,
            scores=scores,
            coaching_needed=total < QualityAudit.DEFAULT_PASS_MARK,
            comments="" if good else "Work on the greeting and confirm the resolution.",
            scored_at=scored_at,
        )
