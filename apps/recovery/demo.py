"""Demo recovery cases for both demo clients over the last six months, told through the services
(so each has its timeline, history and children as the portal would have written them); some
are caused by the demo interruptions and escalations."""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction

from apps.core.choices import Severity, Status, Tier
from apps.core.demo import DEMO_DAYS, DemoClient, DemoOrganisation, StoryClock
from apps.core.models import CodeListEntry, LogRecord
from apps.core.services.records import record_change_status
from apps.escalations.models import Escalation
from apps.interruptions.models import Interruption

from .models import UNREACHABLE_MIN_ATTEMPTS, NatureOfIssue, RecoveryCase
from .services import (
    feedback_add,
    interaction_add,
    recovery_action_add,
    recovery_case_create,
    resolution_save,
)

DEMO_ROWS = 48
WINDOW_DAYS = DEMO_DAYS - 5
CURRENCIES = {"acme": "GBP", "globex": "USD"}
SEVERITY_MIX = (Severity.SEV2, Severity.SEV3, Severity.SEV3, Severity.SEV3, Severity.SEV4)


@dataclass(frozen=True)
class Scenario:
    nature: str
    title: str
    reaction: str
    contact: str  # what the first interaction was about
    offer: str
    actions: tuple[tuple[str, str, str], ...]  # (action code, department, details)
    resolution: str
    suggestion: str
    money: tuple[int, int] = (0, 0)  # range of a refund or credit, when there is one


SCENARIOS = (
    Scenario(
        NatureOfIssue.DELIVERY_PROBLEM, "Birthday present delivered a week late",
        "Upset: the present arrived after the party; wants the delivery fee back.",
        "Apologised for the delay and confirmed the parcel had been held at the depot.",
        "Delivery fee refunded and a voucher for the next order.",
        (("apology", "Customer care", "Written apology sent."),
         ("refund", "Billing", "Delivery fee refunded to the card.")),
        "Delivery fee refunded; customer accepted the apology.",
        "Tell customers when a parcel is held at the depot.", (5, 15),
    ),
    Scenario(
        NatureOfIssue.PRODUCT_PROBLEM, "Kettle stopped working after two days",
        "Annoyed, asked whether all our kettles are this bad.",
        "Took the fault details and the order number; offered a replacement.",
        "Replacement sent by next-day courier, collection of the faulty one.",
        (("replacement", "Warehouse", "Replacement dispatched next day."),
         ("expedite", "Logistics", "Upgraded to next-day delivery.")),
        "Replacement delivered, faulty kettle collected.",
        "Check the batch for the same fault.",
    ),
    Scenario(
        NatureOfIssue.SERVICE_ERROR, "Customer charged twice for one order",
        "Angry: overdrawn because of the second charge.",
        "Confirmed the duplicate charge in the payment gateway and apologised.",
        "Duplicate charge refunded in full plus a goodwill credit.",
        (("refund", "Billing", "Duplicate charge reversed."),
         ("credit", "Billing", "Goodwill credit for the overdraft fee.")),
        "Both charges settled; customer confirmed the refund arrived.",
        "Warn customers before retrying a payment.", (20, 120),
    ),
    Scenario(
        NatureOfIssue.SERVICE_DISRUPTION, "Could not reach us during the telephony outage",
        "Frustrated: called five times and was cut off each time.",
        "Called the customer back, explained the outage and completed the request.",
        "Request completed on the call back; apology e-mail.",
        (("apology", "Service management", "Apology e-mail from the team lead."),
         ("expedite", "Frontline", "Request handled on the call back.")),
        "Request completed during the call back.",
        "Post outage notices on the website quickly.",
    ),
    Scenario(
        NatureOfIssue.NEGATIVE_EXPERIENCE, "Agent was dismissive on the phone",
        "Complained that the agent laughed and hung up.",
        "Listened to the complaint, reviewed the recording with the customer's consent.",
        "Apology from the team lead and a credit on the account.",
        (("apology", "Service management", "Team lead called to apologise."),
         ("credit", "Billing", "Goodwill credit applied."),
         ("other", "Quality", "Agent coached; call used in training.")),
        "Complaint upheld; apology and credit accepted.",
        "Train agents on handling angry callers.", (10, 40),
    ),
    Scenario(
        NatureOfIssue.SERVICE_ERROR, "Roaming charges applied to an inclusive plan",
        "Disputes the bill; says the sales call promised inclusive roaming.",
        "Reviewed the plan terms and the sales call; the promise was made.",
        "Roaming charges credited; plan notes corrected.",
        (("credit", "Billing", "Roaming charges credited."),
         ("apology", "Sales", "Sales team apologised for the wrong information.")),
        "Roaming charges removed from the bill.",
        "Make the roaming terms clearer at sale.", (30, 90),
    ),
    Scenario(
        NatureOfIssue.DELIVERY_PROBLEM, "Parcel marked delivered but never arrived",
        "Worried about theft; wants the order re-sent before the weekend.",
        "Opened a trace with the carrier and promised an answer the same day.",
        "Order re-sent by express, refund if the first parcel turns up damaged.",
        (("replacement", "Warehouse", "Order re-sent."),
         ("expedite", "Logistics", "Express shipping at no charge.")),
        "Replacement arrived before the weekend.",
        "Photo proof of delivery would help.",
    ),
    Scenario(
        NatureOfIssue.OTHER, "Marketing e-mails kept coming after unsubscribing",
        "Irritated: unsubscribed three times.",
        "Removed the address from every list and confirmed in writing.",
        "Address removed everywhere; written confirmation.",
        (("other", "Marketing operations", "Address suppressed in all campaign tools."),
         ("apology", "Customer care", "Apology e-mail.")),
        "No more e-mails received in the following two weeks.",
        "One unsubscribe should be enough.",
    ),
)  # fmt: skip

# Where each demo case ends up. "unreachable" closes without confirmation after the attempts.
STORIES = (
    "new",
    "in_progress",
    "in_progress",
    "on_hold",
    "resolved",
    "closed",
    "closed",
    "closed",
    "closed_unhappy",
    "unreachable",
    "cancelled",
)

CUSTOMERS = (
    "Jane Doe", "Ahmed Khan", "Maria Garcia", "Wei Zhang", "Olivia Brown", "Lucas Martin",
    "Fatima Ali", "Noah Wilson", "Emma Thompson", "Mateo Silva", "Yuki Tanaka", "Sara Novak",
)  # fmt: skip


def demo_recovery_exists(organisation: DemoOrganisation) -> bool:
    client_ids = [demo.client.pk for demo in organisation.clients]
    return RecoveryCase.objects.filter(client_id__in=client_ids).exists()


def action_types() -> dict[str, CodeListEntry]:
    return {
        entry.code: entry
        for entry in CodeListEntry.objects.filter(list_name=CodeListEntry.ListName.RECOVERY_ACTION)
    }


def _origins(demo: DemoClient) -> list[LogRecord]:
    """The demo interruptions and escalations a case of this client may be caused by."""
    interruptions = Interruption.objects.filter(client=demo.client).order_by("-occurred_at")
    escalations = Escalation.objects.filter(client=demo.client).order_by("-occurred_at")
    return [*interruptions[:20], *escalations[:20]]


def seed_demo_recovery(
    organisation: DemoOrganisation, *, count: int = DEMO_ROWS, rng: random.Random, now: datetime
) -> int:
    """Create the demo recovery cases once (none if the demo clients already have some).

    About one in three is caused by a demo interruption or escalation of its client (linked).
    """
    if count <= 0 or demo_recovery_exists(organisation):
        return 0
    types = action_types()
    origins = {demo.client.pk: _origins(demo) for demo in organisation.clients}
    with transaction.atomic():
        for index in range(count):
            demo = organisation.clients[index % len(organisation.clients)]
            _tell_story(demo, index, types, origins[demo.client.pk], rng=rng, now=now)
    return count


class _Clock(StoryClock):
    """Moments of a case's story, in order, never past now; the services' now meanwhile."""

    def next(self, low_hours: float = 1, high_hours: float = 30) -> datetime:
        return self.advance(low_hours, high_hours)


def _tell_story(demo: DemoClient, index: int, types, origins, *, rng, now) -> None:
    # Every twentieth from the start of the demo's span, so that it is covered.
    days = WINDOW_DAYS if index % 20 == 19 else rng.uniform(0.5, WINDOW_DAYS)
    occurred_at = now - timedelta(days=days)
    # Opened a little after what happened to the customer, worked over the following days.
    clock = _Clock(occurred_at + timedelta(minutes=rng.randint(10, 240)), now, rng)
    with clock:
        _story(demo, index, types, origins, occurred_at, clock, rng)


def _story(demo: DemoClient, index: int, types, origins, occurred_at, clock, rng) -> None:
    scenario = SCENARIOS[index % len(SCENARIOS)]
    story = STORIES[rng.randrange(len(STORIES))]
    agent = rng.choice(demo.members[Tier.FRONTLINE])
    origin = rng.choice(origins) if origins and index % 3 == 0 else None
    case = recovery_case_create(
        actor=agent,
        values={
            "client": demo.client,
            "title": scenario.title,
            "severity": rng.choice(SEVERITY_MIX),
            "nature": scenario.nature,
            "customer_name": rng.choice(CUSTOMERS),
            "account_reference": f"{demo.client.code.upper()}-{rng.randint(100000, 999999)}",
            "initial_feedback": scenario.reaction,
            "occurred_at": occurred_at,
            "team": demo.teams[Tier.FRONTLINE],
            "assignee": agent,
        },
        origin=origin,
    )
    if story == "new":
        return
    if story == "cancelled":
        clock.next(0.5, 24)
        record_change_status(
            case, target=Status.CANCELLED, actor=demo.lead, reason="Opened twice for one customer."
        )
        return
    clock.next(0.1, 2)
    case = record_change_status(case, target=Status.IN_PROGRESS, actor=agent)
    interaction_add(
        case,
        actor=agent,
        values={
            "at": clock.next(0.5, 6),
            "channel": rng.choice(["phone", "email", "chat"]),
            "summary": scenario.contact,
            "resolution_offered": scenario.offer,
            "customer_satisfied": "unknown",
        },
    )
    _actions(case, demo, scenario, types, agent, clock, rng)
    if story in ("in_progress", "on_hold"):
        if story == "on_hold":
            clock.next(1, 24)
            record_change_status(case, target=Status.ON_HOLD, actor=demo.lead)
        return
    if story == "unreachable":
        _unreachable(case, demo, scenario, agent, clock)
        return
    happy = story != "closed_unhappy"
    interaction_add(
        case,
        actor=agent,
        values={
            "at": clock.next(),
            "channel": "phone",
            "summary": "Called to confirm the resolution with the customer.",
            "customer_satisfied": "yes" if happy else "no",
        },
    )
    confirmed_at = clock.next(0.2, 4)
    resolution_save(
        case,
        actor=agent,
        values={
            "final_resolution": scenario.resolution,
            "customer_confirmed": True,
            "confirmed_at": confirmed_at,
        },
    )
    clock.next(0.1, 1)
    case = record_change_status(case, target=Status.RESOLVED, actor=agent)
    if story == "resolved":
        return
    follow_up_at = clock.next(24, 96)
    resolution_save(
        case,
        actor=demo.lead,
        values={"follow_up_done": True, "follow_up_at": follow_up_at},
    )
    feedback_add(
        case,
        actor=agent,
        values={
            "at": clock.next(1, 48),
            "satisfaction": rng.choice([4, 5, 5]) if happy else rng.choice([1, 2, 3]),
            "likelihood_to_return": rng.randint(7, 10) if happy else rng.randint(0, 5),
            "suggestions": scenario.suggestion,
        },
    )
    clock.next(1, 48)
    record_change_status(case, target=Status.CLOSED, actor=demo.lead)


def _actions(case, demo, scenario, types, agent, clock, rng) -> None:
    for code, department, details in scenario.actions:
        values = {
            "at": clock.next(0.5, 24),
            "action_type": types[code],
            "department": department,
            "details": details,
        }
        if code in ("refund", "credit"):
            low, high = scenario.money
            values["amount"] = Decimal(rng.randint(low * 100, high * 100)) / 100
            values["currency"] = CURRENCIES.get(demo.client.code, "EUR")
        recovery_action_add(case, actor=agent, values=values)


def _unreachable(case, demo, scenario, agent, clock) -> None:
    for attempt in range(1, UNREACHABLE_MIN_ATTEMPTS + 1):
        interaction_add(
            case,
            actor=agent,
            values={
                "at": clock.next(4, 30),
                "channel": "phone" if attempt % 2 else "email",
                "summary": f"Tried to reach the customer to confirm the resolution, attempt "
                f"{attempt}: no answer.",
            },
        )
    resolution_save(
        case,
        actor=agent,
        values={
            "final_resolution": scenario.resolution,
            "unreachable_reason": f"{UNREACHABLE_MIN_ATTEMPTS} calls and e-mails over a week "
            "went unanswered; the resolution was applied to the account.",
        },
    )
    clock.next(0.1, 1)
    case = record_change_status(case, target=Status.RESOLVED, actor=agent)
    clock.next(1, 48)
    record_change_status(case, target=Status.CLOSED, actor=demo.lead)
