"""Escalation services: creation with default due times, tier moves, first response, closing."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from apps.core.choices import LinkRelation, Severity, Status, Tier, TimelineKind
from apps.core.exceptions import StaleRecordError, TransitionError
from apps.core.models import RecordLink, TimelineEntry
from apps.core.services.records import record_change_status
from apps.core.targets import default_due_times
from apps.escalations.models import Escalation
from apps.escalations.services import (
    escalation_create,
    escalation_move_tier,
    escalation_record_first_response,
    escalation_update,
)
from tests.factories import InterruptionFactory, TeamFactory, TeamMembershipFactory
from tests.factories_escalations import EscalationCategoryFactory, EscalationFactory

pytestmark = pytest.mark.django_db
RAISED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def values(world, **overrides) -> dict:
    return {
        "client": world.client_a,
        "title": "Customer charged twice",
        "severity": Severity.SEV2,
        "origin": "customer",
        "channel": "voice",
        "category": EscalationCategoryFactory(),
        "reason": "Refund refused twice at the frontline.",
        "occurred_at": RAISED,
        "team": world.team_a1,
        **overrides,
    }


def timeline(record, kind=None) -> list[str]:
    entries = TimelineEntry.objects.filter(object_id=record.pk, content_type__model="escalation")
    if kind:
        entries = entries.filter(kind=kind)
    return list(entries.order_by("id").values_list("message", flat=True))


@pytest.mark.parametrize(
    ("severity", "first", "resolution"),
    [
        (Severity.SEV1, timedelta(minutes=30), timedelta(hours=4)),
        (Severity.SEV2, timedelta(hours=1), timedelta(hours=8)),
        (Severity.SEV3, timedelta(hours=4), timedelta(hours=24)),
        (Severity.SEV4, timedelta(hours=8), timedelta(hours=72)),
    ],
)
def test_due_times_default_from_the_severity(world, severity, first, resolution):
    assert default_due_times(severity, RAISED) == (RAISED + first, RAISED + resolution)

    created = escalation_create(actor=world.agent, values=values(world, severity=severity))

    created.refresh_from_db()
    assert created.reference.startswith("ESC-")
    assert created.first_response_due == RAISED + first
    assert created.resolution_due == RAISED + resolution
    assert created.reported_by == world.agent
    assert created.tier == Tier.FRONTLINE


def test_due_times_entered_are_kept(world):
    entered = {
        "first_response_due": RAISED + timedelta(minutes=10),
        "resolution_due": RAISED + timedelta(days=2),
    }
    created = escalation_create(actor=world.agent, values=values(world, **entered))

    created.refresh_from_db()
    assert created.first_response_due == RAISED + timedelta(minutes=10)
    assert created.resolution_due == RAISED + timedelta(days=2)


def test_due_times_emptied_on_edit_fall_back_to_the_new_severity(world):
    created = escalation_create(actor=world.agent, values=values(world))

    updated = escalation_update(
        created,
        actor=world.agent,
        changes={"severity": Severity.SEV1, "first_response_due": None, "resolution_due": None},
        expected_version=created.version,
    )

    updated.refresh_from_db()
    assert updated.first_response_due == RAISED + timedelta(minutes=30)
    assert updated.resolution_due == RAISED + timedelta(hours=4)
    assert updated.version == 2


def test_due_before_raising_is_refused(world):
    with pytest.raises(ValidationError) as error:
        escalation_create(
            actor=world.agent, values=values(world, resolution_due=RAISED - timedelta(hours=1))
        )
    assert "resolution_due" in error.value.error_dict
    assert not Escalation.objects.exists()


def test_creation_links_the_origin_as_its_cause(world):
    interruption = InterruptionFactory(client=world.client_a)

    created = escalation_create(actor=world.agent, values=values(world), origin=interruption)

    link = RecordLink.objects.get()
    assert (link.source_id, link.target_id, link.relation) == (
        created.pk,
        interruption.pk,
        LinkRelation.CAUSED_BY,
    )
    assert timeline(created, TimelineKind.LINK) == [f"Linked: caused by {interruption.reference}."]


def test_origin_of_another_client_is_refused_and_nothing_is_created(world):
    interruption = InterruptionFactory(client=world.client_b)

    with pytest.raises(ValidationError):
        escalation_create(actor=world.agent, values=values(world), origin=interruption)

    assert not Escalation.objects.exists()
    assert not RecordLink.objects.exists()


# --- tier moves ----------------------------------------------------------------------------


@pytest.fixture
def escalation(world):
    return EscalationFactory(
        client=world.client_a, team=world.team_a1, assignee=world.agent, tier=Tier.FRONTLINE
    )


def test_move_up_hands_it_to_the_team_of_that_tier(world, escalation):
    moved = escalation_move_tier(
        escalation,
        tier=Tier.TECHNICAL,
        team=world.team_a2,
        reason="Needs a database fix",
        actor=world.lead,
        expected_version=escalation.version,
    )

    escalation.refresh_from_db()
    assert (escalation.tier, escalation.team, escalation.version) == (2, world.team_a2, 2)
    # The agent is not in the technical team, so the escalation waits for that team to take it.
    assert escalation.assignee is None
    assert moved.pk == escalation.pk
    message = (
        "Moved up from Tier 1 · Frontline to Tier 2 · Technical, team Acme Technical "
        "(unassigned): Needs a database fix"
    )
    assert timeline(escalation, TimelineKind.ASSIGNMENT) == [message]
    entry = TimelineEntry.objects.get(kind=TimelineKind.ASSIGNMENT, object_id=escalation.pk)
    assert entry.actor == world.lead
    assert entry.data == {
        "from_tier": 1,
        "to_tier": 2,
        "team": world.team_a2.pk,
        "reason": "Needs a database fix",
    }
    latest = escalation.history.first()
    assert (latest.tier, latest.history_user, latest.history_change_reason) == (
        2,
        world.lead,
        "Moved to Tier 2 · Technical: Needs a database fix",
    )


def test_a_long_reason_is_kept_whole_on_the_timeline_and_in_history(world, escalation):
    reason = "Customer has called six times about the same fault; " * 4

    escalation_move_tier(escalation, tier=2, team=world.team_a2, reason=reason, actor=world.lead)

    escalation.refresh_from_db()
    assert timeline(escalation, TimelineKind.ASSIGNMENT)[0].endswith(reason.strip())
    change_reason = escalation.history.first().history_change_reason
    assert change_reason.endswith(reason.strip())


def test_move_keeps_an_assignee_who_is_in_the_new_team(world, escalation):
    TeamMembershipFactory(team=world.team_a2, user=world.agent)

    escalation_move_tier(
        escalation, tier=2, team=world.team_a2, reason="Technical", actor=world.lead
    )

    escalation.refresh_from_db()
    assert escalation.assignee == world.agent


def test_move_down_is_allowed(world, escalation):
    escalation_move_tier(escalation, tier=2, team=world.team_a2, reason="up", actor=world.lead)
    escalation.refresh_from_db()

    escalation_move_tier(escalation, tier=1, team=world.team_a1, reason="Fixed", actor=world.lead)

    escalation.refresh_from_db()
    assert (escalation.tier, escalation.team) == (1, world.team_a1)
    assert timeline(escalation, TimelineKind.ASSIGNMENT)[-1].startswith(
        "Moved down from Tier 2 · Technical to Tier 1 · Frontline"
    )


@pytest.mark.parametrize(
    ("tier", "team", "reason", "field"),
    [
        (1, "team_a1", "Again", "tier"),
        (2, "team_a2", "  ", "reason"),
        (2, "team_a1", "Wrong tier team", "team"),
        (1, "team_b1", "Other client", "team"),
        (4, "team_a2", "No such tier", "tier"),
        (2, None, "No team", "team"),
    ],
)
def test_invalid_moves_are_refused_and_change_nothing(world, escalation, tier, team, reason, field):
    with pytest.raises(ValidationError) as error:
        escalation_move_tier(
            escalation,
            tier=tier,
            team=getattr(world, team) if team else None,
            reason=reason,
            actor=world.lead,
        )

    assert field in error.value.error_dict
    escalation.refresh_from_db()
    assert (escalation.tier, escalation.team, escalation.version) == (1, world.team_a1, 1)
    assert timeline(escalation, TimelineKind.ASSIGNMENT) == []


def test_a_closed_escalation_does_not_move(world):
    closed = EscalationFactory(client=world.client_a, status=Status.CANCELLED, cancel_reason="x")

    with pytest.raises(ValidationError, match="no longer open"):
        escalation_move_tier(closed, tier=2, team=world.team_a2, reason="Late", actor=world.lead)


def test_a_stale_move_is_refused(world, escalation):
    with pytest.raises(StaleRecordError):
        escalation_move_tier(
            escalation,
            tier=2,
            team=world.team_a2,
            reason="Technical",
            actor=world.lead,
            expected_version=escalation.version - 1,
        )
    escalation.refresh_from_db()
    assert escalation.tier == 1


def test_tier_three_team_of_the_client(world, escalation):
    expert = TeamFactory(name="Acme Service Management", tier=Tier.EXPERT, clients=[world.client_a])

    escalation_move_tier(escalation, tier=3, team=expert, reason="Complaint", actor=world.lead)

    escalation.refresh_from_db()
    assert (escalation.tier, escalation.team) == (3, expert)


# --- first response ------------------------------------------------------------------------


def test_first_response_is_recorded_once(world, escalation):
    at = escalation.occurred_at + timedelta(minutes=20)

    escalation_record_first_response(escalation, actor=world.agent, at=at, expected_version=1)

    escalation.refresh_from_db()
    assert (escalation.first_response_at, escalation.version) == (at, 2)
    assert timeline(escalation, TimelineKind.EDIT) == ["First response recorded."]

    with pytest.raises(ValidationError, match="already recorded"):
        escalation_record_first_response(escalation, actor=world.lead)
    escalation.refresh_from_db()
    assert (escalation.first_response_at, escalation.version) == (at, 2)


def test_first_response_after_its_due_time_says_so(world, escalation):
    late = escalation.first_response_due + timedelta(minutes=5)

    escalation_record_first_response(escalation, actor=world.agent, at=late)

    assert timeline(escalation, TimelineKind.EDIT) == [
        "First response recorded, after its due time."
    ]


def test_first_response_on_a_stale_copy_is_refused_after_someone_recorded_it(world, escalation):
    stale = Escalation.objects.get(pk=escalation.pk)
    escalation_record_first_response(escalation, actor=world.agent)

    with pytest.raises(ValidationError, match="already recorded"):
        escalation_record_first_response(stale, actor=world.lead)


# --- closing -------------------------------------------------------------------------------


def test_closing_needs_resolution_steps_and_outcome(world):
    escalation = EscalationFactory(client=world.client_a, status=Status.RESOLVED)

    with pytest.raises(TransitionError) as error:
        record_change_status(escalation, target=Status.CLOSED, actor=world.lead)

    assert set(error.value.error_dict) == {"resolution_steps", "outcome"}
    escalation.refresh_from_db()
    assert escalation.status == Status.RESOLVED

    Escalation.objects.filter(pk=escalation.pk).update(
        resolution_steps="Refund issued by billing.", outcome="Customer refunded in full."
    )
    escalation.refresh_from_db()
    record_change_status(escalation, target=Status.CLOSED, actor=world.lead)

    escalation.refresh_from_db()
    assert escalation.status == Status.CLOSED
    assert escalation.closed_at is not None
