"""Stored records of the five logs, drawn over every kind, severity, status and
kind-specific section, as factories store them (times to the microsecond, people who have
left, retired services and code-list entries still held)."""

from datetime import timedelta

from hypothesis import strategies as st

from apps.calls.forms import CallForm
from apps.calls.models import Call, Outcome
from apps.core.choices import Status
from apps.escalations.forms import EscalationForm
from apps.escalations.models import Escalation
from apps.failures.forms import COMMON_FIELDS as FAILURE_COMMON
from apps.failures.forms import FOLLOW_UP_FIELDS
from apps.failures.models import CATEGORY_FIELDS, FailureCategory, FailureReport
from apps.interruptions.forms import COMMON_FIELDS as INTERRUPTION_COMMON
from apps.interruptions.forms import RESOLUTION_FIELDS
from apps.interruptions.models import KIND_FIELDS, Interruption, InterruptionKind
from apps.recovery.forms import RecoveryCaseForm
from apps.recovery.models import InteractionChannel, RecoveryCase
from tests.factories import InterruptionFactory
from tests.factories_calls import CallFactory
from tests.factories_escalations import EscalationFactory
from tests.factories_failures import CorrectiveActionFactory, FailureReportFactory
from tests.factories_recovery import RecoveryCaseFactory, RecoveryInteractionFactory

from .strategies import line, moment, ordered, plain_values, workflow_values

WORKFLOW = {"severity", "status", "occurred_at", "resolution_due"}
plain_line = line(required=True)


def people(draw, world, extras) -> dict:
    return {
        "assignee": draw(st.sampled_from([None, world.agent, world.lead, extras.former_agent])),
        "team": draw(st.sampled_from([None, world.team_a1, world.team_a2])),
    }


def edit_path(record) -> str:
    return f"{record.get_absolute_url()}edit/"


def draw_interruption(draw, world, extras, statuses=Status.values) -> Interruption:
    kind = draw(st.sampled_from(InterruptionKind.values))
    start = draw(moment())
    names = [*INTERRUPTION_COMMON, *KIND_FIELDS[kind], *RESOLUTION_FIELDS]
    values = plain_values(draw, Interruption, set(names) - WORKFLOW - {"kind"}, start=start)
    values |= workflow_values(draw, start=start, statuses=statuses)
    if kind == InterruptionKind.MAINTENANCE:
        values["planned_start"] = draw(moment(start - timedelta(days=1)))
        values["planned_end"] = draw(moment(values["planned_start"] + timedelta(minutes=1)))
    services = [world.service_a, world.service_a2, extras.retired_service]
    return InterruptionFactory(
        client=world.client_a,
        kind=kind,
        occurred_at=start,
        affected_services=draw(st.lists(st.sampled_from(services), min_size=1, unique=True)),
        **values,
        **people(draw, world, extras),
    )


def draw_failure(draw, world, extras, statuses=Status.values) -> FailureReport:
    category = draw(st.sampled_from(FailureCategory.values))
    start = draw(moment())
    names = [*FAILURE_COMMON, *CATEGORY_FIELDS[category], *FOLLOW_UP_FIELDS]
    values = plain_values(draw, FailureReport, set(names) - WORKFLOW - {"category"}, start=start)
    values |= workflow_values(draw, start=start, statuses=statuses)
    needed = {
        FailureCategory.CUSTOMER_SERVICE: "customer_service_failure_type",
        FailureCategory.DELIVERY: "delivery_failure_type",
    }
    if category in needed:
        field = FailureReport._meta.get_field(needed[category])
        values[field.name] = draw(st.sampled_from([value for value, _ in field.choices]))
    ordered(values, "detected_at", "client_notified_at")
    if category == FailureCategory.COMPLIANCE and not values["contract_clause"].strip():
        values["contract_clause"] = "Clause 4.2"
    report = FailureReportFactory(
        client=world.client_a,
        category=category,
        occurred_at=start,
        service=draw(st.sampled_from([None, world.service_a, extras.retired_service])),
        **values,
        **people(draw, world, extras),
    )
    for number in range(draw(st.integers(0, 3))):
        settled = draw(st.sampled_from(["open", "done", "waived"]))
        CorrectiveActionFactory(
            report=report,
            action=f"Action {number}: {draw(plain_line)}",
            owner=draw(st.sampled_from([None, world.agent, extras.former_agent])),
            done_at=draw(moment()) if settled == "done" else None,
            waived=settled == "waived",
            # A one-line input; the service clears it on actions not waived.
            waiver_reason=draw(plain_line) if settled == "waived" else "",
        )
    return report


def draw_escalation(draw, world, extras, statuses=Status.values) -> Escalation:
    start = draw(moment())
    names = set(EscalationForm._meta.fields) - WORKFLOW
    values = plain_values(draw, Escalation, names, start=start) | workflow_values(
        draw, start=start, statuses=statuses
    )
    ordered(values, "first_response_due", "resolution_due")
    return EscalationFactory(
        client=world.client_a,
        occurred_at=start,
        category=draw(st.sampled_from(extras.escalation_categories)),
        **values,
        **people(draw, world, extras),
    )


def draw_call(draw, world, extras, statuses=Status.values) -> Call:
    start = draw(moment())
    names = set(CallForm._meta.fields) - WORKFLOW - {"follow_up_of"}
    values = plain_values(draw, Call, names, start=start) | workflow_values(
        draw, start=start, statuses=statuses
    )
    if values["outcome"] == Outcome.MISSED:
        values |= {"answered_at": None, "talk_seconds": draw(st.sampled_from([None, 0]))}
    if values["outcome"] == Outcome.FOLLOW_UP and values["follow_up_due"] is None:
        values["follow_up_due"] = draw(moment(start))
    # A call is answered, ends, then is followed up.
    ordered(values, "answered_at", "ended_at", "follow_up_due")
    previous = None
    if draw(st.booleans()):
        previous = CallFactory(client=world.client_a, occurred_at=start - timedelta(days=1))
    return CallFactory(
        client=world.client_a,
        occurred_at=start,
        follow_up_of=previous,
        query_category=draw(st.sampled_from([None, *extras.query_categories])),
        disposition=draw(st.sampled_from([None, *extras.dispositions])),
        **values,
        **people(draw, world, extras),
    )


def draw_recovery_case(draw, world, extras, statuses=Status.values) -> RecoveryCase:
    start = draw(moment())
    names = set(RecoveryCaseForm._meta.fields) - WORKFLOW
    values = plain_values(draw, RecoveryCase, names, start=start)
    case = RecoveryCaseFactory(
        client=world.client_a,
        occurred_at=start,
        **values,
        **workflow_values(draw, start=start, statuses=statuses),
        **people(draw, world, extras),
    )
    for _ in range(draw(st.integers(0, 2))):
        RecoveryInteractionFactory(
            case=case,
            recorded_by=world.agent,
            at=draw(moment(start, within=timedelta(days=4))),
            channel=draw(st.sampled_from(InteractionChannel.values)),
        )
    return case


DRAWS = (draw_interruption, draw_failure, draw_escalation, draw_call, draw_recovery_case)


def draw_record(draw, world, extras, statuses=Status.values):
    """A record of any of the five kinds, in one of `statuses`."""
    return draw(st.sampled_from(DRAWS))(draw, world, extras, statuses)
