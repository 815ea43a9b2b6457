"""The escalations report on hand-built escalations whose answers are worked out by hand:
moves up and down, resolved where raised or not, stays crossing the period's edges and a change
of summer time, a reopened escalation, one without history, one cancelled, another client's."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.core.choices import Status, Tier
from apps.reports.escalations import (
    FIRST_RESPONSE,
    RAISED_RESOLVED,
    RESOLUTION,
    STAY,
    escalation_figures,
)
from apps.reports.periods import MONTH, period_containing
from apps.reports.scope import ReportScope
from tests.reports.escalation_stories import story

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NEW, WORKING, RESOLVED, CLOSED, CANCELLED = (
    Status.NEW,
    Status.IN_PROGRESS,
    Status.RESOLVED,
    Status.CLOSED,
    Status.CANCELLED,
)
T1, T2, T3 = Tier.FRONTLINE, Tier.TECHNICAL, Tier.EXPERT


def at(month: int, day: int, hour: int = 0) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=LONDON)


NOW = at(12, 2, 9)


@pytest.fixture
def stories(world):
    a, b = world.client_a, world.client_b
    return {
        # Raised at T1, answered in 2 h, moved up, resolved at T2 after 48 h.
        "e1": story(
            a,
            at(11, 2, 10),
            [
                (at(11, 2, 10), T1, NEW),
                (at(11, 2, 12), T1, WORKING),
                (at(11, 3, 10), T2, WORKING),
                (at(11, 4, 10), T2, RESOLVED),
            ],
            first_response_at=at(11, 2, 12),
            origin="customer",
            channel="voice",
        ),
        # Up and back down, resolved where raised after 36 h.
        "e2": story(
            a,
            at(11, 5),
            [
                (at(11, 5), T1, NEW),
                (at(11, 5, 6), T2, WORKING),
                (at(11, 6, 6), T1, WORKING),
                (at(11, 6, 12), T1, CLOSED),
            ],
            first_response_at=at(11, 5, 1),
            origin="customer",
            channel="chat",
        ),
        # Raised in October at T2, resolved there at the first moment of November.
        "e3": story(
            a,
            at(10, 30),
            [(at(10, 30), T2, NEW), (at(11, 1), T2, RESOLVED)],
            first_response_at=at(10, 30, 4),
            origin="technical",
            channel="web",
        ),
        # Raised on the last evening of November; moved up after the period ended.
        "e4": story(
            a,
            at(11, 30, 20),
            [(at(11, 30, 20), T1, NEW), (at(12, 1, 2), T3, WORKING)],
            origin="technical",
            channel="voice",
        ),
        # Resolved, reopened, moved up, resolved again: only the last resolution stands.
        "e5": story(
            a,
            at(11, 10),
            [
                (at(11, 10), T1, NEW),
                (at(11, 11), T1, RESOLVED),
                (at(11, 12), T1, WORKING),
                (at(11, 12, 12), T2, WORKING),
                (at(11, 14), T2, RESOLVED),
            ],
            first_response_at=at(11, 10, 3),
            origin="process",
            channel="email",
        ),
        # Waiting at T1 since mid-October (summer time then), never answered.
        "e6": story(a, at(10, 15), [(at(10, 15), T1, NEW)], origin="priority", channel="voice"),
        # Loaded in bulk: no history; raised and resolved at T3.
        "e8": story(
            a,
            at(11, 20),
            [],
            tier=T3,
            status=RESOLVED,
            resolved_at=at(11, 20, 10),
            origin="internal",
            channel="voice",
        ),
        # Cancelled after 5 hours at T1.
        "e9": story(
            a,
            at(11, 25),
            [(at(11, 25), T1, NEW), (at(11, 25, 5), T1, CANCELLED)],
            origin="customer",
            channel="social",
        ),
        # Another client's escalation, in the same month.
        "b1": story(
            b,
            at(11, 3),
            [(at(11, 3), T1, NEW), (at(11, 3, 1), T2, WORKING), (at(11, 3, 9), T2, RESOLVED)],
            first_response_at=at(11, 3, 1),
            origin="internal",
            channel="web",
        ),
    }


def november(world):
    period = period_containing(MONTH, date(2026, 11, 1), LONDON)
    return ReportScope(client=world.client_a, period=period, now=NOW)


def test_time_to_first_response_by_the_tier_where_raised(world, stories):
    figures = escalation_figures(november(world), 6)
    first = figures.stat(FIRST_RESPONSE, T1)
    assert (first.count, first.mean, first.median) == (3, pytest.approx(2), pytest.approx(2))
    assert figures.stat(FIRST_RESPONSE, T2).count == 0  # e3 answered in October
    assert figures.stat(FIRST_RESPONSE, T2, k=figures.current - 1).median == pytest.approx(4)


def test_time_to_resolution_by_the_tier_resolved_at(world, stories):
    figures = escalation_figures(november(world), 6)
    assert figures.stat(RESOLUTION, T1).median == pytest.approx(36)
    t2 = figures.stat(RESOLUTION, T2)  # e1 48 h, e3 48 h, e5 96 h (its last resolution)
    assert (t2.count, t2.mean, t2.median) == (3, pytest.approx(64), pytest.approx(48))
    assert figures.stat(RESOLUTION, T3).median == pytest.approx(10)
    every = figures.stat(RESOLUTION)
    assert (every.count, every.mean, every.median) == (5, pytest.approx(47.6), pytest.approx(48))


def test_resolved_at_the_tier_where_raised(world, stories):
    figures = escalation_figures(november(world), 6)
    every = figures.stat(RESOLUTION)
    assert (every.marked, every.count) == (3, 5)  # e2, e3, e8
    assert every.marked_share == pytest.approx(60)
    by_raised = {tier: figures.stat(RAISED_RESOLVED, tier) for tier in (T1, T2, T3)}
    assert [(stat.marked, stat.count) for stat in by_raised.values()] == [(1, 3), (1, 1), (1, 1)]


def test_moves_in_the_period_from_and_to(world, stories):
    figures = escalation_figures(november(world), 6)
    pairs = {(f, t): (stat.count, stat.escalations) for f, t, stat in figures.move_pairs()}
    assert pairs == {(T1, T2): (3, 3), (T2, T1): (1, 1)}  # e4's move is in December
    assert (figures.moves().count, figures.moves().escalations) == (4, 3)


def test_time_at_tier_counts_stays_overlapping_the_period(world, stories):
    figures = escalation_figures(november(world), 6)
    t1 = figures.stat(STAY, T1)
    # e1 24, e2 6 + 6, e4 4 (to the period's end), e5 24 + 12, e6 47 days and the hour
    # summer time gave back (to the period's end), e9 5.
    hours = [24, 6, 6, 4, 24, 12, 47 * 24 + 1, 5]
    assert (t1.count, t1.escalations, t1.marked) == (8, 6, 2)
    assert t1.mean == pytest.approx(sum(hours) / 8)
    assert t1.median == pytest.approx(9)
    t2 = figures.stat(STAY, T2)  # e3 left T2 at the period's first moment: not in it
    assert (t2.count, t2.mean, t2.median, t2.marked) == (3, pytest.approx(28), 24, 0)
    assert figures.stat(STAY, T3).median == pytest.approx(10)
    every = figures.stat(STAY)
    assert (every.count, every.escalations, every.marked) == (12, 7, 2)


def test_origins_channels_and_raised_per_period(world, stories):
    figures = escalation_figures(november(world), 6)
    assert figures.raised[figures.current] == 6
    assert figures.raised[figures.current - 1] == 2  # e3, e6
    assert dict(figures.origins) == {"customer": 3, "technical": 1, "process": 1, "internal": 1}
    assert figures.channels["voice"] == 3


def test_the_other_clients_escalations_never_count(world, stories):
    period = period_containing(MONTH, date(2026, 11, 1), LONDON)
    scope = ReportScope(client=world.client_b, period=period, now=NOW)
    figures = escalation_figures(scope, 6)
    assert figures.raised[figures.current] == 1
    assert figures.stat(RESOLUTION).count == 1
    assert figures.stat(RESOLUTION).median == pytest.approx(9)
    assert figures.moves().count == 1


def test_a_running_period_counts_waiting_up_to_now(world, stories):
    period = period_containing(MONTH, date(2026, 12, 1), LONDON)
    scope = ReportScope(client=world.client_a, period=period, now=NOW)
    figures = escalation_figures(scope, 6)
    # e4 at T1 until 1 Dec 02:00 then at T3 to now; e6 at T1 since 15 Oct, to now.
    assert figures.stat(STAY, T3).mean == pytest.approx(31)
    t1 = figures.stat(STAY, T1)
    assert (t1.count, t1.mean) == (2, pytest.approx((6 + (48 * 24 + 1 + 9)) / 2))
    assert figures.stat(STAY).marked == 2
    assert figures.moves(T1, T3).count == 1


def test_constant_number_of_queries(world, stories):
    with CaptureQueriesContext(connection) as few:
        escalation_figures(november(world), 6)
    story(world.client_a, at(11, 7), [(at(11, 7), T1, NEW), (at(11, 8), T2, RESOLVED)])
    with CaptureQueriesContext(connection) as more:
        escalation_figures(november(world), 6)
    assert len(few) == len(more) == 2
