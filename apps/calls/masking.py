"""Personal data of a call (caller number, customer name) as a user may see it.

Whoever holds `calls.view_personal_data` sees the values; anyone else sees them masked:

- caller number: `•••• 1234`, the last four characters kept (enough to tell two calls of
  the same customer apart, not enough to call them); numbers shorter than seven
  characters are masked whole, since four of six would give most of them away;
- customer name: masked whole, `••••`, not even the first letter.

The rule is written once, in `MASKED_FIELDS`; `mask_value` applies it in Python (history
entries) and `masked_expression` in SQL (lists, detail pages and both exports, CSV written by
PostgreSQL's COPY included). The tests check the two agree value for value.
"""

from django.db.models import CharField, F, Q, Value
from django.db.models.expressions import Case, When
from django.db.models.functions import Concat, Length, Right
from django.db.models.lookups import GreaterThanOrEqual

MASK = "••••"
PERMISSION = "calls.view_personal_data"
# Field → how many trailing characters stay visible to those who may not see personal data.
MASKED_FIELDS: dict[str, int] = {"caller_number": 4, "customer_name": 0}
# A value keeps its tail only when at least this many characters stay hidden.
HIDDEN_AT_LEAST = 3
SHOWN_PREFIX = "shown_"


def can_view_personal_data(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(PERMISSION))


def mask_value(value: str | None, keep_last: int) -> str:
    """`value` as a user without the permission sees it."""
    if not value:
        return ""
    if keep_last and len(value) >= keep_last + HIDDEN_AT_LEAST:
        return f"{MASK} {value[-keep_last:]}"
    return MASK


def masked_expression(field: str, keep_last: int):
    """The same as `mask_value`, computed by the database for every row of a query."""
    cases = [When(Q(**{field: ""}) | Q(**{f"{field}__isnull": True}), then=Value(""))]
    if keep_last:
        cases.append(
            When(
                GreaterThanOrEqual(Length(field), keep_last + HIDDEN_AT_LEAST),
                then=Concat(Value(f"{MASK} "), Right(field, keep_last), output_field=CharField()),
            )
        )
    return Case(*cases, default=Value(MASK), output_field=CharField())


def shown_name(field: str) -> str:
    """The annotation holding what the user may see of `field`: shown_caller_number…"""
    return SHOWN_PREFIX + field


def personal_data_annotations(user) -> dict:
    """Annotations `shown_<field>` for each personal field: the value, or its mask."""
    visible = can_view_personal_data(user)
    return {
        shown_name(field): F(field) if visible else masked_expression(field, keep_last)
        for field, keep_last in MASKED_FIELDS.items()
    }


def mask_for(user, field: str, value: str | None) -> str:
    """One value of a personal field as `user` may see it (Python side)."""
    if field not in MASKED_FIELDS or can_view_personal_data(user):
        return value or ""
    return mask_value(value, MASKED_FIELDS[field])
