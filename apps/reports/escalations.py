"""The escalations report's figures, each defined once here for the page and its exports.

All durations are calendar hours:
- **time to first response:** `first_response_at − occurred_at` of the escalations whose first
  response was recorded in the period, per the tier where they were raised;
- **time to resolution:** `resolved_at − occurred_at` of the escalations resolved in the
  period, per the tier they were resolved at (a resolved escalation cannot move, so its tier);
- **resolved at tier %:** of the escalations resolved in the period, the share resolved at the
  tier where they were raised;
- **moves:** the tier moves recorded in the period, from → to;
- **time at tier:** the stays at a tier that overlap the period, each from entering the tier to
  leaving it, or to the period's end (or now) for an escalation still waiting there;
- **origins and channels:** the escalations raised in the period.
Raised tier, moves and stays are the escalations' tier stays (`apps.escalations.tier_moves`),
kept in step with their history. One SQL statement reads the hours and moves of the six trend
periods, one query the counts raised.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection
from django.db.models import Case, Count, IntegerField, Value, When

from apps.escalations.models import Escalation, TierStay
from apps.escalations.tier_moves import hours_between, moment, param

from .periods import Period
from .scope import ReportScope

ALL_TIERS = 0
FIRST_RESPONSE, RESOLUTION, RAISED_RESOLVED, STAY, MOVE = (
    "first_response",
    "resolution",
    "raised_resolved",
    "stay",
    "move",
)
# The measures as the report's SQL numbers them.
MEASURES = (FIRST_RESPONSE, RESOLUTION, RAISED_RESOLVED, STAY, MOVE)


@dataclass(frozen=True)
class Stat:
    """A group of durations (or of moves): how many, of how many escalations, their mean and
    median hours, and how many carry the group's mark (resolved at the raised tier; still
    waiting at the period's end)."""

    count: int = 0
    escalations: int = 0
    mean: float | None = None
    median: float | None = None
    marked: int = 0

    @property
    def marked_share(self) -> float | None:
        return 100.0 * self.marked / self.count if self.count else None


EMPTY = Stat()


@dataclass
class EscalationFigures:
    periods: list[Period]  # the trend, oldest first; the last is the report's period
    clipped_end: datetime  # the period's end, or now while it runs
    stats: dict[tuple[str, int, int, int], Stat] = field(default_factory=dict)
    raised: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    origins: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    channels: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def current(self) -> int:
        return len(self.periods) - 1

    def stat(self, measure: str, tier: int = ALL_TIERS, *, k: int | None = None) -> Stat:
        return self.stats.get((measure, self.current if k is None else k, tier, 0), EMPTY)

    def moves(self, from_tier: int = ALL_TIERS, to_tier: int = 0, *, k: int | None = None):
        """Moves from → to (ALL_TIERS twice: every move) in period `k` (default: the report's)."""
        return self.stats.get((MOVE, self.current if k is None else k, from_tier, to_tier), EMPTY)

    def move_pairs(self) -> list[tuple[int, int, Stat]]:
        return sorted(
            (from_tier, to_tier, stat)
            for (measure, k, from_tier, to_tier), stat in self.stats.items()
            if measure == MOVE and k == self.current and from_tier != ALL_TIERS
        )


def escalation_figures(scope: ReportScope, trend: int) -> EscalationFigures:
    periods = scope.trend(trend)
    clipped = scope.period.clipped_end(scope.now)
    figures = EscalationFigures(periods=periods, clipped_end=clipped)
    _read_hours_and_moves(figures, scope.client.pk, periods, clipped)
    _read_raised(figures, scope.client.pk, periods)
    return figures


def _read_hours_and_moves(figures, client_id: int, periods: list[Period], clipped) -> None:
    lo, hi = moment(periods[0].start), moment(periods[-1].end)
    p = param()
    table = Escalation._meta.db_table
    spells = TierStay._meta.db_table
    current = len(periods) - 1
    start = moment(periods[-1].start)
    clip = moment(clipped)
    measure = {name: code for code, name in enumerate(MEASURES)}
    bucket = (
        "CASE "
        + " ".join(f"WHEN {{at}} >= {p} AND {{at}} < {p} THEN {k}" for k in range(len(periods)))
        + " END"
    )
    bounds = [moment(value) for period in periods for value in (period.start, period.end)]
    stay_end = f"CASE WHEN s.left_at > {p} THEN {p} ELSE s.left_at END"
    still_there = f"CASE WHEN s.left_at > {p} THEN 1 ELSE 0 END"
    # A period that has not begun has no time waiting in it yet.
    begun = "" if clipped > periods[-1].start else " AND 1 = 0"
    sql = f"""
    WITH facts AS (
        SELECT e.id, e.tier, e.occurred_at, e.first_response_at, e.resolved_at,
               r.tier AS raised_tier
        FROM {table} e JOIN {spells} r
            ON r.escalation_id = e.id AND r.seq = 1 AND r.client_id = e.client_id
        WHERE e.client_id = %s AND e.occurred_at < {p}
          AND (e.first_response_at >= {p} AND e.first_response_at < {p}
               OR e.resolved_at >= {p} AND e.resolved_at < {p})
    ),
    samples AS (
        SELECT {measure[FIRST_RESPONSE]} AS measure,
               {bucket.format(at="f.first_response_at")} AS k, f.raised_tier AS tier, f.id,
               {hours_between("f.first_response_at", "f.occurred_at")} AS h, 0 AS mark
        FROM facts f WHERE f.first_response_at >= {p} AND f.first_response_at < {p}
        UNION ALL
        SELECT {measure[RESOLUTION]}, {bucket.format(at="f.resolved_at")}, f.tier, f.id,
               {hours_between("f.resolved_at", "f.occurred_at")},
               CASE WHEN f.tier = f.raised_tier THEN 1 ELSE 0 END
        FROM facts f WHERE f.resolved_at >= {p} AND f.resolved_at < {p}
        UNION ALL
        SELECT {measure[RAISED_RESOLVED]}, {bucket.format(at="f.resolved_at")}, f.raised_tier,
               f.id, 0, CASE WHEN f.tier = f.raised_tier THEN 1 ELSE 0 END
        FROM facts f WHERE f.resolved_at >= {p} AND f.resolved_at < {p}
        UNION ALL
        SELECT {measure[STAY]}, {current}, s.tier, s.escalation_id,
               {hours_between(p, "s.entered_at")}, 1
        FROM {spells} s
        WHERE s.client_id = %s AND s.waiting AND s.left_at IS NULL AND s.entered_at < {p}{begun}
        UNION ALL
        SELECT {measure[STAY]}, {current}, s.tier, s.escalation_id,
               {hours_between(stay_end, "s.entered_at")}, {still_there}
        FROM {spells} s
        WHERE s.client_id = %s AND s.waiting AND s.left_at > {p} AND s.entered_at < {p}{begun}
    ),
    moved AS (
        SELECT {bucket.format(at="m.entered_at")} AS k, m.escalation_id AS id,
               m.moved_from AS from_tier, m.tier AS to_tier
        FROM {spells} m
        WHERE m.client_id = %s AND m.moved_from IS NOT NULL
          AND m.entered_at >= {p} AND m.entered_at < {p}
    )
    {_per_tier_and_all()}
    UNION ALL
    SELECT {measure[MOVE]}, k, from_tier, to_tier, COUNT(*), COUNT(DISTINCT id), NULL, NULL, 0
    FROM moved GROUP BY k, from_tier, to_tier
    UNION ALL
    SELECT {measure[MOVE]}, k, {ALL_TIERS}, 0, COUNT(*), COUNT(DISTINCT id), NULL, NULL, 0
    FROM moved GROUP BY k
    """
    params = [client_id, hi, lo, hi, lo, hi]  # facts
    params += [*bounds, lo, hi, *bounds, lo, hi, *bounds, lo, hi]  # their samples
    params += [clip, client_id, clip]  # stays still there
    params += [clip, clip, clip, client_id, start, clip]  # stays left since the period began
    params += [*bounds, client_id, lo, hi]  # moves
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for code, k, tier, to_tier, count, escalations, mean, median, marked in cursor:
            figures.stats[(MEASURES[code], k, tier, to_tier)] = Stat(
                count=count,
                escalations=escalations,
                mean=None if mean is None else float(mean),
                median=None if median is None else float(median),
                marked=int(marked or 0),
            )


def _per_tier_and_all() -> str:
    """Count, escalations, mean, median and marks of the `samples` per measure, period and
    tier, and per measure and period over all tiers (as tier ALL_TIERS). The median is the
    middle value, or the mean of the two middle ones."""
    columns = "COUNT(*), COUNT(DISTINCT id), AVG(h)"
    if connection.vendor == "postgresql":
        return f"""
        SELECT measure, k, COALESCE(tier, {ALL_TIERS}), 0, {columns},
               percentile_cont(0.5) WITHIN GROUP (ORDER BY h), SUM(mark)
        FROM samples GROUP BY GROUPING SETS ((measure, k, tier), (measure, k))
        """
    return f"""
        SELECT measure, k, tier, 0, {columns},
               AVG(CASE WHEN r = (c + 1) / 2 OR r = (c + 2) / 2 THEN h END), SUM(mark)
        FROM (
            SELECT measure, k, tier, id, h, mark,
                   ROW_NUMBER() OVER (PARTITION BY measure, k, tier ORDER BY h) AS r,
                   COUNT(*) OVER (PARTITION BY measure, k, tier) AS c
            FROM (
                SELECT measure, k, tier, id, h, mark FROM samples
                UNION ALL
                SELECT measure, k, {ALL_TIERS}, id, h, mark FROM samples
            ) grouped
        ) ranked
        GROUP BY measure, k, tier
        """


def _read_raised(figures, client_id: int, periods: list[Period]) -> None:
    """Escalations raised per trend period, and by origin and channel in the report's."""
    bucket = Case(
        *(
            When(occurred_at__gte=period.start, occurred_at__lt=period.end, then=Value(k))
            for k, period in enumerate(periods)
        ),
        output_field=IntegerField(),
    )
    rows = (
        Escalation.objects.filter(
            client_id=client_id,
            occurred_at__gte=periods[0].start,
            occurred_at__lt=periods[-1].end,
        )
        .annotate(k=bucket)
        .values_list("k", "origin", "channel")
        .annotate(n=Count("id"))
        .order_by()
    )
    for k, origin, channel, count in rows:
        figures.raised[k] += count
        if k == figures.current:
            figures.origins[origin] += count
            figures.channels[channel] += count
