"""The number of SQL queries a page costs must not grow with the rows it shows."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.core.choices import Status
from tests.factories import InterruptionFactory, TimelineEntryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(world):
    """120 interruptions of client A with services, assignee and team; 10 of client B."""
    now = timezone.now()
    people = [world.agent, world.lead, world.auditor]
    teams = [world.team_a1, world.team_a2]
    services = [[world.service_a], [world.service_a2], [world.service_a, world.service_a2]]
    for number in range(120):
        InterruptionFactory(
            client=world.client_a,
            status=[Status.NEW, Status.IN_PROGRESS][number % 2],
            severity=["SEV1", "SEV2", "SEV3", "SEV4"][number % 4],
            assignee=people[number % 3],
            team=teams[number % 2],
            occurred_at=now - timedelta(minutes=number),
            affected_services=services[number % 3],
        )
    for number in range(10):
        InterruptionFactory(
            client=world.client_b,
            occurred_at=now - timedelta(minutes=number),
            affected_services=[world.service_b],
        )


def queries_for(client, url: str, **headers) -> tuple[int, int]:
    """(SQL queries, table rows) of one GET of `url`."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers=headers)
    assert response.status_code == 200
    rows = response.content.decode().count('<td ><a href="/interruptions/INT-')
    return len(captured.captured_queries), rows


def warm_up(client) -> None:
    """The first request fills per-process caches (content types, permissions)."""
    client.get("/interruptions/")


@pytest.mark.parametrize("role", ["lead", "auditor", "admin"])
def test_list_costs_the_same_queries_for_25_and_100_rows(world, client, many, role):
    client.force_login(getattr(world, role))
    warm_up(client)

    small, small_rows = queries_for(client, "/interruptions/?per_page=25")
    large, large_rows = queries_for(client, "/interruptions/?per_page=100")

    assert (small_rows, large_rows) == (25, 100)
    assert small == large
    # Session, user, permissions, scoping, count, rows, services, filter choices: a handful.
    assert small <= 20


@pytest.mark.parametrize(
    "query",
    [
        "sort=assignee",
        "sort=-team",
        "sort=client",
        "severity=SEV1&severity=SEV2&status=new",
        "service={service}",
        "q=CRM",
    ],
)
def test_sorted_and_filtered_lists_cost_the_same_for_any_page_size(world, client, many, query):
    query = query.format(service=world.service_a.pk)
    client.force_login(world.lead)
    warm_up(client)

    counts = {
        per_page: queries_for(client, f"/interruptions/?{query}&per_page={per_page}")[0]
        for per_page in (25, 50, 100)
    }

    assert len(set(counts.values())) == 1, counts


def test_later_pages_and_htmx_partials_cost_no_more_than_the_first(world, client, many):
    client.force_login(world.lead)
    warm_up(client)
    first_page = client.get("/interruptions/?per_page=25").content.decode()
    next_link = first_page.split('rel="next" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")

    first, _ = queries_for(client, "/interruptions/?per_page=25")
    second, second_rows = queries_for(client, f"/interruptions/{next_link}")
    partial, partial_rows = queries_for(
        client, "/interruptions/?per_page=100", **{"HX-Request": "true"}
    )

    assert (second_rows, partial_rows) == (25, 100)
    assert second == first
    assert partial <= first


def test_record_page_costs_the_same_however_long_its_timeline(world, client):
    short = InterruptionFactory(client=world.client_a, affected_services=[world.service_a])
    long = InterruptionFactory(client=world.client_a, affected_services=[world.service_a])
    for number in range(3):
        TimelineEntryFactory(record=short, actor=world.agent, message=f"Note {number}")
    for number in range(40):
        actor = [world.agent, world.lead, None][number % 3]
        TimelineEntryFactory(record=long, actor=actor, message=f"Note {number}")
    client.force_login(world.lead)
    client.get(f"/interruptions/{short.reference}/")

    few, _ = queries_for(client, f"/interruptions/{short.reference}/")
    lots, _ = queries_for(client, f"/interruptions/{long.reference}/")

    assert few == lots


def test_record_page_costs_the_same_however_long_its_history(world, client):
    from apps.interruptions.services import interruption_update

    def edited(times: int):
        record = InterruptionFactory(client=world.client_a, affected_services=[world.service_a])
        for number in range(times):
            services = [world.service_a] if number % 2 else [world.service_a, world.service_a2]
            record = interruption_update(
                record,
                actor=[world.agent, world.lead][number % 2],
                changes={"title": f"Title {number}", "assignee": world.agent},
                expected_version=record.version,
                affected_services=services,
            )
        return record

    short, long = edited(2), edited(15)
    client.force_login(world.lead)
    client.get(f"/interruptions/{short.reference}/")

    few, _ = queries_for(client, f"/interruptions/{short.reference}/")
    lots, _ = queries_for(client, f"/interruptions/{long.reference}/")
    page = client.get(f"/interruptions/{long.reference}/").content.decode()

    assert few == lots
    assert "Telephony platform" in page  # the services' names, not their ids
