"""The SLA compliance figures on hand-built records with known answers: due times at the edges
of a month that ends in summer time, stamps that outlive a moved due time, reopened and
cancelled records, business hours and holidays that change nothing, holds and maintenance."""

from datetime import UTC, date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.core.choices import Severity, Status
from apps.core.services.records import record_change_status
from apps.escalations.models import Escalation
from apps.interruptions.models import Interruption
from apps.reports.periods import WEEK, period_containing
from apps.reports.scope import ReportScope
from apps.reports.sla import SLA_DEFINITIONS, SLA_TITLE, maintenance_hours, sla_sections
from tests.factories_sla import OFFICE_HOURS, BusinessCalendarFactory, SlaPolicyFactory
from tests.reports.sla_helpers import LONDON, figures, london, month_scope, record, row, table
from tests.sla.conftest import frozen, plan_window

pytestmark = pytest.mark.django_db

MARCH = date(2026, 3, 10)
AFTER_MARCH = london(2026, 4, 20, 12)
SEV1_ROW = "Interruptions · SEV1"


def resolution_row(sections, label=SEV1_ROW):
    cells = row(table(sections, "resolution-by-severity"), label)
    return {
        "counted": cells[2].value,
        "met": cells[3].value,
        "missed": cells[4].value,
        "percent": cells[5].value,
        "stamps": cells[7].value,
    }


@pytest.fixture
def march(world):
    """Interruptions of client A, SEV1, whose resolution due times lie around March 2026."""
    client = world.client_a

    def make(**values):
        return record("interruptions", client, severity=Severity.SEV1, **values)

    made = {
        "met": make(due=london(2026, 3, 10, 12), resolved=london(2026, 3, 10, 11)),
        "met_on_the_minute": make(due=london(2026, 3, 11, 12), resolved=london(2026, 3, 11, 12)),
        "late_stamped": make(
            due=london(2026, 3, 12, 12),
            resolved=london(2026, 3, 12, 13),
            stamp=london(2026, 3, 12, 12),
        ),
        # Resolved late by an import, not stamped yet: missed all the same.
        "late_unstamped": make(due=london(2026, 3, 1, 0), resolved=london(2026, 3, 1, 2)),
        # The last local minutes of March are in summer time, after 23:00 UTC.
        "last_minutes": make(due=london(2026, 3, 31, 23, 30), resolved=london(2026, 3, 31, 22)),
        "april": make(due=london(2026, 4, 1, 0), resolved=london(2026, 3, 31, 20)),
        "february": make(due=london(2026, 2, 28, 23, 59), resolved=london(2026, 2, 28, 23)),
        "open_overdue": make(due=london(2026, 3, 20, 9)),
        # Breached in March, its due time later moved into April by a recompute.
        "moved_after_breach": make(
            due=london(2026, 4, 3, 9),
            stamp=london(2026, 3, 15, 9),
            resolved=london(2026, 4, 2, 9),
        ),
        # Resolved in time, reopened after its due time, stamped by the clock.
        "reopened": make(
            due=london(2026, 3, 18, 9),
            stamp=london(2026, 3, 18, 9),
            status=Status.IN_PROGRESS,
        ),
        "closed_in_time": make(
            due=london(2026, 3, 25, 9), resolved=london(2026, 3, 24, 9), status=Status.CLOSED
        ),
        "cancelled": make(due=london(2026, 3, 26, 9), status=Status.CANCELLED),
        "cancelled_after_breach": make(
            due=london(2026, 3, 5, 9), stamp=london(2026, 3, 5, 9), status=Status.CANCELLED
        ),
        "paused": make(due=None, occurred=london(2026, 3, 2, 9), status=Status.ON_HOLD),
    }
    # Another client's records never count.
    record("interruptions", world.client_b, severity=Severity.SEV1, due=london(2026, 3, 10, 12))
    return made


def test_resolution_compliance_counts_by_due_time_as_it_stood(world, march):
    sections = sla_sections(month_scope(world.client_a, MARCH, AFTER_MARCH))

    # Counted: met, met_on_the_minute, late_stamped, late_unstamped, last_minutes,
    # open_overdue, moved_after_breach, reopened, closed_in_time, cancelled_after_breach.
    assert resolution_row(sections) == {
        "counted": 10,
        "met": 4,
        "missed": 6,
        "percent": 40.0,
        "stamps": 4,
    }
    found = figures(sections)["Interruptions resolved on time"]
    assert found.value == 40.0
    assert found.previous == 100.0  # february: resolved in time


def test_records_still_open_and_not_yet_due_are_left_out(world, march):
    now = london(2026, 3, 20, 10)
    record("interruptions", world.client_a, severity=Severity.SEV1, due=london(2026, 3, 28, 9))
    sections = sla_sections(month_scope(world.client_a, MARCH, now))
    # So far: met, met_on_the_minute, late_stamped, late_unstamped, open_overdue (past due
    # at 10:00), moved_after_breach, reopened, cancelled_after_breach; last_minutes and
    # closed_in_time were resolved early and count too.
    assert resolution_row(sections)["counted"] == 10
    assert resolution_row(sections)["met"] == 4


def test_the_month_is_the_clients_month_in_its_own_zone(world):
    client = world.client_a
    client.timezone = "Asia/Manila"  # UTC+8, no summer time
    client.save()
    manila_april = london(2026, 3, 31, 17, 30)  # 00:30 on 1 April in Manila
    record("interruptions", client, severity=Severity.SEV1, due=manila_april, resolved=manila_april)
    scope = month_scope(client, MARCH, AFTER_MARCH)
    found = table(sla_sections(scope), "resolution-by-severity").rows
    assert found == []
    april = month_scope(client, date(2026, 4, 2), AFTER_MARCH)
    assert resolution_row(sla_sections(april))["counted"] == 1


def test_a_week_that_changes_to_summer_time_holds_its_local_days(world):
    client = world.client_a
    week = period_containing(WEEK, date(2026, 3, 29), LONDON)  # Mon 23 to Sun 29 March
    assert week.end.astimezone(UTC) - week.start.astimezone(UTC) == timedelta(hours=7 * 24 - 1)
    record("interruptions", client, severity=Severity.SEV1, due=london(2026, 3, 29, 23, 59))
    record("interruptions", client, severity=Severity.SEV1, due=london(2026, 3, 30, 0, 0))
    scope = ReportScope(client=client, period=week, now=AFTER_MARCH)
    assert resolution_row(sla_sections(scope))["counted"] == 1


def test_business_hours_and_holidays_change_no_figure(world, march):
    scope = month_scope(world.client_a, MARCH, AFTER_MARCH)
    before = resolution_row(sla_sections(scope))
    BusinessCalendarFactory(
        client=world.client_a, hours=OFFICE_HOURS, holidays=[date(2026, 3, 10), date(2026, 3, 12)]
    )
    SlaPolicyFactory(
        client=world.client_a,
        severity=Severity.SEV1,
        first_response_minutes=30,
        resolution_minutes=150,
    )
    sections = sla_sections(scope)
    assert resolution_row(sections) == before
    assert row(table(sections, "resolution-by-severity"), SEV1_ROW)[1].value == (
        "2 h 30 min business"
    )


def test_the_target_is_the_default_in_calendar_time_without_a_policy(world, march):
    sections = sla_sections(month_scope(world.client_a, MARCH, AFTER_MARCH))
    assert row(table(sections, "resolution-by-severity"), SEV1_ROW)[1].value == (
        "4 h (24×7 default)"
    )


def test_first_response_compliance_of_escalations(world):
    client = world.client_a

    def escalation(due, **values):
        made = record("escalations", client, severity=Severity.SEV3, due=due + timedelta(hours=20))
        Escalation.objects.filter(pk=made.pk).update(first_response_due=due, **values)

    escalation(london(2026, 3, 3, 9), first_response_at=london(2026, 3, 3, 8))  # met
    escalation(london(2026, 3, 4, 9), resolved_at=london(2026, 3, 4, 8, 30))  # met by resolving
    escalation(
        london(2026, 3, 5, 9),
        first_response_at=london(2026, 3, 5, 10),
        first_response_breached_at=london(2026, 3, 5, 9),
    )
    escalation(london(2026, 3, 6, 9))  # never answered, past due
    sections = sla_sections(month_scope(client, MARCH, AFTER_MARCH))
    cells = row(table(sections, "first_response-by-severity"), "Escalations · SEV3")
    assert [cells[2].value, cells[3].value, cells[4].value, cells[5].value, cells[7].value] == [
        4,
        2,
        2,
        50.0,
        1,
    ]
    assert cells[1].value == "4 h (24×7 default)"
    assert figures(sections)["Escalations answered on time"].value == 50.0


def test_the_trend_counts_each_period_by_due_time(world, march):
    client = world.client_a
    record("calls", client, due=london(2025, 10, 15, 9), resolved=london(2025, 10, 15, 10))
    record("calls", client, due=london(2025, 10, 16, 9), resolved=london(2025, 10, 16, 8))
    record("calls", client, due=london(2025, 9, 30, 9), resolved=london(2025, 9, 30, 8))
    sections = sla_sections(month_scope(client, MARCH, AFTER_MARCH))
    trend = table(sections, "compliance-trend")
    assert [cells[0].value for cells in trend.rows] == [
        "Oct 2025",
        "Nov 2025",
        "Dec 2025",
        "Jan 2026",
        "Feb 2026",
        "Mar 2026",
    ]
    calls_column = trend.columns.index("Call logs: resolution")
    assert trend.rows[0][calls_column].value == 50.0
    assert trend.rows[1][calls_column].value is None
    interruptions = trend.rows[-1][trend.columns.index("Interruptions: resolution")]
    assert interruptions.value == 40.0
    assert trend.chart.kind == "line"
    assert trend.rows[4][1].value == 100.0  # february


def test_the_query_count_does_not_grow_with_records_or_severities(world, march):
    scope = month_scope(world.client_a, MARCH, AFTER_MARCH)
    with CaptureQueriesContext(connection) as few:
        sla_sections(scope)
    for severity in Severity.values:
        for kind in ("failures", "calls", "recovery", "escalations"):
            record(kind, world.client_a, severity=severity, due=london(2025, 12, 3, 9))
    with CaptureQueriesContext(connection) as many:
        sla_sections(scope)
    assert len(many.captured_queries) == len(few.captured_queries) <= 16


def move(found, target, when, actor):
    with frozen(when):
        return record_change_status(found, target=target, actor=actor)


def test_time_on_hold_counts_each_hold_in_the_period_it_began(world, make_interruption):
    lead = world.lead
    inside = make_interruption(london(2026, 3, 5, 9), Severity.SEV2)
    inside = move(inside, Status.IN_PROGRESS, london(2026, 3, 5, 9, 30), lead)
    inside = move(inside, Status.ON_HOLD, london(2026, 3, 5, 10), lead)
    inside = move(inside, Status.IN_PROGRESS, london(2026, 3, 5, 14), lead)  # 4 h
    inside = move(inside, Status.ON_HOLD, london(2026, 3, 31, 22), lead)
    inside = move(inside, Status.IN_PROGRESS, london(2026, 4, 1, 1), lead)  # 3 h, into April
    earlier = make_interruption(london(2026, 2, 28, 20), Severity.SEV2)
    earlier = move(earlier, Status.IN_PROGRESS, london(2026, 2, 28, 21), lead)
    earlier = move(earlier, Status.ON_HOLD, london(2026, 2, 28, 22), lead)
    earlier = move(earlier, Status.RESOLVED, london(2026, 3, 1, 8), lead)  # 10 h, February

    sections = sla_sections(month_scope(world.client_a, MARCH, AFTER_MARCH))
    held = figures(sections)["Time on hold"]
    assert held.value == pytest.approx(7.0)
    assert held.previous == pytest.approx(10.0)
    cells = row(table(sections, "time-on-hold"), "Interruptions")
    assert [cell.value for cell in cells[1:]] == pytest.approx([0, 7.0, 0, 0, 7.0, 2, 10.0])


def test_a_hold_still_running_counts_to_now(world, make_interruption):
    held = make_interruption(london(2026, 3, 30, 9), Severity.SEV3)
    held = move(held, Status.IN_PROGRESS, london(2026, 3, 30, 9, 30), world.lead)
    move(held, Status.ON_HOLD, london(2026, 3, 30, 10), world.lead)
    now = london(2026, 3, 31, 10)
    assert figures(sla_sections(month_scope(world.client_a, MARCH, now)))[
        "Time on hold"
    ].value == pytest.approx(24.0)


def test_maintenance_hours_merge_overlaps_and_clip_to_the_period(world):
    service = world.service_a
    plan_window(world, [service], london(2026, 3, 31, 22), london(2026, 4, 1, 2))  # 2 h in March
    plan_window(world, [service], london(2026, 3, 10, 9), london(2026, 3, 10, 12))
    plan_window(world, [service], london(2026, 3, 10, 11), london(2026, 3, 10, 13))  # 1 h more
    plan_window(world, [service], london(2026, 2, 28, 23), london(2026, 3, 1, 1))  # 1 h in March
    sections = sla_sections(month_scope(world.client_a, MARCH, AFTER_MARCH))
    found = figures(sections)["Maintenance windows"]
    assert found.value == pytest.approx(2 + 4 + 1)
    assert found.previous == pytest.approx(1)
    windows = table(sections, "maintenance-windows")
    assert len(windows.rows) == 4
    assert all(cells[0].url.startswith("/interruptions/INT-") for cells in windows.rows)
    assert Interruption.objects.filter(kind="maintenance").count() == 4


def test_maintenance_hours_of_nothing_are_zero(world):
    period = month_scope(world.client_a, MARCH, AFTER_MARCH).period
    assert maintenance_hours(world.client_a.pk, period, AFTER_MARCH) == 0


def test_the_interface_the_monthly_email_reads():
    assert SLA_TITLE == "SLA compliance"
    assert isinstance(SLA_DEFINITIONS, tuple) and all(
        isinstance(sentence, str) and sentence.endswith(".") for sentence in SLA_DEFINITIONS
    )
