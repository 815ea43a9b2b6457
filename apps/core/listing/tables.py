"""Base table and columns for every log list."""

from urllib.parse import quote

import django_tables2 as tables
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import template_localtime
from django_tables2.utils import OrderByTuple

from ..targets import paused_minutes_left
from ..templatetags.due_times import due_cell_html
from ..templatetags.portal import person, severity_badge, status_badge
from .table_html import table_html

# Below this breakpoint a table shows its compact columns only (and scrolls in its box).
COMPACT_BREAKPOINT = "md"


class SeverityColumn(tables.Column):
    def render(self, value, record):
        return severity_badge(record.severity)


class StatusColumn(tables.Column):
    def render(self, value, record):
        return status_badge(record.status)


# A reference as `reverse()` puts it in a path (RFC 3986 sub-delimiters stay as they are).
_PATH_SAFE = "!$&'()*+,;=/~:@"


def url_with(table, view_name: str, argument) -> str:
    """`reverse(view_name, args=[argument])`, reversed once per table and view, not per row."""
    prefixes = table.__dict__.setdefault("_url_prefixes", {})
    if view_name not in prefixes:
        # A stand-in that any path converter accepts (int and str alike) and no path holds.
        marker = "9876543210123"
        prefixes[view_name] = tuple(reverse(view_name, args=[marker]).split(marker, 1))
    before, after = prefixes[view_name]
    return f"{before}{quote(str(argument), safe=_PATH_SAFE)}{after}"


def record_url(table, record) -> str:
    """`record.get_absolute_url()`, from one reversed address per table."""
    return url_with(table, f"{record._meta.app_label}:detail", record.reference)


class ReferenceColumn(tables.Column):
    def render(self, value, record, table):
        return format_html('<a href="{}">{}</a>', record_url(table, record), value)


class MomentColumn(tables.DateTimeColumn):
    """A date and time in the viewer's zone, as `{{ value|date:format }}` shows it."""

    def __init__(self, *, format: str = "Y-m-d H:i", **kwargs):
        super().__init__(format=format, **kwargs)
        self.moment_format = format

    def render(self, value, bound_column):
        if value is None:
            return bound_column.default
        local = template_localtime(value)
        if self.moment_format == "Y-m-d H:i":
            return local.strftime("%Y-%m-%d %H:%M")
        return date_format(local, self.moment_format)


class PersonColumn(tables.Column):
    """A user as the forms name them: full name, else username."""

    def render(self, value):
        return person(value)


class DueColumn(tables.Column):
    """The resolution due time, breached, or the paused clock; the paused clocks of the
    page's rows are computed together, once per page."""

    empty_values = ()  # no due time is a cell of its own: paused, or none

    def __init__(self, **kwargs):
        kwargs.setdefault("verbose_name", "Due")
        kwargs.setdefault("accessor", "resolution_due")
        super().__init__(**kwargs)

    def render(self, value, record, table):
        if not hasattr(table, "_paused_clocks"):
            table._paused_clocks = paused_minutes_left(row.record for row in table.rows)
        return due_cell_html(record, table._paused_clocks)

    def value(self, value, record):
        return value


class PortalTable(tables.Table):
    """A table whose rows come already sorted and paged by the database.

    django-tables2 would re-sort the page in Python; here it only validates the requested
    order and shows it in the headers, while the view orders the query itself.
    """

    selection = tables.CheckBoxColumn(
        accessor="pk",
        attrs={
            "th__input": {"data-select-all": "selection", "aria-label": "Select all rows"},
            "td__input": {"name": "selection", "form": "bulk-form", "aria-label": "Select row"},
        },
        orderable=False,
        exclude_from_export=True,
    )
    reference = ReferenceColumn(verbose_name="Reference")
    severity = SeverityColumn(verbose_name="Sev.")
    status = StatusColumn()

    # What a phone keeps of every row; any column named "…_due" or "due" is kept as well.
    compact_columns = frozenset({"selection", "reference", "title", "severity", "status"})

    class Meta:
        attrs = {"class": "table table-sm table-hover align-middle portal-table"}
        order_by_field = "sort"
        empty_text = "No records match these filters."

    def as_html(self, request) -> str:
        """The table as django-tables2's bootstrap5 template draws it, in one pass."""
        return table_html(self, request)

    def keeps_on_small_screens(self, name: str) -> bool:
        return name in self.compact_columns or "due" in name.split("_")

    def get_column_class_names(self, classes_set, bound_column):
        classes = super().get_column_class_names(classes_set, bound_column)
        if not self.keeps_on_small_screens(bound_column.name):
            classes |= {"d-none", f"d-{COMPACT_BREAKPOINT}-table-cell"}
        return classes

    @property
    def order_by(self):
        return self._order_by

    @order_by.setter
    def order_by(self, value):
        aliases = value.split(",") if isinstance(value, str) else list(value or ())
        valid = [
            alias
            for alias in aliases
            if alias.lstrip("-") in self.columns and self.columns[alias.lstrip("-")].orderable
        ]
        self._order_by = OrderByTuple(valid)

    def database_order(self) -> list[tuple[str, bool]]:
        """(field path, descending) pairs that sort the query as the table is ordered."""
        pairs = []
        for alias in self.order_by:
            # The bound column already turns its keys round when its alias is descending.
            for accessor in self.columns[alias.bare].order_by:
                pairs.append((accessor.bare.replace(".", "__"), accessor.is_descending))
        return pairs
