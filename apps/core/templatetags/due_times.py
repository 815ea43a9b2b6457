"""The due cell: a record's due time in the viewer's zone, breached, or its paused clock.

One rendering for every list and record page: `{% due_cell record %}` (a record page), or
`due_cell_html(record, paused)` with the minutes left of the page's paused records computed
once (a table; see `DueColumn`).
"""

from django import template
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString

from ..choices import Status
from ..humanize import business_minutes_text
from ..targets import BREACH_STAMPS, is_paused, missed_target, paused_minutes_left

register = template.Library()

BREACHED = '<span class="badge text-bg-danger">breached</span>'
PAUSED = '<span class="badge text-bg-warning">paused</span>'


def _moment(value) -> SafeString:
    local = timezone.localtime(value)
    # Digits, separators and a zone abbreviation: nothing to escape (a page draws hundreds).
    shown = escape(local.strftime("%Y-%m-%d %H:%M %Z"))
    return SafeString(f'<time datetime="{local.isoformat()}">{shown}</time>')


def _missed(record, due_name: str) -> bool:
    stamp_name, met_names = BREACH_STAMPS[due_name]
    if getattr(record, stamp_name, None) is not None:
        return True
    met_names = [name for name in met_names if hasattr(record, name)]
    return missed_target(record, due_name, met_names, timezone.now())


def due_cell_html(record, paused: dict[int, int] | None = None, target: str = "resolution"):
    """The cell of `record`'s `target` ("resolution" or "first_response") due time;
    `paused` holds the minutes left of paused records (computed here when None)."""
    due_name = f"{target}_due"
    due = getattr(record, due_name, None)
    if _missed(record, due_name):
        # The due time it missed, even if a later change moved the target on.
        shown = getattr(record, BREACH_STAMPS[due_name][0], None) or due
        paused_note = " · paused" if due is None and record.status == Status.ON_HOLD else ""
        return format_html(
            '{} <span class="due">{}</span>{}', SafeString(BREACHED), _moment(shown), paused_note
        )
    if due is not None:
        return format_html('<span class="due">{}</span>', _moment(due))
    if target == "resolution" and is_paused(record):
        if paused is None:
            paused = paused_minutes_left([record])
        left = paused.get(record.pk)
        if left is not None:
            return format_html(
                '{} <span class="due">{} left</span>',
                SafeString(PAUSED),
                business_minutes_text(left),
            )
        return SafeString(PAUSED)
    return "—"


@register.simple_tag
def due_cell(record, target: str = "resolution"):
    return due_cell_html(record, target=target)
