"""The home page: a lead's counters, each a link to exactly the list it counts."""

import re

import pytest

from apps.core.choices import Severity, Status
from tests.factories import InterruptionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue(world):
    a = world.client_a
    InterruptionFactory(client=a, severity=Severity.SEV1, assignee=world.lead)
    InterruptionFactory(client=a, severity=Severity.SEV2)
    InterruptionFactory(client=a, severity=Severity.SEV3, assignee=world.agent)
    InterruptionFactory(client=a, severity=Severity.SEV4, status=Status.ON_HOLD)
    InterruptionFactory(client=a, severity=Severity.SEV1, status=Status.RESOLVED)
    InterruptionFactory(client=world.client_b, severity=Severity.SEV1)


def _counters(content: str) -> dict[str, tuple[str, int]]:
    """The interruption log's counters (every log has the same four)."""
    found = re.findall(
        r'<a href="(/interruptions/[^"]+)">([^<]+)</a> <strong>(\d+)</strong>', content
    )
    return {label: (url.replace("&amp;", "&"), int(count)) for url, label, count in found}


def test_lead_sees_open_severe_unassigned_and_own_counts(world, client, queue):
    client.force_login(world.lead)

    counters = _counters(client.get("/").content.decode())

    assert {label: count for label, (_, count) in counters.items()} == {
        "Open": 4,
        "SEV1/SEV2 open": 2,
        "Unassigned": 2,
        "Assigned to me": 1,
    }


def test_each_counter_links_to_the_rows_it_counts(world, client, queue):
    client.force_login(world.lead)
    counters = _counters(client.get("/").content.decode())

    for _label, (url, count) in counters.items():
        listed = client.get(url).content.decode()
        if 'id="row-count"><strong>…' in listed:
            # Counted live, after the table: who a record is assigned to is not summarised.
            listed = client.get(f"{url}&_figures=1").content.decode()
        assert re.search(rf'id="row-count"><strong>{count}</strong>', listed), url


def test_home_counters_cost_two_queries_in_all(world, client, queue, django_assert_max_num_queries):
    client.force_login(world.lead)
    client.get("/")
    # Session, user, permissions, scoping...; then the summaries and the assignments of every
    # log (one query each); the unread badge; for a lead, when the escalation engine last ran.
    with django_assert_max_num_queries(8 + 2):
        assert client.get("/").status_code == 200
