"""The SLA summaries give the same tallies as a live count of the records, whatever writes
happen to them (due times moved, stamps, resolutions, cancellations, deletions, folds), for
periods before the moment of reading and the one it falls in."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.core.choices import Severity, Status
from apps.core.compliance import FIRST_RESPONSE, RESOLUTION
from apps.core.summaries.fold import fold_deltas
from apps.escalations.models import Escalation
from apps.reports.periods import MONTH, period_containing
from apps.reports.sla import LOGS, compliance_tallies, live_tallies
from tests.factories import ClientFactory
from tests.reports.examples import report_examples
from tests.reports.sla_helpers import record

BASE = datetime(2026, 3, 1, tzinfo=ZoneInfo("UTC"))
KINDS = {"interruptions": 0, "escalations": 2, "calls": 3}
MODELS = {kind: LOGS[index].model for kind, index in KINDS.items()}

creations = st.tuples(
    st.just("create"),
    st.sampled_from(sorted(KINDS)),
    st.sampled_from(Severity.values),
    st.integers(-24 * 40, 24 * 40),  # due, hours from 1 March
    st.sampled_from([None, -2, 0, 0, 3]),  # resolved, hours after due
    st.booleans(),  # stamped
)
changes = st.tuples(
    st.just("change"),
    st.sampled_from(sorted(KINDS)),
    st.sampled_from(["due", "stamp", "resolve", "cancel", "reopen", "severity", "delete"]),
    st.integers(-24 * 40, 24 * 40),
)
later_steps = st.one_of(changes, st.tuples(st.just("fold"), st.integers(1, 4)))


def _apply(client, step) -> None:
    if step[0] == "fold":
        fold_deltas(batch_size=step[1])
        return
    if step[0] == "create":
        _, kind, severity, due_hours, resolved_after, stamped = step
        due = BASE + timedelta(hours=due_hours)
        resolved = None if resolved_after is None else due + timedelta(hours=resolved_after)
        extra = {}
        if kind == "escalations":
            extra = {"first_response_due": due - timedelta(hours=3), "first_response_at": resolved}
        record(
            kind,
            client,
            severity=severity,
            due=due,
            resolved=resolved,
            stamp=due if stamped else None,
            status=Status.RESOLVED if resolved else Status.IN_PROGRESS,
            **extra,
        )
        return
    _, kind, change, hours = step
    rows = MODELS[kind].objects.filter(client=client)
    moment = BASE + timedelta(hours=hours)
    if change == "due":
        rows.update(resolution_due=moment)
    elif change == "stamp":
        rows.filter(resolution_breached_at__isnull=True).update(resolution_breached_at=moment)
    elif change == "resolve":
        rows.update(resolved_at=moment, status=Status.RESOLVED)
    elif change == "cancel":
        rows.update(status=Status.CANCELLED, cancel_reason="Logged twice.")
    elif change == "reopen":
        rows.update(status=Status.IN_PROGRESS, resolved_at=None)
    elif change == "severity":
        rows.update(severity=Severity.values[hours % len(Severity.values)])
    else:
        rows.filter(pk=rows.order_by("pk").values("pk")[:1]).delete()


def _shown(tallies: dict) -> dict:
    return {key: tally for key, tally in tallies.items() if tally.counted or tally.stamped}


def _assert_in_step(client, now: datetime) -> None:
    zone = ZoneInfo(client.timezone)
    current = period_containing(MONTH, now.astimezone(zone).date(), zone)
    periods = [current.previous().previous(), current.previous(), current]
    windows = [(period.start, period.end) for period in periods]
    for log in LOGS:
        clocks = (RESOLUTION, FIRST_RESPONSE) if log.model is Escalation else (RESOLUTION,)
        for clock in clocks:
            read = compliance_tallies(log.model, clock, client.pk, periods, now)
            live = live_tallies(log.model, clock, client.pk, windows, now)
            assert _shown(read) == _shown(live), (log.label, clock.key)


@pytest.mark.django_db
@settings(
    max_examples=min(report_examples(), 20),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    deadline=None,
)
@given(
    made=st.lists(creations, min_size=2, max_size=6),
    later=st.lists(later_steps, max_size=4),
    zone=st.sampled_from(["Europe/London", "Asia/Kolkata", "America/New_York"]),
    now_hours=st.integers(0, 24 * 30),
)
def test_the_sla_summaries_equal_a_live_count_after_any_writes(made, later, zone, now_hours):
    client = ClientFactory(timezone=zone)
    now = BASE + timedelta(hours=now_hours, minutes=17)
    with transaction.atomic():
        for step in [*made, *later]:
            _apply(client, step)
        _assert_in_step(client, now)
        fold_deltas()
        _assert_in_step(client, now)
        transaction.set_rollback(True)
