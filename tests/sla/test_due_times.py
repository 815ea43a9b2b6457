"""Due times follow the client's SLA: set at creation, recomputed from the start and history."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.core import targets
from apps.core.choices import Severity, Status, TimelineKind
from apps.core.models import TimelineEntry
from apps.core.services.records import record_change_status, record_update
from apps.escalations.services import (
    escalation_create,
    escalation_record_first_response,
    escalation_update,
)
from apps.interruptions.models import Interruption
from apps.sla.models import SlaPolicy
from apps.sla.services import due_times_for, sla_recompute, sla_recompute_open_records
from tests.factories import InterruptionFactory
from tests.factories_escalations import EscalationCategoryFactory
from tests.factories_sla import OFFICE_HOURS, BusinessCalendarFactory, SlaPolicyFactory
from tests.sla.conftest import frozen, london

pytestmark = pytest.mark.django_db

MONDAY_9 = london(2026, 3, 2, 9, 0)


@pytest.fixture
def office_sla(world):
    """Client A: Mon–Fri 09:00–17:00 London, SEV3 60/480 and SEV1 15/120 business minutes."""
    BusinessCalendarFactory(client=world.client_a, hours=OFFICE_HOURS)
    return {
        Severity.SEV3: SlaPolicyFactory(
            client=world.client_a,
            severity=Severity.SEV3,
            first_response_minutes=60,
            resolution_minutes=480,
        ),
        Severity.SEV1: SlaPolicyFactory(
            client=world.client_a,
            severity=Severity.SEV1,
            first_response_minutes=15,
            resolution_minutes=120,
        ),
    }


def move(record, target, when, actor):
    with frozen(when):
        return record_change_status(record, target=target, actor=actor)


def test_core_asks_the_policy_this_app_registers(world, office_sla):
    probe = Interruption(client=world.client_a, severity=Severity.SEV3, occurred_at=MONDAY_9)
    assert targets.resolution_due_for(probe) == london(2026, 3, 2, 17, 0)
    try:
        targets.register_due_time_policy(None)
        assert targets.resolution_due_for(probe) == MONDAY_9 + timedelta(hours=24)
    finally:
        targets.register_due_time_policy(due_times_for)
    assert targets.due_times_for(probe) == (london(2026, 3, 2, 10, 0), london(2026, 3, 2, 17, 0))


def test_without_a_policy_the_defaults_run_on_the_wall_clock(world, make_interruption):
    friday_evening = london(2026, 3, 6, 18, 0)
    record = make_interruption(friday_evening, severity=Severity.SEV1)
    assert record.resolution_due == friday_evening + timedelta(hours=4)
    BusinessCalendarFactory(client=world.client_a, hours=OFFICE_HOURS)  # no policy: no effect
    assert due_times_for(record) == (
        friday_evening + timedelta(minutes=30),
        friday_evening + timedelta(hours=4),
    )


def test_a_policy_without_a_calendar_counts_every_minute(world, make_interruption):
    SlaPolicyFactory(client=world.client_a, severity=Severity.SEV3, resolution_minutes=600)
    record = make_interruption(london(2026, 3, 6, 18, 0))
    assert record.resolution_due == london(2026, 3, 7, 4, 0)


def test_a_new_record_is_due_in_business_time(office_sla, make_interruption):
    record = make_interruption(london(2026, 3, 6, 16, 30))
    assert record.resolution_due == london(2026, 3, 9, 16, 30)


def test_an_inactive_policy_is_ignored(office_sla, make_interruption):
    SlaPolicy.objects.filter(severity=Severity.SEV3).update(active=False)
    record = make_interruption(MONDAY_9)
    assert record.resolution_due == MONDAY_9 + timedelta(hours=24)


def test_going_on_hold_stops_the_clock_and_coming_back_restarts_it(
    world, office_sla, make_interruption
):
    record = make_interruption(MONDAY_9)
    assert record.resolution_due == london(2026, 3, 2, 17, 0)
    record = move(record, Status.IN_PROGRESS, london(2026, 3, 2, 9, 30), world.agent)
    record = move(record, Status.ON_HOLD, london(2026, 3, 2, 11, 0), world.agent)
    record.refresh_from_db()
    assert record.resolution_due is None  # paused: no due time while on hold

    record = move(record, Status.IN_PROGRESS, london(2026, 3, 3, 10, 0), world.agent)
    record.refresh_from_db()
    # 2 h before the hold, 6 h after it from Tuesday 10:00.
    assert record.resolution_due == london(2026, 3, 3, 16, 0)
    assert record.history.latest().history_change_reason == "On hold → In progress"
    assert record.version == 4


def test_a_target_missed_before_the_hold_stays_missed(world, office_sla, make_interruption):
    record = make_interruption(MONDAY_9, severity=Severity.SEV1)
    record = move(record, Status.IN_PROGRESS, london(2026, 3, 2, 9, 30), world.agent)
    record = move(record, Status.ON_HOLD, london(2026, 3, 2, 15, 0), world.agent)
    record.refresh_from_db()
    assert record.resolution_due == london(2026, 3, 2, 11, 0)
    assert record.is_breached


def test_a_severity_change_recomputes_from_the_start_and_history(
    world, office_sla, make_interruption
):
    """No drift: there and back again lands exactly where it started, holds included."""
    record = make_interruption(MONDAY_9)
    record = move(record, Status.IN_PROGRESS, london(2026, 3, 2, 9, 30), world.agent)
    record = move(record, Status.ON_HOLD, london(2026, 3, 2, 11, 0), world.agent)
    record = move(record, Status.IN_PROGRESS, london(2026, 3, 3, 10, 0), world.agent)
    assert record.resolution_due == london(2026, 3, 3, 16, 0)

    with frozen(london(2026, 3, 3, 11, 0)):
        record = record_update(
            record,
            actor=world.lead,
            changes={"severity": Severity.SEV1},
            expected_version=record.version,
        )
    assert record.resolution_due == london(2026, 3, 2, 11, 0)  # 120 min from Monday 09:00
    assert record.history.latest().history_change_reason == "Edited: severity, resolution due"
    with frozen(london(2026, 3, 3, 12, 0)):
        record = record_update(
            record,
            actor=world.lead,
            changes={"severity": Severity.SEV3},
            expected_version=record.version,
        )
    assert record.resolution_due == london(2026, 3, 3, 16, 0)


def test_a_due_time_entered_with_the_severity_is_kept(world, office_sla, make_interruption):
    record = make_interruption(MONDAY_9)
    entered = london(2026, 3, 20, 12, 0)
    record = record_update(
        record,
        actor=world.lead,
        changes={"severity": Severity.SEV1, "resolution_due": entered},
        expected_version=record.version,
    )
    assert record.resolution_due == entered


@pytest.fixture
def escalation_values(world):
    return {
        "client": world.client_a,
        "title": "Customer charged twice",
        "severity": Severity.SEV3,
        "origin": "customer",
        "channel": "voice",
        "category": EscalationCategoryFactory(),
        "reason": "Refund refused twice at the frontline.",
        "occurred_at": MONDAY_9,
    }


def test_escalations_get_both_due_times_from_the_policy(world, office_sla, escalation_values):
    with frozen(MONDAY_9):
        escalation = escalation_create(actor=world.agent, values=escalation_values)
    assert escalation.first_response_due == london(2026, 3, 2, 10, 0)
    assert escalation.resolution_due == london(2026, 3, 2, 17, 0)

    with frozen(london(2026, 3, 2, 9, 20)):
        escalation = escalation_update(
            escalation,
            actor=world.lead,
            changes={"severity": Severity.SEV1, "first_response_due": None, "resolution_due": None},
            expected_version=escalation.version,
        )
    assert escalation.first_response_due == london(2026, 3, 2, 9, 15)
    assert escalation.resolution_due == london(2026, 3, 2, 11, 0)


def test_a_first_response_ends_its_clock_holds_after_it_do_not_move_it(
    world, office_sla, escalation_values
):
    with frozen(MONDAY_9):
        escalation = escalation_create(actor=world.agent, values=escalation_values)
    with frozen(london(2026, 3, 2, 9, 40)):
        escalation = escalation_record_first_response(escalation, actor=world.agent)
    escalation = move(escalation, Status.IN_PROGRESS, london(2026, 3, 2, 9, 45), world.agent)
    escalation = move(escalation, Status.ON_HOLD, london(2026, 3, 2, 9, 50), world.agent)
    escalation.refresh_from_db()
    assert escalation.first_response_due == london(2026, 3, 2, 10, 0)
    assert escalation.resolution_due is None
    escalation = move(escalation, Status.IN_PROGRESS, london(2026, 3, 2, 10, 50), world.agent)
    escalation.refresh_from_db()
    assert escalation.first_response_due == london(2026, 3, 2, 10, 0)
    assert escalation.resolution_due == london(2026, 3, 3, 10, 0)  # an hour later than 17:00


def test_sla_recompute_saves_only_a_difference_with_its_reason(
    world, office_sla, make_interruption
):
    record = make_interruption(MONDAY_9)
    versions = record.history.count()
    assert sla_recompute(record, actor=world.admin, reason="checked").version == record.version
    assert record.history.count() == versions

    SlaPolicy.objects.filter(pk=office_sla[Severity.SEV3].pk).update(resolution_minutes=600)
    updated = sla_recompute(record, actor=world.admin, reason="policy changed")

    assert updated.resolution_due == london(2026, 3, 3, 11, 0)
    assert updated.version == record.version + 1
    latest = updated.history.latest()
    assert latest.history_change_reason == (
        "Due times recomputed: policy changed; "
        "resolution due 2026-03-02 17:00 UTC → 2026-03-03 11:00 UTC."
    )
    assert latest.history_user == world.admin
    entry = TimelineEntry.objects.filter(object_id=record.pk, kind=TimelineKind.EDIT).get()
    assert entry.message == latest.history_change_reason
    assert entry.data["fields"] == ["resolution_due"]


def test_a_policy_change_recomputes_the_open_records_of_that_client_only(
    world, office_sla, make_interruption
):
    open_record = make_interruption(MONDAY_9)
    closed = make_interruption(MONDAY_9)
    move(closed, Status.IN_PROGRESS, london(2026, 3, 2, 9, 30), world.agent)
    Interruption.objects.filter(pk=closed.pk).update(status=Status.CANCELLED, cancel_reason="x")
    other = InterruptionFactory(client=world.client_b, occurred_at=MONDAY_9, resolution_due=None)

    SlaPolicy.objects.filter(pk=office_sla[Severity.SEV3].pk).update(resolution_minutes=600)
    changed = sla_recompute_open_records(world.client_a, actor=world.admin, reason="policy changed")

    assert changed == 1
    open_record.refresh_from_db()
    closed.refresh_from_db()
    other.refresh_from_db()
    assert open_record.resolution_due == london(2026, 3, 3, 11, 0)
    assert open_record.version == 2
    latest = open_record.history.latest()
    assert (latest.history_change_reason, latest.history_user) == (
        "Due times recomputed: policy changed; "
        "resolution due 2026-03-02 17:00 UTC → 2026-03-03 11:00 UTC.",
        world.admin,
    )
    assert latest.resolution_due == open_record.resolution_due
    assert closed.resolution_due == london(2026, 3, 2, 17, 0)
    assert other.resolution_due is None
    assert sla_recompute_open_records(world.client_a, reason="again") == 0


def test_recomputing_open_records_costs_the_same_queries_for_more_records(
    world, office_sla, make_interruption
):
    def queries_for(count: int) -> int:
        Interruption.objects.all().delete()
        for _ in range(count):
            record = make_interruption(MONDAY_9)
        move(record, Status.IN_PROGRESS, london(2026, 3, 2, 9, 30), world.agent)
        move(record, Status.ON_HOLD, london(2026, 3, 2, 10, 0), world.agent)
        SlaPolicy.objects.filter(pk=office_sla[Severity.SEV3].pk).update(
            resolution_minutes=400 + count
        )
        with CaptureQueriesContext(connection) as captured:
            changed = sla_recompute_open_records(world.client_a, reason="policy changed")
        assert changed == count - 1  # the one on hold is paused: still no due time
        return len(captured)

    assert queries_for(2) == queries_for(7)
