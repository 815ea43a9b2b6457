"""What the availability report reads of the spans and tallies.

Spans: those of the client reaching into a window, merged again across the days they were
kept by (an interruption begun on one day may cover the next) and cut to the window.

Running totals at a moment t, per measure and service: how many interruptions began before
t, how many ended before t and their summed durations, and how many had stopped covering
time by t (inclusive). The whole hours before t come from the tallies (whole days from their
daily sums), each stretch between two asked moments read once; the part of t's own hour up
to t from the interruptions themselves, at most an hour of them per moment.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from django.db import connection

from ..models import DowntimeDailyTally, DowntimeSpan, DowntimeTally
from .measures import KINDS, OVERALL, counted
from .sql import FOREVER, floor_hour, moment, read_moment
from .upkeep import AFFECTED, INTERRUPTIONS

SPANS = DowntimeSpan._meta.db_table
TALLIES = DowntimeTally._meta.db_table
DAILY = DowntimeDailyTally._meta.db_table
EARLIEST = datetime(1, 1, 1, tzinfo=UTC)
MEASURE_OF = {str(kind): measure for measure, kinds in KINDS.items() for kind in kinds}

Key = tuple[str, int]  # (measure, service id or OVERALL)


@dataclass
class Stretch:
    """Merged stored spans: from `start` to `end` (None: still going on), and how many
    interruptions the list finds active during all of it (exact for the whole stretch
    only, not for a part of it)."""

    start: datetime
    end: datetime | None
    interruptions: int


def stored_spans(
    client_id: int,
    start: datetime,
    end: datetime,
    measures: Sequence[str],
    *,
    per_service: bool,
) -> dict[Key, list[Stretch]]:
    """(measure, service) → the merged stretches reaching into `[start, end)`, in order,
    uncut."""
    services = "" if per_service else f"AND service_id = {OVERALL}"
    chosen = f"measure IN ({', '.join(['%s'] * len(measures))})"
    columns = "measure, service_id, starts_at, ends_at, interruptions, empty_at_start, empty_at_end"
    sql = (
        f"SELECT {columns} FROM {SPANS} "
        f"WHERE client_id = %s AND {chosen} {services} AND ends_at > %s AND starts_at < %s "
        f"UNION ALL SELECT {columns} FROM {SPANS} "
        f"WHERE client_id = %s AND {chosen} {services} AND ends_at IS NULL AND starts_at < %s"
    )
    low, high = moment(start), moment(end)
    params = [client_id, *measures, low, high, client_id, *measures, high]
    pieces: dict[Key, list[tuple]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for measure, service_id, starts_at, ends_at, *counts in cursor.fetchall():
            finish = FOREVER if ends_at is None else read_moment(ends_at)
            pieces[(measure, service_id)].append((read_moment(starts_at), finish, *counts))
    return {key: _merged(found) for key, found in pieces.items()}


def _merged(pieces: list[tuple]) -> list[Stretch]:
    """Spans of several days joined where they overlap or touch. Active during a stretch:
    all their interruptions, but for those of no length at its very start or end."""
    runs: list[list] = []  # start, end, interruptions, empty at the start, empty at the end
    for begin, finish, interruptions, empty_at_start, empty_at_end in sorted(pieces):
        run = runs[-1] if runs and begin <= runs[-1][1] else None
        if run is None:
            runs.append([begin, finish, interruptions, empty_at_start, empty_at_end])
            continue
        run[2] += interruptions
        if finish > run[1]:
            run[1], run[4] = finish, empty_at_end
        elif finish == run[1]:
            run[4] += empty_at_end
    return [
        Stretch(begin, None if finish == FOREVER else finish, total - first - last)
        for begin, finish, total, first, last in runs
    ]


@dataclass
class Totals:
    began: int = 0  # began before the moment
    ended: int = 0  # ended before it
    repair_seconds: float = 0.0  # ... their ended − began, summed
    cleared: int = 0  # stopped covering time at or before it (the later of start and end)

    def add(self, other: "Totals") -> "Totals":
        return Totals(
            self.began + other.began,
            self.ended + other.ended,
            self.repair_seconds + other.repair_seconds,
            self.cleared + other.cleared,
        )


def running_totals(
    client_id: int, asked: dict[Key, set[datetime]], *, relative: bool = False
) -> dict[Key, dict[datetime, Totals]]:
    """(measure, service) → moment → the running totals at it, for the moments asked of
    each. `relative`: counted from the hour of the first moment asked, not from the first
    record, which leaves the differences between moments as they are and reads less."""
    asked = {key: {value.astimezone(UTC) for value in values} for key, values in asked.items()}
    asked = {key: values for key, values in asked.items() if values}
    if not asked:
        return {}
    hours = sorted({floor_hour(value) for values in asked.values() for value in values})
    stretches = _stretches(client_id, sorted(asked), hours, relative=relative)
    live = _live(client_id, asked)
    found: dict[Key, dict[datetime, Totals]] = {}
    for key, values in asked.items():
        running, total = {}, Totals()
        by_hour = stretches.get(key, {})
        for hour in hours:
            total = total.add(by_hour.get(hour, Totals()))
            running[hour] = total
        found[key] = {
            value: running[floor_hour(value)].add(live.get((key, value), Totals()))
            for value in values
        }
    return found


def _stretches(
    client_id, keys: list[Key], hours, *, relative: bool
) -> dict[Key, dict[datetime, Totals]]:
    """(measure, service) → hour h → the tallies of the hours from the asked hour before h
    (from the first ever, or nothing when `relative`, for the first) up to h: the whole UTC
    days between from the daily sums, the hours at either end from the hourly tallies."""
    bounds = [hours[0] if relative else EARLIEST, *hours]
    by_hour, by_day = [], []
    for low, high in zip(bounds, bounds[1:], strict=False):
        first = _next_midnight(low)
        last = datetime.combine(high.date(), time.min, tzinfo=UTC)
        if first < last:
            by_hour += [(high, low, first), (high, last, high)]
            by_day.append((high, first.date(), last.date()))
        else:
            by_hour.append((high, low, high))
    measures = sorted({measure for measure, _ in keys})
    services = sorted({service for _, service in keys})
    narrowed = (
        f"t.client_id = %s AND t.measure IN ({', '.join(['%s'] * len(measures))}) "
        f"AND t.service_id IN ({', '.join(['%s'] * len(services))})"
    )
    parts, params = [], []
    for table, column, stretches, adapt in (
        (TALLIES, "hour", [item for item in by_hour if item[1] < item[2]], moment),
        (DAILY, "day", by_day, connection.ops.adapt_datefield_value),
    ):
        if not stretches:
            continue
        rows = " UNION ALL ".join("SELECT %s AS upto, %s AS low, %s AS high" for _ in stretches)
        parts.append(
            "SELECT s.upto, t.measure, t.service_id, SUM(t.started), SUM(t.ended), "
            "SUM(t.repair_seconds), SUM(t.finished) "
            f"FROM ({rows}) s JOIN {table} t ON t.{column} >= s.low AND t.{column} < s.high "
            f"WHERE {narrowed} GROUP BY s.upto, t.measure, t.service_id"
        )
        for upto, low, high in stretches:
            params += [moment(upto), adapt(low), adapt(high)]
        params += [client_id, *measures, *services]
    found: dict[Key, dict[datetime, Totals]] = defaultdict(dict)
    if not parts:
        return found
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for upto, measure, service_id, began, ended, repair, cleared in cursor.fetchall():
            at = found[(measure, service_id)]
            upto = read_moment(upto)
            at[upto] = at.get(upto, Totals()).add(
                Totals(int(began), int(ended), float(repair), int(cleared))
            )
    return found


def _next_midnight(value: datetime) -> datetime:
    midnight = datetime.combine(value.date(), time.min, tzinfo=UTC)
    return midnight if midnight == value else midnight + timedelta(days=1)


def _live(client_id, asked: dict[Key, set[datetime]]) -> dict[tuple[Key, datetime], Totals]:
    """(key, moment) → the part of the moment's own hour up to it, from the interruptions
    of the key's measure and service."""
    # Each measure's moments once, whichever services asked them: the services are told
    # apart here rather than in SQL, where a test per service would read all its links.
    windows: dict[str, set[datetime]] = defaultdict(set)
    for (measure, _), values in asked.items():
        windows[measure] |= values
    conditions, params = [], []
    for measure, values in windows.items():
        kinds = KINDS[measure]
        for value in sorted(values):
            conditions.append(
                f"(i.kind IN ({', '.join(['%s'] * len(kinds))}) "
                "AND ((i.occurred_at >= %s AND i.occurred_at <= %s) "
                "OR (i.ended_at >= %s AND i.ended_at <= %s)))"
            )
            low, high = moment(floor_hour(value)), moment(value)
            params += [*kinds, low, high, low, high]
    sql = (
        f"SELECT i.id, i.kind, i.occurred_at, i.ended_at, a.service_id FROM {INTERRUPTIONS} i "
        f"LEFT JOIN {AFFECTED} a ON a.interruption_id = i.id "
        f"WHERE i.client_id = %s AND {counted('i.status')} AND ({' OR '.join(conditions)})"
    )
    keys_of: dict[int, set[Key]] = defaultdict(set)
    rows: dict[int, tuple[datetime, datetime | None]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [client_id, *params])
        for pk, kind, began, stopped, service_id in cursor.fetchall():
            measure = MEASURE_OF[kind]
            rows[pk] = (read_moment(began), None if stopped is None else read_moment(stopped))
            keys_of[pk].add((measure, OVERALL))
            if service_id is not None:
                keys_of[pk].add((measure, service_id))
    by_hour: dict[datetime, list[int]] = defaultdict(list)
    for pk, (began, stopped) in rows.items():
        for hour in {floor_hour(began), *(() if stopped is None else (floor_hour(stopped),))}:
            by_hour[hour].append(pk)
    found: dict[tuple[Key, datetime], Totals] = {}
    for key, values in asked.items():
        for value in values:
            hour, total = floor_hour(value), Totals()
            for pk in by_hour.get(hour, ()):
                if key not in keys_of[pk]:
                    continue
                began, stopped = rows[pk]
                ended = stopped is not None and hour <= stopped < value
                total = total.add(
                    Totals(
                        began=int(hour <= began < value),
                        ended=int(ended),
                        repair_seconds=(stopped - began).total_seconds() if ended else 0.0,
                        cleared=int(stopped is not None and hour <= max(began, stopped) <= value),
                    )
                )
            found[(key, value)] = total
    return found
