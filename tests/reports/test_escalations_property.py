"""The escalations report against a slow reference written from the definitions, record by
record, on random histories: moves up and down, reopenings, cancellations, no history at all,
stays crossing the period's edges."""

import statistics
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.core.choices import Status
from apps.escalations.models import Escalation
from apps.reports.escalations import (
    ALL_TIERS,
    FIRST_RESPONSE,
    RAISED_RESOLVED,
    RESOLUTION,
    STAY,
    escalation_figures,
)
from apps.reports.periods import WEEK, period_containing
from apps.reports.scope import ReportScope
from tests.reports.escalation_stories import History, story
from tests.reports.examples import report_examples

ZONE = ZoneInfo("Europe/London")
# A week with the end of summer time in it; the trend reaches three weeks back.
PERIOD = period_containing(WEEK, date(2026, 10, 21), ZONE)
BASE = PERIOD.start - timedelta(days=10)
OPEN = set(Status.open_values())
TRENDS = 3

versions = st.lists(
    st.tuples(
        st.integers(1, 60),  # hours after the previous version
        st.sampled_from([1, 2, 3]),
        st.sampled_from(
            [Status.IN_PROGRESS, Status.ON_HOLD, Status.RESOLVED, Status.CLOSED, Status.CANCELLED]
        ),
    ),
    max_size=5,
)
escalations = st.lists(
    st.tuples(
        st.integers(0, 24 * 22),  # raised, hours after BASE
        st.sampled_from([1, 2, 3]),  # raised at
        versions,
        st.one_of(st.none(), st.integers(0, 30)),  # first response, hours after raised
        st.booleans(),  # without history
    ),
    max_size=5,
)


def reference(client, scope, periods):
    """Every figure from its definition in the report's module docstring."""
    clip = scope.period.clipped_end(scope.now)
    start = scope.period.start
    samples = {}  # (measure, k, tier) -> [(id, hours, mark)]
    moves = {}  # (k, from, to) -> [id]
    raised = [0] * len(periods)

    def bucket(moment):
        for k, period in enumerate(periods):
            if moment is not None and period.start <= moment < period.end:
                return k
        return None

    def add(measure, k, tier, row):
        for key in ((measure, k, tier), (measure, k, ALL_TIERS)):
            samples.setdefault(key, []).append(row)

    for escalation in Escalation.objects.filter(client=client):
        history = list(History.objects.filter(id=escalation.pk).order_by("history_date", "pk"))
        steps = [(h.history_date, h.tier, h.status in OPEN) for h in history]
        if not steps:
            steps = [(escalation.occurred_at, escalation.tier, True)]
            if escalation.status not in OPEN:
                ended = escalation.resolved_at or escalation.closed_at or escalation.updated_at
                steps.append((ended, escalation.tier, False))
        raised_tier = steps[0][1]
        k = bucket(escalation.occurred_at)
        if k is not None:
            raised[k] += 1
        k = bucket(escalation.first_response_at)
        if k is not None:
            hours = (escalation.first_response_at - escalation.occurred_at) / timedelta(hours=1)
            add(FIRST_RESPONSE, k, raised_tier, (escalation.pk, hours, 0))
        k = bucket(escalation.resolved_at)
        if k is not None:
            hours = (escalation.resolved_at - escalation.occurred_at) / timedelta(hours=1)
            where = int(escalation.tier == raised_tier)
            add(RESOLUTION, k, escalation.tier, (escalation.pk, hours, where))
            add(RAISED_RESOLVED, k, raised_tier, (escalation.pk, 0, where))
        for (_, before, _), (when, after, _) in zip(steps, steps[1:], strict=False):
            k = bucket(when)
            if before != after and k is not None:
                moves.setdefault((k, before, after), []).append(escalation.pk)
                moves.setdefault((k, ALL_TIERS, 0), []).append(escalation.pk)
        stays, current = [], None
        for index, (when, tier, is_open) in enumerate(steps):
            state = tier if is_open else 0
            if current is not None and current[1] == state:
                continue
            if current is not None and current[1]:
                stays.append((current[0], current[1], when))
            entered = escalation.occurred_at if index == 0 else when
            current = (entered, state)
        if current is not None and current[1]:
            stays.append((current[0], current[1], None))
        if clip > start:
            for entered, tier, left in stays:
                if entered < clip and (left is None or left > start):
                    still = left is None or left > clip
                    end = clip if still else left
                    hours = (end - entered) / timedelta(hours=1)
                    add(STAY, len(periods) - 1, tier, (escalation.pk, hours, int(still)))
    return samples, moves, raised


@pytest.mark.django_db
@settings(
    max_examples=report_examples(),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(made=escalations, now_hours=st.integers(24 * 12, 24 * 30))
def test_the_report_agrees_with_its_definitions(world, made, now_hours):
    client = world.client_a
    History.objects.filter(client_id=client.pk).delete()
    Escalation.objects.filter(client=client).delete()
    for raised_hours, raised_tier, steps, first_hours, bulk in made:
        raised_at = BASE + timedelta(hours=raised_hours)
        first = None if first_hours is None else raised_at + timedelta(hours=first_hours)
        if bulk:
            status = steps[-1][2] if steps else Status.NEW
            resolved = status in (Status.RESOLVED, Status.CLOSED)
            story(
                client,
                raised_at,
                [],
                tier=raised_tier,
                status=status,
                resolved_at=raised_at + timedelta(hours=10) if resolved else None,
                closed_at=raised_at + timedelta(hours=10) if status == Status.CLOSED else None,
                cancel_reason="Withdrawn." if status == Status.CANCELLED else "",
                first_response_at=first,
            )
            continue
        moment, told = raised_at, [(raised_at, raised_tier, Status.NEW)]
        for hours, tier, status in steps:
            moment += timedelta(hours=hours)
            told.append((moment, tier, status))
        story(client, raised_at, told, first_response_at=first)

    now = BASE + timedelta(hours=now_hours)
    scope = ReportScope(client=client, period=PERIOD, now=now)
    figures = escalation_figures(scope, TRENDS)
    samples, moves, raised = reference(client, scope, figures.periods)

    assert [figures.raised[k] for k in range(TRENDS)] == raised
    for (measure, k, tier), rows in samples.items():
        stat = figures.stat(measure, tier, k=k)
        hours = [row[1] for row in rows]
        assert stat.count == len(rows), (measure, k, tier)
        assert stat.escalations == len({row[0] for row in rows})
        assert stat.marked == sum(row[2] for row in rows)
        assert stat.mean == pytest.approx(statistics.mean(hours), abs=1e-4)
        assert stat.median == pytest.approx(statistics.median(hours), abs=1e-4)
    measured = {key for key in figures.stats if key[0] != "move"}
    assert measured == {(measure, k, tier, 0) for measure, k, tier in samples}
    for (k, from_tier, to_tier), ids in moves.items():
        stat = figures.moves(from_tier, to_tier, k=k)
        assert (stat.count, stat.escalations) == (len(ids), len(set(ids)))
    assert sum(1 for key in figures.stats if key[0] == "move") == len(moves)
