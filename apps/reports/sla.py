"""SLA compliance of one client over a period: the figures of the page, its exports and the
monthly e-mail, computed here and nowhere else.

Compliance is judged by due time (apps.core.compliance), not by when records occurred. The
SLA summaries keep each log's records by the day their due time as it stood falls in, so the
trend's periods are summed from them up to now (one query per log and target); the records
due from now on are counted live. Time on hold is read from the status history (one aggregate
per log over its partial index of hold versions); maintenance windows are the client's few
maintenance interruptions. The number of queries is the same for any period and any volume.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import (
    Case,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Least
from django.urls import reverse

from apps.calls.models import Call
from apps.core.choices import Severity, Status
from apps.core.compliance import FIRST_RESPONSE, RESOLUTION, Clock
from apps.core.summaries.kinds import sla_kind
from apps.escalations.models import Escalation
from apps.failures.models import FailureReport
from apps.interruptions.models import Interruption
from apps.recovery.models import RecoveryCase
from apps.sla.maintenance import windows_during
from apps.sla.selectors import active_policies
from apps.sla.services import policy_minutes

from .content import COUNT, HOURS, PERCENT, TEXT, Cell, Chart, Figure, Section, Table
from .links import list_url
from .merging import merged_length
from .periods import Period
from .scope import ReportScope
from .summaries import spans_totals

SLA_TITLE = "SLA compliance"
SLA_DEFINITIONS = (
    "Resolution compliance % (calendar time of the stamps; business hours and holidays are "
    "already in the due times): of the records whose resolution due time, as it stood when "
    "they were resolved or breached (the breach stamp, else the due time), falls in the "
    "period, the share resolved at or before it with no breach stamp. Records still open and "
    "not yet due, and records cancelled before meeting or missing it, are left out; each "
    "record is counted once, in its final state (a reopened record by its last resolution).",
    "First-response compliance % works the same way on the first-response due time; a first "
    "response is the first of the first-response time and the resolution. Only escalations "
    "have a first-response target.",
    "Missed: counted and not met. Breach stamps: records stamped with a due time in the "
    "period; a record missed late by an import is stamped within a minute.",
    "Target: the client's active SLA policy for the severity, in business minutes of its "
    "calendar, time on hold not counted; without one, the portal's default in calendar time. "
    "The current policy is shown for every period of the trend.",
    "Time on hold (calendar hours): each hold of a record of the client (a status change to "
    "on hold) counted in the period it began, for its whole length, to its end or to now.",
    "Maintenance (calendar hours): the part of the period covered by the client's maintenance "
    "windows (planned start to recorded end, or planned end while none is recorded, overruns "
    "as the clocks count them), overlaps merged. The clocks of the records tied to the "
    "services under work stand meanwhile.",
    "Trend: the same figures for each of the last six periods, by due time.",
)


@dataclass(frozen=True)
class Log:
    model: type
    list_name: str
    label: str


LOGS = (
    Log(Interruption, "interruptions:list", "Interruptions"),
    Log(FailureReport, "failures:list", "Failure reports"),
    Log(Escalation, "escalations:list", "Escalations"),
    Log(Call, "calls:list", "Call logs"),
    Log(RecoveryCase, "recovery:list", "Recovery cases"),
)
SEVERITIES = tuple(Severity.values)


@dataclass(frozen=True)
class Tally:
    counted: int = 0
    met: int = 0
    stamped: int = 0

    @property
    def missed(self) -> int:
        return self.counted - self.met

    @property
    def percent(self) -> float | None:
        return 100.0 * self.met / self.counted if self.counted else None

    def __add__(self, other: "Tally") -> "Tally":
        return Tally(
            self.counted + other.counted, self.met + other.met, self.stamped + other.stamped
        )


# (trend index, severity) → tally
Tallies = dict[tuple[int, str], Tally]


def _bucket(expression_name: str, windows: list[tuple[datetime, datetime]]) -> Case:
    """The index in `windows` (contiguous, oldest first) of the window a moment falls in."""
    return Case(
        *(
            When(**{f"{expression_name}__lt": end}, then=Value(index))
            for index, (_, end) in enumerate(windows[:-1])
        ),
        default=Value(len(windows) - 1),
    )


def compliance_tallies(
    model, clock: Clock, client_id: int, periods: list[Period], now: datetime
) -> Tallies:
    """Counted, met and stamped records of `model` per trend period and severity.

    Due times before `now` are read from the SLA summaries (one query for every period);
    the few due from `now` on, whose records may still be left out, live from the index on
    (client, due time as it stood)."""
    past = [(index, period) for index, period in enumerate(periods) if period.start < now]
    found = spans_totals(
        model,
        client_id,
        [(period.start, min(period.end, now)) for _, period in past],
        group_by=("severity",),
        kind=sla_kind(model._meta.label_lower, clock.key),
    )
    tallies: Tallies = {
        (past[span][0], severity): Tally(
            int(totals["counted"]), int(totals["met"]), int(totals["stamped"])
        )
        for (span, severity), totals in found.items()
    }
    upcoming = [(index, period) for index, period in enumerate(periods) if period.end > now]
    if upcoming:
        first = upcoming[0][0]
        windows = [(max(period.start, now), period.end) for _, period in upcoming]
        for (span, severity), tally in live_tallies(model, clock, client_id, windows, now).items():
            key = (first + span, severity)
            tallies[key] = tallies.get(key, Tally()) + tally
    return tallies


def live_tallies(
    model, clock: Clock, client_id: int, windows: list[tuple[datetime, datetime]], now: datetime
) -> Tallies:
    """Counted, met and stamped records of `model` per window and severity, straight from the
    records (one query over the index on client and due time as it stood)."""
    rows = (
        model.objects.filter(client_id=client_id)
        .alias(final_due=clock.final_due())
        .filter(final_due__gte=windows[0][0], final_due__lt=windows[-1][1])
        .annotate(bucket=_bucket("final_due", windows))
        .values("bucket", "severity")
        .annotate(
            counted=Sum(Case(When(clock.left_out(now), then=Value(0)), default=Value(1))),
            met=Sum(Case(When(clock.met(), then=Value(1)), default=Value(0))),
            stamped=Sum(
                Case(When(**{f"{clock.stamp}__isnull": False}, then=Value(1)), default=Value(0))
            ),
        )
        .order_by()
    )
    return {
        (row["bucket"], row["severity"]): Tally(row["counted"], row["met"], row["stamped"])
        for row in rows
    }


def hold_hours(model, client_id: int, periods: list[Period], now: datetime) -> dict:
    """(trend index, severity) → (hours on hold, holds) of the holds of `model`'s records of
    the client that began in each period, each to its end or `now` (one query)."""
    historical = model.history.model
    earlier = historical.objects.filter(id=OuterRef("id")).filter(
        Q(history_date__lt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
    )
    later = historical.objects.filter(id=OuterRef("id")).filter(
        Q(history_date__gt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__gt=OuterRef("history_id"))
    )
    before = Subquery(earlier.order_by("-history_date", "-history_id").values("status")[:1])
    ended = Subquery(
        later.exclude(status=Status.ON_HOLD)
        .order_by("history_date", "history_id")
        .values("history_date")[:1]
    )
    not_held = [status for status in Status.values if status != Status.ON_HOLD]
    rows = (
        historical.objects.filter(
            client_id=client_id,
            status=Status.ON_HOLD,
            history_date__gte=periods[0].start,
            history_date__lt=periods[-1].end,
        )
        .alias(before=before)
        .filter(Q(before__isnull=True) | Q(before__in=not_held))
        .annotate(bucket=_bucket("history_date", [(p.start, p.end) for p in periods]))
        .values("bucket", "severity")
        .annotate(
            held=Sum(
                ExpressionWrapper(
                    Coalesce(ended, Value(now)) - F("history_date"), output_field=DurationField()
                )
            ),
            holds=Sum(Value(1)),
        )
        .order_by()
    )
    return {(row["bucket"], row["severity"]): (_hours(row["held"]), row["holds"]) for row in rows}


def _hours(value) -> float:
    if value is None:
        return 0.0
    if isinstance(value, timedelta):
        return value.total_seconds() / 3600
    return float(value) / 3_600_000_000  # microseconds, as SQLite sums durations


# The maintenance windows listed under the figures: the period's first, by start.
LISTED_WINDOWS = 50


@dataclass(frozen=True)
class MaintenanceSpan:
    reference: str
    start: datetime
    end: datetime | None
    url: str


def maintenance_hours(client_id: int, period: Period, now: datetime) -> float:
    """Hours of `period` (up to now) covered by the client's maintenance windows, overlaps
    merged (one query)."""
    low, high = period.start, period.clipped_end(now)
    if high <= low:
        return 0.0
    spans = (
        windows_during(client_id, low, high, now)
        .annotate(
            s=Greatest("planned_start", Value(low)),
            e=Least(Coalesce("window_end", Value(now)), Value(high)),
        )
        .filter(e__gt=F("s"))
    )
    return merged_length(spans).total_seconds() / 3600


def maintenance_windows(client_id: int, period: Period, now: datetime):
    """(How many windows overlap the period up to now, the first `LISTED_WINDOWS` of them)."""
    low, high = period.start, period.clipped_end(now)
    if high <= low:
        return 0, []
    windows = windows_during(client_id, low, high, now)
    listed = [
        MaintenanceSpan(
            reference,
            start,
            end,
            reverse("interruptions:detail", args=[reference]),
        )
        for reference, start, end in windows.order_by("planned_start", "reference").values_list(
            "reference", "planned_start", "window_end"
        )[:LISTED_WINDOWS]
    ]
    count = len(listed) if len(listed) < LISTED_WINDOWS else windows.count()
    return count, listed


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
            Cell(_span_hours(span, low, high, now), HOURS),
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


def _span_hours(span: MaintenanceSpan, low: datetime, high: datetime, now: datetime) -> float:
    overlap = min(span.end or now, high) - max(span.start, low)
    return max(overlap.total_seconds(), 0) / 3600


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
