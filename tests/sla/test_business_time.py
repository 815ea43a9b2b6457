"""Business time, fixed cases: weekends, holidays, clock changes, holds, 24×7, large spans."""

import time as clock
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from apps.sla.business_time import (
    ALWAYS_OPEN,
    CalendarSpec,
    add_business_minutes,
    business_minutes_between,
)

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")


def office(tz="Europe/London", days=range(5), start=time(9), end=time(17), holidays=()):
    return CalendarSpec.build(tz, [(day, start, end) for day in days], holidays)


def at(zone, *parts) -> datetime:
    return datetime(*parts, tzinfo=zone)


def test_friday_afternoon_plus_an_hour_is_monday_morning():
    friday = at(LONDON, 2026, 3, 6, 16, 30)
    due = add_business_minutes(office(), friday, 60)
    assert due == at(LONDON, 2026, 3, 9, 9, 30)
    assert due.tzinfo is UTC
    assert business_minutes_between(office(), friday, due) == 60


def test_a_holiday_monday_moves_it_to_tuesday():
    spec = office(holidays=[date(2026, 3, 9)])
    assert add_business_minutes(spec, at(LONDON, 2026, 3, 6, 16, 30), 60) == at(
        LONDON, 2026, 3, 10, 9, 30
    )


def test_a_start_on_a_holiday_waits_for_the_next_working_day():
    spec = office(holidays=[date(2026, 3, 9)])
    assert add_business_minutes(spec, at(LONDON, 2026, 3, 9, 10, 0), 30) == at(
        LONDON, 2026, 3, 10, 9, 30
    )


def test_a_start_outside_hours_starts_the_clock_at_the_next_opening():
    assert add_business_minutes(office(), at(LONDON, 2026, 3, 9, 18, 0), 30) == at(
        LONDON, 2026, 3, 10, 9, 30
    )
    assert add_business_minutes(office(), at(LONDON, 2026, 3, 9, 6, 0), 30) == at(
        LONDON, 2026, 3, 9, 9, 30
    )


def test_reaching_the_target_at_closing_time_is_due_at_closing_time():
    assert add_business_minutes(office(), at(LONDON, 2026, 3, 6, 16, 0), 60) == at(
        LONDON, 2026, 3, 6, 17, 0
    )


def test_zero_minutes_is_the_start_itself_even_outside_hours():
    saturday = at(LONDON, 2026, 3, 7, 12, 0)
    assert add_business_minutes(office(), saturday, 0) == saturday
    assert business_minutes_between(office(), saturday, saturday) == 0


def test_negative_minutes_and_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="negative"):
        add_business_minutes(office(), at(LONDON, 2026, 3, 9, 9, 0), -1)
    with pytest.raises(ValueError, match="aware"):
        add_business_minutes(office(), datetime(2026, 3, 9, 9, 0), 10)


def test_a_calendar_without_hours_never_falls_due():
    closed = CalendarSpec(tz="Europe/London", weekly=((),) * 7)
    with pytest.raises(ValueError, match="no working hours"):
        add_business_minutes(closed, at(LONDON, 2026, 3, 9, 9, 0), 10)
    assert business_minutes_between(closed, at(LONDON, 2026, 3, 9), at(LONDON, 2026, 3, 20)) == 0


def test_several_intervals_a_day_leave_the_lunch_break_out():
    spec = CalendarSpec.build(
        "Europe/London",
        [(0, time(8), time(12)), (0, time(13), time(17))],
    )
    monday = at(LONDON, 2026, 3, 9, 11, 30)
    assert add_business_minutes(spec, monday, 60) == at(LONDON, 2026, 3, 9, 13, 30)
    assert business_minutes_between(spec, monday, at(LONDON, 2026, 3, 9, 18)) == 30 + 240


def test_an_end_of_midnight_means_the_end_of_the_day():
    spec = CalendarSpec.build("Europe/London", [(0, time(22), time(0))])
    assert add_business_minutes(spec, at(LONDON, 2026, 3, 9, 23, 0), 90) == at(
        LONDON, 2026, 3, 16, 22, 30
    )


def test_hold_time_does_not_count():
    monday = at(LONDON, 2026, 3, 9, 9, 0)
    hold = (at(LONDON, 2026, 3, 9, 10, 0), at(LONDON, 2026, 3, 9, 10, 30))
    assert add_business_minutes(office(), monday, 120, [hold]) == at(LONDON, 2026, 3, 9, 11, 30)
    assert business_minutes_between(office(), monday, at(LONDON, 2026, 3, 9, 12), [hold]) == 150


def test_overlapping_unsorted_holds_count_once():
    monday = at(LONDON, 2026, 3, 9, 9, 0)
    holds = [
        (at(LONDON, 2026, 3, 9, 10, 15), at(LONDON, 2026, 3, 9, 10, 45)),
        (at(LONDON, 2026, 3, 9, 10, 0), at(LONDON, 2026, 3, 9, 10, 30)),
        (at(LONDON, 2026, 3, 9, 12, 0), at(LONDON, 2026, 3, 9, 11, 0)),  # backwards: nothing
    ]
    assert add_business_minutes(office(), monday, 120, holds) == at(LONDON, 2026, 3, 9, 11, 45)


def test_a_hold_over_the_weekend_changes_nothing_and_one_over_monday_moves_it_on():
    friday = at(LONDON, 2026, 3, 6, 16, 30)
    weekend = (at(LONDON, 2026, 3, 6, 18), at(LONDON, 2026, 3, 9, 8))
    assert add_business_minutes(office(), friday, 60, [weekend]) == at(LONDON, 2026, 3, 9, 9, 30)
    long_hold = (at(LONDON, 2026, 3, 6, 17), at(LONDON, 2026, 3, 17, 12))
    assert add_business_minutes(office(), friday, 60, [long_hold]) == at(
        LONDON, 2026, 3, 17, 12, 30
    )


# --- Clock changes ----------------------------------------------------------------------------
# Europe/London: 2026-03-29 01:00 GMT → 02:00 BST; 2026-10-25 02:00 BST → 01:00 GMT.


def test_working_hours_stay_local_on_the_spring_forward_day():
    every_day = office(days=range(7), start=time(8), end=time(17))
    saturday = at(LONDON, 2026, 3, 28, 8, 0)
    monday = at(LONDON, 2026, 3, 30, 8, 0)
    assert business_minutes_between(every_day, saturday, monday) == 2 * 9 * 60
    # Saturday 16:00 + 2 h: one hour on Saturday, the next from Sunday 08:00 BST (07:00 UTC).
    due = add_business_minutes(every_day, at(LONDON, 2026, 3, 28, 16, 0), 120)
    assert due == datetime(2026, 3, 29, 8, 0, tzinfo=UTC)
    assert due == at(LONDON, 2026, 3, 29, 9, 0)


def test_working_hours_stay_local_on_the_fall_back_day():
    every_day = office(days=range(7), start=time(8), end=time(17))
    assert (
        business_minutes_between(every_day, at(LONDON, 2026, 10, 24), at(LONDON, 2026, 10, 26))
        == 2 * 9 * 60
    )


def test_the_skipped_hour_does_not_count_and_the_repeated_hour_counts_twice():
    night = office(days=range(7), start=time(0, 30), end=time(3, 0))
    spring = business_minutes_between(night, at(LONDON, 2026, 3, 29), at(LONDON, 2026, 3, 29, 6))
    autumn = business_minutes_between(night, at(LONDON, 2026, 10, 25), at(LONDON, 2026, 10, 25, 6))
    assert (spring, autumn) == (90, 210)
    # 00:45 GMT + 30: 15 minutes to the jump at 01:00 GMT, then 02:00–02:15 BST.
    assert add_business_minutes(night, at(LONDON, 2026, 3, 29, 0, 45), 30) == datetime(
        2026, 3, 29, 1, 15, tzinfo=UTC
    )
    # 00:30 BST + 120: 90 minutes of BST, then 30 of the repeated hour, in GMT.
    assert add_business_minutes(night, at(LONDON, 2026, 10, 25, 0, 30), 120) == datetime(
        2026, 10, 25, 1, 30, tzinfo=UTC
    )


def test_new_york_spring_forward_inside_working_hours():
    # 2026-03-08 02:00 EST → 03:00 EDT; hours 01:00–04:00 are two real hours that day.
    spec = office(tz="America/New_York", days=range(7), start=time(1), end=time(4))
    assert (
        business_minutes_between(
            spec, at(NEW_YORK, 2026, 3, 8, 0, 0), at(NEW_YORK, 2026, 3, 8, 12, 0)
        )
        == 120
    )


def test_lord_howe_moves_its_clocks_by_half_an_hour():
    # 2026-10-04 02:00 → 02:30 (+10:30 → +11:00); 2026-04-05 02:00 → 01:30 (+11 → +10:30).
    spec = office(tz="Australia/Lord_Howe", days=range(7), start=time(1), end=time(3))
    spring = business_minutes_between(
        spec, at(LORD_HOWE, 2026, 10, 4, 0), at(LORD_HOWE, 2026, 10, 4, 12)
    )
    autumn = business_minutes_between(
        spec, at(LORD_HOWE, 2026, 4, 5, 0), at(LORD_HOWE, 2026, 4, 5, 12)
    )
    assert (spring, autumn) == (90, 150)


# --- 24×7 -------------------------------------------------------------------------------------


def test_the_24x7_calendar_counts_every_minute_but_holds():
    # Across the clock change real minutes count (UTC arithmetic, not wall-clock).
    start = at(LONDON, 2026, 3, 28, 22, 0).astimezone(UTC)
    assert add_business_minutes(ALWAYS_OPEN, start, 240) == start + timedelta(hours=4)
    hold = (start + timedelta(hours=1), start + timedelta(hours=2))
    assert add_business_minutes(ALWAYS_OPEN, start, 240, [hold]) == start + timedelta(hours=5)
    assert business_minutes_between(ALWAYS_OPEN, start, start + timedelta(hours=5), [hold]) == 240
    assert ALWAYS_OPEN.always_open
    assert not office().always_open


def test_a_24_hour_calendar_with_a_holiday_is_not_always_open():
    spec = office(days=range(7), start=time(0), end=time(0), holidays=[date(2026, 3, 29)])
    assert not spec.always_open
    assert add_business_minutes(spec, at(LONDON, 2026, 3, 28, 23, 0), 120) == at(
        LONDON, 2026, 3, 30, 1, 0
    )


def test_minutes_between_are_fractional_and_signed():
    monday = at(LONDON, 2026, 3, 9, 9, 0)
    later = monday + timedelta(seconds=90, microseconds=30)
    assert business_minutes_between(office(), monday, later) == pytest.approx(1.5 + 5e-7)
    assert business_minutes_between(office(), later, monday) == -business_minutes_between(
        office(), monday, later
    )


# --- Large spans --------------------------------------------------------------------------------


def test_a_year_of_business_minutes_lands_on_the_last_friday_evening():
    monday = at(LONDON, 2026, 1, 5, 9, 0)
    weekly = 5 * 8 * 60
    due = add_business_minutes(office(), monday, 52 * weekly)
    assert due == at(LONDON, 2027, 1, 1, 17, 0)  # both clock changes on the way
    assert business_minutes_between(office(), monday, due) == 52 * weekly


def test_holidays_and_holds_inside_a_long_span_are_not_jumped_over():
    monday = at(LONDON, 2026, 1, 5, 9, 0)
    spec = office(holidays=[date(2026, 4, 3), date(2026, 4, 6)])
    hold = (at(LONDON, 2026, 6, 1, 9, 0), at(LONDON, 2026, 6, 2, 17, 0))
    due = add_business_minutes(spec, monday, 52 * 5 * 8 * 60, [hold])
    # Four working days lost: Good Friday, Easter Monday, and the two days on hold.
    assert due == at(LONDON, 2027, 1, 7, 17, 0)


def test_a_week_with_a_clock_change_inside_the_hours_is_not_jumped_as_a_plain_week():
    night = office(days=range(7), start=time(0, 30), end=time(3, 0))
    start, end = at(LONDON, 2026, 3, 9), at(LONDON, 2026, 4, 20)
    expected = 42 * 150 - 60  # 29 March loses its skipped hour
    assert business_minutes_between(night, start, end) == expected
    assert add_business_minutes(night, start, expected) == at(LONDON, 2026, 4, 19, 3, 0)


def test_ten_years_of_business_minutes_take_milliseconds():
    spec = office(tz="Australia/Lord_Howe", holidays=[date(2027, 1, 1), date(2030, 12, 25)])
    start = at(LORD_HOWE, 2026, 1, 5, 9, 0)
    minutes = 10 * 52 * 5 * 8 * 60
    began = clock.perf_counter()
    due = add_business_minutes(spec, start, minutes)
    elapsed = business_minutes_between(spec, start, due)
    # Minute by minute this would be five million steps; whole weeks make it about a thousand.
    assert clock.perf_counter() - began < 0.5
    assert elapsed == minutes
