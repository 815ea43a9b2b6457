"""Shared record services: create, edit, optimistic lock, assignment and bulk actions."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.core.choices import Severity, Status, TimelineKind
from apps.core.exceptions import StaleRecordError, TransitionError
from apps.core.services.records import (
    record_assign,
    record_change_status,
    record_create,
    record_update,
    records_bulk_assign,
    records_bulk_change_status,
)
from apps.core.services.timeline import timeline_for
from apps.interruptions.models import Interruption, InterruptionKind
from tests.factories import ClientAssignmentFactory, InterruptionFactory, UserFactory

pytestmark = pytest.mark.django_db


def _record(world, client=None, **values):
    return InterruptionFactory(client=client or world.client_a, **values)


def _entries(record, kind):
    return list(timeline_for(record).filter(kind=kind))


def _snapshot(record) -> dict:
    record.refresh_from_db()
    return {
        "title": record.title,
        "severity": record.severity,
        "status": record.status,
        "assignee_id": record.assignee_id,
        "team_id": record.team_id,
        "version": record.version,
        "services": sorted(record.affected_services.values_list("pk", flat=True)),
        "history_rows": record.history.count(),
        "timeline_rows": timeline_for(record).count(),
    }


# --- record_create ---------------------------------------------------------------------


def test_create_numbers_reports_and_logs_the_record(world):
    record = record_create(
        Interruption,
        actor=world.agent,
        values={
            "client": world.client_a,
            "kind": InterruptionKind.INCIDENT,
            "title": "Agents cannot log in to the CRM",
            "severity": Severity.SEV2,
            "occurred_at": timezone.now() - timedelta(minutes=20),
        },
        m2m={"affected_services": [world.service_a, world.service_a2]},
    )
    record.refresh_from_db()
    assert record.reference == f"INT-{timezone.now().year}-000001"
    assert record.reported_by == world.agent
    assert record.status == Status.NEW
    assert record.version == 1
    assert set(record.affected_services.all()) == {world.service_a, world.service_a2}
    (created,) = _entries(record, TimelineKind.CREATED)
    assert created.message == "Logged as SEV2 · High."
    assert created.actor == world.agent
    first = record.history.earliest()
    assert first.history_type == "+"
    assert first.history_user == world.agent


def test_create_keeps_an_explicit_reporter(world):
    record = record_create(
        Interruption,
        actor=world.lead,
        values={
            "client": world.client_a,
            "kind": InterruptionKind.INCIDENT,
            "title": "Reported by phone",
            "occurred_at": timezone.now(),
            "reported_by": world.agent,
        },
    )
    record.refresh_from_db()
    assert record.reported_by == world.agent


def test_create_refuses_invalid_values_and_saves_nothing(world):
    with pytest.raises(ValidationError) as caught:
        record_create(
            Interruption,
            actor=world.agent,
            values={"client": world.client_a, "kind": "incident", "occurred_at": timezone.now()},
        )
    assert "title" in caught.value.message_dict
    assert Interruption.objects.count() == 0


# --- record_update and the optimistic lock -----------------------------------------------


def test_update_applies_changes_bumps_version_and_logs(world):
    record = _record(world, title="CRM slow", severity=Severity.SEV3)
    updated = record_update(
        record,
        actor=world.lead,
        changes={"title": "CRM down", "severity": Severity.SEV1},
        expected_version=1,
    )
    record.refresh_from_db()
    assert updated.version == record.version == 2
    assert (record.title, record.severity) == ("CRM down", Severity.SEV1)
    (entry,) = _entries(record, TimelineKind.EDIT)
    assert entry.message == "Changed title, severity, resolution due."
    assert entry.data == {"fields": ["resolution_due", "severity", "title"]}
    assert entry.actor == world.lead
    latest = record.history.latest()
    assert latest.history_user == world.lead
    assert latest.history_change_reason == "Edited: title, severity, resolution due"


def test_update_without_real_changes_does_nothing(world):
    record = _record(world, title="CRM slow", affected_services=[world.service_a])
    before = _snapshot(record)
    returned = record_update(
        record,
        actor=world.lead,
        changes={"title": "CRM slow"},
        expected_version=1,
        m2m={"affected_services": [world.service_a]},
    )
    assert returned.version == 1
    assert _snapshot(record) == before


def test_update_of_many_to_many_alone_is_a_change(world):
    record = _record(world, affected_services=[world.service_a])
    record_update(
        record,
        actor=world.lead,
        changes={},
        expected_version=1,
        m2m={"affected_services": [world.service_a, world.service_a2]},
    )
    record.refresh_from_db()
    assert record.version == 2
    assert set(record.affected_services.all()) == {world.service_a, world.service_a2}
    (entry,) = _entries(record, TimelineKind.EDIT)
    assert entry.data == {"fields": ["affected_services"]}


def test_update_with_a_stale_version_raises_and_changes_nothing(world):
    record = _record(world, title="CRM slow", affected_services=[world.service_a])
    record_update(record, actor=world.agent, changes={"title": "First edit"}, expected_version=1)
    before = _snapshot(record)
    with pytest.raises(StaleRecordError) as caught:
        record_update(
            record,
            actor=world.lead,
            changes={"title": "Second edit", "severity": Severity.SEV1},
            expected_version=1,
            m2m={"affected_services": [world.service_a2]},
        )
    assert caught.value.expected_version == 1
    assert caught.value.record.version == 2
    assert str(caught.value) == (
        f"{record.reference} was changed by someone else since you opened it "
        "(version 1, now 2). Nothing was saved: reload the page to see their changes, "
        "then make yours again."
    )
    assert _snapshot(record) == before
    assert record.title == "First edit"


def test_update_that_breaks_a_rule_is_refused_and_rolled_back(world):
    record = _record(world)
    before = _snapshot(record)
    with pytest.raises(ValidationError) as caught:
        record_update(
            record,
            actor=world.lead,
            changes={"title": "New title", "ended_at": record.occurred_at - timedelta(hours=1)},
            expected_version=1,
        )
    assert caught.value.message_dict == {"ended_at": ["The end cannot be before the start."]}
    assert _snapshot(record) == before


def test_change_status_with_a_stale_version_raises_and_changes_nothing(world):
    record = _record(world)
    record_update(record, actor=world.agent, changes={"title": "Edited"}, expected_version=1)
    before = _snapshot(record)
    with pytest.raises(StaleRecordError):
        record_change_status(
            record, target=Status.IN_PROGRESS, actor=world.lead, expected_version=1
        )
    assert _snapshot(record) == before
    assert record.status == Status.NEW


def test_change_status_with_the_current_version_succeeds(world):
    record = _record(world)
    record_change_status(record, target=Status.IN_PROGRESS, actor=world.lead, expected_version=1)
    record.refresh_from_db()
    assert (record.status, record.version) == (Status.IN_PROGRESS, 2)


def test_assign_with_a_stale_version_raises_and_changes_nothing(world):
    record = _record(world)
    record_change_status(record, target=Status.IN_PROGRESS, actor=world.lead)
    before = _snapshot(record)
    with pytest.raises(StaleRecordError):
        record_assign(record, actor=world.lead, assignee=world.agent, expected_version=1)
    assert _snapshot(record) == before
    assert record.assignee is None


# --- record_assign -----------------------------------------------------------------------


def test_assign_person_and_team(world):
    record = _record(world)
    record_assign(
        record, actor=world.lead, assignee=world.agent, team=world.team_a2, expected_version=1
    )
    record.refresh_from_db()
    assert (record.assignee, record.team, record.version) == (world.agent, world.team_a2, 2)
    (entry,) = _entries(record, TimelineKind.ASSIGNMENT)
    assert entry.message == (
        f"Assigned to {world.agent.get_full_name()} and to team Acme Technical."
    )
    assert entry.actor == world.lead
    assert record.history.latest().history_user == world.lead


def test_assign_to_a_user_without_full_name_uses_the_username(world):
    nameless = UserFactory(username="nameless", first_name="", last_name="")
    ClientAssignmentFactory(client=world.client_a, user=nameless)
    record = _record(world)
    record_assign(record, actor=world.lead, assignee=nameless)
    (entry,) = _entries(record, TimelineKind.ASSIGNMENT)
    assert entry.message == "Assigned to nameless."


def test_assign_to_someone_assigned_directly_to_the_client(world):
    record = _record(world)
    record_assign(record, actor=world.lead, assignee=world.auditor)
    record.refresh_from_db()
    assert record.assignee == world.auditor


def test_assign_to_the_current_assignee_changes_nothing(world):
    record = _record(world, assignee=world.agent, team=world.team_a1)
    before = _snapshot(record)
    record_assign(record, actor=world.lead, assignee=world.agent, team=world.team_a1)
    assert _snapshot(record) == before


def test_assign_to_someone_who_does_not_work_for_the_client_is_refused(world):
    record = _record(world)
    before = _snapshot(record)
    with pytest.raises(ValidationError) as caught:
        record_assign(record, actor=world.lead, assignee=world.agent_b)
    assert caught.value.message_dict == {"assignee": ["agent_b does not work for Acme Retail."]}
    assert _snapshot(record) == before


def test_assign_to_an_inactive_user_is_refused(world):
    world.agent.is_active = False
    world.agent.save()
    record = _record(world)
    with pytest.raises(ValidationError) as caught:
        record_assign(record, actor=world.lead, assignee=world.agent)
    assert set(caught.value.message_dict) == {"assignee"}
    record.refresh_from_db()
    assert record.assignee is None


def test_assign_to_a_team_not_serving_the_client_is_refused(world):
    record = _record(world)
    before = _snapshot(record)
    with pytest.raises(ValidationError) as caught:
        record_assign(record, actor=world.lead, assignee=world.agent, team=world.team_b1)
    # The person is fine, but the whole assignment is refused: nothing half-done.
    assert caught.value.message_dict == {
        "team": ["Globex Frontline (T1) does not serve Acme Retail."]
    }
    assert _snapshot(record) == before


def test_assign_with_both_parts_wrong_reports_both(world):
    record = _record(world)
    with pytest.raises(ValidationError) as caught:
        record_assign(record, actor=world.lead, assignee=world.agent_b, team=world.team_b1)
    assert set(caught.value.message_dict) == {"assignee", "team"}


# --- bulk actions ------------------------------------------------------------------------


@pytest.fixture
def queue(world):
    """Three records of client A (in pk order) and one of client B."""
    own = [_record(world, title=f"A{number}") for number in range(3)]
    other = _record(world, client=world.client_b, title="B0")
    return own, other


def test_bulk_assign_changes_the_actors_records_only(world, queue):
    own, other = queue
    other_before = _snapshot(other)
    result = records_bulk_assign(
        Interruption,
        actor=world.lead,
        pks=[record.pk for record in [*own, other]],
        assignee=world.agent,
        team=world.team_a2,
    )
    assert result.done == [record.reference for record in own]
    assert result.refused == []
    for record in own:
        record.refresh_from_db()
        assert (record.assignee, record.team, record.version) == (world.agent, world.team_a2, 2)
        latest = record.history.latest()
        assert latest.history_user == world.lead
        assert latest.assignee_id == world.agent.pk
        assert len(_entries(record, TimelineKind.ASSIGNMENT)) == 1
    assert _snapshot(other) == other_before


def test_bulk_assign_reports_the_records_it_refused(world, queue):
    own, other = queue
    manager = UserFactory(username="manager")
    ClientAssignmentFactory(client=world.client_a, user=manager)
    ClientAssignmentFactory(client=world.client_b, user=manager)
    result = records_bulk_assign(
        Interruption, actor=manager, pks=[own[0].pk, other.pk], assignee=world.agent
    )
    assert result.done == [own[0].reference]
    assert result.refused == [(other.reference, "agent does not work for Globex Telecom.")]
    other.refresh_from_db()
    assert other.assignee is None
    assert other.version == 1
    own[0].refresh_from_db()
    assert own[0].assignee == world.agent
    assert own[0].history.latest().history_user == manager


def test_bulk_actions_by_an_outsider_touch_and_report_nothing(world, queue):
    own, _ = queue
    befores = [_snapshot(record) for record in own]
    pks = [record.pk for record in own]
    assigned = records_bulk_assign(Interruption, actor=world.agent_b, pks=pks, assignee=None)
    moved = records_bulk_change_status(
        Interruption, actor=world.agent_b, pks=pks, target=Status.IN_PROGRESS
    )
    assert (assigned.done, assigned.refused) == ([], [])
    assert (moved.done, moved.refused) == ([], [])
    assert [_snapshot(record) for record in own] == befores


def test_bulk_change_status_moves_what_it_may_and_reports_the_rest(world, queue):
    own, other = queue
    record_change_status(own[1], target=Status.IN_PROGRESS, actor=world.agent)
    other_before = _snapshot(other)
    result = records_bulk_change_status(
        Interruption,
        actor=world.lead,
        pks=[record.pk for record in [*own, other]],
        target=Status.ON_HOLD,
    )
    assert result.done == [own[1].reference]
    assert result.refused == [
        (own[0].reference, f"{own[0].reference} cannot move from New to On hold."),
        (own[2].reference, f"{own[2].reference} cannot move from New to On hold."),
    ]
    statuses = {record.reference: record.status for record in Interruption.objects.all()}
    assert statuses == {
        own[0].reference: Status.NEW,
        own[1].reference: Status.ON_HOLD,
        own[2].reference: Status.NEW,
        other.reference: Status.NEW,
    }
    assert _snapshot(other) == other_before


def test_bulk_change_status_records_each_change_in_history(world, queue):
    own, other = queue
    result = records_bulk_change_status(
        Interruption, actor=world.lead, pks=[record.pk for record in own], target="in_progress"
    )
    assert result.done == [record.reference for record in own]
    for record in own:
        versions = list(record.history.order_by("history_date", "pk"))
        assert [version.status for version in versions] == [Status.NEW, Status.IN_PROGRESS]
        assert versions[-1].history_user == world.lead
        assert versions[-1].history_change_reason == "New → In progress"
        (entry,) = _entries(record, TimelineKind.STATUS)
        assert entry.actor == world.lead
    assert other.history.count() == 1


def test_bulk_cancel_without_a_reason_refuses_every_record(world, queue):
    own, _ = queue
    result = records_bulk_change_status(
        Interruption, actor=world.lead, pks=[record.pk for record in own], target="cancelled"
    )
    assert result.done == []
    assert result.refused == [
        (record.reference, "Give a reason to cancel a record.") for record in own
    ]
    assert set(Interruption.objects.values_list("status", flat=True)) == {Status.NEW}


def test_bulk_cancel_with_a_reason(world, queue):
    own, _ = queue
    result = records_bulk_change_status(
        Interruption,
        actor=world.lead,
        pks=[own[0].pk, own[2].pk],
        target=Status.CANCELLED,
        reason="Raised in error.",
    )
    assert result.done == [own[0].reference, own[2].reference]
    own[0].refresh_from_db()
    assert (own[0].status, own[0].cancel_reason) == (Status.CANCELLED, "Raised in error.")
    own[1].refresh_from_db()
    assert own[1].status == Status.NEW


def test_bulk_close_reports_what_each_record_is_missing(world):
    ready = _record(
        world,
        status=Status.RESOLVED,
        root_cause_category="technology",
        root_cause_analysis="Disk full.",
        resolution="Disk cleaned.",
        ended_at=timezone.now() - timedelta(minutes=5),
    )
    unready = _record(world, status=Status.RESOLVED, root_cause_category="people")
    result = records_bulk_change_status(
        Interruption, actor=world.lead, pks=[ready.pk, unready.pk], target=Status.CLOSED
    )
    assert result.done == [ready.reference]
    ((reference, reason),) = result.refused
    assert reference == unready.reference
    assert reason == (
        "Describe the root cause before closing. Describe the resolution before closing. "
        "Record when the interruption ended before closing."
    )
    unready.refresh_from_db()
    assert unready.status == Status.RESOLVED


def test_bulk_result_ignores_unknown_ids(world, queue):
    own, _ = queue
    result = records_bulk_change_status(
        Interruption, actor=world.lead, pks=[own[0].pk, 999_999], target=Status.IN_PROGRESS
    )
    assert result.done == [own[0].reference]
    assert result.refused == []


def test_transition_error_is_a_validation_error(world):
    # Views and bulk actions rely on catching ValidationError for workflow refusals too.
    assert issubclass(TransitionError, ValidationError)
