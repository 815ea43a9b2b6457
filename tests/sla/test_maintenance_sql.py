"""The maintenance windows the reports read in SQL are the windows `window_end` defines, and
the merged hours equal the union computed from them in Python."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from django.db.models import F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.core.choices import Status
from apps.interruptions.models import Interruption
from apps.reports.merging import merged_length
from apps.reports.periods import MONTH, period_containing
from apps.reports.sla import LISTED_WINDOWS, maintenance_hours, maintenance_windows
from apps.sla.maintenance import window_end, windows_during
from tests.factories import InterruptionFactory
from tests.reports.examples import report_examples

BASE = datetime(2026, 3, 1, tzinfo=UTC)
STATUSES = [Status.NEW, Status.IN_PROGRESS, Status.ON_HOLD, Status.RESOLVED, Status.CANCELLED]

windows = st.lists(
    st.fixed_dictionaries(
        {
            "start": st.integers(-24 * 40, 24 * 40),  # hours from 1 March
            "planned": st.integers(1, 72),  # planned length, hours
            "ended": st.one_of(st.none(), st.integers(-2, 60)),  # hours after planned end
            "status": st.sampled_from(STATUSES),
        }
    ),
    max_size=7,
)


def _make(client, values) -> Interruption:
    start = BASE + timedelta(hours=values["start"])
    planned_end = start + timedelta(hours=values["planned"])
    ended = values["ended"]
    found = InterruptionFactory(client=client, kind="maintenance")
    Interruption.objects.filter(pk=found.pk).update(
        planned_start=start,
        planned_end=planned_end,
        occurred_at=start,
        ended_at=None if ended is None else planned_end + timedelta(hours=ended),
        status=values["status"],
        cancel_reason="Logged twice." if values["status"] == Status.CANCELLED else "",
    )
    found.refresh_from_db()
    return found


def _union_hours(spans, low, high) -> float:
    pieces = sorted((max(start, low), min(end, high)) for start, end in spans)
    total, reach = timedelta(0), low
    for start, end in pieces:
        start = max(start, reach)
        if end > start:
            total += end - start
        reach = max(reach, end)
    return total.total_seconds() / 3600


@pytest.mark.django_db
@settings(
    max_examples=min(report_examples(), 20),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(made=windows, now_hours=st.integers(0, 24 * 45))
def test_windows_and_hours_in_sql_equal_the_definition(world, made, now_hours):
    with transaction.atomic():
        _check_windows(world, made, BASE + timedelta(hours=now_hours, minutes=13))
        transaction.set_rollback(True)


def _check_windows(world, made, now) -> None:
    records = [_make(world.client_a, values) for values in made]
    period = period_containing(MONTH, BASE.date(), UTC)
    low, high = period.start, period.clipped_end(now)

    expected = {}
    for record in records:
        if record.status == Status.CANCELLED:
            continue
        end = window_end(record.ended_at, record.planned_end, record.status, now)
        if record.planned_start < high and (end or now) > low and (end is not None or now > low):
            expected[record.reference] = end
    found = windows_during(world.client_a.pk, low, high, now)
    assert {row.reference: row.window_end for row in found} == expected

    spans = [
        (record.planned_start, end or now)
        for record in records
        if record.reference in expected
        for end in [expected[record.reference]]
    ]
    hours = _union_hours(spans, low, high) if high > low else 0.0
    assert maintenance_hours(world.client_a.pk, period, now) == pytest.approx(hours)
    count, listed = maintenance_windows(world.client_a.pk, period, now)
    assert count == len(expected) and len(listed) == min(count, LISTED_WINDOWS)


@pytest.mark.django_db
def test_merging_counts_touching_and_nested_spans_once(world):
    for start, end in [(0, 4), (1, 2), (4, 6), (10, 11)]:
        _make(world.client_a, {"start": start, "planned": end - start, "ended": 0, "status": "new"})
    spans = Interruption.objects.filter(client=world.client_a).annotate(
        s=F("planned_start"), e=F("ended_at")
    )
    assert merged_length(spans) == timedelta(hours=7)


@pytest.mark.django_db
def test_the_report_lists_the_first_windows_and_counts_them_all(world, monkeypatch):
    monkeypatch.setattr("apps.reports.sla.maintenance.LISTED_WINDOWS", 2)
    for start in (30, 10, 20):
        _make(world.client_a, {"start": start, "planned": 2, "ended": 0, "status": "resolved"})
    period = period_containing(MONTH, BASE.date(), UTC)

    count, listed = maintenance_windows(world.client_a.pk, period, BASE + timedelta(days=40))

    assert count == 3
    assert [span.start for span in listed] == [
        BASE + timedelta(hours=10),
        BASE + timedelta(hours=20),
    ]
