"""What the interruption list tests read off a page: rows, counts, links, messages."""

import html
import re
from datetime import UTC, datetime

from django.contrib.messages import get_messages
from django.db.models import F

REFERENCE_LINK = re.compile(r'<td ><a href="/interruptions/(INT-\d{4}-\d{6})/">')
# The table's orderable columns and the database path each one sorts by.
SORT_PATHS = {
    "reference": "reference",
    "client": "client__code",
    "kind": "kind",
    "title": "title",
    "severity": "severity",
    "status": "status",
    "assignee": "assignee__username",
    "team": "team__name",
    "occurred_at": "occurred_at",
    "ended_at": "ended_at",
}


def at(day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def listed(response) -> list[str]:
    """References of the rows shown, in table order."""
    assert response.status_code == 200
    return REFERENCE_LINK.findall(response.content.decode())


def row_count(response) -> str:
    match = re.search(r'id="row-count"><strong>([^<]*)</strong>', response.content.decode())
    return match.group(1)


def page_link(response, rel: str) -> str | None:
    match = re.search(rf'rel="{rel}" href="([^"]+)"', response.content.decode())
    return html.unescape(match.group(1)) if match else None


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def refs(rows, keys: str) -> list[str]:
    return [rows[key] for key in keys.split()]


def database_order(queryset, path: str, descending: bool) -> list[str]:
    """References in the database order for `path`, NULLs last, then start time and id."""
    column = F(path)
    key = column.desc(nulls_last=True) if descending else column.asc(nulls_last=True)
    ties = ["-occurred_at", "-id"] if descending else ["occurred_at", "id"]
    return list(queryset.order_by(key, *ties).values_list("reference", flat=True))
