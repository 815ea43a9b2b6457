from django import template
from django.utils.html import format_html

from ..choices import SEVERITY_COLOURS, Severity, Status

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
    if user is None:
        return empty
    return user.get_full_name() or user.get_username()
