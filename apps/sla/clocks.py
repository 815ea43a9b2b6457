"""Paused clocks: how much of a record's resolution target is left while its clock stands.

A record on hold, or tied to a maintenance window that has not ended, has no resolution due
time: the target was not reached when the clock stopped. What is left of it is the target
minus the business minutes (on the client's calendar) that ran from its start to the pause,
earlier holds and windows not counted. Registered with core (apps.core.targets), which shows
it in lists and on record pages.
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from django.utils import timezone

from apps.core.models import LogRecord

from .business_time import ALWAYS_OPEN, business_minutes_between
from .maintenance import maintenance_holds_of
from .models import SlaPolicy
from .selectors import calendar_spec_for, hold_intervals_of
from .services import policy_minutes


def resolution_minutes_left(
    records: Sequence[LogRecord], *, now: datetime | None = None
) -> dict[int, int]:
    """Record id → whole business minutes left on the resolution clock of each record among
    `records` (of one kind) whose clock is paused. The queries do not grow with the records:
    policies, each client's calendar, the hold history and the maintenance windows."""
    now = now or timezone.now()
    rows = [record for record in records if record.occurred_at is not None]
    if not rows:
        return {}
    model = type(rows[0])
    policies = {
        (policy.client_id, policy.severity): policy
        for policy in SlaPolicy.objects.filter(
            client_id__in={row.client_id for row in rows}, active=True
        )
    }
    holds = defaultdict(list, hold_intervals_of(model, [row.pk for row in rows]))
    for pk, windows in maintenance_holds_of(model, rows, now=now).items():
        holds[pk].extend(windows)
    specs: dict[int, object] = {}
    left = {}
    for row in rows:
        paused_since = min((start for start, end in holds[row.pk] if end is None), default=None)
        if paused_since is None:
            continue
        policy = policies.get((row.client_id, row.severity))
        spec = ALWAYS_OPEN
        if policy is not None:
            if row.client_id not in specs:
                specs[row.client_id] = calendar_spec_for(row.client_id)
            spec = specs[row.client_id]
        closed = [(start, end) for start, end in holds[row.pk] if end is not None]
        used = business_minutes_between(
            spec, row.occurred_at, max(paused_since, row.occurred_at), closed
        )
        left[row.pk] = max(0, int(policy_minutes(policy, row.severity)[1] - used))
    return left
