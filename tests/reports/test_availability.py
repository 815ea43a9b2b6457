"""Availability and downtime: hand-built data with known answers, and a property test against
a minute-by-minute reference written from domain.md."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.core.choices import Status
from apps.interruptions.models import Interruption, InterruptionKind
from apps.reports.availability import availability_report
from apps.reports.periods import MONTH, custom_period, period_containing
from apps.sla.business_time import business_minutes_between, working_intervals
from apps.sla.selectors import calendar_spec_for
from tests.factories import InterruptionFactory
from tests.factories_sla import OFFICE_HOURS, BusinessCalendarFactory
from tests.reports.examples import report_examples

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
K = InterruptionKind


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def interruption(world, kind, start, end, services, client=None, status=Status.RESOLVED):
    return InterruptionFactory(
        client=client or world.client_a,
        kind=kind,
        occurred_at=start,
        ended_at=end,
        status=status,
        cancel_reason="Logged twice." if status == Status.CANCELLED else "",
        affected_services=services,
        planned_start=start if kind == K.MAINTENANCE else None,
        planned_end=end if kind == K.MAINTENANCE else None,
    )


def hours(value: timedelta) -> float:
    return value.total_seconds() / 3600


def by_service(report):
    return {item.service.name: item for item in report.services}


@pytest.fixture
def october(world):
    """October 2025 in London: summer time ends on the 26th, so the month is 745 hours."""
    crm, phones = world.service_a, world.service_a2
    interruption(world, K.OUTAGE, utc(2025, 10, 2, 10), utc(2025, 10, 2, 12), [crm])
    interruption(world, K.INCIDENT, utc(2025, 10, 2, 11), utc(2025, 10, 2, 13), [crm])
    interruption(world, K.ERROR, utc(2025, 10, 2, 11, 30), utc(2025, 10, 2, 11, 45), [crm])
    # Crosses the month's first instant (1 October 00:00 BST = 30 September 23:00 UTC).
    interruption(world, K.COMMUNICATION, utc(2025, 9, 30, 22), utc(2025, 10, 1, 1), [crm, phones])
    interruption(world, K.MAINTENANCE, utc(2025, 10, 5, 0), utc(2025, 10, 5, 4), [crm])
    interruption(world, K.DEGRADATION, utc(2025, 10, 6, 10), utc(2025, 10, 6, 11), [phones])
    # Still going on: counts to the month's end (1 November 00:00 GMT).
    interruption(world, K.THIRD_PARTY, utc(2025, 10, 31, 23), None, [phones], status=Status.NEW)
    interruption(
        world, K.OUTAGE, utc(2025, 10, 10), utc(2025, 10, 11), [crm], status=Status.CANCELLED
    )
    interruption(
        world, K.OUTAGE, utc(2025, 10, 12), utc(2025, 10, 13), [world.service_b], world.client_b
    )
    return period_containing(MONTH, date(2025, 10, 1), LONDON)


def test_october_known_answers(world, october):
    report = availability_report(
        world.client_a, october, business=False, now=utc(2025, 11, 15), trend=1
    )
    overall, services = report.overall, by_service(report)
    assert hours(overall.length) == 745
    assert hours(overall.downtime) == 6  # 3 h merged on the 2nd, 2 h at the start, 1 h at the end
    assert hours(services["CRM"].downtime) == 5
    assert hours(services["Telephony platform"].downtime) == 3
    assert overall.percent == pytest.approx(100 * (1 - 6 / 745))
    assert hours(overall.maintenance) == 4 and hours(services["CRM"].maintenance) == 4
    assert hours(overall.degraded) == 1 and hours(services["CRM"].degraded) == 0
    assert overall.incidents == 4  # the one that began in September is not among them
    assert services["CRM"].incidents == 3
    assert services["Telephony platform"].incidents == 1
    assert overall.mttr_hours == pytest.approx((2 + 2 + 0.25 + 3) / 4)
    assert overall.mtbf_hours == pytest.approx((745 - 6) / 4)
    crm_spans = [(span.start, span.end, span.interruptions) for span in services["CRM"].spans]
    assert crm_spans == [
        (utc(2025, 9, 30, 23), utc(2025, 10, 1, 1), 1),
        (utc(2025, 10, 2, 10), utc(2025, 10, 2, 13), 3),
    ]


def test_ongoing_interruption_counts_until_now(world):
    now = utc(2026, 2, 10, 12)
    interruption(world, K.OUTAGE, now - timedelta(hours=2), None, [world.service_a])
    period = period_containing(MONTH, date(2026, 2, 1), LONDON)

    report = availability_report(world.client_a, period, business=False, now=now)

    assert hours(report.overall.length) == 9 * 24 + 12
    assert hours(report.overall.downtime) == 2
    assert report.overall.mttr_hours is None  # nothing ended
    assert report.overall.incidents == 1


def test_business_hours_with_a_holiday(world):
    BusinessCalendarFactory(
        client=world.client_a, hours=OFFICE_HOURS, holidays=[date(2025, 12, 25)]
    )
    crm = world.service_a
    # Monday 16:00 to Tuesday 10:00: one working hour each day.
    interruption(world, K.OUTAGE, utc(2025, 12, 22, 16), utc(2025, 12, 23, 10), [crm])
    interruption(world, K.OUTAGE, utc(2025, 12, 25, 10), utc(2025, 12, 25, 12), [crm])  # holiday
    interruption(world, K.OUTAGE, utc(2025, 12, 27, 10), utc(2025, 12, 27, 12), [crm])  # Saturday
    week = custom_period(date(2025, 12, 22), date(2025, 12, 28), LONDON)

    report = availability_report(world.client_a, week, business=True, now=utc(2026, 1, 5))

    overall = report.overall
    assert hours(overall.length) == 4 * 8
    assert hours(overall.downtime) == 2
    assert overall.percent == pytest.approx(100 * (1 - 2 / 32))
    assert overall.mtbf_hours == pytest.approx(30 / 3)
    assert overall.mttr_hours == pytest.approx((18 + 2 + 2) / 3)  # calendar hours
    calendar = availability_report(world.client_a, week, business=False, now=utc(2026, 1, 5))
    assert hours(calendar.overall.downtime) == 22


def test_working_intervals_add_up_to_business_minutes(world):
    BusinessCalendarFactory(client=world.client_a, hours=OFFICE_HOURS, holidays=[date(2026, 3, 31)])
    spec = calendar_spec_for(world.client_a)
    start, end = utc(2026, 3, 20, 12), utc(2026, 4, 3, 10)  # over the change to summer time
    found = working_intervals(spec, start, end)
    assert sum((b - a for a, b in found), timedelta()) == timedelta(
        minutes=business_minutes_between(spec, start, end)
    )
    assert all(a < b <= c for (a, b), (c, _) in zip(found, found[1:], strict=False))
    assert found[-1] == (utc(2026, 4, 3, 8), utc(2026, 4, 3, 10))  # 09:00 BST is 08:00 UTC


def test_trend_has_six_periods_oldest_first(world, october):
    november = period_containing(MONTH, date(2025, 11, 1), LONDON)
    report = availability_report(
        world.client_a, november, business=False, now=utc(2025, 12, 1), trend=6
    )
    assert [item.period.first_day.month for item in report.trend] == [6, 7, 8, 9, 10, 11]
    assert hours(report.trend[4].downtime) == 6
    assert report.trend[4].incidents == 4
    assert report.trend[4].mttr_hours == pytest.approx(7.25 / 4)
    # The ongoing interruption runs on through November.
    assert hours(report.trend[5].downtime) == 30 * 24


# --- Property: the figures equal a minute-by-minute count from the definition ---------------

BASE = utc(2026, 3, 27)  # London changes to summer time on 29 March
PERIOD = custom_period(date(2026, 3, 28), date(2026, 3, 30), LONDON)
NOW = PERIOD.start + timedelta(hours=60)  # the period's last day is under way
STOPPING = {K.OUTAGE, K.INCIDENT, K.COMMUNICATION, K.THIRD_PARTY, K.ERROR}

records = st.lists(
    st.tuples(
        st.integers(0, 5 * 24 * 60),  # start, minutes from BASE
        st.one_of(st.none(), st.integers(0, 30 * 60)),  # length in minutes; None: ongoing
        st.sampled_from(list(K.values)),
        st.sampled_from([0, 1, 2]),  # services: CRM, Telephony, both
        st.booleans(),  # cancelled
    ),
    max_size=8,
)


def minute_of(moment: datetime) -> int:
    return int((moment - PERIOD_START) / timedelta(minutes=1))


PERIOD_START = PERIOD.start.astimezone(UTC)
MINUTES = minute_of(NOW)  # the period's minutes up to now
# Minutes whose London wall clock reads 08:00 to 17:59: the calendar of the property test.
OPEN_MINUTES = frozenset(
    index
    for index in range(MINUTES)
    if 8 <= (PERIOD_START + timedelta(minutes=index)).astimezone(LONDON).hour < 18
)


def reference(rows, services, business, kinds):
    """Minutes of `PERIOD` up to `NOW` during which one of `rows` of `kinds` on `services`
    was going on, and the minutes counted at all."""
    counted = OPEN_MINUTES if business else frozenset(range(MINUTES))
    down = set()
    for begin, finish, kind, chosen, cancelled in rows:
        if kind in kinds and not cancelled and chosen & services:
            down.update(range(max(minute_of(begin), 0), min(minute_of(finish or NOW), MINUTES)))
    return len(down & counted), len(counted)


@settings(
    max_examples=report_examples(), suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=records, business=st.booleans())
def test_downtime_equals_a_minute_by_minute_reference(world, rows, business):
    Interruption.objects.filter(client=world.client_a).delete()
    BusinessCalendarFactory(
        client=world.client_a, hours=[(day, "08:00", "18:00") for day in range(7)]
    )
    service_sets = [{world.service_a}, {world.service_a2}, {world.service_a, world.service_a2}]
    built = []
    for offset, length, kind, which, cancelled in rows:
        begin = BASE + timedelta(minutes=offset)
        finish = None if length is None else begin + timedelta(minutes=length)
        status = Status.CANCELLED if cancelled else Status.IN_PROGRESS
        interruption(world, kind, begin, finish, list(service_sets[which]), status=status)
        built.append((begin, finish, kind, service_sets[which], cancelled))
    report = availability_report(world.client_a, PERIOD, business=business, now=NOW)

    everything = {world.service_a, world.service_a2}
    for item, services in [
        (report.overall, everything),
        *((item, {item.service}) for item in report.services),
    ]:
        down, total = reference(built, services, business, STOPPING)
        assert item.downtime == timedelta(minutes=down)
        assert item.length == timedelta(minutes=total)
        degraded, _ = reference(built, services, business, {K.DEGRADATION})
        assert item.degraded == timedelta(minutes=degraded)
        maintenance, _ = reference(built, services, business, {K.MAINTENANCE})
        assert item.maintenance == timedelta(minutes=maintenance)
        counted = [row for row in built if row[2] in STOPPING and not row[4] and row[3] & services]
        started = [row for row in counted if PERIOD.start <= row[0] < PERIOD.end]
        ended = [row for row in counted if row[1] and PERIOD.start <= row[1] < PERIOD.end]
        assert item.incidents == len(started)
        if ended:
            expected = sum(hours(finish - begin) for begin, finish, *_ in ended) / len(ended)
            assert item.mttr_hours == pytest.approx(expected)
        else:
            assert item.mttr_hours is None
        if started:
            assert item.mtbf_hours == pytest.approx((total - down) / 60 / len(started))
