"""Availability and downtime of a client's services, as domain.md defines them.

Downtime of a service is the union of `[occurred_at, ended_at or now)` of the interruptions
that stop service and affect it, merged and clipped to the period. Degradation and planned
maintenance are merged the same way and shown apart; neither is ever downtime. Cancelled
records were logged in error and count for nothing. "Overall" is the client as a whole: the
union over all its stopping interruptions, whichever services they name.

The database merges the intervals (a running maximum of the ends ordered by start; a start
past it opens a new span), so only the merged spans and the counts come back, whatever the
volume. Availability is over calendar time, or over the working hours of the client's
calendar when the report asks for business time: then the spans are cut to those hours.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.db import connection
from django.utils.dateparse import parse_datetime

from apps.core.choices import Status
from apps.core.models import Service
from apps.interruptions.models import Interruption, InterruptionKind
from apps.sla.business_time import working_intervals
from apps.sla.selectors import calendar_spec_for

from .periods import Period

DOWN, DEGRADED, MAINTENANCE = "down", "degraded", "maintenance"
# The kinds whose intervals each measure merges.
KINDS: dict[str, tuple[str, ...]] = {
    DOWN: (
        InterruptionKind.OUTAGE,
        InterruptionKind.INCIDENT,
        InterruptionKind.COMMUNICATION,
        InterruptionKind.THIRD_PARTY,
        InterruptionKind.ERROR,
    ),
    DEGRADED: (InterruptionKind.DEGRADATION,),
    MAINTENANCE: (InterruptionKind.MAINTENANCE,),
}
COUNTED_STATUSES = tuple(status for status in Status.values if status != Status.CANCELLED)
OVERALL = 0  # the service key of the client as a whole

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


# --- The queries ----------------------------------------------------------------------------

_TABLE = Interruption._meta.db_table
_THROUGH = Interruption.affected_services.through._meta.db_table


def _measure_case() -> tuple[str, list]:
    parts, parameters = [], []
    for measure, kinds in KINDS.items():
        parts.append(f"WHEN i.kind IN ({', '.join(['%s'] * len(kinds))}) THEN %s")
        parameters.extend([*kinds, measure])
    return f"CASE {' '.join(parts)} END", parameters


def _moment(value: datetime):
    return connection.ops.adapt_datetimefield_value(value)


def _read_moment(value) -> datetime:
    if isinstance(value, str):
        value = parse_datetime(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def _greatest(*expressions: str) -> str:
    name = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    return f"{name}({', '.join(expressions)})"


def _least(*expressions: str) -> str:
    name = "LEAST" if connection.vendor == "postgresql" else "MIN"
    return f"{name}({', '.join(expressions)})"


def _seconds(later: str, earlier: str) -> str:
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"
    return f"(julianday({later}) - julianday({earlier})) * 86400.0"


def _base(client_id: int, start: datetime, end: datetime, kinds: Sequence[str]) -> tuple[str, list]:
    """A subquery of the client's interruptions of `kinds`, not cancelled, active at some
    moment of `[start, end)` or ended at `start` itself: exactly the list's "active during"
    rows, plus those ending on the window's first instant (they ended in it but cover none
    of it). Three disjoint ways in, each read from its own index alone: begun in the window;
    begun before it and ended in or after it; begun before it and not ended."""
    common = (
        f"i.client_id = %s AND i.kind IN ({', '.join(['%s'] * len(kinds))}) "
        f"AND i.status IN ({', '.join(['%s'] * len(COUNTED_STATUSES))})"
    )
    common_parameters = [client_id, *kinds, *COUNTED_STATUSES]
    low, high = _moment(start), _moment(end)
    branches = [
        ("i.occurred_at >= %s AND i.occurred_at < %s", [low, high]),
        ("i.occurred_at < %s AND i.ended_at >= %s", [low, low]),
        ("i.occurred_at < %s AND i.ended_at IS NULL", [low]),
    ]
    sql = " UNION ALL ".join(
        "SELECT i.id, i.kind, i.occurred_at, i.ended_at "
        f"FROM {_TABLE} i WHERE {common} AND {condition}"
        for condition, _ in branches
    )
    parameters = [value for _, extra in branches for value in (*common_parameters, *extra)]
    return f"({sql})", parameters


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
    kinds = [kind for measure in measures for kind in KINDS[measure]]
    where, parameters = _base(client_id, start, end, kinds)
    case, case_parameters = _measure_case()
    moment_now, moment_start, moment_end = _moment(now), _moment(start), _moment(end)
    per_service_rows = (
        f"UNION ALL SELECT b.measure, a.service_id, b.s, b.e, b.ongoing FROM base b "
        f"JOIN {_THROUGH} a ON a.interruption_id = b.id"
        if per_service
        else ""
    )
    sql = f"""
        WITH base AS (
            SELECT i.id, {case} AS measure, i.occurred_at AS s,
                   {_greatest("i.occurred_at", "COALESCE(i.ended_at, %s)")} AS e,
                   CASE WHEN i.ended_at IS NULL THEN 1 ELSE 0 END AS ongoing
            FROM {where} i
        ),
        intervals AS (
            SELECT measure, {OVERALL} AS service_id, s, e, ongoing FROM base
            {per_service_rows}
        ),
        marked AS (
            SELECT measure, service_id, s, e, ongoing,
                   CASE WHEN s <= MAX(e) OVER (
                       PARTITION BY measure, service_id ORDER BY s, e
                       ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
                   ) THEN 0 ELSE 1 END AS fresh
            FROM intervals
        ),
        grouped AS (
            SELECT measure, service_id, s, e, ongoing,
                   SUM(fresh) OVER (
                       PARTITION BY measure, service_id ORDER BY s, e ROWS UNBOUNDED PRECEDING
                   ) AS span
            FROM marked
        ),
        spans AS (
            SELECT measure, service_id, span, s, e, ongoing,
                   {_greatest("MIN(s) OVER w", "%s")} AS low,
                   {_least("MAX(e) OVER w", "%s", "%s")} AS high
            FROM grouped
            WINDOW w AS (PARTITION BY measure, service_id, span)
        )
        SELECT measure, service_id, MIN(low), MIN(high),
               SUM(CASE WHEN (ongoing = 1 OR e > low) AND s < high THEN 1 ELSE 0 END)
        FROM spans
        GROUP BY measure, service_id, span
        HAVING MIN(low) < MIN(high)
        ORDER BY measure, service_id, MIN(low)
    """
    arguments = [
        *case_parameters,
        moment_now,
        *parameters,
        moment_start,
        moment_end,
        moment_now,
    ]
    found: dict[tuple[str, int], list[MergedSpan]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(sql, arguments)
        for measure, service_id, low, high, active in cursor.fetchall():
            found[(measure, service_id)].append(
                MergedSpan(_read_moment(low), _read_moment(high), int(active))
            )
    return dict(found)


def period_counts(
    client_id: int, periods: Sequence[Period], *, per_service: bool = False
) -> dict[tuple[Period, int], Counts]:
    """(period, service id or OVERALL) → the stopping interruptions that started in the
    period, those that ended in it and their summed durations; one query for all periods
    (consecutive, oldest first)."""
    start, end = periods[0].start, periods[-1].end
    where, parameters = _base(client_id, start, end, KINDS[DOWN])
    columns, column_parameters = [], []
    for which in periods:
        low, high = _moment(which.start), _moment(which.end)
        ended = "i.ended_at >= %s AND i.ended_at < %s"
        columns.append(
            "SUM(CASE WHEN i.occurred_at >= %s AND i.occurred_at < %s THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN {ended} THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN {ended} THEN {_seconds('i.ended_at', 'i.occurred_at')} ELSE 0 END)"
        )
        column_parameters.extend([low, high, low, high, low, high])
    queries = [(str(OVERALL), f"{where} i", "")]
    if per_service:
        # An interruption naming several services counts once overall, once for each.
        join = f"{where} i JOIN {_THROUGH} a ON a.interruption_id = i.id"
        queries.append(("a.service_id", join, "GROUP BY a.service_id"))
    rows: list[tuple] = []
    found: dict[tuple[Period, int], Counts] = {}
    with connection.cursor() as cursor:
        for key, source, group in queries:
            cursor.execute(
                f"SELECT {key}, {', '.join(columns)} FROM {source} {group}",
                [*column_parameters, *parameters],
            )
            rows.extend(cursor.fetchall())
    for row in rows:
        service_id, values = row[0], row[1:]
        for index, which in enumerate(periods):
            started, ended, seconds = values[index * 3 : index * 3 + 3]
            found[(which, service_id)] = Counts(
                int(started or 0), int(ended or 0), float(seconds or 0.0)
            )
    return found
