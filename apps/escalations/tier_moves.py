"""Where an escalation was raised, when it moved between tiers, and how long it stayed at each:
read from its tier stays (`TierStay`), kept in step with its history by `tier_stays`, whose
docstring defines raised tier, moves and stays.

- the **raised tier** is the tier of its first spell (`seq` 1);
- a **tier move** is a spell it came to by a move (`moved_from`), at the spell's entry;
- a **stay** is a waiting spell, from `entered_at` to `left_at` (empty while still there).

The report and the list filters read the same rows, so a figure and its list never disagree.
"""

from datetime import datetime

from django.db import connection
from django.db.models import OuterRef, Q, QuerySet, Subquery

from .models import TierStay


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


def moves(from_tier: int | None, to_tier: int | None, start: datetime, end: datetime) -> QuerySet:
    """The moves from `from_tier` to `to_tier` (None: any) in `[start, end)`."""
    rows = TierStay.objects.filter(
        moved_from__isnull=False, entered_at__gte=start, entered_at__lt=end
    )
    if from_tier is not None:
        rows = rows.filter(moved_from=from_tier)
    if to_tier is not None:
        rows = rows.filter(tier=to_tier)
    return rows


def stays(tier: int | None, start: datetime, end: datetime) -> QuerySet:
    """The stays at `tier` (None: any) that overlap `[start, end)`: open there at some moment
    of it."""
    rows = TierStay.objects.filter(
        Q(left_at__isnull=True) | Q(left_at__gt=start), waiting=True, entered_at__lt=end
    )
    return rows if tier is None else rows.filter(tier=tier)


def moved_ids(from_tier: int | None, to_tier: int | None, start: datetime, end: datetime):
    """Ids of the escalations with a move from `from_tier` to `to_tier` (None: any) in
    `[start, end)`."""
    return moves(from_tier, to_tier, start, end).values("escalation_id")


def stayed_ids(tier: int | None, start: datetime, end: datetime):
    """Ids of the escalations at `tier` (None: any), open, at some moment of `[start, end)`."""
    return stays(tier, start, end).values("escalation_id")


def waiting_ids(tier: int | None, at: datetime):
    """Ids of the escalations that entered `tier` (None: any) before `at` and were still
    waiting there at `at`."""
    rows = TierStay.objects.filter(
        Q(left_at__isnull=True) | Q(left_at__gt=at), waiting=True, entered_at__lt=at
    )
    return (rows if tier is None else rows.filter(tier=tier)).values("escalation_id")


def raised_tier() -> Subquery:
    """The raised tier of each row of an escalation queryset (an annotation)."""
    first = TierStay.objects.filter(escalation=OuterRef("pk"), seq=1)
    return Subquery(first.values("tier")[:1])
