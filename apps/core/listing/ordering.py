"""Turning a table's requested order into database sort keys."""

from django.db import models

from .keyset import SortKey


def path_is_nullable(model: type[models.Model], path: str) -> bool:
    """Can the value at `path` (e.g. "assignee__username") be NULL for some row?"""
    nullable = False
    current = model
    for part in path.split("__"):
        field = current._meta.get_field(part)
        nullable = nullable or getattr(field, "null", False)
        if field.is_relation and field.related_model is not None:
            current = field.related_model
    return nullable


def sort_keys(
    model: type[models.Model], pairs: list[tuple[str, bool]], tie_breaker: str = "occurred_at"
) -> list[SortKey]:
    """Sort keys for (path, descending) pairs, then `tie_breaker` and the primary key.

    Ties are broken in the direction of the last chosen key, so that an index on
    (column, occurred_at) serves "by severity" as well as a filter on severity does.
    """
    keys = [
        SortKey(path, descending, path_is_nullable(model, path))
        for path, descending in pairs
        if path not in ("pk", "id")
    ]
    last_descending = pairs[-1][1] if pairs else True
    if tie_breaker not in {key.path for key in keys}:
        keys.append(SortKey(tie_breaker, last_descending, path_is_nullable(model, tie_breaker)))
    keys.append(SortKey("id", last_descending, False))
    return keys
