"""The time-based sweep: warnings, tier moves, breaches, holds, matrix copies, re-runs."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core.choices import Severity, Status, Tier, TimelineKind
from apps.core.services.records import record_change_status
from apps.core.services.timeline import timeline_for
from apps.escalations import sweep as sweep_module
from apps.escalations.models import Escalation, EscalationMatrix, MatrixStep
from apps.escalations.services import escalation_create
from apps.escalations.sweep import escalation_sweep
from apps.notifications.models import Notification
from tests.factories import TeamFactory, TeamMembershipFactory, UserFactory
from tests.factories_escalations import EscalationCategoryFactory

pytestmark = pytest.mark.django_db

MIN = timedelta(minutes=1)


@pytest.fixture
def matrix(world):
    """Tier 1 for 30 min, tier 2 for 60, tier 3 for 120 (no calendar: 24×7)."""
    team_a3 = TeamFactory(name="Acme Experts", tier=Tier.EXPERT, clients=[world.client_a])
    expert = UserFactory(username="expert")
    TeamMembershipFactory(team=team_a3, user=expert)
    TeamMembershipFactory(team=world.team_a2, user=UserFactory(username="tech"))
    world.team_a2.lead = UserFactory(username="techlead")
    world.team_a2.save()
    matrix = EscalationMatrix.objects.create(client=world.client_a)
    for tier, team, minutes in ((1, world.team_a1, 30), (2, world.team_a2, 60), (3, team_a3, 120)):
        MatrixStep.objects.create(matrix=matrix, tier=tier, team=team, minutes_allowed=minutes)
    return matrix


@pytest.fixture
def category(db):
    return EscalationCategoryFactory()


def _escalate(world, category, start, **values):
    return escalation_create(
        actor=world.agent,
        values={
            "client": world.client_a,
            "title": "Customer cut off twice",
            "severity": Severity.SEV2,
            "origin": "customer",
            "channel": "voice",
            "category": category,
            "reason": "Two failed callbacks",
            "occurred_at": start,
            **values,
        },
    )


def _kinds(record) -> list[str]:
    return [entry.kind for entry in timeline_for(record)]


def test_entering_the_matrix_copies_its_steps_and_starts_tier_one(world, matrix, category):
    start = timezone.now()
    escalation = _escalate(world, category, start)
    assert [step["minutes"] for step in escalation.matrix_steps] == [30, 60, 120]
    assert escalation.team == world.team_a1
    assert escalation.tier_deadline == start + 30 * MIN
    assert escalation.tier_warn_at == start + 24 * MIN


def test_warning_once_then_move_up_then_breach_each_once(world, matrix, category):
    start = timezone.now() - 300 * MIN
    escalation = _escalate(world, category, start, assignee=world.agent)

    assert escalation_sweep(now=start + 10 * MIN).as_dict()["warned"] == 0
    assert escalation_sweep(now=start + 25 * MIN).warned == 1
    assert escalation_sweep(now=start + 26 * MIN).warned == 0  # a re-run warns nobody twice

    moved = escalation_sweep(now=start + 31 * MIN)
    escalation.refresh_from_db()
    assert moved.moved == 1
    assert (escalation.tier, escalation.team) == (Tier.TECHNICAL, world.team_a2)
    assert escalation.assignee is None  # the agent is not in the technical team
    assert escalation.tier_entered_at == start + 30 * MIN
    assert escalation.tier_deadline == start + 90 * MIN
    assert escalation_sweep(now=start + 32 * MIN).moved == 0

    escalation_sweep(now=start + 95 * MIN)  # tier 2 ran out at +90
    escalation.refresh_from_db()
    assert escalation.tier == Tier.EXPERT
    assert escalation.tier_deadline == start + 210 * MIN

    breach = escalation_sweep(now=start + 211 * MIN)
    escalation.refresh_from_db()
    assert breach.breached == 1 and escalation.breached_at == start + 210 * MIN
    assert escalation_sweep(now=start + 299 * MIN).as_dict() | {"seconds": 0} == {
        "warned": 0,
        "moved": 0,
        "breached": 0,
        "rescheduled": 0,
        "seconds": 0,
    }
    assert _kinds(escalation).count(TimelineKind.ESCALATED) == 2
    assert _kinds(escalation).count(TimelineKind.BREACH) == 1
    assert _kinds(escalation).count(TimelineKind.WARNING) == 1
    reasons = [v.history_change_reason or "" for v in escalation.history.all()]
    assert any(reason.startswith("Moved up automatically") for reason in reasons)
    assert any(reason.startswith("Breached") for reason in reasons)


def test_a_late_sweep_moves_one_tier_per_run_and_skips_none(world, matrix, category):
    start = timezone.now() - 500 * MIN
    escalation = _escalate(world, category, start)
    late = start + 400 * MIN  # every tier ran out long ago
    assert escalation_sweep(now=late).moved == 1
    assert escalation_sweep(now=late).moved == 1
    assert escalation_sweep(now=late).breached == 1
    escalation.refresh_from_db()
    assert escalation.tier == Tier.EXPERT
    assert _kinds(escalation).count(TimelineKind.ESCALATED) == 2


def test_people_are_told_once_per_event(world, matrix, category):
    start = timezone.now() - 300 * MIN
    escalation = _escalate(world, category, start)
    for _ in range(2):
        escalation_sweep(now=start + 25 * MIN)
        escalation_sweep(now=start + 31 * MIN)
    told = Notification.objects.filter(object_id=escalation.pk)
    warned = {n.recipient.username for n in told if ":warning:" in n.event_key}
    moved = {n.recipient.username for n in told if ":tier2:" in n.event_key}
    assert warned == {"lead"}  # the tier 1 team lead
    assert moved == {"tech", "techlead"}
    assert told.count() == 3


def test_time_on_hold_does_not_count(world, matrix, category):
    start = timezone.now() - 200 * MIN
    escalation = _escalate(world, category, start)
    escalation = record_change_status(escalation, target=Status.IN_PROGRESS, actor=world.lead)
    escalation = record_change_status(escalation, target=Status.ON_HOLD, actor=world.lead)
    assert escalation_sweep(now=start + 40 * MIN).moved == 0  # on hold: not touched
    escalation = record_change_status(escalation, target=Status.IN_PROGRESS, actor=world.lead)
    # The hold lasted from +10 to +70 minutes.
    versions = list(escalation.history.order_by("history_date"))
    Escalation.history.filter(pk=versions[-2].pk).update(history_date=start + 10 * MIN)
    Escalation.history.filter(pk=versions[-1].pk).update(history_date=start + 70 * MIN)

    result = escalation_sweep(now=start + 45 * MIN)
    escalation.refresh_from_db()
    assert (result.moved, result.rescheduled) == (0, 1)
    assert escalation.tier == Tier.FRONTLINE
    assert escalation.tier_deadline == start + 90 * MIN  # 30 min of work + 60 on hold
    assert escalation_sweep(now=start + 91 * MIN).moved == 1


def test_a_resolved_escalation_is_told_about_no_more_and_resumes_if_reopened(
    world, matrix, category
):
    """Once someone has dealt with it, nothing more fires: no warning, move or notice."""
    start = timezone.now() - 300 * MIN
    escalation = _escalate(world, category, start)
    escalation = record_change_status(escalation, target=Status.IN_PROGRESS, actor=world.lead)
    escalation = record_change_status(escalation, target=Status.RESOLVED, actor=world.lead)
    for minutes in (25, 31, 100, 250):
        result = escalation_sweep(now=start + minutes * MIN)
        assert (result.warned, result.moved, result.breached) == (0, 0, 0)
    assert not Notification.objects.filter(object_id=escalation.pk).exists()

    record_change_status(escalation, target=Status.IN_PROGRESS, actor=world.lead)
    assert escalation_sweep(now=start + 31 * MIN).moved == 1


def test_a_matrix_edit_leaves_escalations_under_way_alone(world, matrix, category):
    start = timezone.now()
    before = _escalate(world, category, start)
    MatrixStep.objects.filter(matrix=matrix, tier=1).update(minutes_allowed=5)
    after = _escalate(world, category, start)
    assert before.matrix_steps[0]["minutes"] == 30
    assert after.matrix_steps[0]["minutes"] == 5
    assert escalation_sweep(now=start + 6 * MIN).moved == 1
    before.refresh_from_db()
    assert before.tier == Tier.FRONTLINE


def test_the_most_specific_matrix_applies(world, matrix, category):
    specific = EscalationMatrix.objects.create(
        client=world.client_a, category=category, severity=Severity.SEV1
    )
    MatrixStep.objects.create(matrix=specific, tier=1, team=world.team_a1, minutes_allowed=10)
    start = timezone.now()
    sev1 = _escalate(world, category, start, severity=Severity.SEV1)
    sev2 = _escalate(world, category, start, severity=Severity.SEV2)
    assert sev1.matrix_steps[0]["minutes"] == 10
    assert sev2.matrix_steps[0]["minutes"] == 30


def test_a_sweep_killed_half_way_loses_nothing_and_repeats_nothing(
    world, matrix, category, monkeypatch
):
    start = timezone.now() - 100 * MIN
    escalations = [_escalate(world, category, start) for _ in range(5)]
    real = sweep_module.notify_escalation_events
    calls = {"n": 0}

    def dies_on_second_batch(events):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker killed")
        return real(events)

    monkeypatch.setattr(sweep_module, "notify_escalation_events", dies_on_second_batch)
    with pytest.raises(RuntimeError):
        escalation_sweep(now=start + 31 * MIN, batch_size=2)
    assert Escalation.objects.filter(tier=Tier.TECHNICAL).count() == 2
    monkeypatch.setattr(sweep_module, "notify_escalation_events", real)
    assert escalation_sweep(now=start + 31 * MIN, batch_size=2).moved == 3
    for escalation in escalations:
        escalation.refresh_from_db()
        assert escalation.tier == Tier.TECHNICAL
        assert _kinds(escalation).count(TimelineKind.ESCALATED) == 1
