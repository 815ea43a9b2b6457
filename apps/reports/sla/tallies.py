"""Counted, met and stamped records per trend period and severity, and time on hold."""

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
from django.db.models.functions import Coalesce

from apps.core.choices import Status
from apps.core.compliance import Clock
from apps.core.summaries.kinds import sla_kind

from ..periods import Period
from ..summaries import spans_totals


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
