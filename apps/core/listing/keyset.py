"""Keyset pagination: pages found through the index from the last row seen, not by OFFSET.

An OFFSET of millions makes the database walk and throw away millions of rows; a cursor
holding the sort key of the page's edge row lets it seek straight to the next page, however
deep. A cursor is the edge row's sort values plus its primary key, base64-encoded JSON.
"""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import F, Q, QuerySet


@dataclass(frozen=True)
class SortKey:
    path: str
    descending: bool
    nullable: bool

    def expression(self, reverse: bool):
        descending = self.descending != reverse
        column = F(self.path)
        if not self.nullable:
            # Plain ASC/DESC, so a b-tree index can serve the order in either direction.
            return column.desc() if descending else column.asc()
        # NULLs at the end of the forward order, hence at the start of the reverse one.
        placement = {"nulls_first": True} if reverse else {"nulls_last": True}
        return column.desc(**placement) if descending else column.asc(**placement)


class InvalidCursor(ValueError):
    pass


def _json_value(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def encode_cursor(values: list) -> str:
    raw = json.dumps([_json_value(value) for value in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, length: int) -> list:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError, ValueError) as error:
        raise InvalidCursor(
            "This page link is damaged; start again from the first page."
        ) from error
    if not isinstance(values, list) or len(values) != length:
        raise InvalidCursor("This page link is out of date; start again from the first page.")
    return values


def _beyond(keys: list[SortKey], values: list, reverse: bool) -> Q:
    """Rows strictly after `values` in the order of `keys` (before them when `reverse`)."""
    key, value, rest = keys[0], values[0], keys[1:]
    descending = key.descending != reverse
    nulls_come_after = not reverse
    if value is None:
        equal = Q(**{f"{key.path}__isnull": True})
        beyond = Q(pk__in=[]) if nulls_come_after else Q(**{f"{key.path}__isnull": False})
    else:
        equal = Q(**{key.path: value})
        beyond = Q(**{f"{key.path}__{'lt' if descending else 'gt'}": value})
        if key.nullable and nulls_come_after:
            beyond |= Q(**{f"{key.path}__isnull": True})
    if not rest:
        return beyond
    condition = beyond | (equal & _beyond(rest, values[1:], reverse))
    if value is not None and not key.nullable:
        # A redundant bound the index can seek to; the OR alone would be a filter.
        condition &= Q(**{f"{key.path}__{'lte' if descending else 'gte'}": value})
    return condition


@dataclass
class KeysetPage:
    rows: list
    next_cursor: str | None
    previous_cursor: str | None
    is_first: bool


def _edge_values(row, keys: list[SortKey]) -> list:
    return [getattr(row, f"_sortkey_{index}") for index in range(len(keys))]


def paginate(
    queryset: QuerySet,
    keys: list[SortKey],
    *,
    per_page: int,
    after: str | None = None,
    before: str | None = None,
) -> KeysetPage:
    """One page of `queryset` in the order of `keys` (the last key must be unique: the pk)."""
    annotated = queryset.annotate(
        **{f"_sortkey_{index}": F(key.path) for index, key in enumerate(keys)}
    )
    reverse = bool(before) and not after
    cursor = before if reverse else after
    if cursor:
        condition = _beyond(keys, decode_cursor(cursor, len(keys)), reverse)
        try:
            annotated = annotated.filter(condition)
        except (ValidationError, ValueError, TypeError) as error:
            # A hand-edited cursor: its values do not fit the columns they are compared with.
            raise InvalidCursor(
                "This page link is damaged; start again from the first page."
            ) from error
    ordered = annotated.order_by(*(key.expression(reverse) for key in keys))
    rows = list(ordered[: per_page + 1])
    more = len(rows) > per_page
    rows = rows[:per_page]
    if reverse:
        rows.reverse()
    if not rows:
        return KeysetPage([], None, None, is_first=not cursor)
    first, last = (
        encode_cursor(_edge_values(rows[0], keys)),
        encode_cursor(_edge_values(rows[-1], keys)),
    )
    if reverse:
        return KeysetPage(rows, last, first if more else None, is_first=not more)
    return KeysetPage(rows, last if more else None, first if after else None, is_first=not after)
