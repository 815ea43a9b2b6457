"""Recomputing the spans and tallies of the days writes have made stale.

A day's spans merge the intervals of the interruptions that began on it (an interruption
still going on runs on for ever: reads cut it at "now"); its tallies count what began, ended
and stopped covering time in each of its hours, and the day's sums of them. All are
rebuilt whole from the interruptions, so a recompute is right whatever the writes were.
Reads settle a client's stale days first, so what they read is exact as of the moment they read it.
"""

from datetime import UTC, date, datetime, time, timedelta

from django.db import connection, transaction

from apps.core.models import Client
from apps.interruptions.models import Interruption

from ..models import DowntimeChange, DowntimeDailyTally, DowntimeSpan, DowntimeTally
from .measures import KINDS, counted, measure_case
from .sql import FOREVER, greatest, is_postgresql, moment, seconds, utc_day, utc_hour

INTERRUPTIONS = Interruption._meta.db_table
AFFECTED = Interruption.affected_services.through._meta.db_table
SPANS = DowntimeSpan._meta.db_table
TALLIES = DowntimeTally._meta.db_table
DAILY = DowntimeDailyTally._meta.db_table
CHANGES = DowntimeChange._meta.db_table
ALL_KINDS = tuple(str(kind) for kinds in KINDS.values() for kind in kinds)


def settle(client_id: int) -> None:
    """Recompute the days of the client that writes have made stale since the last read."""
    if not DowntimeChange.objects.filter(client_id=client_id).exists():
        return
    with transaction.atomic(), connection.cursor() as cursor:
        if is_postgresql():
            # One settler per client at a time: two recomputing a day at once would each
            # delete what the other had not committed yet and both insert.
            cursor.execute(
                f"SELECT id FROM {Client._meta.db_table} WHERE id = %s FOR NO KEY UPDATE",
                [client_id],
            )
        cursor.execute(f"DELETE FROM {CHANGES} WHERE client_id = %s RETURNING day", [client_id])
        days = {_as_date(row[0]) for row in cursor.fetchall()}
        recompute(connection, client_id, sorted(days))


def settle_all() -> int:
    """Settle every client with stale days; returns how many clients that was."""
    clients = set(DowntimeChange.objects.values_list("client_id", flat=True).distinct())
    for client_id in sorted(clients):
        settle(client_id)
    return len(clients)


def rebuild(conn=None) -> None:
    """Every span and tally again, from all the interruptions."""
    conn = conn or connection
    with conn.cursor() as cursor:
        for table in (SPANS, TALLIES, DAILY, CHANGES):
            cursor.execute(f"DELETE FROM {table}")
    recompute(conn, None, None)


def recompute(conn, client_id: int | None, days: list[date] | None) -> None:
    """Replace the spans and tallies of the client's `days` by those the interruptions give
    now; with neither, add those of every client's every day (after `rebuild` emptied them)."""
    if days == []:
        return
    ranges = _ranges(days)
    client_sql = "i.client_id = %s" if client_id is not None else "1 = 1"
    client_params = [client_id] if client_id is not None else []
    with conn.cursor() as cursor:
        if ranges is not None:
            day_sql, day_params = _within(
                "day", [(low.date(), high.date()) for low, high in ranges], conn
            )
            cursor.execute(
                f"DELETE FROM {SPANS} WHERE client_id = %s AND ({day_sql})",
                [client_id, *day_params],
            )
            cursor.execute(
                f"DELETE FROM {DAILY} WHERE client_id = %s AND ({day_sql})",
                [client_id, *day_params],
            )
            hour_sql, hour_params = _within("hour", ranges, conn)
            cursor.execute(
                f"DELETE FROM {TALLIES} WHERE client_id = %s AND ({hour_sql})",
                [client_id, *hour_params],
            )
        sql, params = _spans_insert(conn, client_sql, client_params, ranges)
        cursor.execute(sql, params)
        sql, params = _tallies_insert(conn, client_sql, client_params, ranges)
        cursor.execute(sql, params)
        hour_sql, hour_params = _within("hour", ranges, conn)
        day = utc_day("hour", conn)
        cursor.execute(
            f"INSERT INTO {DAILY} "
            "(client_id, service_id, measure, day, started, ended, repair_seconds, finished) "
            f"SELECT client_id, service_id, measure, {day}, SUM(started), SUM(ended), "
            f"SUM(repair_seconds), SUM(finished) FROM {TALLIES} "
            f"WHERE {'client_id = %s' if client_id is not None else '1 = 1'} AND ({hour_sql}) "
            f"GROUP BY client_id, service_id, measure, {day}",
            [*client_params, *hour_params],
        )


def _base(conn, client_sql: str, extra: str) -> str:
    return (
        f"SELECT i.id, i.client_id, {measure_case('i.kind')} AS measure, "
        f"i.occurred_at AS began, {extra} "
        f"FROM {INTERRUPTIONS} i WHERE {client_sql} AND {counted('i.status')} "
        f"AND i.kind IN ({', '.join(repr(kind) for kind in ALL_KINDS)})"
    )


def _keyed(columns: str) -> str:
    """Each interruption once for the client overall (service 0), once per service."""
    return (
        f"SELECT client_id, measure, 0 AS service_id, {columns} FROM base "
        f"UNION ALL SELECT b.client_id, b.measure, a.service_id, "
        f"{', '.join('b.' + name.strip() for name in columns.split(','))} "
        f"FROM base b JOIN {AFFECTED} a ON a.interruption_id = b.id"
    )


def _spans_insert(conn, client_sql, client_params, ranges) -> tuple[str, list]:
    began_sql, began_params = _within("i.occurred_at", ranges, conn)
    partition = "PARTITION BY client_id, measure, service_id, day ORDER BY began, reach"
    later = greatest("i.occurred_at", "i.ended_at", conn=conn)
    reach = f"CASE WHEN i.ended_at IS NULL THEN %s ELSE {later} END"
    sql = f"""
        WITH base AS (
            {_base(conn, client_sql, f"{reach} AS reach, {utc_day('i.occurred_at', conn)} AS day")}
            AND ({began_sql})
        ),
        keyed AS ({_keyed("day, began, reach")}),
        marked AS (
            SELECT client_id, measure, service_id, day, began, reach,
                   CASE WHEN began <= MAX(reach) OVER (
                       {partition} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
                   ) THEN 0 ELSE 1 END AS fresh
            FROM keyed
        ),
        grouped AS (
            SELECT client_id, measure, service_id, day, began, reach,
                   SUM(fresh) OVER ({partition} ROWS UNBOUNDED PRECEDING) AS span
            FROM marked
        ),
        bounded AS (
            SELECT client_id, measure, service_id, day, span, began, reach,
                   MIN(began) OVER whole AS low, MAX(reach) OVER whole AS high
            FROM grouped
            WINDOW whole AS (PARTITION BY client_id, measure, service_id, day, span)
        )
        INSERT INTO {SPANS} (
            client_id, service_id, measure, day, starts_at, ends_at,
            interruptions, empty_at_start, empty_at_end
        )
        SELECT client_id, service_id, measure, day, MIN(low),
               CASE WHEN MIN(high) >= %s THEN NULL ELSE MIN(high) END, COUNT(*),
               SUM(CASE WHEN reach <= low THEN 1 ELSE 0 END),
               SUM(CASE WHEN began >= high THEN 1 ELSE 0 END)
        FROM bounded
        GROUP BY client_id, measure, service_id, day, span
    """
    forever = moment(FOREVER, conn)
    return sql, [forever, *client_params, *began_params, forever]


def _tallies_insert(conn, client_sql, client_params, ranges) -> tuple[str, list]:
    began_sql, began_params = _within("i.occurred_at", ranges, conn)
    stopped_sql, stopped_params = _within("i.ended_at", ranges, conn)
    later = greatest("i.occurred_at", "i.ended_at", conn=conn)
    cleared = f"CASE WHEN i.ended_at IS NULL THEN NULL ELSE {later} END"
    extra = f"i.ended_at AS stopped, {cleared} AS cleared"
    events = []
    event_params = []
    for column, values in (
        ("began", "1, 0, 0.0, 0"),
        ("stopped", f"0, 1, {seconds('stopped', 'began', conn)}, 0"),
        ("cleared", "0, 0, 0.0, 1"),
    ):
        within, params = _within(column, ranges, conn)
        events.append(
            f"SELECT client_id, measure, service_id, {utc_hour(column, conn)} AS hour, {values} "
            f"FROM keyed WHERE {column} IS NOT NULL AND ({within})"
        )
        event_params += params
    sql = f"""
        WITH base AS (
            {_base(conn, client_sql, extra)}
            AND ({began_sql} OR {stopped_sql})
        ),
        keyed AS ({_keyed("began, stopped, cleared")}),
        events (client_id, measure, service_id, hour, n_started, n_ended, repair, n_finished) AS (
            {" UNION ALL ".join(events)}
        )
        INSERT INTO {TALLIES}
            (client_id, service_id, measure, hour, started, ended, repair_seconds, finished)
        SELECT client_id, service_id, measure, hour, SUM(n_started), SUM(n_ended), SUM(repair),
               SUM(n_finished)
        FROM events
        GROUP BY client_id, measure, service_id, hour
    """
    return sql, [*client_params, *began_params, *stopped_params, *event_params]


def _ranges(days: list[date] | None) -> list[tuple[datetime, datetime]] | None:
    """Runs of consecutive days as [start, end) moments in UTC."""
    if days is None:
        return None
    runs: list[list[date]] = []
    for day in sorted(set(days)):
        if runs and runs[-1][1] + timedelta(days=1) == day:
            runs[-1][1] = day
        else:
            runs.append([day, day])
    return [
        (
            datetime.combine(first, time.min, tzinfo=UTC),
            datetime.combine(last + timedelta(days=1), time.min, tzinfo=UTC),
        )
        for first, last in runs
    ]


def _within(column: str, ranges, conn=None) -> tuple[str, list]:
    if ranges is None:
        return "1 = 1", []
    parts, params = [], []
    for low, high in ranges:
        parts.append(f"({column} >= %s AND {column} < %s)")
        if isinstance(low, datetime):
            params += [moment(low, conn), moment(high, conn)]
        else:
            adapt = (conn or connection).ops.adapt_datefield_value
            params += [adapt(low), adapt(high)]
    return " OR ".join(parts), params


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
