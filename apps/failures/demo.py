"""Demo failure reports: a few of every category for each demo client, told through the
services (created, actions added and worked, moved along the workflow), so their timeline
and history read as the portal would have written them."""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction

from apps.core.choices import RootCause, Severity, Status
from apps.core.demo import DEMO_DAYS, DemoClient, DemoOrganisation, StoryClock
from apps.core.services.records import record_assign, record_change_status, record_update

from .models import FailureCategory as Cat
from .models import FailureReport, FollowUpStatus
from .services import corrective_actions_save, failure_create


@dataclass(frozen=True)
class Scenario:
    category: str
    title: str
    description: str
    impact: str
    service: str | None
    details: dict
    root_cause: str
    analysis: str
    actions: tuple[str, ...]
    lessons: str = ""
    severity: str = Severity.SEV3
    extra: dict = field(default_factory=dict)


SCENARIOS = (
    Scenario(
        Cat.TECHNICAL,
        "CRM froze during the Monday morning peak",
        "Agents could not open customer records for 47 minutes; calls were handled on paper.",
        "About 380 callers waited longer or were asked to call back.",
        "CRM",
        {
            "downtime_minutes": 47,
            "affected_modules": "Case view, customer search",
            "error_log_reference": "CRM-LOG-20260311-0042",
            "recovery_actions": "Vendor restarted the search cluster; paper notes keyed in.",
        },
        RootCause.THIRD_PARTY,
        "Search index rebuild ran at 09:00 instead of 02:00.",
        (
            "Vendor to move index rebuilds to the night window",
            "Add a paper fallback form to the floor kit",
        ),
        "Ask vendors to publish their maintenance jobs.",
        Severity.SEV2,
    ),
    Scenario(
        Cat.TECHNICAL,
        "IVR routed Spanish callers to the English queue",
        "A menu change deployed on Friday sent option 2 to the wrong queue.",
        "Spanish-speaking callers were answered by agents without the language.",
        "IVR",
        {
            "downtime_minutes": 190,
            "affected_modules": "Language menu",
            "error_log_reference": "IVR-CHG-8812",
            "recovery_actions": "Menu rolled back to the previous version.",
        },
        RootCause.PROCESS,
        "The change was not tested with a call before go-live.",
        ("Test-call checklist for every IVR change",),
    ),
    Scenario(
        Cat.CUSTOMER_SERVICE,
        "Refund promised on call was never processed",
        "Customer was told a refund would arrive in 3 days; no refund case was opened.",
        "Customer complained on social media after 2 weeks.",
        None,
        {"customer_service_failure_type": "unresolved_complaint"},
        RootCause.PEOPLE,
        "Agent closed the call without creating the refund case.",
        ("Coach the agent on refund case creation", "Add a refund reminder to the wrap-up script"),
        "A promise made on a call needs a case number read back.",
    ),
    Scenario(
        Cat.CUSTOMER_SERVICE,
        "Wrong delivery date given to a premium customer",
        "The agent read the order date instead of the delivery estimate.",
        "Customer took a day off work for a delivery that came a week later.",
        None,
        {"customer_service_failure_type": "incorrect_information"},
        RootCause.PEOPLE,
        "Two similar date fields on the order screen.",
        ("Ask the CRM team to relabel the order screen dates",),
    ),
    Scenario(
        Cat.CUSTOMER_SERVICE,
        "E-mail queue answered after 52 hours",
        "A backlog built over the weekend; the 24-hour response target was missed.",
        "About 600 customers waited more than two days for a reply.",
        "E-mail gateway",
        {"customer_service_failure_type": "delayed_response"},
        RootCause.PROCESS,
        "Weekend staffing did not cover the e-mail queue.",
        ("Add e-mail coverage to the weekend rota", "Alert the lead when the backlog passes 200"),
        severity=Severity.SEV2,
    ),
    Scenario(
        Cat.PROCESS_DEVIATION,
        "Identity check skipped before an address change",
        "An address was changed on a phone request without the two-factor check.",
        "Risk of account takeover; the customer confirmed the change was genuine.",
        "CRM",
        {
            "procedure": "Account change SOP v4",
            "procedure_step": "3.2 verify identity",
            "deviation_point": "Agent skipped the one-time code because the customer was in a "
            "hurry.",
            "person_involved": "Frontline agent (night shift)",
            "resulting_impact": "No loss; reported to the client's security team.",
        },
        RootCause.PEOPLE,
        "Pressure to keep handle time low on the night shift.",
        (
            "Refresher on identity checks for the night shift",
            "Make the code step mandatory in the CRM",
        ),
        severity=Severity.SEV2,
    ),
    Scenario(
        Cat.PROCESS_DEVIATION,
        "Chargeback escalated without the evidence pack",
        "The escalation to the payments team was sent without the order history.",
        "Payments team lost 3 days asking for the documents.",
        "Payment gateway",
        {
            "procedure": "Chargeback handling",
            "procedure_step": "5 attach evidence",
            "deviation_point": "Evidence upload step was skipped.",
            "person_involved": "Tier 2 agent",
            "resulting_impact": "Dispute window almost missed.",
        },
        RootCause.PROCESS,
        "The checklist had no evidence step.",
        ("Add the evidence step to the chargeback checklist",),
    ),
    Scenario(
        Cat.DELIVERY,
        "Replacement parcel delivered to the old address",
        "The replacement order used the address on file before the customer moved.",
        "Customer had no working router for 5 days.",
        "Carrier tracking API",
        {"order_reference": "ORD-5520931 / DPD 01552099", "delivery_failure_type": "incorrect"},
        RootCause.PROCESS,
        "Replacement orders copy the original order's address.",
        ("Confirm the address on every replacement order",),
    ),
    Scenario(
        Cat.DELIVERY,
        "Engineer visit missed, customer not told",
        "The installation slot was cancelled by the field team; nobody called the customer.",
        "Customer waited at home all day.",
        None,
        {"order_reference": "INST-20931", "delivery_failure_type": "missed"},
        RootCause.THIRD_PARTY,
        "Field partner cancels by e-mail to a shared inbox.",
        ("Field partner to cancel through the booking API", "Daily check of the shared inbox"),
    ),
    Scenario(
        Cat.DELIVERY,
        "Parcel arrived crushed, second time this month",
        "Fragile item shipped without inner packaging.",
        "Customer asked for a refund and closed the account.",
        None,
        {"order_reference": "ORD-5561207", "delivery_failure_type": "damaged"},
        RootCause.THIRD_PARTY,
        "Warehouse packing rule for fragile items not applied.",
        ("Warehouse to re-brief packers on fragile items",),
    ),
    Scenario(
        Cat.COMPLIANCE,
        "Service level below 80/20 for three days running",
        "Voice service level fell to 71% answered within 20 seconds, Tuesday to Thursday.",
        "Contractual service credit may be due.",
        "Telephony platform",
        {
            "contract_clause": "Schedule 2, 4.1 (voice service level)",
            "sla_metric": "Calls answered within 20 s (%)",
            "sla_target": "80.00",
            "sla_actual": "71.40",
        },
        RootCause.PEOPLE,
        "Sickness absence not covered by overtime.",
        ("Weekly forecast review with the client", "Overtime pool for absence peaks"),
        severity=Severity.SEV2,
        extra={"notified": True},
    ),
    Scenario(
        Cat.COMPLIANCE,
        "Call recordings kept past the retention period",
        "Recordings older than 24 months were found on the archive server.",
        "Breach of the data retention clause; client's DPO informed.",
        None,
        {"contract_clause": "Clause 11.3 data retention", "sla_metric": ""},
        RootCause.TECHNOLOGY,
        "The purge job failed silently after a server move.",
        ("Monitor the purge job and alert on failure", "Purge the old recordings"),
        severity=Severity.SEV1,
        extra={"notified": True},
    ),
    Scenario(
        Cat.COMMUNICATION,
        "Outage notice never reached the night shift",
        "Tier 2 knew the billing system would be down but the frontline was not told.",
        "Agents promised bill corrections the system could not make.",
        "Billing system",
        {
            "departments_involved": "Tier 2 technical, frontline night shift",
            "missed_handoff": "Shift handover note did not mention the planned outage.",
        },
        RootCause.PROCESS,
        "Handover template has no section for planned work.",
        ("Add planned work to the shift handover template",),
    ),
    Scenario(
        Cat.COMMUNICATION,
        "Escalated complaint lost between teams",
        "Complaint moved from frontline to retention with no owner named.",
        "Customer chased three times over ten days.",
        None,
        {
            "departments_involved": "Frontline, customer retention",
            "missed_handoff": "Transfer sent to the retention inbox without a named owner.",
        },
        RootCause.PROCESS,
        "No rule that every transfer names an owner.",
        ("Every transfer names an owner in the CRM", "Weekly review of unowned cases"),
    ),
)


def _service(demo: DemoClient, name: str | None):
    return next((service for service in demo.services if service.name == name), None)


def _people(demo: DemoClient) -> list:
    return [person for members in demo.members.values() for person in members] or [demo.lead]


def _tell(
    demo: DemoClient, scenario: Scenario, rng: random.Random, now: datetime, age_days: float
) -> None:
    """Log one report and work it as far as a random stage: new, in progress or closed."""
    people = _people(demo)
    reporter = rng.choice(people)
    occurred = now - timedelta(days=age_days, hours=rng.randint(0, 10))
    details = dict(scenario.details)
    if scenario.extra.get("notified"):
        details["client_notified_at"] = occurred + timedelta(hours=rng.randint(2, 20))
    stage = rng.choice(("new", "working", "working", "closed", "closed"))
    team = demo.teams[min(demo.teams)]
    values = {
        "client": demo.client,
        "category": scenario.category,
        "title": scenario.title,
        "severity": scenario.severity,
        "service": _service(demo, scenario.service),
        "occurred_at": occurred,
        "detected_at": occurred + timedelta(minutes=rng.randint(5, 240)),
        "description": scenario.description,
        "customer_impact": scenario.impact,
        "team": team,
        **details,
    }
    owners = [rng.choice(people) for _ in scenario.actions]
    actions = [
        {"action": text, "owner": owner, "due_date": (occurred + timedelta(days=14)).date()}
        for text, owner in zip(scenario.actions, owners, strict=True)
    ]
    # Logged once detected, then worked over the following days.
    clock = StoryClock(values["detected_at"] + timedelta(minutes=rng.randint(5, 60)), now, rng)
    with transaction.atomic(), clock:
        report = failure_create(actor=reporter, values=values, actions=actions)
        if stage == "new":
            return
        clock.advance(0.2, 6)
        report = record_assign(report, actor=demo.lead, assignee=rng.choice(people))
        clock.advance(0.1, 3)
        report = record_change_status(report, target=Status.IN_PROGRESS, actor=demo.lead)
        settled = list(report.corrective_actions.all())
        if stage == "working":
            settled = settled[:1] if len(settled) > 1 else []
        edits = []
        for index, action in enumerate(settled):
            if index == 1 and rng.random() < 0.5:
                edits.append(
                    (
                        action,
                        {
                            "waived": True,
                            "waiver_reason": "Covered by the client's own change programme.",
                        },
                    )
                )
            else:
                done = min(now, occurred + timedelta(days=rng.randint(1, 12)))
                edits.append((action, {"done_at": done}))
        if edits:
            done_times = [edit["done_at"] for _, edit in edits if "done_at" in edit]
            clock.at_least(max(done_times, default=clock.current))
            clock.advance(1, 24)
            report = corrective_actions_save(report, actor=demo.lead, edited=edits)
        if stage == "working":
            return
        clock.advance(4, 72)
        report = record_update(
            report,
            actor=demo.lead,
            changes={
                "root_cause_category": scenario.root_cause,
                "root_cause_analysis": scenario.analysis,
                "lessons_learned": scenario.lessons,
                "follow_up_status": FollowUpStatus.DONE,
            },
            expected_version=report.version,
        )
        clock.advance(0.5, 24)
        report = record_change_status(report, target=Status.RESOLVED, actor=demo.lead)
        clock.advance(2, 72)
        record_change_status(report, target=Status.CLOSED, actor=demo.lead)


def seed_demo_failures(organisation: DemoOrganisation, *, rng: random.Random, now) -> int:
    """Every scenario once per demo client, unless the demo clients have reports already."""
    client_ids = [demo.client.pk for demo in organisation.clients]
    if FailureReport.objects.filter(client_id__in=client_ids).exists():
        return 0
    created = 0
    for demo in organisation.clients:
        for index, scenario in enumerate(SCENARIOS):
            # Spread evenly over the demo's span, oldest first.
            age = DEMO_DAYS - 3 - (DEMO_DAYS - 5) * index / max(len(SCENARIOS) - 1, 1)
            _tell(demo, scenario, rng, now, age_days=age)
            created += 1
    return created
