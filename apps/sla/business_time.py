"""Business time: "due at = start + N business minutes" and "business time between two instants".

Pure functions over a small immutable `CalendarSpec` (built from the models once per
computation, see `selectors.calendar_spec_for`); nothing here touches the database.

What counts as business time
    An instant is business time when its wall-clock time *in the client's zone* falls inside
    one of the working-hours intervals of its local weekday, its local date is not a holiday,
    and it is not inside a hold interval (the record was on hold). Working hours are local
    wall-clock hours, so on the day clocks change a 08:00–17:00 day is still 08:00–17:00 local:
    9 hours of real time, unless the working hours cover the changed hour itself. Hours that do
    not exist (the hour skipped when clocks go forward) count for nothing; hours that happen
    twice (when clocks go back) count twice, because they are lived twice.

Precision
    Internally every instant is an integer number of microseconds since the epoch, so sums are
    exact. `business_minutes_between` returns minutes as a float with microsecond precision:
    whole minutes come back as exact whole numbers, and
    `business_minutes_between(s, add_business_minutes(s, n)) == n` holds exactly.

Speed
    The walk goes day by day, a handful of operations per day, and jumps whole weeks in one
    step (their business time is the nominal weekly total) when a week has no holiday, no
    hold and no change of UTC offset. Months of business minutes cost microseconds per week.

Assumption: local calendar dates follow each other in real time (true of every zone in use;
a zone would have to put its clocks back across midnight by more than the time past it).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from apps.core.dates import is_plausible

SECOND = 1_000_000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR
WEEK = 7 * DAY
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = _EPOCH.date().toordinal()
# No zone is further than this from UTC (present offsets span -12:00..+14:00; the margin also
# covers old local mean times). An instant with local date D lies within this of D's midnight.
_MARGIN = 16 * HOUR

Interval = tuple[int, int]
Hold = tuple[datetime, datetime]


@dataclass(frozen=True)
class CalendarSpec:
    """A client's business calendar as plain values.

    `weekly[0]` is Monday: sorted, disjoint [start, end) intervals in microseconds from local
    midnight (end at most 24:00). `holidays` are local dates that are entirely off.
    The default value is the 24×7 calendar: every instant is business time.
    """

    tz: str = "UTC"
    weekly: tuple[tuple[Interval, ...], ...] = (((0, DAY),),) * 7
    holidays: frozenset[date] = frozenset()
    _zone: ZoneInfo = field(init=False, repr=False, compare=False)
    _sorted_holidays: tuple[date, ...] = field(init=False, repr=False, compare=False)
    week_us: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.weekly) != 7:
            raise ValueError("A week has seven days: give seven lists of working hours.")
        weekly = tuple(_merge(day) for day in self.weekly)
        for day in weekly:
            for start, end in day:
                if start < 0 or end > DAY:
                    raise ValueError("Working hours lie within a day (00:00 to 24:00).")
        object.__setattr__(self, "weekly", weekly)
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "_zone", ZoneInfo(self.tz))
        object.__setattr__(self, "_sorted_holidays", tuple(sorted(self.holidays)))
        week = sum(end - start for day in weekly for start, end in day)
        object.__setattr__(self, "week_us", week)

    @classmethod
    def build(
        cls,
        tz: str,
        hours: Iterable[tuple[int, time, time]],
        holidays: Iterable[date] = (),
    ) -> CalendarSpec:
        """From (weekday, start, end) rows as the models hold them; an end of 00:00 is 24:00."""
        weekly: list[list[Interval]] = [[] for _ in range(7)]
        for weekday, start, end in hours:
            end_us = _time_us(end) or DAY
            weekly[weekday].append((_time_us(start), end_us))
        return cls(tz=tz, weekly=tuple(tuple(day) for day in weekly), holidays=frozenset(holidays))

    @property
    def always_open(self) -> bool:
        return not self.holidays and all(day == ((0, DAY),) for day in self.weekly)


def add_business_minutes(
    spec: CalendarSpec, start: datetime, minutes: float, holds: Iterable[Hold] = ()
) -> datetime:
    """The earliest instant by which `minutes` of business time have passed since `start`.

    Time inside `holds` (start, end) intervals does not count; they may overlap and come in any
    order. A start outside working hours starts the clock at the next opening; zero minutes is
    `start` itself. The answer is in UTC.
    """
    if minutes < 0:
        raise ValueError("Business minutes cannot be negative.")
    _check_range(start)
    remaining = round(minutes * MINUTE)
    position = _to_us(start)
    if remaining == 0:
        return _from_us(position)
    held = _Holds(holds)
    if spec.always_open:
        return _from_us(_add_continuous(position, remaining, held))
    if spec.week_us == 0:
        raise ValueError("The calendar has no working hours: nothing would ever fall due.")
    day = _local_date(spec, position)
    position_day = day
    while True:
        skipped = held.covering(_day_window(day, 1))
        if skipped is not None:
            position = max(position, skipped)
            day = position_day = _local_date(spec, position)
            continue
        if day > position_day and remaining > spec.week_us and _is_plain_week(spec, day, held):
            remaining -= spec.week_us
            day += timedelta(days=7)
            continue
        for low, high in _day_intervals(spec, day):
            for piece_start, piece_end in held.subtract(max(low, position), high):
                length = piece_end - piece_start
                if remaining <= length:
                    return _from_us(piece_start + remaining)
                remaining -= length
        day += timedelta(days=1)


def business_minutes_between(
    spec: CalendarSpec, start: datetime, end: datetime, holds: Iterable[Hold] = ()
) -> float:
    """Business minutes elapsed from `start` to `end`, time inside `holds` not counted.

    Minutes as a float, exact to the microsecond; negative when `end` is before `start`.
    """
    _check_range(start)
    low, high = _to_us(start), _to_us(end)
    if high < low:
        return -business_minutes_between(spec, end, start, holds)
    if high == low:
        return 0.0
    held = _Holds(holds)
    if spec.always_open:
        return (high - low - held.overlap(low, high)) / MINUTE
    total = 0
    first_day, last_day = _local_date(spec, low), _local_date(spec, high)
    day = first_day
    while day <= last_day:
        if (
            first_day < day
            and day + timedelta(days=6) < last_day
            and _is_plain_week(spec, day, held)
        ):
            total += spec.week_us
            day += timedelta(days=7)
            continue
        for interval_start, interval_end in _day_intervals(spec, day):
            piece_start, piece_end = max(interval_start, low), min(interval_end, high)
            if piece_start < piece_end:
                total += piece_end - piece_start - held.overlap(piece_start, piece_end)
        day += timedelta(days=1)
    return total / MINUTE


def working_intervals(
    spec: CalendarSpec, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """The business time between `start` and `end` as disjoint UTC intervals, in order.

    Their lengths add up to `business_minutes_between(spec, start, end)` (no holds).
    """
    _check_range(start)
    low, high = _to_us(start), _to_us(end)
    if high <= low:
        return []
    if spec.always_open:
        return [(_from_us(low), _from_us(high))]
    found: list[Interval] = []
    day, last_day = _local_date(spec, low), _local_date(spec, high)
    while day <= last_day:
        for interval_start, interval_end in _day_intervals(spec, day):
            piece_start, piece_end = max(interval_start, low), min(interval_end, high)
            if piece_start < piece_end:
                found.append((piece_start, piece_end))
        day += timedelta(days=1)
    return [
        (_from_us(piece_start), _from_us(piece_end)) for piece_start, piece_end in _merge(found)
    ]


# --- Time arithmetic ------------------------------------------------------------------------


def _check_range(start: datetime) -> None:
    """A clock starts at a moment some form, filter or import accepted, so inside the
    portal's range; one that does not is a programming error, named as such rather than an
    overflow in the day loop near year 9999. (Due times may lie further out.)"""
    if not is_plausible(start):
        raise ValueError(f"{start.isoformat()} is outside the dates the portal accepts.")


def _to_us(moment: datetime) -> int:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("Business time needs aware datetimes (with a time zone).")
    return (moment - _EPOCH) // timedelta(microseconds=1)


def _from_us(value: int) -> datetime:
    return _EPOCH + timedelta(microseconds=value)


def _time_us(moment: time) -> int:
    return ((moment.hour * 60 + moment.minute) * 60 + moment.second) * SECOND + moment.microsecond


def _local_date(spec: CalendarSpec, value: int) -> date:
    return _from_us(value).astimezone(spec._zone).date()


def _midnight(day: date) -> int:
    """The day's local midnight read as if it were UTC (local wall clock, in microseconds)."""
    return (day.toordinal() - _EPOCH_ORDINAL) * DAY


def _day_window(day: date, days: int) -> Interval:
    """UTC instants that may have a local date within `days` days from `day`."""
    return _midnight(day) - _MARGIN, _midnight(day) + days * DAY + _MARGIN


def _offset(spec: CalendarSpec, value: int) -> int:
    return _from_us(value).astimezone(spec._zone).utcoffset() // timedelta(microseconds=1)


def _offset_pieces(spec: CalendarSpec, low: int, high: int) -> list[tuple[int, int, int]]:
    """[low, high) cut where the UTC offset changes: (start, end, offset) pieces.

    A window is at most a few days long, and no zone changes its offset twice within a few
    days and back again, so equal offsets at both ends mean one piece. A change is found by
    bisection to the second (zones change offset on whole seconds).
    """
    first, last = _offset(spec, low), _offset(spec, high - 1)
    if first == last:
        return [(low, high, first)]
    same, changed = low // SECOND, (high - 1) // SECOND
    while changed - same > 1:
        middle = (same + changed) // 2
        if _offset(spec, middle * SECOND) == first:
            same = middle
        else:
            changed = middle
    switch = changed * SECOND
    return [(low, switch, first), *_offset_pieces(spec, switch, high)]


def _day_intervals(spec: CalendarSpec, day: date) -> list[Interval]:
    """The UTC intervals of working time on local date `day` (none on a holiday)."""
    hours = spec.weekly[day.weekday()]
    if not hours or day in spec.holidays:
        return []
    midnight = _midnight(day)
    pieces = _offset_pieces(spec, *_day_window(day, 1))
    if len(pieces) == 1:
        offset = pieces[0][2]
        return [(midnight + start - offset, midnight + end - offset) for start, end in hours]
    # The offset changes on this day: an instant is working time when its own local wall
    # clock (instant + the offset in force then) falls in the working hours.
    found = []
    for start, end in hours:
        for piece_start, piece_end, offset in pieces:
            low = max(midnight + start - offset, piece_start)
            high = min(midnight + end - offset, piece_end)
            if low < high:
                found.append((low, high))
    return _merge(found)


def _is_plain_week(spec: CalendarSpec, day: date, held: _Holds) -> bool:
    """Seven days from `day` worth exactly the nominal weekly total: no holiday in them, no
    hold touching them, one UTC offset throughout."""
    holidays = spec._sorted_holidays
    index = bisect_left(holidays, day)
    if index < len(holidays) and holidays[index] < day + timedelta(days=7):
        return False
    low, high = _day_window(day, 7)
    if held.overlap(low, high):
        return False
    return _offset(spec, low) == _offset(spec, high - 1)


def _merge(intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    """Sorted, with overlapping or touching intervals joined and empty ones dropped."""
    merged: list[list[int]] = []
    for start, end in sorted(intervals):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((start, end) for start, end in merged)


def _add_continuous(position: int, remaining: int, held: _Holds) -> int:
    """24×7: every instant counts except those on hold."""
    for hold_start, hold_end in zip(held.starts, held.ends, strict=True):
        if hold_end <= position:
            continue
        if hold_start > position:
            if remaining <= hold_start - position:
                return position + remaining
            remaining -= hold_start - position
        position = max(position, hold_end)
    return position + remaining


class _Holds:
    """Hold intervals merged and sorted, with the interval questions the walk asks."""

    def __init__(self, holds: Iterable[Hold]) -> None:
        merged = _merge((_to_us(start), _to_us(end)) for start, end in holds)
        self.starts: Sequence[int] = [start for start, _ in merged]
        self.ends: Sequence[int] = [end for _, end in merged]

    def overlap(self, low: int, high: int) -> int:
        """Microseconds of [low, high) on hold."""
        total = 0
        index = bisect_right(self.ends, low)
        while index < len(self.starts) and self.starts[index] < high:
            total += min(self.ends[index], high) - max(self.starts[index], low)
            index += 1
        return total

    def subtract(self, low: int, high: int) -> list[Interval]:
        """[low, high) without its time on hold, as intervals in order."""
        pieces = []
        index = bisect_right(self.ends, low)
        while low < high and index < len(self.starts) and self.starts[index] < high:
            if self.starts[index] > low:
                pieces.append((low, self.starts[index]))
            low = max(low, self.ends[index])
            index += 1
        if low < high:
            pieces.append((low, high))
        return pieces

    def covering(self, window: Interval) -> int | None:
        """The end of the hold covering all of `window`, if one does."""
        index = bisect_right(self.ends, window[0])
        if index < len(self.starts) and self.starts[index] <= window[0]:
            end = self.ends[index]
            return end if end >= window[1] else None
        return None


# The calendar of a client without one: every instant counts.
ALWAYS_OPEN = CalendarSpec()
