"""Availability and downtime of a client's services, as domain.md defines them.

Downtime of a service is the union of `[occurred_at, ended_at or now)` of the interruptions
that stop service and affect it, merged and clipped to the period. Degradation and planned
maintenance are merged the same way and shown apart; neither is ever downtime. Cancelled
records were logged in error and count for nothing. "Overall" is the client as a whole: the
union over all its stopping interruptions, whichever services they name.

The merging is kept in step with the interruptions (apps/reports/downtime): each report reads
the merged spans reaching into its periods and the running totals of hourly tallies at their
bounds, and counts only the hour up to each bound from the interruptions themselves, so its
cost does not grow with the volume of the log. Availability is over calendar time, or over
the working hours of the client's calendar when the report asks for business time: then the
spans are cut to those hours.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from apps.core.models import Service
from apps.sla.business_time import working_intervals
from apps.sla.selectors import calendar_spec_for

from .downtime.measures import COUNTED_STATUSES, DEGRADED, DOWN, KINDS, MAINTENANCE, OVERALL
from .downtime.reads import running_totals, stored_spans
from .downtime.upkeep import settle
from .periods import Period

__all__ = ["COUNTED_STATUSES", "DEGRADED", "DOWN", "KINDS", "MAINTENANCE", "OVERALL"]

Span = tuple[datetime, datetime]


@dataclass(frozen=True)
class MergedSpan:
    """One stretch of the union, clipped to the window asked for, with the number of
    interruptions active in it (those the list's "active during" filter finds)."""

    start: datetime
    end: datetime
    interruptions: int

    @property
    def length(self) -> timedelta:
        return self.end - self.start


@dataclass(frozen=True)
class Counts:
    started: int = 0  # stopping interruptions that started in the period
    ended: int = 0  # ... that ended in it
    repair_seconds: float = 0.0  # their ended_at − occurred_at, summed


@dataclass
class Availability:
    """The figures of one service (or the client overall) over one period."""

    service: Service | None
    period: Period
    length: timedelta  # the period's calendar or business time, up to now
    downtime: timedelta
    degraded: timedelta
    maintenance: timedelta
    counts: Counts
    spans: list[MergedSpan] = field(default_factory=list)  # downtime, clipped to the period
    working: list[Span] | None = None  # business time of the period, when that is the basis

    def downtime_within(self, start: datetime, end: datetime) -> timedelta:
        """The part of the downtime inside `[start, end)` (e.g. one day of the period)."""
        return _covered(clip(self.spans, start, end), self.working)

    @property
    def percent(self) -> float | None:
        if self.length <= timedelta(0):
            return None
        return 100.0 * (1 - self.downtime / self.length)

    @property
    def incidents(self) -> int:
        return self.counts.started

    @property
    def mttr_hours(self) -> float | None:
        if not self.counts.ended:
            return None
        return self.counts.repair_seconds / self.counts.ended / 3600

    @property
    def mtbf_hours(self) -> float | None:
        if not self.counts.started:
            return None
        return (self.length - self.downtime).total_seconds() / self.counts.started / 3600


@dataclass(frozen=True)
class AvailabilityReport:
    overall: Availability
    services: list[Availability]
    trend: list[Availability]  # overall, oldest period first, the report's period last


def availability_report(
    client, period: Period, *, business: bool, now: datetime, trend: int = 1
) -> AvailabilityReport:
    """Every figure of the page: per service of the client and overall for `period`, and
    the overall figures of the `trend` periods ending with it (four queries)."""
    periods = period.trend(trend)
    services = list(Service.objects.filter(client=client).order_by("name"))
    hours = _working_time(client, periods, now) if business else None
    spans = merged_spans(client.pk, period.start, period.end, now, per_service=True)
    counts = period_counts(client.pk, [period], per_service=True)
    earlier = periods[:-1]
    if earlier:
        trend_spans = merged_spans(
            client.pk, earlier[0].start, earlier[-1].end, now, measures=(DOWN,)
        )
        trend_counts = period_counts(client.pk, earlier)
    else:
        trend_spans, trend_counts = {}, {}

    def figures(service: Service | None, which: Period, found, counted) -> Availability:
        key = OVERALL if service is None else service.pk
        window = _window(which, now)
        working = None if hours is None else hours[which]
        down = clip(found.get((DOWN, key), []), *window)
        return Availability(
            service=service,
            period=which,
            length=_length(working, window),
            downtime=_covered(down, working),
            degraded=_covered(clip(found.get((DEGRADED, key), []), *window), working),
            maintenance=_covered(clip(found.get((MAINTENANCE, key), []), *window), working),
            counts=counted.get((which, key), Counts()),
            spans=down,
            working=working,
        )

    overall = figures(None, period, spans, counts)
    return AvailabilityReport(
        overall=overall,
        services=[figures(service, period, spans, counts) for service in services],
        trend=[figures(None, which, trend_spans, trend_counts) for which in earlier] + [overall],
    )


def days_of(period: Period, now: datetime) -> list[tuple[date, datetime, datetime]]:
    """The local days of `period` up to `now`: (day, its start, its end), in order."""
    zone, found = period.zone, []
    end = period.clipped_end(now)
    day = period.first_day
    while day <= period.last_day:
        low = datetime.combine(day, time.min, tzinfo=zone)
        high = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
        if low >= end:
            break
        found.append((day, low.astimezone(UTC), min(high, end).astimezone(UTC)))
        day += timedelta(days=1)
    return found


def _window(period: Period, now: datetime) -> Span:
    """The period up to `now`, in UTC: arithmetic between two moments of one zone would
    read their wall clocks and lose or gain the hour its clocks change."""
    start = period.start.astimezone(UTC)
    return start, max(start, period.clipped_end(now).astimezone(UTC))


def _working_time(client, periods: Sequence[Period], now: datetime) -> dict[Period, list[Span]]:
    spec = calendar_spec_for(client.pk)
    return {which: working_intervals(spec, *_window(which, now)) for which in periods}


def _length(working: list[Span] | None, window: Span) -> timedelta:
    if working is None:
        return window[1] - window[0]
    return sum((end - start for start, end in working), timedelta(0))


def _covered(spans: Sequence[MergedSpan], working: list[Span] | None) -> timedelta:
    """The time of `spans` (disjoint, in order), within `working` when given."""
    if working is None:
        return sum((span.length for span in spans), timedelta(0))
    return sum((end - start for start, end in intersect(spans, working)), timedelta(0))


def intersect(spans: Sequence[MergedSpan], working: Sequence[Span]) -> list[Span]:
    """The parts of `spans` inside `working` (both disjoint and in order)."""
    found, index = [], 0
    for span in spans:
        while index < len(working) and working[index][1] <= span.start:
            index += 1
        look = index
        while look < len(working) and working[look][0] < span.end:
            start, end = max(span.start, working[look][0]), min(span.end, working[look][1])
            if start < end:
                found.append((start, end))
            look += 1
    return found


def clip(spans: Iterable[MergedSpan], start: datetime, end: datetime) -> list[MergedSpan]:
    """`spans` cut to `[start, end)`, those left empty dropped. Each keeps the count of its
    whole span (exact only for the window `merged_spans` was asked, as the page shows it)."""
    clipped = []
    for span in spans:
        low, high = max(span.start, start), min(span.end, end)
        if low < high:
            clipped.append(MergedSpan(low, high, span.interruptions))
    return clipped


# --- The reads -----------------------------------------------------------------------------


def merged_spans(
    client_id: int,
    start: datetime,
    end: datetime,
    now: datetime,
    *,
    measures: Sequence[str] = (DOWN, DEGRADED, MAINTENANCE),
    per_service: bool = False,
) -> dict[tuple[str, int], list[MergedSpan]]:
    """(measure, service id or OVERALL) → the merged spans of `[start, end)`, clipped to it,
    in order, each with the number of interruptions the list finds active during it."""
    settle(client_id)
    # In UTC, as `_window` says why.
    start, end, now = (value.astimezone(UTC) for value in (start, end, now))
    last = min(end, now)
    cut: dict[tuple[str, int], list[tuple[datetime, datetime, int | None]]] = {}
    asked: dict[tuple[str, int], set[datetime]] = defaultdict(set)
    stored = stored_spans(client_id, start, end, measures, per_service=per_service)
    for key, found in stored.items():
        spans = []
        for stretch in found:
            low = max(stretch.start, start)
            high = last if stretch.end is None else min(stretch.end, last)
            if low >= high:
                continue
            if low == stretch.start and high == stretch.end:
                spans.append((low, high, stretch.interruptions))
            else:
                # Cut by the window: active during the part inside it, those begun before
                # its end less those stopped by its start (each wholly before it).
                spans.append((low, high, None))
                asked[key] |= {low, high}
        if spans:
            cut[key] = spans
    totals = running_totals(client_id, asked)
    return {
        key: [
            MergedSpan(
                low,
                high,
                active
                if active is not None
                else totals[key][high].began - totals[key][low].cleared,
            )
            for low, high, active in spans
        ]
        for key, spans in cut.items()
    }


def period_counts(
    client_id: int, periods: Sequence[Period], *, per_service: bool = False
) -> dict[tuple[Period, int], Counts]:
    """(period, service id or OVERALL) → the stopping interruptions that started in the
    period, those that ended in it and their summed durations."""
    settle(client_id)
    bounds = {moment for which in periods for moment in (which.start, which.end)}
    keys = [OVERALL]
    if per_service:
        keys += list(Service.objects.filter(client_id=client_id).values_list("pk", flat=True))
    totals = running_totals(client_id, {(DOWN, key): bounds for key in keys}, relative=True)
    found: dict[tuple[Period, int], Counts] = {}
    for (_, service_id), at in totals.items():
        for which in periods:
            low, high = at[which.start], at[which.end]
            found[(which, service_id)] = Counts(
                high.began - low.began,
                high.ended - low.ended,
                high.repair_seconds - low.repair_seconds,
            )
    return found
