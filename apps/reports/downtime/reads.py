"""What the availability report reads of the spans and tallies.

Spans: those of the client reaching into a window, merged again across the days they were
kept by (an interruption begun on one day may cover the next) and cut to the window.

Running totals at a moment t, per measure and service: how many interruptions began before
t, how many ended before t and their summed durations, and how many had stopped covering
time by t (inclusive). The whole hours before t come from the tallies, each stretch between
two asked moments read once; the part of t's own hour up to t from the interruptions
themselves, at most an hour of them per moment.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection

from ..models import DowntimeSpan, DowntimeTally
from .measures import KINDS, OVERALL, counted
from .sql import FOREVER, floor_hour, moment, read_moment
from .upkeep import AFFECTED, INTERRUPTIONS

SPANS = DowntimeSpan._meta.db_table
TALLIES = DowntimeTally._meta.db_table
EARLIEST = datetime(1, 1, 1, tzinfo=UTC)
MEASURE_OF = {str(kind): measure for measure, kinds in KINDS.items() for kind in kinds}

Key = tuple[str, int]  # (measure, service id or OVERALL)


def stored_spans(
    client_id: int,
    start: datetime,
    end: datetime,
    measures: Sequence[str],
    *,
    per_service: bool,
) -> dict[Key, list[tuple[datetime, datetime | None]]]:
    """(measure, service) → the merged stretches reaching into `[start, end)`, in order,
    uncut; None as an end: still going on."""
    services = "" if per_service else f"AND service_id = {OVERALL}"
    chosen = f"measure IN ({', '.join(['%s'] * len(measures))})"
    sql = (
        f"SELECT measure, service_id, starts_at, ends_at FROM {SPANS} "
        f"WHERE client_id = %s AND {chosen} {services} AND ends_at > %s AND starts_at < %s "
        f"UNION ALL SELECT measure, service_id, starts_at, ends_at FROM {SPANS} "
        f"WHERE client_id = %s AND {chosen} {services} AND ends_at IS NULL AND starts_at < %s"
    )
    low, high = moment(start), moment(end)
    params = [client_id, *measures, low, high, client_id, *measures, high]
    pieces: dict[Key, list[tuple[datetime, datetime]]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for measure, service_id, starts_at, ends_at in cursor.fetchall():
            finish = FOREVER if ends_at is None else read_moment(ends_at)
            pieces[(measure, service_id)].append((read_moment(starts_at), finish))
    merged = {}
    for key, found in pieces.items():
        found.sort()
        runs: list[list[datetime]] = []
        for begin, finish in found:
            if runs and begin <= runs[-1][1]:
                runs[-1][1] = max(runs[-1][1], finish)
            else:
                runs.append([begin, finish])
        merged[key] = [(begin, None if finish == FOREVER else finish) for begin, finish in runs]
    return merged


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
    client_id: int,
    measures: Sequence[str],
    moments: Iterable[datetime],
    *,
    per_service: bool,
) -> dict[Key, dict[datetime, Totals]]:
    """(measure, service) → moment → the running totals at it. Keys with nothing before
    the latest moment are left out."""
    moments = sorted({value.astimezone(UTC) for value in moments})
    if not moments:
        return {}
    hours = sorted({floor_hour(value) for value in moments})
    stretches = _stretches(client_id, measures, hours, per_service)
    running: dict[Key, dict[datetime, Totals]] = defaultdict(dict)
    for key, by_hour in stretches.items():
        total = Totals()
        for hour in hours:
            total = total.add(by_hour.get(hour, Totals()))
            running[key][hour] = total
    live = _live(client_id, measures, moments, per_service)
    found: dict[Key, dict[datetime, Totals]] = defaultdict(dict)
    for key in set(running) | set(live):
        for value in moments:
            whole = running.get(key, {}).get(floor_hour(value), Totals())
            found[key][value] = whole.add(live.get(key, {}).get(value, Totals()))
    return found


def _stretches(client_id, measures, hours, per_service) -> dict[Key, dict[datetime, Totals]]:
    """(measure, service) → hour h → the tallies of the hours from the asked hour before h
    (from the first ever, for the first) up to h."""
    bounds = [EARLIEST, *hours]
    stretch = " UNION ALL ".join("SELECT %s AS upto, %s AS low, %s AS high" for _ in hours)
    params: list = []
    for low, high in zip(bounds, bounds[1:], strict=False):
        params += [moment(high), moment(low), moment(high)]
    services = "" if per_service else f"AND t.service_id = {OVERALL}"
    sql = (
        "SELECT s.upto, t.measure, t.service_id, SUM(t.started), SUM(t.ended), "
        "SUM(t.repair_seconds), SUM(t.finished) "
        f"FROM ({stretch}) s JOIN {TALLIES} t ON t.hour >= s.low AND t.hour < s.high "
        f"WHERE t.client_id = %s AND t.measure IN ({', '.join(['%s'] * len(measures))}) "
        f"{services} GROUP BY s.upto, t.measure, t.service_id"
    )
    found: dict[Key, dict[datetime, Totals]] = defaultdict(dict)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, client_id, *measures])
        for upto, measure, service_id, began, ended, repair, cleared in cursor.fetchall():
            found[(measure, service_id)][read_moment(upto)] = Totals(
                int(began), int(ended), float(repair), int(cleared)
            )
    return found


def _live(client_id, measures, moments, per_service) -> dict[Key, dict[datetime, Totals]]:
    """The part of each moment's own hour up to it, from the interruptions."""
    kinds = [kind for measure in measures for kind in KINDS[measure]]
    windows, params = [], []
    for value in moments:
        low, high = moment(floor_hour(value)), moment(value)
        windows.append(
            "(i.occurred_at >= %s AND i.occurred_at <= %s) "
            "OR (i.ended_at >= %s AND i.ended_at <= %s)"
        )
        params += [low, high, low, high]
    service = "a.service_id" if per_service else "NULL"
    join = f"LEFT JOIN {AFFECTED} a ON a.interruption_id = i.id" if per_service else ""
    sql = (
        f"SELECT i.id, i.kind, i.occurred_at, i.ended_at, {service} FROM {INTERRUPTIONS} i "
        f"{join} WHERE i.client_id = %s AND {counted('i.status')} "
        f"AND i.kind IN ({', '.join(['%s'] * len(kinds))}) AND ({' OR '.join(windows)})"
    )
    keys_of: dict[int, set[Key]] = defaultdict(set)
    rows: dict[int, tuple[datetime, datetime | None]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [client_id, *kinds, *params])
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
    found: dict[Key, dict[datetime, Totals]] = defaultdict(dict)
    for value in moments:
        hour = floor_hour(value)
        for pk in by_hour.get(hour, ()):
            began, stopped = rows[pk]
            cleared = None if stopped is None else max(began, stopped)
            part = Totals(
                began=int(hour <= began < value),
                ended=int(stopped is not None and hour <= stopped < value),
                repair_seconds=(stopped - began).total_seconds()
                if stopped is not None and hour <= stopped < value
                else 0.0,
                cleared=int(cleared is not None and hour <= cleared <= value),
            )
            for key in keys_of[pk]:
                found[key][value] = found[key].get(value, Totals()).add(part)
    return found
