"""Tier stays kept in step with the history: after any sequence of what people and the sweep
do to escalations, the stored stays say what the history says, read the slow way — raised
tier, moves and stays from the versions one by one, as the report defined them before they
were stored."""

import contextlib
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.core.choices import Severity, Status, Tier
from apps.core.exceptions import StaleRecordError, TransitionError
from apps.core.services.records import (
    record_assign,
    record_change_status,
    records_bulk_change_status,
)
from apps.escalations.models import Escalation, EscalationMatrix, MatrixStep, TierStay
from apps.escalations.services import (
    escalation_create,
    escalation_move_tier,
    escalation_record_first_response,
    escalation_update,
)
from apps.escalations.sweep import escalation_sweep
from apps.escalations.tier_stays import refresh_tier_stays
from tests.factories import TeamFactory, TeamMembershipFactory, UserFactory
from tests.factories_escalations import EscalationCategoryFactory, EscalationFactory
from tests.reports.examples import report_examples

pytestmark = pytest.mark.django_db

History = Escalation.history.model
OPEN = set(Status.open_values())
TARGETS = [
    Status.IN_PROGRESS,
    Status.ON_HOLD,
    Status.RESOLVED,
    Status.CLOSED,
    Status.CANCELLED,
]
REFUSED = (ValidationError, TransitionError, StaleRecordError)


@pytest.fixture
def teams(world):
    """A team per tier for client A, and a matrix moving tier 1 on after 30 min, tier 2 after
    60 (no calendar: 24×7)."""
    team_a3 = TeamFactory(name="Acme Experts", tier=Tier.EXPERT, clients=[world.client_a])
    TeamMembershipFactory(team=team_a3, user=UserFactory(username="expert"))
    matrix = EscalationMatrix.objects.create(client=world.client_a)
    for tier, team, minutes in ((1, world.team_a1, 30), (2, world.team_a2, 60), (3, team_a3, 90)):
        MatrixStep.objects.create(matrix=matrix, tier=tier, team=team, minutes_allowed=minutes)
    return {Tier.FRONTLINE: world.team_a1, Tier.TECHNICAL: world.team_a2, Tier.EXPERT: team_a3}


def expected(escalation: Escalation) -> tuple:
    """(raised tier, moves, stays) of `escalation` read from its history version by version:
    its raised tier is its first version's; a move is a version whose tier differs from the
    one before; a stay runs from entering a tier open (raised: when escalated) until the
    tier or being open changes. Without history: raised at its tier, waiting there from when
    escalated until resolved or closed."""
    history = History.objects.filter(id=escalation.pk).order_by("history_date", "history_id")
    steps = [(h.history_date, h.tier, h.status in OPEN) for h in history]
    if not steps:
        steps = [(escalation.occurred_at, escalation.tier, True)]
        if escalation.status not in OPEN:
            ended = escalation.resolved_at or escalation.closed_at or escalation.updated_at
            steps = sorted([*steps, (ended, escalation.tier, False)], key=lambda step: step[0])
    moves = [
        (when, before, after)
        for (_, before, _), (when, after, _) in zip(steps, steps[1:], strict=False)
        if before != after
    ]
    stays, current = [], None
    for index, (when, tier, is_open) in enumerate(steps):
        state = tier if is_open else 0
        if current is not None and current[1] == state:
            continue
        if current is not None and current[1]:
            stays.append((current[0], current[1], when))
        current = (escalation.occurred_at if index == 0 else when, state)
    if current is not None and current[1]:
        stays.append((current[0], current[1], None))
    return steps[0][1], moves, stays


def stored(escalation: Escalation) -> tuple:
    spells = list(TierStay.objects.filter(escalation=escalation).order_by("seq"))
    assert [spell.seq for spell in spells] == list(range(1, len(spells) + 1))
    assert {spell.client_id for spell in spells} == {escalation.client_id}
    moves = [(s.entered_at, s.moved_from, s.tier) for s in spells if s.moved_from is not None]
    stays = [(s.entered_at, s.tier, s.left_at) for s in spells if s.waiting]
    return spells[0].tier, moves, stays


actions = st.lists(
    st.one_of(
        st.tuples(st.just("create"), st.sampled_from(Tier.values), st.integers(1, 48)),
        st.tuples(st.just("bulk_loaded"), st.sampled_from(Tier.values), st.sampled_from(TARGETS)),
        st.tuples(st.just("move"), st.integers(0, 9), st.sampled_from(Tier.values)),
        st.tuples(st.just("status"), st.integers(0, 9), st.sampled_from(TARGETS)),
        st.tuples(st.just("bulk_status"), st.integers(0, 9), st.sampled_from(TARGETS)),
        st.tuples(st.just("first_response"), st.integers(0, 9), st.just(None)),
        st.tuples(st.just("raised_earlier"), st.integers(0, 9), st.integers(1, 24)),
        st.tuples(st.just("assign"), st.integers(0, 9), st.sampled_from(Tier.values)),
        st.tuples(st.just("sweep"), st.integers(0, 6), st.just(None)),
        st.tuples(st.just("sweep"), st.integers(0, 6), st.just(None)),
    ),
    min_size=1,
    max_size=14,
)


def _act(world, teams, category, made: list, action: tuple) -> None:
    kind, which, value = action
    now = timezone.now()
    if kind == "create":
        made.append(
            escalation_create(
                actor=world.agent,
                values={
                    "client": world.client_a,
                    "title": "Customer charged twice",
                    "severity": Severity.SEV2,
                    "origin": "customer",
                    "channel": "voice",
                    "category": category,
                    "reason": "Refund refused twice at the frontline.",
                    "occurred_at": now - timedelta(hours=value),
                    "tier": which,
                    "team": teams[which],
                    "resolution_steps": "Refunded.",
                    "outcome": "Customer satisfied.",
                },
            )
        )
        return
    if kind == "bulk_loaded":  # loaded in bulk, with no history, before the stays existed
        finished = value in (Status.RESOLVED, Status.CLOSED)
        escalation = EscalationFactory(
            client=world.client_a,
            category=category,
            tier=which,
            team=teams[which],
            status=value,
            resolved_at=now - timedelta(hours=1) if finished else None,
            closed_at=now - timedelta(hours=1) if value == Status.CLOSED else None,
            cancel_reason="Withdrawn." if value == Status.CANCELLED else "",
            resolution_steps="Refunded.",
            outcome="Customer satisfied.",
        )
        History.objects.filter(id=escalation.pk).delete()
        refresh_tier_stays([escalation.pk])
        made.append(escalation)
        return
    if kind == "sweep":
        escalation_sweep(now=now + timedelta(minutes=30 * which))
        return
    if not made:
        return
    escalation = Escalation.objects.get(pk=made[which % len(made)].pk)
    if kind == "move":
        escalation_move_tier(
            escalation, tier=value, team=teams[value], reason="Next team.", actor=world.lead
        )
    elif kind == "status":
        record_change_status(escalation, target=value, actor=world.lead, reason="As agreed.")
    elif kind == "bulk_status":
        records_bulk_change_status(
            Escalation, actor=world.lead, pks=[escalation.pk], target=value, reason="As agreed."
        )
    elif kind == "first_response":
        escalation_record_first_response(escalation, actor=world.agent)
    elif kind == "raised_earlier":
        escalation_update(
            escalation,
            actor=world.lead,
            changes={"occurred_at": escalation.occurred_at - timedelta(hours=value)},
            expected_version=escalation.version,
        )
    elif kind == "assign":
        record_assign(escalation, actor=world.lead, team=teams[value])


@settings(
    max_examples=report_examples(),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=actions)
def test_stored_stays_are_those_of_the_history(world, teams, steps):
    Escalation.objects.filter(client=world.client_a).delete()
    History.objects.filter(client_id=world.client_a.pk).delete()
    category = EscalationCategoryFactory()
    made: list[Escalation] = []
    for action in steps:
        with contextlib.suppress(*REFUSED):  # refused as it would be on the page
            _act(world, teams, category, made, action)
    for escalation in Escalation.objects.filter(client=world.client_a):
        assert stored(escalation) == expected(escalation), escalation.reference


def test_a_move_and_a_resolution_leave_three_spells(world, teams):
    category = EscalationCategoryFactory()
    made: list[Escalation] = []
    _act(world, teams, category, made, ("create", Tier.FRONTLINE, 5))
    _act(world, teams, category, made, ("status", 0, Status.IN_PROGRESS))
    _act(world, teams, category, made, ("move", 0, Tier.TECHNICAL))
    _act(world, teams, category, made, ("status", 0, Status.RESOLVED))

    escalation = Escalation.objects.get(pk=made[0].pk)
    spells = list(TierStay.objects.filter(escalation=escalation).order_by("seq"))
    assert [(s.tier, s.waiting, s.moved_from) for s in spells] == [
        (Tier.FRONTLINE, True, None),
        (Tier.TECHNICAL, True, Tier.FRONTLINE),
        (Tier.TECHNICAL, False, None),
    ]
    assert spells[0].entered_at == escalation.occurred_at
    assert spells[0].left_at == spells[1].entered_at
    assert spells[1].left_at == spells[2].entered_at == escalation.resolved_at
    assert spells[2].left_at is None
