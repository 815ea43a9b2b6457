"""Report periods in the client's zone: bounds at local midnight, real lengths across DST."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from apps.reports.periods import (
    CUSTOM,
    MONTH,
    QUARTER,
    WEEK,
    custom_period,
    period_containing,
)

LONDON = ZoneInfo("Europe/London")
DONE = datetime(2030, 1, 1, tzinfo=UTC)


def test_a_month_starts_and_ends_at_local_midnight():
    march = period_containing(MONTH, date(2027, 3, 14), LONDON)
    assert (march.first_day, march.last_day) == (date(2027, 3, 1), date(2027, 3, 31))
    assert march.start == datetime(2027, 3, 1, tzinfo=UTC)
    # Summer time has begun by the 31st: April starts at 23:00 UTC.
    assert march.end == datetime(2027, 3, 31, 23, tzinfo=UTC)


def test_lengths_are_real_time_across_a_change_of_clocks():
    march = period_containing(MONTH, date(2027, 3, 1), LONDON)
    october = period_containing(MONTH, date(2027, 10, 1), LONDON)
    june = period_containing(MONTH, date(2027, 6, 1), LONDON)
    assert march.length(DONE) == timedelta(days=31) - timedelta(hours=1)
    assert october.length(DONE) == timedelta(days=31) + timedelta(hours=1)
    assert june.length(DONE) == timedelta(days=30)


def test_a_period_not_over_yet_counts_up_to_now():
    week = period_containing(WEEK, date(2027, 3, 24), LONDON)
    assert week.first_day == date(2027, 3, 22)
    now = datetime(2027, 3, 28, 12, tzinfo=UTC)  # after the clocks went forward at 01:00
    assert week.length(now) == timedelta(days=6, hours=12)
    assert week.length(datetime(2027, 3, 1, tzinfo=UTC)) == timedelta(0)


def test_previous_periods_follow_each_other():
    quarter = period_containing(QUARTER, date(2027, 2, 10), LONDON)
    trend = quarter.trend(3)
    assert [period.first_day for period in trend] == [
        date(2026, 7, 1),
        date(2026, 10, 1),
        date(2027, 1, 1),
    ]
    custom = custom_period(date(2027, 1, 10), date(2027, 1, 16), LONDON)
    assert custom.kind == CUSTOM
    assert (custom.previous().first_day, custom.previous().last_day) == (
        date(2027, 1, 3),
        date(2027, 1, 9),
    )
