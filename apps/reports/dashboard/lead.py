"""A lead's panels: the queue's counters right now, and the last eight weeks' trend.

The counters are the records of the clients the lead's teams serve (the records a lead
reaches), every log in one query through the status and due-time indexes; the trend reads
the summaries, so eight weeks cost the same at any volume.
"""

import json
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from apps.core.capped_counts import CAP, capped_counts
from apps.core.listing.filters import window_value
from apps.core.models.summaries import SummaryRow
from apps.core.scoping import accessible_client_ids, sees_every_client
from apps.core.staleness import stale_condition
from apps.reports.content import COUNT, TEXT, Cell, Chart, Section, Table
from apps.reports.periods import WEEK, period_containing, today_in

from .panel import DONE, OPEN, Panel, list_address, log_label, readable_logs

SOON = timedelta(hours=1)
TREND_WEEKS = 8
COUNTERS = (
    ("due", "Due in the next hour"),
    ("breached", "Breached today"),
    ("unassigned", "Unassigned"),
    ("stale", "Stale"),
)
DEFINITIONS = (
    "Due in the next hour: open records whose resolution due time falls within the next hour.",
    "Breached today: records whose resolution breach was stamped today (the stamp holds the "
    "due time missed; the stamping task stamps a passing due time within a minute).",
    "Unassigned: open records with nobody assigned.",
    "Stale: open records with no update within their severity's limit (SEV1 4 hours, SEV2 "
    "24 hours, SEV3 3 days, SEV4 7 days), as the stale record audit finds them.",
    "Trend: records opened in each week (Monday to Sunday, the centre's calendar), and how "
    "many of those are resolved or closed now.",
)


def today_bounds(now: datetime) -> tuple[datetime, datetime]:
    """Today's `[midnight, next midnight)` in the centre's time zone."""
    day = timezone.localtime(now).date()
    zone = timezone.get_current_timezone()
    start = datetime.combine(day, time.min, tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)


def counter_filters(now: datetime) -> dict[str, list[tuple[str, str]]]:
    """Each counter's list parameters: the list shows exactly the rows it counts."""
    start, end = today_bounds(now)
    status = [("status", value) for value in OPEN]
    return {
        "due": [*status, ("window", window_value("resolution_due", now, now + SOON))],
        "breached": [("window", window_value("resolution_breached_at", start, end))],
        "unassigned": [*status, ("assignment", "nobody")],
        "stale": [("stale", "true")],
    }


def counter_conditions(now: datetime) -> dict[str, Q]:
    """Each counter's rows, as the lists' filters above select them."""
    start, end = today_bounds(now)
    is_open = Q(status__in=OPEN)
    return {
        "due": is_open & Q(resolution_due__gte=now, resolution_due__lt=now + SOON),
        "breached": Q(resolution_breached_at__gte=start, resolution_breached_at__lt=end),
        "unassigned": is_open & Q(assignee__isnull=True),
        "stale": stale_condition(now),
    }


def queue_counts(models, user, now: datetime) -> dict[str, dict[str, int]]:
    """label_lower → counter → how many (counted up to `CAP` + 1), over the records `user`
    reaches: one query, each counter reading at most `CAP` + 1 rows."""
    return capped_counts(models, user, counter_conditions(now))


def counter_cell(count: int, url: str) -> Cell:
    """A counter as the table shows it: beyond `CAP`, "1,000+" (the list counts them all)."""
    if count > CAP:
        return Cell(f"{CAP:,}+", TEXT, url)
    return Cell(count, COUNT, url)


def queue_table(models, user, now: datetime) -> Table:
    counts = queue_counts(models, user, now)
    filters = counter_filters(now)
    rows = []
    for model in models:
        found = counts.get(model._meta.label_lower, {})
        address = list_address(model)
        rows.append(
            [
                Cell(log_label(model)),
                *(
                    counter_cell(found.get(name, 0), f"{address}?{urlencode(filters[name])}")
                    for name, _ in COUNTERS
                ),
            ]
        )
    return Table(
        key="queue-now",
        title="Right now",
        columns=["Log", *(label for _, label in COUNTERS)],
        rows=rows,
    )


def weekly_trend(models, user, now: datetime, weeks: int = TREND_WEEKS) -> Table:
    """Records opened per week over the last `weeks` weeks (this one so far), and how many of
    them are resolved or closed now: one query of the summaries."""
    zone = ZoneInfo(settings.TIME_ZONE)  # the summaries' days are the centre's days
    periods = period_containing(WEEK, today_in(zone, now), zone).trend(weeks)
    opened, done = _daily_totals(models, user, periods[0].first_day, periods[-1].last_day)
    rows = []
    for period in periods:
        days = [period.first_day + timedelta(days=offset) for offset in range(period.days)]
        rows.append(
            [
                Cell(period.short_label),
                Cell(sum(opened.get(day, 0) for day in days), COUNT),
                Cell(sum(done.get(day, 0) for day in days), COUNT),
            ]
        )
    return Table(
        key="trend-weeks",
        title=f"Last {weeks} weeks",
        columns=["Week of", "Opened", "Of those, resolved or closed"],
        rows=rows,
        chart=Chart(kind="line", value_columns=(1, 2)),
        note="Every log; weeks run Monday to Sunday in the centre's time zone.",
    )


def _daily_totals(models, user, first: date, last: date) -> tuple[dict, dict]:
    """Day → records opened that day, and day → those of them now resolved or closed."""
    kinds = [model._meta.label_lower for model in models]
    if not kinds:
        return {}, {}
    days = "day >= %s AND day <= %s"
    where = [
        f"kind IN ({', '.join(['%s'] * len(kinds))})",
        f"((folded AND {days}) OR (NOT folded AND {days}))",
    ]
    params: list = [*kinds, first, last, first, last]
    if not sees_every_client(user):
        clients = sorted(accessible_client_ids(user))
        if not clients:
            return {}, {}
        where.append(f"client_id IN ({', '.join(['%s'] * len(clients))})")
        params += clients
    done = ", ".join(["%s"] * len(DONE))
    sql = (
        f"SELECT day, COALESCE(SUM(n), 0), COALESCE(SUM(CASE WHEN status IN ({done}) "
        f"THEN n ELSE 0 END), 0) FROM {SummaryRow._meta.db_table} "
        f"WHERE {' AND '.join(where)} GROUP BY day"
    )
    opened, resolved = {}, {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [*DONE, *params])
        for day, count, finished in cursor.fetchall():
            day = day if isinstance(day, date) else date.fromisoformat(day)
            opened[day] = int(count)
            resolved[day] = int(finished)
    return opened, resolved


def lead_section(user, now: datetime) -> Section:
    models = readable_logs(user)
    return Section(
        title="My teams' queues",
        tables=[queue_table(models, user, now), weekly_trend(models, user, now)],
    )


def drawn(section: Section) -> list[tuple[Table, str]]:
    """Each table with its chart's numbers as JSON ("" for none), carried on the canvas
    itself: htmx drops script elements from what it swaps in, so a json_script would not
    survive a refresh."""
    return [
        (table, json.dumps(data) if (data := table.chart_data()) else "")
        for table in section.tables
    ]


def panels(user, now: datetime) -> list[Panel]:
    return [
        Panel(
            key="queues",
            title="My teams' queues",
            template="reports/dashboard/lead.html",
            data=drawn(lead_section(user, now)),
            note="Records of the clients your teams serve.",
            definitions=DEFINITIONS,
        )
    ]
