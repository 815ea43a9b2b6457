"""The figures above a list, computed for its filtered rows in one aggregate query.

Every list shows open, breached and the count per severity; a list view adds its own
(first-call resolution, average satisfaction…) in `extra_measures`. Each figure may carry the
filter that narrows the list to the rows it counts, so a lead can click through to them.
"""

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

    def __post_init__(self):
        if self.unit not in UNITS:
            raise ValueError(f"Unknown unit {self.unit!r}; use one of {', '.join(UNITS)}.")


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
        ),
        Measure(
            "Breached",
            count_of(breached_condition()),
            help_text="Open past the resolution due time, or resolved after it.",
            narrows_to={"breached": ["true"]},
        ),
    ]
    for severity in Severity:
        measures.append(
            Measure(
                severity.value,
                count_of(Q(severity=severity.value)),
                help_text=severity.label,
                narrows_to={"severity": [severity.value]},
            )
        )
    return measures


@dataclass(frozen=True)
class MeasureValue:
    measure: Measure
    value: float | int | None
    href: str = ""

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


def _narrowed_href(query: QueryDict, narrows_to: dict[str, list[str]]) -> str:
    if not narrows_to:
        return ""
    narrowed = query.copy()
    for name in ("after", "before", "_export"):
        narrowed.pop(name, None)
    for name, values in narrows_to.items():
        narrowed.setlist(name, values)
    return "?" + narrowed.urlencode()
