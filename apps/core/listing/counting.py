"""Counting filtered rows without paying for a full COUNT(*) on every page view."""

from django.db.models import QuerySet

COUNT_CAP = 10_000


def capped_count(queryset: QuerySet, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """(count, capped): the exact count up to `cap`, else (cap, True) shown as "10,000+"."""
    total = queryset.order_by()[: cap + 1].count()
    return (cap, True) if total > cap else (total, False)
