"""Writing an escalation's tier stays (`TierStay`) from its history, as the definitions say.

Every change of an escalation leaves a version in its history (the sweep's moves included).
Its versions, in order of date, fall into spells: a new spell starts wherever the tier or the
being open (new, in progress, on hold) changes. So:
- its **raised tier** is the tier of its first version (spell 1);
- a **tier move** is a version whose tier differs from the version before it, at that
  version's date (a spell with `moved_from`);
- a **stay** at a tier (a waiting spell) runs from entering it (raised there: the moment it was
  escalated; moved there or reopened there: that version's date) until it left it: moved to
  another tier, or resolved, closed or cancelled. Time on hold is still time waiting there.
An escalation whose history holds no version (bulk-loaded) counts as raised at its current
tier, never moved, at that tier from when it was escalated until it was resolved or closed.

The spells are derived in the database, set-based, and written again whole for the
escalations whose versions were written: `refresh_tier_stays` follows every writer of the
history (registered in the app's `ready`).
"""

from collections.abc import Iterable

from django.db import connection

from apps.core.choices import Status

from .models import Escalation, TierStay

OPEN = "(" + ", ".join(f"'{value}'" for value in Status.open_values()) + ")"
# Escalations per statement: well under the parameters a statement may carry.
CHUNK = 5000


def _spells_sql(where: str) -> str:
    """`WITH …` defining `spells` (the columns of TierStay) of the escalations matching
    `where`, a condition on their id written as `{id}`."""
    table = connection.ops.quote_name(Escalation._meta.db_table)
    history = connection.ops.quote_name(Escalation.history.model._meta.db_table)
    return f"""
    WITH chosen AS (
        SELECT e.id, e.client_id, e.occurred_at, e.tier, e.status, e.resolved_at, e.closed_at,
               e.updated_at
        FROM {table} e WHERE {where.format(id="e.id")}
    ),
    versions AS (
        SELECT h.id, h.history_date AS at, h.history_id AS seq, h.tier,
               CASE WHEN h.status IN {OPEN} THEN 1 ELSE 0 END AS open
        FROM {history} h WHERE {where.format(id="h.id")}
        UNION ALL
        SELECT c.id, c.occurred_at, 0, c.tier, 1 FROM chosen c
        WHERE NOT EXISTS (SELECT 1 FROM {history} h WHERE h.id = c.id)
        UNION ALL
        SELECT c.id, COALESCE(c.resolved_at, c.closed_at, c.updated_at), 1, c.tier, 0
        FROM chosen c
        WHERE c.status NOT IN {OPEN}
          AND NOT EXISTS (SELECT 1 FROM {history} h WHERE h.id = c.id)
    ),
    marked AS (
        SELECT v.id, v.at, v.tier, v.open,
               ROW_NUMBER() OVER (PARTITION BY v.id ORDER BY v.at, v.seq) AS n,
               LAG(v.tier) OVER (PARTITION BY v.id ORDER BY v.at, v.seq) AS prev_tier,
               LAG(v.open) OVER (PARTITION BY v.id ORDER BY v.at, v.seq) AS prev_open
        FROM versions v
    ),
    starts AS (
        SELECT m.id, m.n, m.at, m.tier, m.open, m.prev_tier FROM marked m
        WHERE m.n = 1 OR m.tier <> m.prev_tier OR m.open <> m.prev_open
    ),
    spells AS (
        SELECT s.id AS escalation_id, c.client_id,
               ROW_NUMBER() OVER (PARTITION BY s.id ORDER BY s.n) AS seq,
               s.tier, s.open = 1 AS waiting,
               CASE WHEN s.prev_tier <> s.tier THEN s.prev_tier END AS moved_from,
               CASE WHEN s.n = 1 THEN c.occurred_at ELSE s.at END AS entered_at,
               LEAD(s.at) OVER (PARTITION BY s.id ORDER BY s.n) AS left_at
        FROM starts s JOIN chosen c ON c.id = s.id
    )
    """


COLUMNS = ("escalation_id", "client_id", "seq", "tier", "waiting", "moved_from")
COLUMNS += ("entered_at", "left_at")


def _rewrite(where: str, params: list) -> None:
    stays = connection.ops.quote_name(TierStay._meta.db_table)
    columns = ", ".join(COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {stays} WHERE {where.format(id='escalation_id')}", params)
        cursor.execute(
            f"{_spells_sql(where)} INSERT INTO {stays} ({columns}) SELECT {columns} FROM spells",
            params * 2,
        )


def refresh_tier_stays(ids: Iterable[int]) -> None:
    """Write again the tier stays of these escalations from their history as it stands."""
    ids = sorted(set(ids))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        placeholders = ", ".join(["%s"] * len(chunk))
        _rewrite(f"{{id}} IN ({placeholders})", chunk)


def refresh_all_tier_stays() -> None:
    """Write again the tier stays of every escalation (after a load that bypassed them)."""
    _rewrite("1 = 1", [])
