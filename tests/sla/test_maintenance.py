"""Maintenance windows stop the clocks of the records tied to the services under work."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from apps.core.choices import LinkRelation, Severity, Status, Tier
from apps.core.models import RecordLink
from apps.core.models.outbox import OutboxMessage
from apps.core.services.links import record_link
from apps.core.services.records import record_change_status, record_create, record_update
from apps.escalations.models import Escalation, EscalationMatrix, MatrixStep
from apps.escalations.services import escalation_create
from apps.escalations.sweep import escalation_sweep
from apps.failures.models import FailureReport
from apps.interruptions.models import Interruption
from apps.sla.maintenance import maintenance_holds, open_records_tied_to, services_tied_to
from apps.sla.services import sla_recompute_clocks, sla_recompute_for_maintenance
from tests.factories import ServiceFactory
from tests.factories_escalations import EscalationCategoryFactory
from tests.sla.conftest import frozen, london, plan_window

pytestmark = pytest.mark.django_db

MIN = timedelta(minutes=1)
START = london(2026, 3, 2, 9, 0)  # a Monday; no calendar, so 24×7 and default targets
SEV3_RESOLUTION = 24 * 60 * MIN


@pytest.fixture
def ivr(world):
    return ServiceFactory(client=world.client_a, name="Order IVR")


@pytest.fixture
def plan_maintenance(world):
    return lambda services, start, end, **values: plan_window(world, services, start, end, **values)


def _failure(world, service, at=START) -> FailureReport:
    with frozen(at):
        return record_create(
            FailureReport,
            actor=world.agent,
            values={
                "client": world.client_a,
                "category": "technical",
                "title": "Orders not synced",
                "severity": Severity.SEV3,
                "occurred_at": at,
                "service": service,
            },
        )


def test_a_window_on_the_record_service_moves_its_due_time_by_its_length(
    world, crm, plan_maintenance
):
    plan_maintenance([crm], START + 120 * MIN, START + 300 * MIN)
    report = _failure(world, crm)
    assert report.resolution_due == START + SEV3_RESOLUTION + 180 * MIN
    assert maintenance_holds(report) == [(START + 120 * MIN, START + 300 * MIN)]


def test_a_window_on_another_service_or_client_changes_nothing(world, crm, ivr, plan_maintenance):
    plan_maintenance([ivr], START + 120 * MIN, START + 300 * MIN)
    ServiceFactory(client=world.client_b, name="Order CRM")
    report = _failure(world, crm)
    assert report.resolution_due == START + SEV3_RESOLUTION
    assert maintenance_holds(report) == []


def test_a_cancelled_window_holds_nothing(world, crm, plan_maintenance):
    window = plan_maintenance([crm], START + 120 * MIN, START + 300 * MIN)
    with frozen(START):
        record_change_status(window, target=Status.CANCELLED, actor=world.lead, reason="Moved")
    report = _failure(world, crm)
    assert report.resolution_due == START + SEV3_RESOLUTION


def test_records_caused_by_an_interruption_of_the_service_are_tied(world, crm):
    outage = _crm_incident(world, crm)
    report = _failure(world, None)
    record_link(report, outage, relation=LinkRelation.CAUSED_BY, actor=world.agent)
    assert services_tied_to(FailureReport, [report.pk]) == {report.pk: {crm.pk}}
    assert open_records_tied_to(FailureReport, world.client_a.pk, [crm.pk]) == [report.pk]
    assert open_records_tied_to(Interruption, world.client_a.pk, [crm.pk]) == [outage.pk]


def test_a_window_nobody_marked_as_under_way_ends_when_planned(world, crm, plan_maintenance):
    plan_maintenance([crm], START + 60 * MIN, START + 120 * MIN)
    report = _failure(world, crm)
    with frozen(START + 600 * MIN):
        assert maintenance_holds(report) == [(START + 60 * MIN, START + 120 * MIN)]


def test_an_incident_on_a_service_under_maintenance_is_recomputed_once_its_services_are_saved(
    world, crm, plan_maintenance
):
    plan_maintenance([crm], START + 60 * MIN, START + 120 * MIN)
    incident = _crm_incident(world, crm)
    queued = OutboxMessage.objects.filter(task_name="apps.sla.tasks.recompute_clocks_of")
    interruption_type = ContentType.objects.get_for_model(Interruption).pk
    assert [message.args for message in queued] == [[interruption_type, incident.pk]]

    with frozen(START):
        assert sla_recompute_clocks(interruption_type, incident.pk)["changed"] == 1
    incident.refresh_from_db()
    assert incident.resolution_due == START - 10 * MIN + 8 * 60 * MIN + 60 * MIN


def test_a_maintenance_does_not_stop_its_own_clock(world, crm, plan_maintenance):
    window = plan_maintenance([crm], START, START + 300 * MIN)
    assert maintenance_holds(window) == []


def test_an_overrun_with_no_end_stops_the_clock_until_the_end_is_recorded(
    world, crm, plan_maintenance
):
    window = plan_maintenance([crm], START + 60 * MIN, START + 120 * MIN)
    report = _failure(world, crm)
    with frozen(START + 60 * MIN):
        window = record_change_status(window, target=Status.IN_PROGRESS, actor=world.lead)
    with frozen(START + 180 * MIN):  # past the planned end, under way, no end recorded
        assert maintenance_holds(report) == [(START + 60 * MIN, None)]
        sla_recompute_for_maintenance(window.pk)
    report.refresh_from_db()
    assert report.resolution_due is None  # the clock is stopped, as on hold

    with frozen(START + 240 * MIN):
        record_update(
            window,
            actor=world.lead,
            changes={"ended_at": START + 240 * MIN},
            expected_version=window.version,
        )
        assert sla_recompute_for_maintenance(window.pk)["changed"] == 1
    report.refresh_from_db()
    assert report.resolution_due == START + SEV3_RESOLUTION + 180 * MIN


def test_saving_a_maintenance_queues_the_recompute_and_it_brings_due_times_back(
    world, crm, plan_maintenance
):
    report = _failure(world, crm)
    assert report.resolution_due == START + SEV3_RESOLUTION
    window = plan_maintenance([crm], START + 120 * MIN, START + 300 * MIN)
    queued = OutboxMessage.objects.filter(task_name="apps.sla.tasks.recompute_for_maintenance")
    assert [message.args for message in queued] == [[window.pk]]

    with frozen(START + 60 * MIN):
        assert sla_recompute_for_maintenance(window.pk)["changed"] == 1
    report.refresh_from_db()
    assert report.resolution_due == START + SEV3_RESOLUTION + 180 * MIN
    assert report.history.first().history_change_reason.startswith(
        f"Due times recomputed: maintenance window {window.reference} changed; resolution due "
    )

    with frozen(START + 90 * MIN):
        record_change_status(window, target=Status.CANCELLED, actor=world.lead, reason="Vendor")
        assert sla_recompute_for_maintenance(window.pk)["changed"] == 1
    report.refresh_from_db()
    assert report.resolution_due == START + SEV3_RESOLUTION


@pytest.fixture
def matrix(world):
    """Tier 1 for 30 min, tier 2 for 60 (24×7)."""
    matrix = EscalationMatrix.objects.create(client=world.client_a)
    MatrixStep.objects.create(matrix=matrix, tier=1, team=world.team_a1, minutes_allowed=30)
    MatrixStep.objects.create(matrix=matrix, tier=2, team=world.team_a2, minutes_allowed=60)
    return matrix


def _escalate(world, origin, start=START) -> Escalation:
    with frozen(start):
        return escalation_create(
            actor=world.agent,
            values={
                "client": world.client_a,
                "title": "Customer cannot order",
                "severity": Severity.SEV2,
                "origin": "customer",
                "channel": "voice",
                "category": EscalationCategoryFactory(),
                "reason": "Orders fail at checkout",
                "occurred_at": start,
            },
            origin=origin,
        )


def _crm_incident(world, crm) -> Interruption:
    with frozen(START - 10 * MIN):
        return record_create(
            Interruption,
            actor=world.agent,
            values={
                "client": world.client_a,
                "kind": "incident",
                "title": "Checkout errors",
                "severity": Severity.SEV2,
                "occurred_at": START - 10 * MIN,
            },
            m2m={"affected_services": [crm]},
        )


def test_nothing_escalates_because_of_a_maintenance_window(world, crm, matrix, plan_maintenance):
    plan_maintenance([crm], START + 10 * MIN, START + 70 * MIN)
    escalation = _escalate(world, _crm_incident(world, crm))
    assert escalation.tier_deadline == START + 30 * MIN  # stored before the link tied it

    result = escalation_sweep(now=START + 40 * MIN)
    assert (result.moved, result.warned, result.rescheduled) == (0, 0, 1)
    escalation.refresh_from_db()
    assert escalation.tier == Tier.FRONTLINE
    assert escalation.tier_warn_at == START + 84 * MIN  # 24 business minutes, 60 held
    assert escalation.tier_deadline == START + 90 * MIN

    assert escalation_sweep(now=START + 89 * MIN).warned == 1
    assert escalation_sweep(now=START + 90 * MIN).moved == 1
    escalation.refresh_from_db()
    assert escalation.tier == Tier.TECHNICAL


def test_an_escalation_without_a_tie_to_the_service_moves_on_time(
    world, crm, ivr, matrix, plan_maintenance
):
    plan_maintenance([ivr], START + 10 * MIN, START + 70 * MIN)
    escalation = _escalate(world, _crm_incident(world, crm))
    assert escalation_sweep(now=START + 30 * MIN).moved == 1
    escalation.refresh_from_db()
    assert escalation.tier == Tier.TECHNICAL


def test_an_overrunning_window_keeps_the_escalation_until_its_end_is_recorded(
    world, crm, matrix, plan_maintenance
):
    window = plan_maintenance([crm], START + 10 * MIN, START + 20 * MIN)
    escalation = _escalate(world, _crm_incident(world, crm))
    with frozen(START + 10 * MIN):
        window = record_change_status(window, target=Status.IN_PROGRESS, actor=world.lead)
    # At 3 h the window is long past its planned end, under way with no end recorded: held.
    assert escalation_sweep(now=START + 180 * MIN).moved == 0
    escalation.refresh_from_db()
    assert escalation.tier == Tier.FRONTLINE
    assert escalation.tier_deadline == START + 200 * MIN  # 10 min used, 20 left from now

    with frozen(START + 185 * MIN):
        record_update(
            window,
            actor=world.lead,
            changes={"ended_at": START + 185 * MIN},
            expected_version=window.version,
        )
        sla_recompute_for_maintenance(window.pk)
    escalation.refresh_from_db()
    assert escalation.tier_deadline == START + 205 * MIN
    assert escalation_sweep(now=START + 205 * MIN).moved == 1


def test_cancelling_a_window_brings_an_escalation_deadline_back_at_once(
    world, crm, matrix, plan_maintenance
):
    window = plan_maintenance([crm], START + 10 * MIN, START + 70 * MIN)
    escalation = _escalate(world, _crm_incident(world, crm))
    escalation_sweep(now=START + 40 * MIN)  # rescheduled to START + 90 min
    with frozen(START + 45 * MIN):
        record_change_status(window, target=Status.CANCELLED, actor=world.lead, reason="Vendor")
        result = sla_recompute_for_maintenance(window.pk)
    # Without the window the tier-one time ran out at 30 min: it moves at once.
    assert result["rechecked"] == 1
    escalation.refresh_from_db()
    assert escalation.tier == Tier.TECHNICAL
    assert escalation.tier_entered_at == START + 30 * MIN


def test_linking_a_record_to_an_interruption_under_maintenance_queues_its_recompute(
    world, crm, matrix, plan_maintenance
):
    plan_maintenance([crm], START + 10 * MIN, START + 70 * MIN)
    escalation = _escalate(world, _crm_incident(world, crm))
    link = RecordLink.objects.get(source_id=escalation.pk, relation=LinkRelation.CAUSED_BY)
    queued = OutboxMessage.objects.filter(task_name="apps.sla.tasks.recompute_clocks_of")
    escalation_type = ContentType.objects.get_for_model(Escalation)
    assert [escalation_type.pk, escalation.pk] in [message.args for message in queued]
    assert link.source_type_id == escalation_type.pk

    with frozen(START + 5 * MIN):
        assert sla_recompute_clocks(escalation_type.pk, escalation.pk) == {
            "changed": 1,
            "rechecked": 1,
        }
    escalation.refresh_from_db()
    assert escalation.resolution_due == escalation.occurred_at + 8 * 60 * MIN + 60 * MIN
    assert escalation.tier_deadline == START + 90 * MIN


def test_the_escalation_page_shows_the_windows_that_pause_its_clock(
    world, client, crm, ivr, matrix, plan_maintenance
):
    now = timezone.now()
    ahead = plan_maintenance([crm], now + 60 * MIN, now + 120 * MIN)
    plan_maintenance([ivr], now + 60 * MIN, now + 120 * MIN)  # not tied
    plan_maintenance([crm], now - 300 * MIN, now - 200 * MIN)  # over
    with frozen(now):
        escalation = _escalate(world, _crm_incident(world, crm), start=now)
    client.force_login(world.agent)

    page = client.get(f"/escalations/{escalation.reference}/").content.decode()

    assert page.count("Clock paused during maintenance") == 1
    assert f"Clock paused during maintenance {ahead.reference}" in page
