"""Which records an SLA compliance figure counts, and which of them met their target.

One definition for the report's aggregates and the lists its figures link to. A target
(resolution, or first response) is judged on its due time as it stood when the record met or
missed it: the breach stamp holds the due time that was missed, so a stamped record is judged
on its stamp, any other on its due time. A record is counted in the period that due time falls
in, once. It met its target when it carries no stamp and was met (resolved; or, for the first
response, answered or resolved, whichever came first) at or before that due time.

Left out: records whose clock still runs (open, target not met, not stamped, due time not
passed), and cancelled records whose target was never met nor missed. Every other record
counted and not met missed its target; its stamp follows within the stamping minute.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, Q
from django.db.models.functions import Coalesce

from .choices import Status
from .targets import BREACH_STAMPS


@dataclass(frozen=True)
class Clock:
    """One SLA target of a record: its due field, its stamp and the fields that meet it."""

    key: str
    due: str
    stamp: str
    met_by: tuple[str, ...]

    @property
    def final_due_name(self) -> str:
        """The window name of the due time as it stood (see `final_due`)."""
        return f"{self.due}_final"

    def final_due(self) -> Coalesce:
        return Coalesce(self.stamp, self.due)

    def applies_to(self, model) -> bool:
        names = {field.name for field in model._meta.concrete_fields}
        return {self.due, self.stamp, *self.met_by} <= names

    def met(self) -> Q:
        """Not stamped, and met at or before the due time (by the first `met_by` filled)."""
        met, unmet_before = Q(pk__in=[]), Q()
        for name in self.met_by:
            met |= unmet_before & Q(**{f"{name}__lte": F(self.due)})
            unmet_before &= Q(**{f"{name}__isnull": True})
        return Q(**{f"{self.stamp}__isnull": True}) & met

    def left_out(self, now: datetime) -> Q:
        """Neither met nor missed yet, or never to be: the clock still runs, or was cancelled."""
        pending = Q(**{f"{self.stamp}__isnull": True})
        for name in self.met_by:
            pending &= Q(**{f"{name}__isnull": True})
        running = Q(status__in=Status.open_values(), **{f"{self.due}__gte": now})
        return pending & (running | Q(status=Status.CANCELLED))

    def missed(self, now: datetime) -> Q:
        return ~self.left_out(now) & ~self.met()


RESOLUTION = Clock("resolution", "resolution_due", *BREACH_STAMPS["resolution_due"])
FIRST_RESPONSE = Clock("first_response", "first_response_due", *BREACH_STAMPS["first_response_due"])
CLOCKS = (FIRST_RESPONSE, RESOLUTION)
OUTCOMES = {"counted": "Counted", "met": "Met", "missed": "Missed"}


def outcome_condition(clock: Clock, outcome: str, now: datetime) -> Q:
    """The rows of one outcome of `clock`: counted (met or missed), met, or missed."""
    if outcome == "met":
        return clock.met()
    if outcome == "missed":
        return clock.missed(now)
    if outcome == "counted":
        return ~clock.left_out(now)
    raise ValueError(f"An SLA outcome is one of {', '.join(OUTCOMES)}, not {outcome!r}.")


def clocks_of(model) -> list[Clock]:
    return [clock for clock in CLOCKS if clock.applies_to(model)]
