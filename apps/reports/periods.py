"""Report periods: `[start, end)` in the client's time zone, as domain.md defines them.

A period is a week (Monday to Monday), a calendar month, a quarter, or custom days (both
days included). Its bounds are aware datetimes at local midnight, so a month that crosses a
change of summer time is still the month the client's people see on their calendar.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

WEEK, MONTH, QUARTER, CUSTOM = "week", "month", "quarter", "custom"
PERIOD_KINDS = [(WEEK, "Week"), (MONTH, "Month"), (QUARTER, "Quarter"), (CUSTOM, "Custom days")]
# The longest custom period a report is built for: a year and a day for leap years.
LONGEST_CUSTOM_DAYS = 366


@dataclass(frozen=True)
class Period:
    kind: str
    first_day: date
    last_day: date  # included
    zone: ZoneInfo

    @property
    def start(self) -> datetime:
        return _midnight(self.first_day, self.zone)

    @property
    def end(self) -> datetime:
        return _midnight(self.last_day + timedelta(days=1), self.zone)

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def length(self, now: datetime | None = None) -> timedelta:
        """The period's real length, up to `now` when it has not ended yet: a month in which
        the clocks go forward is an hour shorter than its days."""
        elapsed = self.clipped_end(now).astimezone(UTC) - self.start.astimezone(UTC)
        return max(elapsed, timedelta(0))

    def clipped_end(self, now: datetime | None = None) -> datetime:
        return min(self.end, now or timezone.now())

    def has_started(self, now: datetime | None = None) -> bool:
        return self.start <= (now or timezone.now())

    def is_complete(self, now: datetime | None = None) -> bool:
        return self.end <= (now or timezone.now())

    @property
    def label(self) -> str:
        if self.kind == MONTH:
            return self.first_day.strftime("%B %Y")
        if self.kind == QUARTER:
            return f"Q{(self.first_day.month - 1) // 3 + 1} {self.first_day.year}"
        if self.kind == WEEK:
            iso = self.first_day.isocalendar()
            return f"Week {iso.week} of {iso.year} ({self.first_day:%d %b})"
        return f"{self.first_day:%d %b %Y} – {self.last_day:%d %b %Y}"

    @property
    def short_label(self) -> str:
        if self.kind == MONTH:
            return self.first_day.strftime("%b %Y")
        if self.kind == WEEK:
            return self.first_day.strftime("%d %b")
        return self.label

    def previous(self) -> "Period":
        """The period of the same kind just before this one (custom: as many days)."""
        if self.kind == CUSTOM:
            last = self.first_day - timedelta(days=1)
            return Period(CUSTOM, last - timedelta(days=self.days - 1), last, self.zone)
        return period_containing(self.kind, self.first_day - timedelta(days=1), self.zone)

    def trend(self, count: int) -> list["Period"]:
        """The `count` periods ending with this one, oldest first."""
        periods = [self]
        while len(periods) < count:
            periods.append(periods[-1].previous())
        return periods[::-1]

    def query_string(self) -> dict[str, str]:
        """The report form's parameters naming this period."""
        if self.kind == CUSTOM:
            return {
                "period": CUSTOM,
                "start": self.first_day.isoformat(),
                "end": self.last_day.isoformat(),
            }
        return {"period": self.kind, "day": self.first_day.isoformat()}


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def period_containing(kind: str, day: date, zone: ZoneInfo) -> Period:
    """The week, month or quarter that holds `day`."""
    if kind == WEEK:
        first = day - timedelta(days=day.weekday())
        return Period(WEEK, first, first + timedelta(days=6), zone)
    if kind == MONTH:
        first = day.replace(day=1)
    elif kind == QUARTER:
        first = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    else:
        raise ValueError(f"No period of kind {kind!r} holds a day by itself.")
    months = 1 if kind == MONTH else 3
    following = _add_months(first, months)
    return Period(kind, first, following - timedelta(days=1), zone)


def custom_period(first_day: date, last_day: date, zone: ZoneInfo) -> Period:
    if last_day < first_day:
        raise ValueError("The period ends before it starts.")
    if (last_day - first_day).days + 1 > LONGEST_CUSTOM_DAYS:
        raise ValueError(f"A custom period is at most {LONGEST_CUSTOM_DAYS} days.")
    return Period(CUSTOM, first_day, last_day, zone)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return day.replace(year=index // 12, month=index % 12 + 1)


def today_in(zone: ZoneInfo, now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(zone).date()
