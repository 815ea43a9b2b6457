"""Where an escalation was raised, when it moved between tiers, and how long it stayed at each:
read from its history, in SQL, for any number of escalations at once.

Every change of an escalation leaves a version in its history (the sweep's moves included), so:
- its **raised tier** is the tier of its first version;
- a **tier move** is a version whose tier differs from the version before it, at that
  version's date;
- a **stay** at a tier runs from entering it (raised there: the moment it was escalated;
  moved there or reopened there: that version's date) until it left it: moved to another
  tier, or resolved, closed or cancelled. Time on hold is still time waiting at the tier.
An escalation whose history holds no version (bulk-loaded) counts as raised at its current
tier, never moved, at that tier from when it was escalated until it was resolved or closed.

`tier_history_sql` writes these as common table expressions (`raised`, `moves`, `stays`) over
the escalations that could have been raised, moved or waiting in `[lo, hi)`; the report and the
list filters select from the same text, so a figure and its list never disagree.
"""

from datetime import datetime

from django.db import connection
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce

from apps.core.choices import Status

from .models import Escalation

OPEN = "(" + ", ".join(f"'{value}'" for value in Status.open_values()) + ")"


def moment(value: datetime):
    """A time as this database compares it with the stored ones (raw SQL bypasses the
    fields' own conversion)."""
    return connection.ops.adapt_datetimefield_value(value)


def param() -> str:
    """A placeholder for a time: typed on PostgreSQL, where a bare one may be ambiguous."""
    return "%s::timestamptz" if connection.vendor == "postgresql" else "%s"


def hours_between(later: str, earlier: str) -> str:
    """SQL for `later − earlier` in hours, as a float."""
    if connection.vendor == "postgresql":
        return f"(EXTRACT(EPOCH FROM ({later}) - ({earlier})) / 3600.0)"
    return f"((julianday({later}) - julianday({earlier})) * 24.0)"


def tier_history_sql(*, lo: datetime, hi: datetime, client_id: int | None = None):
    """`WITH …` defining `alive` (the escalations raised before `hi` and not finished before
    `lo`), `raised (id, raised_tier)`, `moves (id, moved_at, from_tier, to_tier)` and
    `stays (id, tier, entered_at, left_at)` (`left_at` empty while still there); with its
    parameters. Append a SELECT over them."""
    table = Escalation._meta.db_table
    history = Escalation.history.model._meta.db_table
    p = param()
    client = "e.client_id = %s AND " if client_id is not None else ""
    # A change of an escalation raises its updated_at: one that moved, or was open, at some
    # moment of [lo, hi) is still open or was last changed at or after lo.
    sql = f"""
    WITH alive AS (
        SELECT e.id, e.occurred_at, e.tier, e.status, e.first_response_at, e.resolved_at,
               e.closed_at, e.updated_at
        FROM {table} e
        WHERE {client}e.occurred_at < {p}
          AND (e.status IN {OPEN} OR e.updated_at >= {p} OR e.resolved_at >= {p}
               OR e.first_response_at >= {p})
    ),
    versions AS (
        SELECT h.id, h.history_date AS at, h.history_id AS seq, h.tier,
               CASE WHEN h.status IN {OPEN} THEN 1 ELSE 0 END AS open
        FROM {history} h WHERE h.id IN (SELECT id FROM alive)
        UNION ALL
        SELECT a.id, a.occurred_at, 0, a.tier, 1 FROM alive a
        WHERE NOT EXISTS (SELECT 1 FROM {history} h WHERE h.id = a.id)
        UNION ALL
        SELECT a.id, COALESCE(a.resolved_at, a.closed_at, a.updated_at), 1, a.tier, 0
        FROM alive a
        WHERE a.status NOT IN {OPEN}
          AND NOT EXISTS (SELECT 1 FROM {history} h WHERE h.id = a.id)
    ),
    marked AS (
        SELECT v.id, v.at, v.tier, v.open,
               CASE WHEN v.open = 1 THEN v.tier ELSE 0 END AS state,
               ROW_NUMBER() OVER (PARTITION BY v.id ORDER BY v.at, v.seq) AS n,
               LAG(v.tier) OVER (PARTITION BY v.id ORDER BY v.at, v.seq) AS prev_tier,
               LAG(CASE WHEN v.open = 1 THEN v.tier ELSE 0 END)
                   OVER (PARTITION BY v.id ORDER BY v.at, v.seq) AS prev_state
        FROM versions v
    ),
    raised AS (SELECT id, tier AS raised_tier FROM marked WHERE n = 1),
    moves AS (
        SELECT id, at AS moved_at, prev_tier AS from_tier, tier AS to_tier
        FROM marked WHERE n > 1 AND tier <> prev_tier
    ),
    edges AS (
        SELECT m.id, m.n, m.at, m.state FROM marked m
        WHERE m.state <> COALESCE(m.prev_state, 0)
    ),
    stays AS (
        SELECT x.id, x.tier, x.entered_at, x.left_at FROM (
            SELECT g.id, g.state AS tier,
                   CASE WHEN g.n = 1 THEN a.occurred_at ELSE g.at END AS entered_at,
                   LEAD(g.at) OVER (PARTITION BY g.id ORDER BY g.n) AS left_at
            FROM edges g JOIN alive a ON a.id = g.id
        ) x
        WHERE x.tier > 0
    )
    """
    params = [
        *([client_id] if client_id is not None else []),
        moment(hi),
        moment(lo),
        moment(lo),
        moment(lo),
    ]
    return sql, params


def moved_ids_sql(from_tier: int | None, to_tier: int | None, start: datetime, end: datetime):
    """Ids of the escalations with a move from `from_tier` to `to_tier` (None: any) in
    `[start, end)`."""
    sql, params = tier_history_sql(lo=start, hi=end)
    p = param()
    sql += f" SELECT id FROM moves WHERE moved_at >= {p} AND moved_at < {p}"
    params += [moment(start), moment(end)]
    for column, tier in (("from_tier", from_tier), ("to_tier", to_tier)):
        if tier is not None:
            sql += f" AND {column} = %s"
            params.append(tier)
    return sql, params


def stayed_ids_sql(tier: int | None, start: datetime, end: datetime):
    """Ids of the escalations at `tier` (None: any), open, at some moment of `[start, end)`."""
    sql, params = tier_history_sql(lo=start, hi=end)
    p = param()
    sql += f" SELECT id FROM stays WHERE entered_at < {p} AND (left_at IS NULL OR left_at > {p})"
    params += [moment(end), moment(start)]
    if tier is not None:
        sql += " AND tier = %s"
        params.append(tier)
    return sql, params


def waiting_ids_sql(tier: int | None, at: datetime):
    """Ids of the escalations that entered `tier` (None: any) before `at` and were still
    waiting there at `at`."""
    sql, params = tier_history_sql(lo=at, hi=at)
    p = param()
    sql += f" SELECT id FROM stays WHERE entered_at < {p} AND (left_at IS NULL OR left_at > {p})"
    params += [moment(at), moment(at)]
    if tier is not None:
        sql += " AND tier = %s"
        params.append(tier)
    return sql, params


def raised_tier() -> Coalesce:
    """The raised tier of each row of an escalation queryset (an annotation)."""
    first = Escalation.history.filter(id=OuterRef("pk")).order_by("history_date", "history_id")
    return Coalesce(Subquery(first.values("tier")[:1]), F("tier"))
