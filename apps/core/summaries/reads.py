"""Totals read from the summaries: folded rows plus the deltas not folded yet, one query.

A total is a sum over summary-shaped rows: `rows`, `open`, `flagged`, one per severity, and
the kind's metrics. The same SQL sums the summary table and, for the few records whose share
depends on the clock, a live projection of the records themselves.
"""

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import F, Q
from django.utils import timezone
from django_filters.constants import EMPTY_VALUES

from ..choices import Severity, Status
from ..models.summaries import ALL_TIME
from ..scoping import accessible_client_ids, sees_every_client
from .spec import SUMMARY_TABLE, Dialect, SummarySpec

OPEN = tuple(Status.open_values())


def totals_sql(spec: SummarySpec) -> tuple[list[str], str]:
    """(names, SELECT list) of every total of `spec` over summary-shaped rows."""
    quoted = ", ".join(f"'{value}'" for value in OPEN)
    parts = {
        "rows": "SUM(n)",
        "open": f"SUM(CASE WHEN status IN ({quoted}) THEN n ELSE 0 END)",
        "flagged": "SUM(CASE WHEN flag THEN n ELSE 0 END)",
    }
    for severity in Severity:
        parts[severity.value] = f"SUM(CASE WHEN severity = '{severity.value}' THEN n ELSE 0 END)"
    for metric in spec.metrics:
        parts[metric.name] = f"SUM({spec.slot(metric.name)})"
    return list(parts), ", ".join(f"COALESCE({sql}, 0)" for sql in parts.values())


@dataclass(frozen=True)
class SummaryFilter:
    """What of a list's filters the summaries answer; `answerable` false if any is not."""

    answerable: bool
    clients: frozenset[int] | None = None  # None: every client
    where: list[str] = field(default_factory=list)
    params: list = field(default_factory=list)
    first_day: date | None = None
    last_day: date | None = None
    flag: bool | None = None


def summary_filter(spec: SummarySpec, filterset, user) -> SummaryFilter:
    """Translate the list's active filters (a valid filterset) into summary conditions."""
    where, params = [], []
    first_day = last_day = flag = None
    day_from, day_to = spec_day_filters(spec)
    data = filterset.form.cleaned_data if filterset.is_bound else {}
    for name, value in data.items():
        if value in EMPTY_VALUES:
            continue
        if name == "client":
            where.append("client_id = %s")
            params.append(value.pk)
        elif name == "team" and spec.team_column:
            where.append("team_id = %s")
            params.append(value.pk)
        elif name in ("severity", "status") or (name == spec.variant_filter and spec.variant):
            column = "variant" if name == spec.variant_filter else name
            where.append(f"{column} IN ({', '.join(['%s'] * len(value))})")
            params.extend(str(item) for item in value)
        elif name == spec.flag_filter:
            flag = bool(value)
        elif name == day_from:
            first_day = value
        elif name == day_to:
            last_day = value
        else:
            return SummaryFilter(answerable=False)
    clients = None if sees_every_client(user) else accessible_client_ids(user)
    return SummaryFilter(True, clients, where, params, first_day, last_day, flag)


def spec_day_filters(spec: SummarySpec) -> tuple[str, str]:
    stem = "found" if spec.day_column == "found_at" else "occurred"
    return f"{stem}_from", f"{stem}_to"


def read_totals(spec: SummarySpec, scope: SummaryFilter, flag: bool | None = None) -> dict:
    """The totals of the summary rows matching `scope` (and `flag`, if given)."""
    names, select = totals_sql(spec)
    where, params = ["kind = %s", *scope.where], [spec.kind, *scope.params]
    if scope.clients is not None:
        if not scope.clients:
            return dict.fromkeys(names, 0)
        where.append(f"client_id IN ({', '.join(['%s'] * len(scope.clients))})")
        params.extend(sorted(scope.clients))
    if flag is not None:
        where.append("flag = %s")
        params.append(flag)
    if scope.first_day is None and scope.last_day is None:
        where.append("((folded AND day = %s) OR NOT folded)")
        params.append(ALL_TIME)
    else:
        days, bounds = ["day > %s"], [ALL_TIME]
        if scope.first_day is not None:
            days.append("day >= %s")
            bounds.append(scope.first_day)
        if scope.last_day is not None:
            days.append("day <= %s")
            bounds.append(scope.last_day)
        # Spelled out per kind of row, so each side reads through its own partial index.
        within = " AND ".join(days)
        where.append(f"((folded AND {within}) OR (NOT folded AND {within}))")
        params.extend([*bounds, *bounds])
    sql = f"SELECT {select} FROM {SUMMARY_TABLE} WHERE {' AND '.join(where)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return _typed(names, cursor.fetchone())


def _typed(names: list[str], values) -> dict:
    """Counts as int, metric sums as float, whatever numeric type the database answered."""
    counts = ("rows", "open", "flagged", *Severity.values)
    return {
        name: int(value) if name in counts else float(value)
        for name, value in zip(names, values, strict=True)
    }


def live_totals(spec: SummarySpec, queryset, *, few: bool = False) -> dict:
    """The same totals, computed from the records of `queryset` themselves.

    With `few` (a handful of rows, whatever the planner guesses), PostgreSQL collects their
    ids first and reads them by primary key, instead of planning a join over the table."""
    names, select = totals_sql(spec)
    try:
        inner, params = queryset.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # a filter that matches nothing by construction (no clients)
        return _typed(names, [0] * len(names))
    projection = spec.projection_sql(Dialect(connection.vendor, "r"))
    few_ids = few and connection.vendor == "postgresql"
    matching = f"= ANY(ARRAY({inner}))" if few_ids else f"IN ({inner})"
    sql = (
        f'SELECT {select} FROM (SELECT {projection} FROM "{spec.table}" AS r '
        f"WHERE r.id {matching}) AS rows"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return _typed(names, cursor.fetchone())


def clock_breached_condition(now=None) -> Q:
    """Breached by the clock alone: open past the due time, neither stamped nor resolved late
    (what the summaries' flag holds). The stamping task stamps these within a minute, so the
    partial index `<model>_due_unstamped` finds a handful at most."""
    now = now or timezone.now()
    return Q(resolution_breached_at__isnull=True, status__in=OPEN, resolution_due__lt=now) & ~Q(
        resolved_at__gt=F("resolution_due")
    )


def list_totals(spec: SummarySpec, filterset, user, base_queryset) -> dict | None:
    """Every total of a list's filtered rows from the summaries, or None when one of its
    active filters is not one the summaries answer.

    Breached = the summaries' flag (stamped, or resolved late) plus the records the clock
    alone makes breached right now, read live; with the breached filter on, those records
    join (or leave) every total.
    """
    scope = summary_filter(spec, filterset, user)
    if not scope.answerable:
        return None
    totals = read_totals(spec, scope, flag=scope.flag)
    if spec.flag_filter != "breached":
        totals["unacknowledged"] = totals["rows"] - totals["flagged"]
        return totals
    late_rows = base_queryset
    data = filterset.form.cleaned_data if filterset.is_bound else {}
    for name, value in data.items():
        if name != "breached" and value not in EMPTY_VALUES:
            late_rows = filterset.filters[name].filter(late_rows, value)
    late = live_totals(spec, late_rows.filter(clock_breached_condition()), few=True)
    if scope.flag is False:
        totals = {name: totals[name] - late[name] for name in totals}
        totals["breached"] = 0
        return totals
    if scope.flag is True:
        totals = {name: totals[name] + late[name] for name in totals}
    totals["breached"] = totals["flagged"] + late["rows"]
    return totals
