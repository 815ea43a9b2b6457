"""A recompute changes only what its inputs change, and says what moved what."""

from datetime import timedelta

import pytest
from django.test import override_settings

from apps.audits.models import AuditFinding, FindingKind
from apps.audits.overruns import audit_maintenance_overruns
from apps.core.choices import Severity, Status, TimelineKind
from apps.core.models import TimelineEntry
from apps.core.models.outbox import OutboxMessage
from apps.core.services.records import (
    record_assign,
    record_change_status,
    record_create,
    record_update,
)
from apps.interruptions.models import Interruption
from apps.notifications.models import Notification
from apps.sla.maintenance import maintenance_holds
from apps.sla.models import SlaPolicy
from apps.sla.services import sla_recompute_for_maintenance, sla_recompute_open_records
from tests.factories import ServiceFactory
from tests.sla.conftest import frozen, london, plan_window

pytestmark = pytest.mark.django_db

MIN = timedelta(minutes=1)
HOUR = timedelta(hours=1)
START = london(2026, 3, 2, 9, 0)  # no calendar: 24×7 and default targets
SEV3_RESOLUTION = 24 * HOUR
RECOMPUTE = "apps.sla.tasks.recompute_for_maintenance"


def _incident(world, services, at) -> Interruption:
    with frozen(at):
        return record_create(
            Interruption,
            actor=world.agent,
            values={
                "client": world.client_a,
                "kind": "incident",
                "title": "Orders not synced",
                "severity": Severity.SEV3,
                "occurred_at": at,
            },
            m2m={"affected_services": list(services)},
        )


def _queued() -> int:
    return OutboxMessage.objects.filter(task_name=RECOMPUTE).count()


def test_assigning_a_maintenance_queues_no_recompute_moving_its_end_does(world, crm):
    window = plan_window(world, [crm], START + HOUR, START + 3 * HOUR)
    OutboxMessage.objects.all().delete()

    with frozen(START):
        window = record_assign(window, actor=world.lead, assignee=world.lead)
        window = record_update(
            window,
            actor=world.lead,
            changes={"title": "CRM upgrade to 9.2"},
            expected_version=window.version,
        )
    assert _queued() == 0

    with frozen(START):
        record_update(
            window,
            actor=world.lead,
            changes={"planned_end": START + 4 * HOUR},
            expected_version=window.version,
        )
    assert _queued() == 1


def test_changing_a_maintenance_s_services_queues_its_recompute(world, crm):
    ivr = ServiceFactory(client=world.client_a, name="Order IVR")
    window = plan_window(world, [crm], START + HOUR, START + 3 * HOUR)
    OutboxMessage.objects.all().delete()
    with frozen(START):
        record_update(
            window,
            actor=world.lead,
            changes={},
            m2m={"affected_services": [crm, ivr]},
            expected_version=window.version,
        )
    assert _queued() == 1


def test_a_window_moves_only_the_records_opened_before_it_ended(world, crm):
    before = _incident(world, [crm], START)
    window = plan_window(world, [crm], START + HOUR, START + 3 * HOUR)
    three_weeks_later = _incident(world, [crm], START + 21 * 24 * HOUR)
    with frozen(START + HOUR):
        window = record_change_status(window, target=Status.IN_PROGRESS, actor=world.lead)
    later_due = three_weeks_later.resolution_due
    versions = three_weeks_later.history.count()

    # Forgotten: still in progress three weeks on, no end recorded.
    with frozen(START + 21 * 24 * HOUR + HOUR):
        result = sla_recompute_for_maintenance(window.pk)

    three_weeks_later.refresh_from_db()
    assert three_weeks_later.resolution_due == later_due
    assert three_weeks_later.history.count() == versions
    before.refresh_from_db()
    # Held from the window's start to the overrun limit (24 h past its planned end).
    assert before.resolution_due == START + SEV3_RESOLUTION + 26 * HOUR
    assert result["changed"] == 1


def test_an_overrun_holds_clocks_up_to_the_limit_unless_its_end_is_moved(world, crm):
    window = plan_window(world, [crm], START + HOUR, START + 3 * HOUR)
    record = _incident(world, [crm], START)
    with frozen(START + HOUR):
        window = record_change_status(window, target=Status.IN_PROGRESS, actor=world.lead)

    with frozen(START + 20 * HOUR):  # overrunning, within the limit: the clock is stopped
        assert maintenance_holds(record) == [(START + HOUR, None)]
    with frozen(START + 40 * HOUR):  # past the limit: it held up to the limit only
        assert maintenance_holds(record) == [(START + HOUR, START + 27 * HOUR)]
        window = record_update(
            window,
            actor=world.lead,
            changes={"planned_end": START + 30 * HOUR},
            expected_version=window.version,
        )
        assert maintenance_holds(record) == [(START + HOUR, None)]
    assert window.history.latest().planned_end == START + 30 * HOUR

    with override_settings(MAINTENANCE_OVERRUN_HOURS=2), frozen(START + 40 * HOUR):
        assert maintenance_holds(record) == [(START + HOUR, START + 32 * HOUR)]
    with frozen(START + 60 * HOUR):  # an end recorded late counts up to the limit only
        window = record_update(
            window,
            actor=world.lead,
            changes={"ended_at": START + 59 * HOUR},
            expected_version=window.version,
        )
        assert maintenance_holds(record) == [(START + HOUR, START + 54 * HOUR)]


def test_an_overrun_is_found_once_its_lead_told_and_its_clocks_recomputed(world, crm):
    window = plan_window(world, [crm], START + HOUR, START + 3 * HOUR, team=world.team_a1)
    with frozen(START + HOUR):
        window = record_change_status(window, target=Status.IN_PROGRESS, actor=world.lead)
    OutboxMessage.objects.all().delete()

    with frozen(START + 20 * HOUR):
        assert audit_maintenance_overruns().finding_ids == []
    with frozen(START + 28 * HOUR):
        outcome = audit_maintenance_overruns()
        again = audit_maintenance_overruns()

    finding = AuditFinding.objects.get()
    assert outcome.finding_ids == [finding.pk] and again.finding_ids == []
    assert finding.kind == FindingKind.MAINTENANCE_OVERRUN
    assert finding.record_reference == window.reference
    assert "more than 24 h after its planned end" in finding.summary
    lead = world.team_a1.lead
    assert list(Notification.objects.values_list("recipient", flat=True)) == [lead.pk]
    emails = OutboxMessage.objects.filter(
        task_name="apps.notifications.tasks.send_notification_email"
    )
    assert emails.count() == 1
    assert _queued() == 1

    # Extended by its lead, then overrunning again: found again, once.
    with frozen(START + 29 * HOUR):
        record_update(
            window,
            actor=world.lead,
            changes={"planned_end": START + 32 * HOUR},
            expected_version=window.version,
        )
        assert audit_maintenance_overruns().finding_ids == []
    with frozen(START + 57 * HOUR):
        assert len(audit_maintenance_overruns().finding_ids) == 1


def test_a_recompute_says_what_moved_which_due_time(world, crm):
    record = _incident(world, [crm], START)
    window = plan_window(world, [crm], START + HOUR, START + 3 * HOUR)
    with frozen(START):
        sla_recompute_for_maintenance(window.pk)
    event = TimelineEntry.objects.filter(object_id=record.pk, kind=TimelineKind.EDIT).last()
    assert event.message == (
        f"Due times recomputed: maintenance window {window.reference} changed; "
        "resolution due 2026-03-03 09:00 UTC → 2026-03-03 11:00 UTC."
    )
    assert event.data["from"] == {"resolution_due": (START + SEV3_RESOLUTION).isoformat()}


def test_set_based_history_versions_keep_the_affected_services(world, crm):
    record = _incident(world, [crm], START)
    SlaPolicy.objects.create(
        client=world.client_a,
        severity=Severity.SEV3,
        first_response_minutes=60,
        resolution_minutes=600,
    )
    with frozen(START + HOUR):
        assert sla_recompute_open_records(world.client_a, reason="policy changed") == 1
    versions = list(record.history.order_by("history_date", "history_id"))
    assert [
        list(version.affected_services.values_list("service", flat=True)) for version in versions
    ] == [[crm.pk]] * len(versions)
    newer, older = versions[-1], versions[-2]
    changes = newer.diff_against(older, foreign_keys_are_objs=False).changes
    assert [change.field for change in changes] == ["resolution_due", "version"]


def test_a_policy_change_moves_only_the_records_of_its_severity(world, client, crm):
    sev3 = _incident(world, [crm], START)
    with frozen(START):
        sev2 = record_create(
            Interruption,
            actor=world.agent,
            values={
                "client": world.client_a,
                "kind": "incident",
                "title": "IVR down",
                "severity": Severity.SEV2,
                "occurred_at": START,
            },
        )
    # The SEV2 record's stored due time is out of step with the policies (set by hand).
    Interruption.objects.filter(pk=sev2.pk).update(resolution_due=START + 99 * HOUR)
    policy = SlaPolicy.objects.create(
        client=world.client_a,
        severity=Severity.SEV3,
        first_response_minutes=60,
        resolution_minutes=600,
    )
    client.force_login(world.admin)
    response = client.post(
        f"/admin/sla/slapolicy/{policy.pk}/change/",
        {
            "client": world.client_a.pk,
            "severity": Severity.SEV3,
            "first_response_minutes": "60",
            "resolution_minutes": "700",
            "active": "on",
        },
    )
    assert response.status_code == 302
    sev3.refresh_from_db()
    sev2.refresh_from_db()
    assert sev3.resolution_due == START + 700 * MIN
    assert sev2.resolution_due == START + 99 * HOUR


def test_a_maintenance_turned_into_another_kind_releases_the_clocks_it_held(world, crm):
    window = plan_window(world, [crm], START + HOUR, START + 3 * HOUR)
    OutboxMessage.objects.all().delete()
    with frozen(START):
        record_update(
            window,
            actor=world.lead,
            changes={"kind": "incident"},
            expected_version=window.version,
        )
    assert _queued() == 1
