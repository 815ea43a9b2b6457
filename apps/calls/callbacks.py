"""Call-backs: every missed or dropped inbound call gets a time by which the customer is called
back, and stays waiting until the follow-up call is logged.

`schedule_call_backs` is the periodic missed-call follow-up. It finds inbound calls whose
outcome is missed or dropped, still open (not closed or cancelled), with no follow-up due time
and no follow-up call logged yet, and sets their `follow_up_due` to the call's end (its start
when no end was logged) plus `settings.CALL_BACK_WITHIN_MINUTES` counted in the client's
business time. Each scheduled call gets its version raised, a history version and a timeline
event "Call-back due by …", by the portal itself.

Set-based and safe to run twice or on two workers at once: the candidates are read in id
order, a batch at a time, each batch locked with `SELECT … FOR UPDATE SKIP LOCKED` (on SQLite
the write transaction itself is exclusive) and written in the same transaction as its history
and timeline. A call that has been given a due time no longer matches the claim, so nothing is
scheduled twice; a call another transaction holds (another run, an agent saving it) is left to
whoever holds it or to the next run, so nothing is skipped for good. A worker killed half-way
loses its current batch only: the next run schedules it.

The call-back is done when the follow-up call is logged (`follow_up_of` pointing at the
missed call): `waiting_call_backs` and `overdue_call_backs` are what the call list's
"Call-backs" filter and the call page show.
"""

import time
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import ngettext

from apps.core.bulk_writes import copy_to_history, update_rows
from apps.core.choices import TimelineKind
from apps.core.services.timeline import timeline_log_many
from apps.sla.business_time import CalendarSpec, add_business_minutes
from apps.sla.selectors import calendar_spec_for

from .models import CALL_BACK_OUTCOMES, CALL_BACK_UNSCHEDULED, FINISHED_STATUSES, Call, Outcome

BATCH_SIZE = 1000
UPDATED_FIELDS = ["follow_up_due", "version", "updated_at"]
OUTCOME_LABELS = dict(Outcome.choices)


@dataclass
class CallBackResult:
    scheduled: int = 0
    batches: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {
            "scheduled": self.scheduled,
            "batches": self.batches,
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class CallBack:
    """A call-back still to make, as the call page shows it."""

    due: datetime
    overdue: bool


def call_back_minutes() -> int:
    """The call-back target in business minutes (`CALL_BACK_WITHIN_MINUTES`), checked."""
    minutes = getattr(settings, "CALL_BACK_WITHIN_MINUTES", None)
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < 1:
        raise ImproperlyConfigured(
            "CALL_BACK_WITHIN_MINUTES must be a whole number of business minutes, at least 1 "
            f"(it is {minutes!r})."
        )
    return minutes


def call_back_due(spec: CalendarSpec, call: Call, minutes: int) -> datetime:
    """When `call`'s customer must have been called back: `minutes` of the client's business
    time after the call ended (or started, when no end was logged)."""
    return add_business_minutes(spec, call.ended_at or call.occurred_at, minutes)


def _no_follow_up_call() -> Exists:
    return ~Exists(Call.objects.filter(follow_up_of=OuterRef("pk")))


def unscheduled_call_backs() -> QuerySet:
    """Missed or dropped inbound calls, still open, with no call-back due time and no
    follow-up call yet: what the next run schedules (served by the `call_callback_todo`
    partial index)."""
    return Call.objects.filter(CALL_BACK_UNSCHEDULED).filter(_no_follow_up_call())


def waiting_call_backs(calls: QuerySet) -> QuerySet:
    """Of `calls`, those with a follow-up due time, no follow-up call logged, not finished."""
    return (
        calls.filter(follow_up_due__isnull=False)
        .exclude(status__in=FINISHED_STATUSES)
        .filter(_no_follow_up_call())
    )


def overdue_call_backs(calls: QuerySet, now: datetime | None = None) -> QuerySet:
    """Of `calls`, the waiting call-backs whose due time has passed."""
    return waiting_call_backs(calls).filter(follow_up_due__lt=now or timezone.now())


def call_back_of(call: Call, *, followed_up: bool, now: datetime | None = None) -> CallBack | None:
    """The call-back `call` waits for, if any; `followed_up` says whether a follow-up call of
    it is logged (the caller has them loaded already)."""
    if call.follow_up_due is None or followed_up or call.status in FINISHED_STATUSES:
        return None
    return CallBack(due=call.follow_up_due, overdue=call.follow_up_due < (now or timezone.now()))


def schedule_call_backs(
    *, now: datetime | None = None, batch_size: int = BATCH_SIZE
) -> CallBackResult:
    """Give every missed or dropped inbound call still waiting for one a call-back due time.

    Cost per batch of `batch_size` calls: one locking select (over the partial index), one
    pipelined UPDATE, one INSERT … SELECT of history versions and one COPY of timeline events; each
    client's calendar is read once per run (three queries).
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1.")
    minutes = call_back_minutes()
    now = now or timezone.now()
    began = time.monotonic()
    result = CallBackResult()
    specs: dict[int, CalendarSpec] = {}
    after = 0
    while True:
        with transaction.atomic():
            claimed = list(_claimable().filter(pk__gt=after).order_by("pk")[:batch_size])
            if not claimed:
                break
            after = claimed[-1].pk
            _schedule(claimed, now, minutes, specs)
        result.scheduled += len(claimed)
        result.batches += 1
    result.seconds = time.monotonic() - began
    return result


def _claimable() -> QuerySet:
    rows = unscheduled_call_backs()
    if connection.features.has_select_for_update_skip_locked:
        rows = rows.select_for_update(skip_locked=True, of=("self",))
    return rows


def _schedule(rows: list[Call], now: datetime, minutes: int, specs: dict) -> None:
    events = []
    for row in rows:
        if row.client_id not in specs:
            specs[row.client_id] = calendar_spec_for(row.client_id)
        due = call_back_due(specs[row.client_id], row, minutes)
        message = (
            f"Call-back due by {timezone.localtime(due):%Y-%m-%d %H:%M}: "
            f"{OUTCOME_LABELS[row.outcome].lower()} inbound call, to be called back within "
            + ngettext("%d business minute.", "%d business minutes.", minutes)
            % minutes
        )
        row.follow_up_due = due
        row.version += 1
        row.updated_at = now
        row._change_reason = message
        events.append(
            (
                row,
                TimelineKind.EDIT,
                message,
                {"follow_up_due": due.isoformat(), "call_back_minutes": minutes},
            )
        )
    update_rows(Call, rows, UPDATED_FIELDS)
    copy_to_history(Call, {row.pk: row._change_reason for row in rows}, date=now)
    timeline_log_many(events)


# Call-back compliance: of the missed or dropped inbound calls given a call-back due time
# (cancelled ones left out), those settled — called back, or past their due time — and the
# share of those called back in time: a follow-up call logged that started at or before it.
CALL_BACK_OWED = Q(
    direction="inbound",
    outcome__in=CALL_BACK_OUTCOMES,
    follow_up_due__isnull=False,
) & ~Q(status="cancelled")


def called_back_in_time() -> Exists:
    """A follow-up call of the row is logged that started at or before its due time."""
    return Exists(
        Call.objects.filter(follow_up_of=OuterRef("pk"), occurred_at__lte=OuterRef("follow_up_due"))
    )


def _follow_up_logged() -> Exists:
    return Exists(Call.objects.filter(follow_up_of=OuterRef("pk")))


def settled_call_backs(calls: QuerySet, now: datetime | None = None) -> QuerySet:
    """Of `calls`, the call-backs owed that are settled: called back, or due by `now`. Those
    not called back and not due yet are left out, as records not yet due are for the SLA."""
    now = now or timezone.now()
    return calls.filter(CALL_BACK_OWED).filter(Q(follow_up_due__lte=now) | _follow_up_logged())


def kept_call_backs(calls: QuerySet) -> QuerySet:
    """Of `calls`, the call-backs owed that were made in time."""
    return calls.filter(CALL_BACK_OWED).filter(called_back_in_time())
