"""The length of a union of time spans, merged by the database: only the merged spans come
back, however many rows overlap."""

from datetime import UTC, datetime, timedelta

from django.db import connection
from django.db.models import QuerySet
from django.utils.dateparse import parse_datetime


def merged_length(spans: QuerySet) -> timedelta:
    """The union's length of the `[s, e)` of `spans` (a queryset annotated with `s` and `e`,
    every row with e > s): a span opens a new stretch when it starts after every earlier one
    ended (a running maximum of the ends, in start order)."""
    sql, params = spans.values("s", "e").query.sql_with_params()
    merged = f"""
        SELECT MIN(s), MAX(e) FROM (
            SELECT s, e, SUM(opens) OVER (ORDER BY s, e ROWS UNBOUNDED PRECEDING) AS stretch
            FROM (
                SELECT s, e, CASE WHEN s <= MAX(e) OVER (
                    ORDER BY s, e ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
                ) THEN 0 ELSE 1 END AS opens
                FROM ({sql}) AS spans
            ) AS marked
        ) AS stretches
        GROUP BY stretch
    """
    with connection.cursor() as cursor:
        cursor.execute(merged, params)
        stretches = cursor.fetchall()
    return sum((_moment(end) - _moment(start) for start, end in stretches), timedelta(0))


def _moment(value) -> datetime:
    if isinstance(value, str):
        value = parse_datetime(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
