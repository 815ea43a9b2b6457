"""The calls per agent and queue summary equals a live count whatever writes happen to the
calls, folded or not, and a rebuild gives it back after the rows are lost."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.calls.models import Call
from apps.core.models import SummaryRow
from apps.core.summaries.fold import fold_deltas
from apps.core.summaries.kinds import CALLS_BY_AGENT_QUEUE, SPECS
from apps.reports.summaries import period_totals
from tests.factories import next_reference
from tests.factories_calls import CallFactory

PROPERTY = settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    deadline=None,
)
BASE = timezone.make_aware(datetime(2026, 3, 20, 12, 0), ZoneInfo("UTC"))
WIDE = (BASE - timedelta(days=60), BASE + timedelta(days=60))
QUEUES = ["Billing", "", "Retention and win-back campaign for lapsed premium subscribers 2026"]
OUTCOMES = ["resolved", "missed", "dropped", "escalated", ""]
METRICS = [metric.name for metric in SPECS[CALLS_BY_AGENT_QUEUE].metrics]

creations = st.tuples(
    st.just("create"),
    st.integers(0, 2),  # agent (0: none)
    st.integers(0, 2),  # queue
    st.integers(0, 4),  # outcome
    st.integers(-30, 30),  # days from the base moment
    st.booleans(),  # inbound
    st.booleans(),  # a follow-up of the first call
)
updates = st.tuples(
    st.just("update"),
    st.integers(0, 2),  # which rows: by id modulo 3
    st.sampled_from(["assignee", "queue", "outcome", "occurred_at", "talk", "qa", "answered"]),
    st.integers(0, 5),
)
others = st.one_of(
    st.tuples(st.just("bulk_create"), st.integers(1, 3)),
    st.tuples(st.just("delete"), st.integers(0, 2)),
    st.tuples(st.just("save"), st.integers(0, 2)),
    st.tuples(st.just("fold"), st.integers(1, 5)),
)
steps = st.one_of(creations, updates, others)


def _agent(world, pick: int):
    return [None, world.agent, world.lead][pick % 3]


def _every_third(remainder: int) -> list[int]:
    return [pk for pk in Call.objects.values_list("pk", flat=True) if pk % 3 == remainder]


def _apply(world, step) -> None:
    action = step[0]
    if action == "create":
        _, agent, queue, outcome, days, inbound, follow_up = step
        occurred = BASE + timedelta(days=days, hours=days)
        CallFactory(
            client=world.client_a if days % 2 else world.client_b,
            assignee=_agent(world, agent),
            queue=QUEUES[queue],
            outcome=OUTCOMES[outcome],
            direction="inbound" if inbound else "outbound",
            occurred_at=occurred,
            answered_at=None if OUTCOMES[outcome] == "missed" else occurred,
            talk_seconds=0 if OUTCOMES[outcome] == "missed" else 60 + days,
            follow_up_of=Call.objects.order_by("pk").first() if follow_up else None,
        )
    elif action == "update":
        _, remainder, field, pick = step
        rows = Call.objects.filter(pk__in=_every_third(remainder))
        if field == "assignee":
            rows.update(assignee=_agent(world, pick))
        elif field == "queue":
            rows.update(queue=QUEUES[pick % 3])
        elif field == "outcome":
            rows.exclude(answered_at__isnull=False).update(outcome=OUTCOMES[pick % 5])
        elif field == "occurred_at":
            rows.update(
                occurred_at=BASE - timedelta(days=pick * 3), answered_at=None, ended_at=None
            )
        elif field == "talk":
            rows.update(talk_seconds=[None, 0, 45, 600, 7, 1][pick])
        elif field == "qa":
            rows.update(qa_score=[None, Decimal("80.50"), Decimal("100.00")][pick % 3])
        else:
            rows.update(wait_seconds=[None, 5, 120][pick % 3])
    elif action == "bulk_create":
        template = CallFactory(client=world.client_a, assignee=world.agent, queue="Billing")
        copies = []
        for _ in range(step[1]):
            copy = Call.objects.get(pk=template.pk)
            copy.pk = None
            copy.reference = copy.external_call_id = next_reference(Call.reference_prefix)
            copies.append(copy)
        Call.objects.bulk_create(copies)
    elif action == "delete":
        # Follow-ups first: a call another follows up is protected.
        Call.objects.filter(pk__in=_every_third(step[1]), follow_ups__isnull=True).exclude(
            follow_up_of__isnull=True
        ).delete()
        Call.objects.filter(pk__in=_every_third(step[1]), follow_ups__isnull=True).delete()
    elif action == "save":
        call = Call.objects.order_by("pk").first()
        if call is not None:
            call.assignee = _agent(world, step[1])
            call.queue = QUEUES[step[1]]
            call.save()
    elif action == "fold":
        fold_deltas(batch_size=step[1])


def live_reference(client) -> dict:
    """(agent id or 0, queue) → rows and metrics, straight from their definitions."""
    found: dict = {}
    for call in Call.objects.filter(client=client, occurred_at__gte=WIDE[0]):
        if call.occurred_at >= WIDE[1]:
            continue
        row = found.setdefault(
            (call.assignee_id or 0, call.queue), {"rows": 0, **dict.fromkeys(METRICS, 0.0)}
        )
        inbound = call.direction == "inbound"
        answered = call.answered_at is not None
        talk = answered and call.talk_seconds is not None
        wait = inbound and call.wait_seconds is not None
        row["rows"] += 1
        row["fcr_answered"] += inbound and answered
        row["fcr_resolved"] += (
            inbound and answered and call.outcome == "resolved" and call.follow_up_of_id is None
        )
        row["talk_total"] += call.talk_seconds if talk else 0
        row["talk_count"] += talk
        row["wait_total"] += call.wait_seconds if wait else 0
        row["wait_count"] += wait
        row["abandoned"] += inbound and call.outcome in ("missed", "dropped")
        row["inbound"] += inbound
        row["qa_total"] += float(call.qa_score) if call.qa_score is not None else 0
        row["qa_count"] += call.qa_score is not None
    return found


def from_summaries(client) -> dict:
    read = period_totals(
        Call, client.pk, *WIDE, group_by=("team_id", "variant"), kind=CALLS_BY_AGENT_QUEUE
    )
    return {key: totals for key, totals in read.items() if totals["rows"]}


def assert_in_step(world) -> None:
    for client in (world.client_a, world.client_b):
        read, expected = from_summaries(client), live_reference(client)
        assert read.keys() == expected.keys()
        for key, totals in expected.items():
            assert read[key] == pytest.approx(totals), key


@pytest.mark.django_db
def test_the_agent_and_queue_summary_equals_a_live_count_after_any_writes(world):
    @PROPERTY
    @given(st.lists(steps, min_size=1, max_size=8))
    def check(sequence):
        with transaction.atomic():
            for step in sequence:
                _apply(world, step)
            assert_in_step(world)
            fold_deltas()
            assert_in_step(world)
            transaction.set_rollback(True)

    check()


@pytest.mark.django_db
def test_a_rebuild_restores_the_agent_and_queue_summary(world):
    CallFactory(client=world.client_a, assignee=world.agent, queue=QUEUES[2], occurred_at=BASE)
    CallFactory(client=world.client_a, queue="", occurred_at=BASE, outcome="dropped")
    expected = from_summaries(world.client_a)
    assert set(expected) == {(world.agent.pk, QUEUES[2]), (0, "")}
    SummaryRow.objects.filter(kind=CALLS_BY_AGENT_QUEUE).delete()
    assert from_summaries(world.client_a) == {}

    call_command("rebuild_summaries", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert from_summaries(world.client_a) == expected
    assert_in_step(world)


def test_the_agent_and_queue_summary_has_its_own_triggers():
    calls = SPECS["calls.call"]
    by_agent = SPECS[CALLS_BY_AGENT_QUEUE]
    assert by_agent.table == calls.table
    assert by_agent.model_label == "calls.call"
    assert {by_agent.trigger_name(event) for event in ("ins", "upd", "del")}.isdisjoint(
        {calls.trigger_name(event) for event in ("ins", "upd", "del")}
    )
