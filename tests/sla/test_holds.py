"""Hold intervals are read from the record's history, in one query."""

import pytest

from apps.core.choices import Status
from apps.core.services.records import record_change_status
from apps.interruptions.models import Interruption
from apps.sla.selectors import hold_intervals, hold_intervals_of, holds_from_statuses
from tests.sla.conftest import frozen, london

pytestmark = pytest.mark.django_db


def move(record, target, when, actor):
    with frozen(when):
        return record_change_status(record, target=target, actor=actor)


def test_periods_on_hold_come_from_the_history(world, make_interruption, django_assert_num_queries):
    record = make_interruption(london(2026, 3, 2, 9, 0))
    record = move(record, Status.IN_PROGRESS, london(2026, 3, 2, 9, 30), world.agent)
    record = move(record, Status.ON_HOLD, london(2026, 3, 2, 10, 0), world.agent)
    record = move(record, Status.IN_PROGRESS, london(2026, 3, 2, 11, 0), world.agent)
    record = move(record, Status.ON_HOLD, london(2026, 3, 3, 9, 0), world.agent)

    with django_assert_num_queries(1):
        holds = hold_intervals(record)

    assert holds == [
        (london(2026, 3, 2, 10, 0), london(2026, 3, 2, 11, 0)),
        (london(2026, 3, 3, 9, 0), None),
    ]
    record = move(record, Status.RESOLVED, london(2026, 3, 3, 12, 0), world.agent)
    assert hold_intervals(record)[-1] == (london(2026, 3, 3, 9, 0), london(2026, 3, 3, 12, 0))


def test_edits_while_on_hold_do_not_end_the_hold():
    versions = [
        (london(2026, 3, 2, 9), Status.NEW),
        (london(2026, 3, 2, 10), Status.ON_HOLD),
        (london(2026, 3, 2, 11), Status.ON_HOLD),  # an edit of the title, say
        (london(2026, 3, 2, 12), Status.IN_PROGRESS),
    ]
    assert holds_from_statuses(versions) == [(london(2026, 3, 2, 10), london(2026, 3, 2, 12))]


def test_a_record_never_on_hold_has_no_holds(world, make_interruption):
    record = make_interruption(london(2026, 3, 2, 9, 0))
    assert hold_intervals(record) == []
    assert hold_intervals(Interruption(client=world.client_a, status=Status.ON_HOLD)) == []


def test_holds_of_many_records_in_one_query(world, make_interruption, django_assert_num_queries):
    held = make_interruption(london(2026, 3, 2, 9, 0))
    held = move(held, Status.IN_PROGRESS, london(2026, 3, 2, 9, 30), world.agent)
    held = move(held, Status.ON_HOLD, london(2026, 3, 2, 10, 0), world.agent)
    never = make_interruption(london(2026, 3, 2, 9, 0))

    with django_assert_num_queries(1):
        holds = hold_intervals_of(Interruption, [held.pk, never.pk])

    assert holds == {held.pk: [(london(2026, 3, 2, 10, 0), None)]}
