"""A breach is a fact: stamped when a due time passes, never removed by what comes later."""

from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.http import QueryDict

from apps.core.choices import Severity, Status, TimelineKind
from apps.core.listing.measures import compute_measures, standard_measures
from apps.core.migration_helpers import backfill_breach_stamps
from apps.core.models import TaskRun, TimelineEntry
from apps.core.services.records import record_change_status, record_update
from apps.interruptions.filters import InterruptionFilterSet
from apps.interruptions.models import Interruption
from apps.sla.breaches import stamp_missed_targets
from apps.sla.models import SlaPolicy
from apps.sla.services import sla_recompute_open_records
from apps.sla.tasks import stamp_breaches
from tests.factories import InterruptionFactory
from tests.factories_escalations import EscalationFactory
from tests.sla.conftest import frozen, london

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)
START = london(2026, 3, 2, 9, 0)  # no calendar, no policy: 24×7 and the default targets
DUE = START + 24 * HOUR  # SEV3


def breached_figure(now) -> int:
    with frozen(now):
        figures = compute_measures(Interruption.objects.all(), standard_measures(), QueryDict())
    return next(figure.value for figure in figures if figure.label == "Breached")


def breached_rows(world, rf, now) -> list[str]:
    request = rf.get("/", {"breached": "true"})
    request.user = world.lead
    with frozen(now):
        filtered = InterruptionFilterSet(request.GET, Interruption.objects.all(), request=request)
        return sorted(filtered.qs.values_list("reference", flat=True))


def test_the_minute_task_stamps_an_open_record_past_its_due_time_once(world, make_interruption):
    record = make_interruption(START)
    late = make_interruption(START + 2 * HOUR)
    with frozen(DUE - HOUR):
        assert stamp_missed_targets() == {
            "calls.call": 0,
            "escalations.escalation": 0,
            "failures.failurereport": 0,
            "interruptions.interruption": 0,
            "recovery.recoverycase": 0,
        }
    versions = record.history.count()

    with frozen(DUE + HOUR):
        assert stamp_missed_targets()["interruptions.interruption"] == 1
        assert stamp_missed_targets()["interruptions.interruption"] == 0

    record.refresh_from_db()
    late.refresh_from_db()
    assert record.resolution_breached_at == DUE
    assert late.resolution_breached_at is None
    # A fact recorded, not an edit: an agent's form opened before still saves.
    assert record.version == 1
    assert record.history.count() == versions + 1
    latest = record.history.latest()
    assert latest.resolution_breached_at == DUE
    assert latest.history_change_reason.startswith("Breached: the resolution due time")
    event = TimelineEntry.objects.get(object_id=record.pk, kind=TimelineKind.BREACH)
    assert event.data == {"target": "resolution_due", "due": DUE.isoformat()}


def test_the_task_is_recorded_as_a_run(world, make_interruption):
    make_interruption(START)
    with frozen(DUE + HOUR):
        outcome = stamp_breaches()
    assert outcome["interruptions.interruption"] == 1
    run = TaskRun.objects.get(task="stamp_breaches")
    assert run.finished_at is not None and run.outcome == outcome


def test_holding_a_breached_record_keeps_it_breached(world, rf, make_interruption):
    record = make_interruption(START)
    make_interruption(START + 30 * HOUR)  # not due yet: never counted
    with frozen(DUE + HOUR):
        record_change_status(record, target=Status.IN_PROGRESS, actor=world.agent)
    assert breached_figure(DUE + 2 * HOUR) == 1
    # Its stored due time came from the defaults; the client's policy, added since, would
    # put it after the hold begins, so the hold stops that clock and clears the due time.
    SlaPolicy.objects.create(
        client=world.client_a,
        severity=Severity.SEV3,
        first_response_minutes=60,
        resolution_minutes=7 * 24 * 60,
    )

    # Not stamped by the task yet: the hold itself stamps it before the clock stops.
    with frozen(DUE + 2 * HOUR):
        held = record_change_status(record, target=Status.ON_HOLD, actor=world.agent)

    assert held.resolution_due is None  # paused
    assert held.resolution_breached_at == DUE
    assert held.history.latest().resolution_breached_at == DUE
    assert breached_figure(DUE + 3 * HOUR) == 1
    assert breached_rows(world, rf, DUE + 3 * HOUR) == [record.reference]
    with frozen(DUE + 5 * HOUR):
        resumed = record_change_status(held, target=Status.IN_PROGRESS, actor=world.agent)
    assert resumed.resolution_breached_at == DUE
    assert breached_figure(DUE + 5 * HOUR) == 1


def test_a_policy_that_moves_the_due_time_later_keeps_the_stamp(world, make_interruption):
    record = make_interruption(START)
    assert breached_figure(DUE + HOUR) == 1

    SlaPolicy.objects.create(
        client=world.client_a,
        severity=Severity.SEV3,
        first_response_minutes=60,
        resolution_minutes=7 * 24 * 60,
    )
    with frozen(DUE + HOUR):
        assert sla_recompute_open_records(world.client_a, reason="policy changed") == 1

    record.refresh_from_db()
    assert record.resolution_due == START + 7 * 24 * HOUR
    assert record.resolution_breached_at == DUE
    assert record.history.latest().resolution_breached_at == DUE
    assert breached_figure(DUE + HOUR) == 1


def test_an_edit_that_moves_the_due_time_stamps_the_missed_one_first(world, make_interruption):
    record = make_interruption(START)
    with frozen(DUE + HOUR):
        edited = record_update(
            record,
            actor=world.agent,
            changes={"severity": Severity.SEV4},
            expected_version=record.version,
        )
    assert edited.resolution_due == START + 72 * HOUR
    assert edited.resolution_breached_at == DUE


def test_resolving_late_stamps_resolving_in_time_does_not(world, make_interruption):
    late = make_interruption(START)
    on_time = make_interruption(START)
    with frozen(DUE + HOUR):
        record_change_status(late, target=Status.IN_PROGRESS, actor=world.agent)
        resolved = record_change_status(late, target=Status.RESOLVED, actor=world.agent)
    with frozen(DUE - HOUR):
        record_change_status(on_time, target=Status.IN_PROGRESS, actor=world.agent)
        done = record_change_status(on_time, target=Status.RESOLVED, actor=world.agent)

    assert resolved.resolution_breached_at == DUE
    assert done.resolution_breached_at is None
    assert breached_figure(DUE + 48 * HOUR) == 1


def test_a_record_resolved_late_by_a_path_outside_the_services_is_stamped_by_the_task(world):
    record = InterruptionFactory(
        client=world.client_a,
        occurred_at=START,
        resolution_due=DUE,
        status=Status.RESOLVED,
        resolved_at=DUE + HOUR,
    )
    cancelled = InterruptionFactory(
        client=world.client_a,
        occurred_at=START,
        resolution_due=DUE,
        status=Status.CANCELLED,
        cancel_reason="Logged twice",
    )
    with frozen(DUE + 2 * HOUR):
        stamp_missed_targets()
    record.refresh_from_db()
    cancelled.refresh_from_db()
    assert record.resolution_breached_at == DUE
    assert cancelled.resolution_breached_at is None


def test_an_escalation_missing_its_first_response_is_stamped_for_it(world):
    unanswered = EscalationFactory(
        client=world.client_a, occurred_at=START, first_response_due=START + HOUR
    )
    answered_late = EscalationFactory(
        client=world.client_a,
        occurred_at=START,
        first_response_due=START + HOUR,
        first_response_at=START + 2 * HOUR,
    )
    answered = EscalationFactory(
        client=world.client_a,
        occurred_at=START,
        first_response_due=START + HOUR,
        first_response_at=START + HOUR / 2,
    )
    with frozen(START + 3 * HOUR):
        stamp_missed_targets()
    for escalation in (unanswered, answered_late, answered):
        escalation.refresh_from_db()
    assert unanswered.first_response_breached_at == START + HOUR
    assert answered_late.first_response_breached_at == START + HOUR
    assert answered.first_response_breached_at is None


def test_the_migration_backfills_the_stamps_of_existing_rows(world):
    open_late = InterruptionFactory(client=world.client_a, occurred_at=START, resolution_due=DUE)
    resolved_late = InterruptionFactory(
        client=world.client_a,
        occurred_at=START,
        resolution_due=DUE,
        status=Status.RESOLVED,
        resolved_at=DUE + HOUR,
    )
    not_due = InterruptionFactory(
        client=world.client_a, occurred_at=START, resolution_due=DUE + 100 * HOUR
    )
    with frozen(DUE + 2 * HOUR):
        backfill_breach_stamps("interruptions", "interruption").code(django_apps, None)
    stamps = dict(
        Interruption.objects.values_list("pk", "resolution_breached_at"),
    )
    assert stamps == {open_late.pk: DUE, resolved_late.pk: DUE, not_due.pk: None}
