"""Report pages over HTTP: every report of the catalogue, for the reader's first client and
the last whole month, and the home page of each role that reads figures on it."""

from datetime import timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.urls import reverse


def report_paths(username: str) -> list[tuple[str, str]]:
    """(title, address) of every report, as `username` opens it for last month."""
    from apps.reports.catalogue import REPORTS
    from apps.reports.periods import MONTH, period_containing, today_in
    from apps.reports.scope import clients_for

    user = get_user_model().objects.get(username=username)
    client = clients_for(user).first()
    if client is None:
        return []
    zone = ZoneInfo(client.timezone)
    last_month = period_containing(MONTH, today_in(zone).replace(day=1) - timedelta(days=1), zone)
    query = urlencode({"client": client.pk, **last_month.query_string()})
    return [(entry.title, f"{reverse(entry.url_name)}?{query}") for entry in REPORTS]
