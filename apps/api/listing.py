"""A list of the API: the page's filterset, its sort orders and its keyset pages."""

from dataclasses import dataclass

from django.http import QueryDict

from apps.core.listing.keyset import InvalidCursor, paginate
from apps.core.listing.ordering import sort_keys

from .problems import invalid

DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 100
PAGING_PARAMETERS = ("sort", "after", "before", "per_page")


@dataclass(frozen=True)
class ListSpec:
    """What a list is made of: the page's list view (filterset, table) and its tie-breaker."""

    list_view: type
    tie_breaker: str = "occurred_at"


def filtered(spec: ListSpec, request, queryset):
    """`queryset` narrowed by the request's filters, exactly as the list page narrows it; an
    invalid filter is a 400 that names it (a page would show it on the filter form)."""
    filterset = spec.list_view.filterset_class(request.GET, queryset=queryset, request=request)
    if not filterset.is_valid():
        raise invalid(
            {
                name: [str(message) for message in messages]
                for name, messages in filterset.errors.items()
            },
            "Check the filters named in errors.",
        )
    return filterset.qs


def _per_page(request) -> int:
    raw = request.GET.get("per_page", str(DEFAULT_PER_PAGE))
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PER_PAGE:
        raise invalid({"per_page": [f"Give a whole number from 1 to {MAX_PER_PAGE}."]})
    return int(raw)


def _sort_pairs(spec: ListSpec, request) -> list[tuple[str, bool]]:
    view = spec.list_view
    sort = request.GET.get("sort") or view.default_sort
    probe = view.table_class([], order_by=sort)
    if not probe.order_by:
        sortable = sorted(column.name for column in probe.columns if column.orderable)
        raise invalid({"sort": [f"Sort by one of {', '.join(sortable)} (prefix - to reverse)."]})
    return probe.database_order()


def _link(request, **cursor) -> str:
    query = QueryDict(mutable=True)
    query.update(request.GET)
    for name in ("after", "before"):
        query.pop(name, None)
    query.update(cursor)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def keyset_page(request, queryset, keys) -> tuple[list, dict]:
    """The rows of the page asked for (`per_page`, `after`, `before`), and the links to the
    next and previous pages."""
    try:
        page = paginate(
            queryset,
            keys,
            per_page=_per_page(request),
            after=request.GET.get("after"),
            before=request.GET.get("before"),
        )
    except InvalidCursor as error:
        raise invalid({"after" if request.GET.get("after") else "before": [str(error)]}) from None
    links = {
        "next": _link(request, after=page.next_cursor) if page.next_cursor else None,
        "previous": _link(request, before=page.previous_cursor) if page.previous_cursor else None,
    }
    return page.rows, links


def api_page(spec: ListSpec, request, queryset) -> tuple[list, dict]:
    """A page of the list in the order `sort` asks for, as the list page sorts."""
    keys = sort_keys(spec.list_view.model, _sort_pairs(spec, request), tie_breaker=spec.tie_breaker)
    return keyset_page(request, queryset, keys)


def filter_parameters(spec: ListSpec) -> list[dict]:
    """The OpenAPI description of the list's query parameters: its filters, then paging."""
    filters = spec.list_view.filterset_class.base_filters
    parameters = [
        {
            "name": name,
            "in": "query",
            "required": False,
            "description": str(getattr(filter_, "label", "") or name),
            "schema": {"type": "string"},
        }
        for name, filter_ in filters.items()
    ]
    paging = {
        "sort": "A column of the list page, - first to reverse (e.g. -occurred_at).",
        "after": "The cursor of the next page (from links.next).",
        "before": "The cursor of the previous page (from links.previous).",
        "per_page": f"Rows per page, 1 to {MAX_PER_PAGE} (default {DEFAULT_PER_PAGE}).",
    }
    parameters += [
        {
            "name": name,
            "in": "query",
            "required": False,
            "description": text,
            "schema": {"type": "string"},
        }
        for name, text in paging.items()
    ]
    return parameters
