"""Counters that stop counting past a cap: exact below it, "N+" beyond, scoped to the user."""

import pytest
from django.db.models import Q

from apps.core.capped_counts import capped_counts, shown
from apps.interruptions.models import Interruption
from tests.factories import InterruptionFactory


@pytest.mark.django_db
def test_counts_stop_one_past_the_cap_and_only_see_the_users_clients(world):
    for _ in range(4):
        InterruptionFactory(client=world.client_a, assignee=None)
    InterruptionFactory(client=world.client_a, assignee=world.agent)
    InterruptionFactory(client=world.client_b, assignee=None)
    conditions = {"unassigned": Q(assignee__isnull=True), "mine": Q(assignee=world.agent)}

    counts = capped_counts([Interruption], world.agent, conditions, cap=2)
    assert counts == {"interruptions.interruption": {"unassigned": 3, "mine": 1}}

    exact = capped_counts([Interruption], world.agent, conditions, cap=10)
    assert exact == {"interruptions.interruption": {"unassigned": 4, "mine": 1}}


def test_a_count_past_the_cap_shows_as_the_cap_and_more():
    assert shown(1000) == "1,000"
    assert shown(1001) == "1,000+"
    assert shown(3, cap=2) == "2+"
