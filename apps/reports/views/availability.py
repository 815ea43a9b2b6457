"""Availability and downtime per service of a client: the page, its exports and its print."""

from datetime import datetime, timedelta

from ..availability import (
    COUNTED_STATUSES,
    DEGRADED,
    DOWN,
    KINDS,
    MAINTENANCE,
    Availability,
    availability_report,
    days_of,
)
from ..content import COUNT, HOURS, PERCENT, TEXT, Cell, Chart, Figure, Section, Table
from ..links import list_url
from ..scope import TREND_PERIODS, ReportScope
from .base import ReportView

LIST = "interruptions:list"
# The longest stretches of downtime each service's timeline shows; the list holds them all.
TIMELINE_ROWS = 25


def _hours(value: timedelta) -> float:
    return value.total_seconds() / 3600


class AvailabilityReportView(ReportView):
    title = "Availability and downtime"
    with_basis = True
    definitions = (
        "Downtime: the union of [started, ended or now) of the interruptions that stop service "
        "(outage, incident, communication failure, third-party, error), overlaps merged, "
        "clipped to the period. Cancelled records count for nothing.",
        "Degradation and planned maintenance are merged the same way and shown apart; neither "
        "is ever downtime.",
        "Availability % = 1 − downtime ÷ the period's time up to now: calendar time (24×7), or "
        "the working hours of the client's calendar when business hours are chosen; downtime, "
        "degradation and maintenance are then counted within those hours only.",
        "Overall is the client as a whole: the union over all its stopping interruptions, "
        "whichever services they name.",
        "Incidents: stopping interruptions that started in the period.",
        "MTTR: the mean of ended − started (calendar hours) over the stopping interruptions "
        "that ended in the period.",
        "MTBF = (period time − downtime) ÷ the incidents that started in the period, on the "
        "chosen basis.",
    )

    def sections(self, scope: ReportScope) -> list[Section]:
        report = availability_report(
            scope.client,
            scope.period,
            business=scope.business_time,
            now=scope.now,
            trend=TREND_PERIODS,
        )
        links = _Links(scope)
        previous = report.trend[-2] if len(report.trend) > 1 else None
        basis = (
            "business hours of the client's calendar"
            if scope.business_time
            else "calendar time (24×7)"
        )
        return [
            Section(
                title="All services",
                figures=_figures(report.overall, previous, links),
                note=f"Availability, downtime and MTBF over {basis}.",
            ),
            Section(
                title="Per service",
                tables=[_per_service(report, links), _per_day(report, scope, links)],
            ),
            Section(
                title="Timeline of downtime per service",
                tables=[_timeline(item, scope, links) for item in report.services],
                note=f"Each row is a stretch of downtime (overlapping interruptions merged); "
                f"the {TIMELINE_ROWS} longest of each service are shown, in order, and their "
                "counts link to the interruptions behind them.",
            ),
            Section(title="Trend", tables=[_trend(report, links)]),
        ]


class _Links:
    """Where each figure leads: the interruption list narrowed to exactly its rows."""

    def __init__(self, scope: ReportScope):
        self.scope = scope

    def active(self, measure: str, start: datetime, end: datetime, service=None, *, pk=None) -> str:
        if end <= start:
            return ""
        return list_url(
            LIST,
            self.scope,
            active=f"{start.isoformat()}/{end.isoformat()}",
            kind=list(KINDS[measure]),
            status=list(COUNTED_STATUSES),
            service=pk if pk is not None else (service.pk if service else None),
        )

    def moments(self, field: str, item: Availability) -> str:
        return list_url(
            LIST,
            self.scope,
            window=(field, item.period.start, item.period.end),
            kind=list(KINDS[DOWN]),
            status=list(COUNTED_STATUSES),
            service=item.service.pk if item.service else None,
        )

    def period(self, measure: str, item: Availability) -> str:
        return self.active(measure, item.period.start, item.period.end, item.service)


def _figures(item: Availability, previous: Availability | None, links: _Links) -> list[Figure]:
    def before(value):
        return None if previous is None else value(previous)

    return [
        Figure(
            "Availability",
            item.percent,
            PERCENT,
            url=links.period(DOWN, item),
            previous=before(lambda other: other.percent),
        ),
        Figure(
            "Downtime",
            _hours(item.downtime),
            HOURS,
            url=links.period(DOWN, item),
            previous=before(lambda other: _hours(other.downtime)),
        ),
        Figure(
            "Degradation (apart)",
            _hours(item.degraded),
            HOURS,
            url=links.period(DEGRADED, item),
            help_text="Slow but working: never counted as downtime.",
        ),
        Figure(
            "Planned maintenance (apart)",
            _hours(item.maintenance),
            HOURS,
            url=links.period(MAINTENANCE, item),
            help_text="Planned: never counted as downtime.",
        ),
        Figure(
            "Incidents",
            item.incidents,
            COUNT,
            url=links.moments("occurred_at", item),
            previous=before(lambda other: other.incidents),
        ),
        Figure(
            "MTTR",
            item.mttr_hours,
            HOURS,
            url=links.moments("ended_at", item),
            previous=before(lambda other: other.mttr_hours),
        ),
        Figure(
            "MTBF",
            item.mtbf_hours,
            HOURS,
            url=links.moments("occurred_at", item),
            previous=before(lambda other: other.mtbf_hours),
        ),
    ]


def _per_service(report, links: _Links) -> Table:
    rows = []
    for item in report.services:
        rows.append(
            [
                Cell(item.service.name),
                Cell(item.percent, PERCENT, links.period(DOWN, item)),
                Cell(_hours(item.downtime), HOURS, links.period(DOWN, item)),
                Cell(_hours(item.degraded), HOURS, links.period(DEGRADED, item)),
                Cell(_hours(item.maintenance), HOURS, links.period(MAINTENANCE, item)),
                Cell(item.incidents, COUNT, links.moments("occurred_at", item)),
                Cell(item.mttr_hours, HOURS, links.moments("ended_at", item)),
                Cell(item.mtbf_hours, HOURS, links.moments("occurred_at", item)),
            ]
        )
    return Table(
        key="services",
        title="Availability per service",
        columns=[
            "Service",
            "Availability",
            "Downtime (h)",
            "Degradation (h)",
            "Maintenance (h)",
            "Incidents",
            "MTTR (h)",
            "MTBF (h)",
        ],
        rows=rows,
        chart=Chart(kind="stacked", value_columns=(2, 3, 4), horizontal=True),
        note="Hours of downtime, degradation and maintenance per service, stacked.",
        empty_text="The client has no services.",
    )


def _per_day(report, scope: ReportScope, links: _Links) -> Table:
    services = report.services
    rows = []
    for day, start, end in days_of(scope.period, scope.now):
        row = [Cell(day.strftime("%a %d %b"))]
        for item in services:
            row.append(
                Cell(
                    _hours(item.downtime_within(start, end)),
                    HOURS,
                    links.active(DOWN, start, end, item.service),
                )
            )
        row.append(
            Cell(
                _hours(report.overall.downtime_within(start, end)),
                HOURS,
                links.active(DOWN, start, end),
            )
        )
        rows.append(row)
    return Table(
        key="days",
        title="Downtime per day",
        columns=["Day", *(item.service.name for item in services), "All services"],
        rows=rows,
        chart=Chart(kind="stacked", value_columns=tuple(range(1, len(services) + 1))),
        note="Hours of downtime of each service per day of the client's calendar; a stretch "
        "hitting two services counts for each, and once under All services.",
    )


def _timeline(item: Availability, scope: ReportScope, links: _Links) -> Table:
    zone = scope.zone
    longest = sorted(item.spans, key=lambda span: span.length, reverse=True)[:TIMELINE_ROWS]
    shown = sorted(longest, key=lambda span: span.start)
    rows = [
        [
            Cell(f"{span.start.astimezone(zone):%Y-%m-%d %H:%M}"),
            Cell(f"{span.end.astimezone(zone):%Y-%m-%d %H:%M}", TEXT),
            Cell(_hours(span.length), HOURS),
            Cell(
                span.interruptions,
                COUNT,
                links.active(DOWN, span.start, span.end, item.service),
            ),
        ]
        for span in shown
    ]
    hidden = len(item.spans) - len(shown)
    return Table(
        key=f"timeline-{item.service.pk}",
        title=item.service.name,
        columns=["Down from", "Until", "Duration (h, calendar)", "Interruptions"],
        rows=rows,
        note=f"{hidden} shorter stretches are not shown." if hidden > 0 else "",
        empty_text="No downtime in this period.",
    )


def _trend(report, links: _Links) -> Table:
    rows = [
        [
            Cell(item.period.short_label),
            Cell(item.percent, PERCENT, links.period(DOWN, item)),
            Cell(_hours(item.downtime), HOURS, links.period(DOWN, item)),
            Cell(item.incidents, COUNT, links.moments("occurred_at", item)),
            Cell(item.mttr_hours, HOURS, links.moments("ended_at", item)),
        ]
        for item in report.trend
    ]
    return Table(
        key="trend",
        title="Availability over the last periods (all services)",
        columns=["Period", "Availability", "Downtime (h)", "Incidents", "MTTR (h)"],
        rows=rows,
        chart=Chart(kind="line", value_columns=(1,)),
    )
