"""Maintenance windows of a client over a period: hours merged, and the windows listed."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, Value
from django.db.models.functions import Coalesce, Greatest, Least
from django.urls import reverse

from apps.sla.maintenance import windows_during

from ..merging import merged_length
from ..periods import Period

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


def span_hours(span: MaintenanceSpan, low: datetime, high: datetime, now: datetime) -> float:
    overlap = min(span.end or now, high) - max(span.start, low)
    return max(overlap.total_seconds(), 0) / 3600
