"""Totals of one client's records over a report period, read from the summaries.

The summaries keep one row per day of the centre's time zone (settings.TIME_ZONE), while a
period runs from midnight to midnight in the client's zone. The days of the centre that lie
wholly inside the period are read from the summaries; the hours at either edge that belong to
a day only partly inside are computed live from the records themselves, in the same shape.
Those edges hold at most two days of one client's records, so a month costs the same whether
the log holds a thousand rows or ten million.

Records the clock made late in the last minute join the flag once the stamping task stamps
them (every minute); every other figure is exact at the moment of reading.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection

from apps.core.models.summaries import METRIC_SLOTS
from apps.core.summaries.kinds import SPECS
from apps.core.summaries.spec import SUMMARY_TABLE, Dialect, SummarySpec

# What a period's totals may be grouped or narrowed by: the summaries' own dimensions.
GROUPABLE = ("severity", "status", "team_id", "variant", "flag")


@dataclass(frozen=True)
class Split:
    """A period cut at the centre's midnights: whole days, and the moments at its edges."""

    first_day: date | None  # None: no whole day inside, everything is an edge
    last_day: date | None
    edges: tuple[tuple[datetime, datetime], ...]


def split_period(start: datetime, end: datetime) -> Split:
    zone = ZoneInfo(settings.TIME_ZONE)
    local_start = start.astimezone(zone)
    first = local_start.date()
    if datetime.combine(first, time.min, tzinfo=zone) < start:
        first += timedelta(days=1)
    last = end.astimezone(zone).date() - timedelta(days=1)
    first_midnight = datetime.combine(first, time.min, tzinfo=zone)
    after_last = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)
    if first > last:
        return Split(None, None, ((start, end),))
    edges = tuple(
        (low, high) for low, high in ((start, first_midnight), (after_last, end)) if low < high
    )
    return Split(first, last, edges)


def period_totals(
    model,
    client_id: int,
    start: datetime,
    end: datetime,
    *,
    group_by: tuple[str, ...] = (),
    where: dict[str, object] | None = None,
    kind: str | None = None,
) -> dict[tuple, dict[str, float]]:
    """Group key (values of `group_by`, in order) → totals of `model`'s records of one client
    whose moment (the kind's `day_column`, or its `moment`) lies in `[start, end)`.

    Totals are `rows` and the kind's metrics (see apps.core.summaries.kinds). `where` narrows
    by dimension: a value, or a list or tuple of values. `kind` reads another summary of the
    model's table than its own (such as the calls per agent and queue), whose dimensions
    keep what that summary's spec says.
    """
    found = spans_totals(
        model, client_id, [(start, end)], group_by=group_by, where=where, kind=kind
    )
    return {key[1:]: totals for key, totals in found.items()}


def spans_totals(
    model,
    client_id: int,
    spans: list[tuple[datetime, datetime]],
    *,
    group_by: tuple[str, ...] = (),
    where: dict[str, object] | None = None,
    kind: str | None = None,
) -> dict[tuple, dict[str, float]]:
    """`period_totals` of several spans at once, in one query: (index of the span in
    `spans`, values of `group_by`…) → totals. Spans without a record are left out."""
    spec = SPECS[kind or model._meta.label_lower]
    if spec.model_label != model._meta.label_lower:
        raise ValueError(f"The summary {spec.kind!r} is not one of {model._meta.label_lower}.")
    for name in (*group_by, *(where or {})):
        if name not in GROUPABLE:
            raise ValueError(f"Period totals group by {', '.join(GROUPABLE)}, not {name!r}.")
    if not spans:
        return {}
    conditions, condition_params = _conditions(where or {})
    sums = ["n", *METRIC_SLOTS[: len(spec.metrics)]]
    carried = ", ".join([*group_by, *sums])
    parts, params = [], []
    for index, (start, end) in enumerate(spans):
        split = split_period(start, end)
        if split.first_day is not None:
            days = "day >= %s AND day <= %s"
            parts.append(
                f"SELECT {index} AS span, {carried} FROM {SUMMARY_TABLE} WHERE kind = %s "
                f"AND client_id = %s AND ((folded AND {days}) OR (NOT folded AND {days}))"
                f"{conditions}"
            )
            bounds = [split.first_day, split.last_day]
            params += [spec.kind, client_id, *bounds, *bounds, *condition_params]
        for edge in split.edges:
            # One part per edge: each a range of the index on the moment.
            sql, edge_params = _live_edges(spec, client_id, (edge,))
            parts.append(
                f"SELECT {index} AS span, {carried} FROM ({sql}) AS live WHERE TRUE{conditions}"
            )
            params += [*edge_params, *condition_params]
    names = ["rows", *(metric.name for metric in spec.metrics)]
    totals = ", ".join(f"COALESCE(SUM({column}), 0)" for column in sums)
    keys = ", ".join(["span", *group_by])
    sql = f"SELECT {keys}, {totals} FROM ({' UNION ALL '.join(parts)}) AS rows GROUP BY {keys}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    result = {}
    for span, *row in found:
        width = len(group_by)
        key = tuple(_typed_key(name, value) for name, value in zip(group_by, row, strict=False))
        values = row[width:]
        if values[0] == 0 and all(value == 0 for value in values):
            continue
        result[(span, *key)] = {
            name: int(value) if name == "rows" else float(value)
            for name, value in zip(names, values, strict=True)
        }
    return result


def _conditions(where: dict[str, object]) -> tuple[str, list]:
    sql, params = [], []
    for name, value in where.items():
        values = list(value) if isinstance(value, list | tuple | set | frozenset) else [value]
        if not values:
            sql.append("FALSE")
            continue
        sql.append(f"{name} IN ({', '.join(['%s'] * len(values))})")
        params.extend(values)
    return "".join(f" AND {item}" for item in sql), params


def _live_edges(
    spec: SummarySpec, client_id: int, edges: tuple[tuple[datetime, datetime], ...]
) -> tuple[str, list]:
    dialect = Dialect(connection.vendor, "r")
    moment = spec.moment_sql(dialect)
    within = " OR ".join(f"({moment} >= %s AND {moment} < %s)" for _ in edges)
    kept = f" AND ({spec.keeps(dialect)})" if spec.keeps else ""
    sql = (
        f'SELECT {spec.projection_sql(dialect)} FROM "{spec.table}" AS r '
        f"WHERE r.client_id = %s AND ({within}){kept}"
    )
    adapt = connection.ops.adapt_datetimefield_value
    moments = [adapt(moment) for edge in edges for moment in edge]
    return sql, [client_id, *moments]


def _typed_key(name: str, value):
    if name == "flag":
        return bool(value)
    if name == "team_id":
        return int(value)
    return value


@dataclass(frozen=True)
class Window:
    """One client's `[start, end)`, named by `key` in the totals of `window_totals`."""

    key: object
    client_id: int
    start: datetime
    end: datetime


def window_totals(
    models,
    windows: list[Window],
    *,
    group_by: tuple[str, ...] = (),
    where: dict[str, object] | None = None,
) -> dict[tuple, int]:
    """(window key, model's label_lower, values of `group_by`…) → number of records, for
    every model × window at once: `period_totals`' rows in one query, however many clients
    and periods a page shows."""
    for name in (*group_by, *(where or {})):
        if name not in GROUPABLE:
            raise ValueError(f"Window totals group by {', '.join(GROUPABLE)}, not {name!r}.")
    if not models or not windows:
        return {}
    conditions, condition_params = _conditions(where or {})
    carried = ", ".join(["kind", *group_by, "n"])
    parts, params = [], []
    for model in models:
        spec = SPECS[model._meta.label_lower]
        for index, window in enumerate(windows):
            split = split_period(window.start, window.end)
            if split.first_day is not None:
                days = "day >= %s AND day <= %s"
                parts.append(
                    f"SELECT {index} AS w, {carried} FROM {SUMMARY_TABLE} WHERE kind = %s "
                    f"AND client_id = %s AND ((folded AND {days}) OR (NOT folded AND {days}))"
                    f"{conditions}"
                )
                bounds = [split.first_day, split.last_day]
                params += [spec.kind, window.client_id, *bounds, *bounds, *condition_params]
            if split.edges:
                sql, edge_params = _live_edges(spec, window.client_id, split.edges)
                parts.append(
                    f"SELECT {index} AS w, {carried} FROM ({sql}) AS live WHERE TRUE{conditions}"
                )
                params += [*edge_params, *condition_params]
    keys = ", ".join(["w", "kind", *group_by])
    sql = (
        f"SELECT {keys}, COALESCE(SUM(n), 0) FROM ({' UNION ALL '.join(parts)}) AS rows "
        f"GROUP BY {keys}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    result = {}
    for row in found:
        window, kind, *values, count = row
        key = (
            windows[window].key,
            kind,
            *(_typed_key(name, value) for name, value in zip(group_by, values, strict=True)),
        )
        result[key] = result.get(key, 0) + int(count)
    return result
