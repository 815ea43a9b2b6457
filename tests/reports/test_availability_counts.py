"""The availability report's spans and counts, read from what is kept in step, equal those
written out from their definitions, wherever the window cuts: intervals on half hours, so
that they touch, nest, share ends and have no length."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.core.choices import Status
from apps.interruptions.models import Interruption, InterruptionKind
from apps.reports.availability import KINDS, OVERALL, Counts, merged_spans, period_counts
from apps.reports.periods import custom_period
from tests.factories import InterruptionFactory
from tests.reports.examples import report_examples

pytestmark = pytest.mark.django_db
K = InterruptionKind
BASE = datetime(2026, 3, 27, 22, tzinfo=UTC)
STEP = timedelta(minutes=30)

records = st.lists(
    st.tuples(
        st.integers(0, 6 * 24),  # start, half hours from BASE
        st.one_of(st.none(), st.integers(0, 2 * 24)),  # length in half hours; None: ongoing
        st.sampled_from(list(K.values)),
        st.sampled_from([0, 1, 2]),  # services: CRM, Telephony, both
        st.booleans(),  # cancelled
    ),
    max_size=10,
)
windows = st.tuples(
    st.integers(0, 5 * 24), st.integers(1, 3 * 24), st.integers(0, 7 * 24)
)  # start, length, now: half hours


def _build(world, rows) -> list[tuple]:
    Interruption.objects.filter(client__in=[world.client_a, world.client_b]).delete()
    service_sets = [
        {world.service_a.pk},
        {world.service_a2.pk},
        {world.service_a.pk, world.service_a2.pk},
    ]
    built = []
    for start, length, kind, which, cancelled in rows:
        began = BASE + start * STEP
        stopped = None if length is None else began + length * STEP
        InterruptionFactory(
            client=world.client_a,
            kind=kind,
            occurred_at=began,
            ended_at=stopped,
            status=Status.CANCELLED if cancelled else Status.IN_PROGRESS,
            cancel_reason="Logged twice." if cancelled else "",
            affected_services=[
                service
                for service in (world.service_a, world.service_a2)
                if service.pk in service_sets[which]
            ],
        )
        if not cancelled:
            built.append((began, stopped, kind, service_sets[which]))
    return built


def _reference_spans(built, measure, key, start, end, now):
    """The union of the intervals, merged (touching ones too) and cut to the window, each
    with the interruptions active during it (the interruption list's filter)."""
    chosen = [
        (began, stopped)
        for began, stopped, kind, services in built
        if kind in KINDS[measure] and (key == OVERALL or key in services)
    ]
    reach = [(began, max(began, stopped or now)) for began, stopped in chosen]
    runs: list[list] = []
    for began, finish in sorted(reach):
        if runs and began <= runs[-1][1]:
            runs[-1][1] = max(runs[-1][1], finish)
        else:
            runs.append([began, finish])
    found = []
    for began, finish in runs:
        low, high = max(began, start), min(finish, end, now)
        if low < high:
            active = sum(1 for s, e in chosen if s < high and (e is None or max(s, e) > low))
            found.append((low, high, active))
    return found


@settings(
    max_examples=report_examples() * 2,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=records, window=windows)
def test_spans_and_their_counts_equal_the_definition(world, rows, window):
    built = _build(world, rows)
    start = BASE + window[0] * STEP
    end = start + window[1] * STEP
    now = BASE + window[2] * STEP + timedelta(minutes=7)

    found = merged_spans(world.client_a.pk, start, end, now, per_service=True)

    for measure in KINDS:
        for key in (OVERALL, world.service_a.pk, world.service_a2.pk):
            spans = [(s.start, s.end, s.interruptions) for s in found.get((measure, key), [])]
            assert spans == _reference_spans(built, measure, key, start, end, now)


@settings(
    max_examples=report_examples(),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=records, first=st.integers(0, 4))
def test_period_counts_equal_the_definition(world, rows, first):
    built = _build(world, rows)
    zone = ZoneInfo(world.client_a.timezone)
    day = (BASE + timedelta(days=first)).date()
    periods = [
        custom_period(day + timedelta(days=n), day + timedelta(days=n), zone) for n in range(3)
    ]

    found = period_counts(world.client_a.pk, periods, per_service=True)

    for which in periods:
        for key in (OVERALL, world.service_a.pk, world.service_a2.pk):
            stopping = [
                (began, stopped)
                for began, stopped, kind, services in built
                if kind in KINDS["down"] and (key == OVERALL or key in services)
            ]
            ended = [
                (began, stopped)
                for began, stopped in stopping
                if stopped is not None and which.start <= stopped < which.end
            ]
            counts = found.get((which, key), Counts())
            assert counts.started == sum(
                1 for began, _ in stopping if which.start <= began < which.end
            )
            assert counts.ended == len(ended)
            assert counts.repair_seconds == pytest.approx(
                sum((stopped - began).total_seconds() for began, stopped in ended)
            )
