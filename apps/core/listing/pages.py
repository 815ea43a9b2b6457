"""The page a list request asks for: its size, its sort and its keyset page."""

from dataclasses import dataclass

from django.db import models
from django.db.models import QuerySet

from .keyset import InvalidCursor, KeysetPage, paginate
from .ordering import sort_keys

PER_PAGE_CHOICES = (25, 50, 100)


def per_page_from(request) -> int:
    """`?per_page=` when it is one of the offered sizes, else the first."""
    try:
        value = int(request.GET.get("per_page", PER_PAGE_CHOICES[0]))
    except ValueError:
        return PER_PAGE_CHOICES[0]
    return value if value in PER_PAGE_CHOICES else PER_PAGE_CHOICES[0]


@dataclass
class RequestedPage:
    sort: str
    page: KeysetPage
    cursor_error: str | None


def requested_page(
    request,
    rows: QuerySet,
    *,
    model: type[models.Model],
    table_class,
    default_sort: str,
    tie_breaker: str = "occurred_at",
) -> RequestedPage:
    """The rows of the page asked for: sorted by `?sort=` when the table knows that column,
    else by `default_sort`; after or before the keyset cursor given, or the first page (with
    the reason) when that cursor is not valid."""
    sort = request.GET.get("sort") or default_sort
    probe = table_class([], order_by=sort)
    if not probe.order_by:
        sort = default_sort
        probe = table_class([], order_by=sort)
    keys = sort_keys(model, probe.database_order(), tie_breaker=tie_breaker)
    per_page = per_page_from(request)
    try:
        page = paginate(
            rows,
            keys,
            per_page=per_page,
            after=request.GET.get("after"),
            before=request.GET.get("before"),
        )
    except InvalidCursor as error:
        return RequestedPage(sort, paginate(rows, keys, per_page=per_page), str(error))
    return RequestedPage(sort, page, None)
