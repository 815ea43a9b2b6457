"""Counts that read at most a cap of rows: a page shows "1,000+" rather than count every open
record of a large log, and the list behind the figure counts them all."""

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Q

# Beyond this many records a counter says "1,000+".
CAP = 1000


def capped_counts(models, user, conditions: dict[str, Q], cap: int = CAP) -> dict[str, dict]:
    """label_lower → condition name → how many of the records `user` reaches meet it, counted
    up to `cap` + 1: one query for every log, each count reading at most `cap` + 1 rows."""
    names = list(conditions)
    parts, params = [], []
    for model in models:
        columns = []
        params.append(model._meta.label_lower)
        for name in names:
            rows = (
                model.objects.for_user(user)
                .filter(conditions[name])
                .order_by()
                .values("pk")[: cap + 1]
            )
            try:
                sql, row_params = rows.query.sql_with_params()
            except EmptyResultSet:  # the user reaches no record of this log
                columns.append(f"0 AS {name}")
                continue
            columns.append(f"(SELECT COUNT(*) FROM ({sql}) AS counted) AS {name}")
            params.extend(row_params)
        parts.append(f"SELECT %s AS log, {', '.join(columns)}")
    if not parts:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = cursor.fetchall()
    return {label: dict(zip(names, counts, strict=True)) for label, *counts in rows}


def shown(count: int, cap: int = CAP) -> str:
    """A capped count as a page shows it."""
    return f"{cap:,}+" if count > cap else f"{count:,}"
