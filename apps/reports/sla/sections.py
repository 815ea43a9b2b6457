"""SLA compliance of one client over a period: the figures of the page, its exports and the
monthly e-mail, computed here and nowhere else.

Compliance is judged by due time (apps.core.compliance), not by when records occurred. The
SLA summaries keep each log's records by the day their due time as it stood falls in, so the
trend's periods are summed from them up to now (one query per log and target); the records
due from now on are counted live. Time on hold is read from the status history (one aggregate
per log over its partial index of hold versions); maintenance windows are the client's few
maintenance interruptions. The number of queries is the same for any period and any volume.
"""

from datetime import datetime

from apps.core.compliance import FIRST_RESPONSE, RESOLUTION, Clock
from apps.escalations.models import Escalation
from apps.sla.selectors import active_policies
from apps.sla.services import policy_minutes

from ..content import COUNT, HOURS, PERCENT, TEXT, Cell, Chart, Figure, Section, Table
from ..links import list_url
from ..periods import Period
from ..scope import ReportScope
from .definitions import LOGS, SEVERITIES, Log
from .maintenance import maintenance_hours, maintenance_windows, span_hours
from .tallies import Tallies, Tally, compliance_tallies, hold_hours


def target_text(minutes: int, from_policy: bool) -> str:
    hours, rest = divmod(minutes, 60)
    amount = f"{hours} h" if not rest else (f"{hours} h {rest} min" if hours else f"{rest} min")
    return f"{amount} business" if from_policy else f"{amount} (24×7 default)"


def _sum(tallies: Tallies, index: int, severities=SEVERITIES) -> Tally:
    total = Tally()
    for severity in severities:
        total += tallies.get((index, severity), Tally())
    return total


def _link(log: Log, scope: ReportScope, clock: Clock, period: Period, outcome: str, **filters):
    return list_url(
        log.list_name,
        scope,
        window=(clock.final_due_name, period.start, period.end),
        **{f"{clock.key}_target": outcome},
        **filters,
    )


def _stamp_link(log: Log, scope: ReportScope, clock: Clock, period: Period, **filters):
    return list_url(log.list_name, scope, window=(clock.stamp, period.start, period.end), **filters)


def _clock_section(
    scope: ReportScope,
    clock: Clock,
    logs: tuple[Log, ...],
    tallies: dict[Log, Tallies],
    targets: dict[str, str],
    title: str,
    verb: str,
) -> Section:
    current = len(scope.trend()) - 1
    period, previous = scope.period, scope.period.previous()
    figures, rows = [], []
    for log in logs:
        now_tally = _sum(tallies[log], current)
        before = _sum(tallies[log], current - 1)
        figures.append(
            Figure(
                f"{log.label} {verb} on time",
                now_tally.percent,
                PERCENT,
                url=_link(log, scope, clock, period, "missed") if now_tally.missed else "",
                previous=before.percent,
                help_text=f"{now_tally.met:,} of {now_tally.counted:,}; the link lists the "
                "records that missed it.",
            )
        )
    for log in logs:
        for severity in SEVERITIES:
            tally = tallies[log].get((current, severity), Tally())
            before = tallies[log].get((current - 1, severity), Tally())
            if not tally.counted and not before.counted:
                continue

            def link(outcome, count, severity=severity, log=log):
                if not count:
                    return ""
                return _link(log, scope, clock, period, outcome, severity=severity)

            rows.append(
                [
                    Cell(f"{log.label} · {severity}"),
                    Cell(targets[severity]),
                    Cell(tally.counted, COUNT, link("counted", tally.counted)),
                    Cell(tally.met, COUNT, link("met", tally.met)),
                    Cell(tally.missed, COUNT, link("missed", tally.missed)),
                    Cell(tally.percent, PERCENT, link("missed", tally.missed)),
                    Cell(before.percent, PERCENT),
                    Cell(
                        tally.stamped,
                        COUNT,
                        _stamp_link(log, scope, clock, period, severity=severity)
                        if tally.stamped
                        else "",
                    ),
                ]
            )
    table = Table(
        key=f"{clock.key}-by-severity",
        title=f"{title} by log and severity",
        columns=[
            "Log · severity",
            "Target",
            "Counted",
            "Met",
            "Missed",
            "Compliance",
            f"Previous ({previous.short_label})",
            "Breach stamps",
        ],
        rows=rows,
        empty_text="No record was due in this period.",
    )
    return Section(title, figures=figures, tables=[table])


def _trend_table(
    scope: ReportScope, resolution: dict[Log, Tallies], first_response: Tallies
) -> Table:
    escalations = next(log for log in LOGS if log.model is Escalation)
    rows = []
    for index, period in enumerate(scope.trend()):
        cells = [Cell(period.short_label)]
        overall = Tally()
        for log in LOGS:
            tally = _sum(resolution[log], index)
            overall += tally
            url = _link(log, scope, RESOLUTION, period, "missed") if tally.missed else ""
            cells.append(Cell(tally.percent, PERCENT, url))
        cells.append(Cell(overall.percent, PERCENT))
        tally = _sum(first_response, index)
        url = _link(escalations, scope, FIRST_RESPONSE, period, "missed") if tally.missed else ""
        cells.append(Cell(tally.percent, PERCENT, url))
        rows.append(cells)
    columns = [
        "Period",
        *(f"{log.label}: resolution" for log in LOGS),
        "All logs: resolution",
        "Escalations: first response",
    ]
    return Table(
        key="compliance-trend",
        title="Compliance over the last six periods",
        columns=columns,
        rows=rows,
        chart=Chart("line", 0, tuple(range(1, len(columns)))),
        note="A cell links to the records that missed the target in that period.",
    )


def _paused_section(scope: ReportScope, holds: dict[Log, dict], now: datetime) -> Section:
    """`holds`: per log, (0 previous period or 1 this one, severity) → (hours, holds)."""
    current = 1
    period, previous = scope.period, scope.period.previous()

    def held(log, index, severities=SEVERITIES):
        hours = sum(holds[log].get((index, severity), (0.0, 0))[0] for severity in severities)
        count = sum(holds[log].get((index, severity), (0.0, 0))[1] for severity in severities)
        return hours, count

    total_now = sum(held(log, current)[0] for log in LOGS)
    total_before = sum(held(log, current - 1)[0] for log in LOGS)
    figures = [
        Figure("Time on hold", total_now, HOURS, previous=total_before),
        Figure(
            "Maintenance windows",
            maintenance_hours(scope.client.pk, period, now),
            HOURS,
            previous=maintenance_hours(scope.client.pk, previous, now),
        ),
    ]
    hold_rows = []
    for log in LOGS:
        hours, count = held(log, current)
        if not count and not held(log, current - 1)[1]:
            continue
        hold_rows.append(
            [
                Cell(log.label),
                *(Cell(held(log, current, (severity,))[0], HOURS) for severity in SEVERITIES),
                Cell(hours, HOURS),
                Cell(count, COUNT),
                Cell(held(log, current - 1)[0], HOURS),
            ]
        )
    hold_table = Table(
        key="time-on-hold",
        title="Time on hold by log and severity",
        columns=[
            "Log",
            *SEVERITIES,
            "All",
            "Holds begun",
            f"Previous ({previous.short_label})",
        ],
        rows=hold_rows,
        empty_text="No record went on hold in this period.",
    )
    count, listed = maintenance_windows(scope.client.pk, period, now)
    low, high = period.start, period.clipped_end(now)
    window_rows = [
        [
            Cell(span.reference, TEXT, span.url),
            Cell(_local(span.start, scope)),
            Cell(_local(span.end, scope) if span.end else "overrunning"),
            Cell(span_hours(span, low, high, now), HOURS),
        ]
        for span in listed
    ]
    window_table = Table(
        key="maintenance-windows",
        title="Maintenance windows in the period",
        columns=["Maintenance", "From", "To", "Hours in the period"],
        rows=window_rows,
        empty_text="No maintenance window in this period.",
        note=(
            f"{count:,} windows in the period; the first {len(listed)} by start are listed."
            if count > len(listed)
            else ""
        ),
    )
    return Section(
        "Time paused",
        figures=figures,
        tables=[hold_table, window_table],
        note="Clocks stand while a record is on hold, and during maintenance of the services "
        "it is tied to; these hours are not counted against the targets.",
    )


def _local(moment: datetime, scope: ReportScope) -> str:
    return f"{moment.astimezone(scope.zone):%Y-%m-%d %H:%M}"


def sla_sections(scope: ReportScope) -> list[Section]:
    """The SLA compliance report of `scope`'s client and period."""
    client_id, now = scope.client.pk, scope.now
    periods = scope.trend()
    policies = active_policies(client_id)
    minutes = {
        severity: policy_minutes(policies.get(severity), severity) for severity in SEVERITIES
    }
    resolution_targets = {
        severity: target_text(minutes[severity][1], severity in policies) for severity in SEVERITIES
    }
    first_targets = {
        severity: target_text(minutes[severity][0], severity in policies) for severity in SEVERITIES
    }
    resolution = {
        log: compliance_tallies(log.model, RESOLUTION, client_id, periods, now) for log in LOGS
    }
    escalations = next(log for log in LOGS if log.model is Escalation)
    first_response = compliance_tallies(Escalation, FIRST_RESPONSE, client_id, periods, now)
    holds = {log: hold_hours(log.model, client_id, periods[-2:], now) for log in LOGS}
    return [
        _clock_section(
            scope, RESOLUTION, LOGS, resolution, resolution_targets, "Resolution", "resolved"
        ),
        _clock_section(
            scope,
            FIRST_RESPONSE,
            (escalations,),
            {escalations: first_response},
            first_targets,
            "First response",
            "answered",
        ),
        Section("Trend", tables=[_trend_table(scope, resolution, first_response)]),
        _paused_section(scope, holds, now),
    ]
