"""The figures above a list: from the summaries' totals, or live over the filtered rows.

Every list shows open, breached and the count per severity; a list view adds its own
(first-call resolution, average satisfaction…) in `extra_measures`. A figure is defined twice
over, checked equal by the summaries' property test: `from_totals` reads it from the totals
the summaries keep (apps.core.summaries), `expression` computes it live in one aggregate query
when a filter the summaries cannot answer is on. Each figure may carry the filter that narrows
the list to the rows it counts, so a lead can click through to them.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Avg, Count, ExpressionWrapper, F, FloatField, Q, Value
from django.db.models.functions import Cast, NullIf
from django.http import QueryDict

from ..choices import Severity, Status
from ..models.records import breached_condition

UNITS = ("count", "percent", "seconds", "number")


@dataclass(frozen=True)
class Measure:
    label: str
    expression: Any  # an aggregate expression over the filtered rows
    unit: str = "count"
    help_text: str = ""
    # Query parameters that narrow the list to the rows counted, e.g. {"breached": "true"}.
    narrows_to: dict[str, list[str]] = field(default_factory=dict)
    # The figure from the summaries' totals (see `total` and `ratio`); None: live only.
    from_totals: Callable[[dict], Any] | None = None

    def __post_init__(self):
        if self.unit not in UNITS:
            raise ValueError(f"Unknown unit {self.unit!r}; use one of {', '.join(UNITS)}.")


@dataclass(frozen=True)
class total:  # noqa: N801 - reads as the figure it defines
    """A figure that is one of the totals, e.g. total("open")."""

    name: str

    def __call__(self, totals: dict) -> int:
        return int(totals[self.name])


@dataclass(frozen=True)
class ratio:  # noqa: N801
    """scale × totals[part] / totals[whole]; None when the whole is zero."""

    part: str
    whole: str
    scale: float = 1.0

    def __call__(self, totals: dict) -> float | None:
        whole = totals[self.whole]
        if not whole:
            return None
        return float(totals[self.part]) * self.scale / float(whole)


def count_of(condition: Q) -> Count:
    return Count("pk", filter=condition)


def percent_of(numerator: Q, denominator: Q) -> ExpressionWrapper:
    """100 × rows matching both / rows matching `denominator`; None when there are none."""
    part = Cast(Count("pk", filter=numerator & denominator), FloatField())
    whole = NullIf(Cast(Count("pk", filter=denominator), FloatField()), Value(0.0))
    return ExpressionWrapper(part * Value(100.0) / whole, output_field=FloatField())


def average_of(expression, condition: Q | None = None) -> Avg:
    """The mean of a field or expression over the rows (matching `condition`); None if none."""
    if isinstance(expression, str):
        expression = F(expression)
    return Avg(Cast(expression, FloatField()), filter=condition)


def standard_measures() -> list[Measure]:
    open_statuses = list(Status.open_values())
    measures = [
        Measure(
            "Open",
            count_of(Q(status__in=open_statuses)),
            narrows_to={"status": open_statuses},
            from_totals=total("open"),
        ),
        Measure(
            "Breached",
            count_of(breached_condition()),
            help_text="Open past the resolution due time, or resolved after it.",
            narrows_to={"breached": ["true"]},
            from_totals=total("breached"),
        ),
    ]
    for severity in Severity:
        measures.append(
            Measure(
                severity.value,
                count_of(Q(severity=severity.value)),
                help_text=severity.label,
                narrows_to={"severity": [severity.value]},
                from_totals=total(severity.value),
            )
        )
    return measures


@dataclass(frozen=True)
class MeasureValue:
    measure: Measure
    value: float | int | None
    href: str = ""
    # Not known within the time budget of a live count: shown as "…".
    unknown: bool = False

    @property
    def label(self) -> str:
        return self.measure.label

    @property
    def unit(self) -> str:
        return self.measure.unit


def compute_measures(queryset, measures: list[Measure], query: QueryDict) -> list[MeasureValue]:
    """Evaluate every measure over `queryset` in one query; links keep the other filters."""
    if not measures:
        return []
    aliases = {f"measure_{index}": measure for index, measure in enumerate(measures)}
    totals = queryset.order_by().aggregate(
        **{alias: measure.expression for alias, measure in aliases.items()}
    )
    return [
        MeasureValue(measure, totals[alias], _narrowed_href(query, measure.narrows_to))
        for alias, measure in aliases.items()
    ]


def measures_from_totals(
    totals: dict, measures: list[Measure], query: QueryDict
) -> list[MeasureValue]:
    """Every measure from the summaries' totals (each must define `from_totals`)."""
    return [
        MeasureValue(
            measure, measure.from_totals(totals), _narrowed_href(query, measure.narrows_to)
        )
        for measure in measures
    ]


def unknown_measures(measures: list[Measure], query: QueryDict) -> list[MeasureValue]:
    """The figures as "…": their live computation ran past its time budget."""
    return [
        MeasureValue(measure, None, _narrowed_href(query, measure.narrows_to), unknown=True)
        for measure in measures
    ]


def _narrowed_href(query: QueryDict, narrows_to: dict[str, list[str]]) -> str:
    if not narrows_to:
        return ""
    narrowed = query.copy()
    for name in ("after", "before", "_export", "_figures"):
        narrowed.pop(name, None)
    for name, values in narrows_to.items():
        narrowed.setlist(name, values)
    return "?" + narrowed.urlencode()
