"""Business time against a slow, obvious reference: one minute at a time, wall clock via zoneinfo.

Random calendars (intervals on a quarter-hour grid, random holidays) in zones with ordinary,
half-hour and no clock changes; starts a few days either side of a clock change; random holds
that overlap and come in any order. Whole minutes everywhere, so the reference is exact.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from apps.sla.business_time import CalendarSpec, add_business_minutes, business_minutes_between

ZONES = ("Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "UTC")
ONE_MINUTE = timedelta(minutes=1)
# A day's interval boundaries, in quarter hours from midnight (96 is 24:00).
QUARTERS = st.lists(st.integers(0, 96), max_size=6, unique=True)
PROPERTY = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@dataclass(frozen=True)
class Case:
    tz: str
    weekly: tuple[tuple[tuple[int, int], ...], ...]  # minutes from local midnight
    holidays: frozenset[date]
    start: datetime
    holds: tuple[tuple[datetime, datetime], ...]

    @property
    def spec(self) -> CalendarSpec:
        rows = [
            (weekday, _clock(start), _clock(end))
            for weekday, day in enumerate(self.weekly)
            for start, end in day
        ]
        return CalendarSpec.build(self.tz, rows, self.holidays)

    @property
    def weekly_minutes(self) -> int:
        return sum(end - start for day in self.weekly for start, end in day)


def _clock(minutes: int) -> time:
    return time(0) if minutes == 24 * 60 else time(minutes // 60, minutes % 60)


@cache
def _clock_changes(tz: str) -> tuple[datetime, ...]:
    """Instants in 2025–2027 when the zone's offset changes (to the hour), by plain scanning."""
    zone, found = ZoneInfo(tz), []
    moment = datetime(2025, 1, 1, tzinfo=UTC)
    previous = moment.astimezone(zone).utcoffset()
    while moment.year < 2028:
        moment += timedelta(hours=1)
        offset = moment.astimezone(zone).utcoffset()
        if offset != previous:
            found.append(moment)
        previous = offset
    return tuple(found) or (datetime(2026, 6, 15, tzinfo=UTC),)


@st.composite
def cases(draw, hold_count: int = 3) -> Case:
    tz = draw(st.sampled_from(ZONES))
    weekly = []
    for quarters in draw(st.lists(QUARTERS, min_size=7, max_size=7)):
        points = [quarter * 15 for quarter in sorted(quarters)]
        weekly.append(tuple(zip(points[0::2], points[1::2], strict=False)))
    assume(any(weekly))
    anchor = draw(st.sampled_from(_clock_changes(tz)))
    start = anchor + timedelta(minutes=draw(st.integers(-4 * 1440, 4 * 1440)))
    first_day = start.date()
    holidays = draw(
        st.frozensets(
            st.integers(-2, 16).map(lambda days: first_day + timedelta(days=days)), max_size=4
        )
    )
    holds = []
    for _ in range(draw(st.integers(0, hold_count))):
        begins = start + timedelta(minutes=draw(st.integers(-600, 6000)))
        holds.append((begins, begins + timedelta(minutes=draw(st.integers(0, 1500)))))
    return Case(tz, tuple(weekly), holidays, start, tuple(holds))


# --- The reference ------------------------------------------------------------------------------


def _counts(case: Case, minute: datetime, zone: ZoneInfo) -> bool:
    """Does the minute starting at `minute` count? Read straight off the wall clock."""
    local = minute.astimezone(zone)
    if local.date() in case.holidays:
        return False
    of_day = local.hour * 60 + local.minute
    if not any(start <= of_day < end for start, end in case.weekly[local.weekday()]):
        return False
    return not any(begins <= minute < ends for begins, ends in case.holds)


def reference_between(case: Case, end: datetime) -> int:
    zone, minute, total = ZoneInfo(case.tz), case.start, 0
    while minute < end:
        total += _counts(case, minute, zone)
        minute += ONE_MINUTE
    return total


def reference_add(case: Case, minutes: int) -> datetime:
    zone, minute, counted = ZoneInfo(case.tz), case.start, 0
    if minutes == 0:
        return case.start
    while True:
        if _counts(case, minute, zone):
            counted += 1
            if counted == minutes:
                return minute + ONE_MINUTE
        minute += ONE_MINUTE


# --- Properties ---------------------------------------------------------------------------------


@PROPERTY
@given(case=cases(), data=st.data())
def test_add_agrees_with_the_reference(case, data):
    minutes = data.draw(st.integers(0, min(case.weekly_minutes * 2, 2500)), label="minutes")
    assert add_business_minutes(case.spec, case.start, minutes, case.holds) == reference_add(
        case, minutes
    )


@PROPERTY
@given(case=cases(), span=st.integers(-60, 7 * 1440))
def test_between_agrees_with_the_reference(case, span):
    end = case.start + timedelta(minutes=span)
    expected = reference_between(case, end) if span >= 0 else 0
    result = business_minutes_between(case.spec, case.start, end, case.holds)
    if span < 0:
        assert result == -business_minutes_between(case.spec, end, case.start, case.holds)
    else:
        assert result == expected


@PROPERTY
@given(case=cases(hold_count=6), minutes=st.integers(0, 200_000))
def test_between_undoes_add_exactly_and_add_is_the_earliest_such_instant(case, minutes):
    spec = case.spec
    due = add_business_minutes(spec, case.start, minutes, case.holds)
    assert business_minutes_between(spec, case.start, due, case.holds) == minutes
    if minutes:
        just_before = due - timedelta(microseconds=1)
        assert business_minutes_between(spec, case.start, just_before, case.holds) < minutes
        assert add_business_minutes(spec, case.start, minutes - 1, case.holds) < due


@PROPERTY
@given(
    case=cases(hold_count=2),
    weeks_before=st.integers(0, 4),
    weeks=st.integers(2, 30),
    with_holds=st.booleans(),
)
def test_whole_week_jumps_add_up_like_day_by_day_steps(case, weeks_before, weeks, with_holds):
    """Spans cut into pieces under a week (walked day by day) sum to the span walked with jumps.

    Starting some weeks before the clock change puts it inside a week the walk could jump.
    """
    spec, holds = case.spec, case.holds if with_holds else ()
    start = case.start - timedelta(weeks=weeks_before)
    end = start + timedelta(weeks=weeks, minutes=37)
    cuts = [start]
    while cuts[-1] < end:
        cuts.append(min(cuts[-1] + timedelta(days=5, hours=7), end))
    pieces = sum(
        business_minutes_between(spec, low, high, holds)
        for low, high in zip(cuts, cuts[1:], strict=False)
    )
    assert business_minutes_between(spec, start, end, holds) == pieces
    assert add_business_minutes(spec, start, pieces, holds) <= end
