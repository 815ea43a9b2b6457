"""The call centre's own figures above the call list, over the filtered calls.

- First-call resolution: of the inbound calls an agent answered, the share resolved on the
  call itself (outcome "resolved") that were not themselves a follow-up of an earlier call.
- Average handle time: mean talk seconds of the answered calls (wrap-up time is not logged).
- Average wait: mean seconds inbound callers waited in the queue, where the wait is known.
- Abandonment: of the inbound calls, the share missed or dropped.
- QA score: mean of the audited calls' QA scores (each call's most recent audit).

The summaries keep the same parts per day (apps.core.summaries.kinds.CALL_METRICS), so the
figures of a list the summaries answer cost no scan.
"""

from django.db.models import Q

from apps.core.listing.measures import Measure, average_of, percent_of, ratio

from .models import Direction, Outcome

INBOUND = Q(direction=Direction.INBOUND)
ANSWERED = Q(answered_at__isnull=False)
FIRST_CALL_RESOLVED = Q(outcome=Outcome.RESOLVED, follow_up_of__isnull=True)
ABANDONED = Q(outcome__in=[Outcome.MISSED, Outcome.DROPPED])

CALL_MEASURES = (
    Measure(
        "First-call resolution",
        percent_of(FIRST_CALL_RESOLVED, INBOUND & ANSWERED),
        unit="percent",
        help_text="Answered inbound calls resolved on the call, not being follow-ups.",
        from_totals=ratio("fcr_resolved", "fcr_answered", 100.0),
    ),
    Measure(
        "Average handle time",
        average_of("talk_seconds", ANSWERED & Q(talk_seconds__isnull=False)),
        unit="seconds",
        help_text="Mean talk time of the answered calls.",
        from_totals=ratio("talk_total", "talk_count"),
    ),
    Measure(
        "Average wait",
        average_of("wait_seconds", INBOUND & Q(wait_seconds__isnull=False)),
        unit="seconds",
        help_text="Mean time inbound callers waited in the queue.",
        from_totals=ratio("wait_total", "wait_count"),
    ),
    Measure(
        "Abandonment",
        percent_of(ABANDONED, INBOUND),
        unit="percent",
        help_text="Inbound calls missed or dropped.",
        narrows_to={"direction": [Direction.INBOUND], "outcome": [Outcome.MISSED, Outcome.DROPPED]},
        from_totals=ratio("abandoned", "inbound", 100.0),
    ),
    Measure(
        "QA score",
        average_of("qa_score", Q(qa_score__isnull=False)),
        unit="percent",
        help_text="Mean score of the audited calls' latest quality audits.",
        from_totals=ratio("qa_total", "qa_count"),
    ),
)
