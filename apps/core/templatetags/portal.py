from functools import lru_cache

from django import template
from django.template.defaultfilters import linebreaksbr
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import capfirst

from ..choices import SEVERITY_COLOURS, Severity, Status
from ..history import shorten
from ..humanize import duration_text, person_name

register = template.Library()

STATUS_COLOURS = {
    Status.NEW: "primary",
    Status.IN_PROGRESS: "info",
    Status.ON_HOLD: "warning",
    Status.RESOLVED: "success",
    Status.CLOSED: "dark",
    Status.CANCELLED: "secondary",
}


@register.simple_tag
@lru_cache(maxsize=64)
def severity_badge(value: str):
    if not value:
        return ""
    label = Severity(value).label if value in Severity.values else value
    return format_html(
        '<span class="badge text-bg-{}" title="{}">{}</span>',
        SEVERITY_COLOURS.get(value, "secondary"),
        label,
        value,
    )


@register.simple_tag
@lru_cache(maxsize=64)
def status_badge(value: str):
    if not value:
        return ""
    label = Status(value).label if value in Status.values else value
    return format_html(
        '<span class="badge rounded-pill text-bg-{}">{}</span>',
        STATUS_COLOURS.get(value, "secondary"),
        label,
    )


@register.filter
def person(user, empty: str = "—") -> str:
    """A user as people know them: full name, else username."""
    return empty if user is None else person_name(user)


@register.simple_tag
def measure_value(item) -> str:
    """A list figure in its unit: 1,234 · 87.5% · 4 min 05 s · 50 h 20 min · 3.8; none: —."""
    value = item.value
    if value is None:
        return "—"
    if item.unit == "percent":
        return f"{value:.1f}%"
    if item.unit == "seconds":
        minutes, seconds = divmod(round(value), 60)
        hours, minutes = divmod(minutes, 60)
        if hours:
            return f"{hours:,} h {minutes:02d} min"
        return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"
    if item.unit == "number":
        return f"{value:.1f}"
    return f"{value:,}"


@register.filter
def kind_name(record) -> str:
    """ "Interruption", "Call log"…: the kind of a record, for lists that mix kinds."""
    return capfirst(record._meta.verbose_name)


@register.simple_tag
def history_value(text: str):
    """A value in the change history: short as it is; long or several lines, its first words,
    and the whole text one click away."""
    text = str(text)
    short = shorten(text)
    if short == text:
        return text
    return format_html(
        '<details class="d-inline-block align-top"><summary>{}</summary>'
        '<div class="text-body text-break">{}</div></details>',
        short,
        linebreaksbr(text, autoescape=True),
    )


@register.filter
def duration(value) -> str:
    """A timedelta as people say it: "5 h 52 min", "2 d 3 h", "45 min"; none: —."""
    return "—" if value is None else duration_text(value)


@register.simple_tag(takes_context=True)
def portal_table(context, table):
    """A list's table, drawn in one pass (see apps/core/listing/table_html.py)."""
    return mark_safe(table.as_html(context["request"]))
