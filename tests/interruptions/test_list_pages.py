"""The interruption list's keyset pages: next and previous, sizes, damaged links."""

import html
from datetime import timedelta

import pytest

from apps.core.choices import Status
from apps.interruptions.models import Interruption
from tests.factories import InterruptionFactory

from .listing import SORT_PATHS, at, database_order, listed, page_link

pytestmark = pytest.mark.django_db


# --- keyset pages --------------------------------------------------------------------------


@pytest.fixture
def many(world):
    """62 rows of client A with many ties and empty values, and 5 of client B."""
    severities = ["SEV1", "SEV2", "SEV3", "SEV4"]
    assignees = [world.agent, world.lead, None]
    teams = [world.team_a1, None, world.team_a2]
    base = at(1)
    for number in range(62):
        InterruptionFactory(
            client=world.client_a,
            title=f"Batch {number % 7}",
            severity=severities[number % 4],
            status=[Status.NEW, Status.IN_PROGRESS, Status.ON_HOLD][number % 3],
            assignee=assignees[number % 3],
            team=teams[number % 5 % 3],
            # Every third row shares its start with the one before it.
            occurred_at=base + timedelta(hours=number - number % 3 // 2),
            ended_at=None if number % 4 else base + timedelta(hours=number + 1),
        )
    for _ in range(5):
        InterruptionFactory(client=world.client_b, occurred_at=base)


def walk(client, first_url: str) -> tuple[list[list[str]], list[list[str]]]:
    """Follow Next links to the end, then Previous links back: the pages seen each way."""
    forward = []
    response = client.get(first_url)
    forward.append(listed(response))
    assert page_link(response, "prev") is None
    while (link := page_link(response, "next")) is not None:
        response = client.get(f"/interruptions/{link}")
        forward.append(listed(response))
        assert len(forward) < 20, "Next links never end"
    backward = [forward[-1]]
    while (link := page_link(response, "prev")) is not None:
        response = client.get(f"/interruptions/{link}")
        backward.append(listed(response))
        assert len(backward) < 20, "Previous links never end"
    return forward, backward


@pytest.mark.parametrize(
    "sort",
    ["", "title", "-title", "severity", "-severity", "assignee", "-assignee", "team",
     "-team", "ended_at", "-ended_at", "status", "-occurred_at", "occurred_at"],
)  # fmt: skip
def test_next_and_previous_links_walk_the_whole_list_once(world, client, many, sort):
    client.force_login(world.lead)
    path, descending = SORT_PATHS.get(sort.lstrip("-"), "occurred_at"), sort.startswith("-")
    if not sort:
        descending = True
    expected = database_order(Interruption.objects.filter(client=world.client_a), path, descending)

    forward, backward = walk(client, f"/interruptions/?per_page=25&sort={sort}")

    assert [len(page) for page in forward] == [25, 25, 12]
    assert [reference for page in forward for reference in page] == expected
    assert backward == list(reversed(forward))


def test_pages_keep_the_filters(world, client, many):
    client.force_login(world.lead)
    wanted = Interruption.objects.filter(
        client=world.client_a, status__in=[Status.NEW, Status.ON_HOLD]
    )
    expected = database_order(wanted, "severity", True)

    forward, backward = walk(
        client, "/interruptions/?per_page=25&status=new&status=on_hold&sort=-severity"
    )

    assert [len(page) for page in forward] == [25, 16]
    assert [reference for page in forward for reference in page] == expected
    assert backward == list(reversed(forward))


def test_a_full_last_page_has_no_next_link(world, client):
    for number in range(50):
        InterruptionFactory(client=world.client_a, occurred_at=at(1) + timedelta(minutes=number))
    client.force_login(world.lead)

    forward, _ = walk(client, "/interruptions/?per_page=25")

    assert [len(page) for page in forward] == [25, 25]


@pytest.mark.parametrize("per_page", [50, 100])
def test_larger_pages(world, client, many, per_page):
    client.force_login(world.lead)

    forward, _ = walk(client, f"/interruptions/?per_page={per_page}")

    assert [len(page) for page in forward] == ([50, 12] if per_page == 50 else [62])


def test_damaged_page_link_starts_again_from_the_first_page(world, client, many):
    client.force_login(world.lead)
    first = listed(client.get("/interruptions/?per_page=25"))

    response = client.get("/interruptions/?per_page=25&after=not-a-cursor")

    assert listed(response) == first
    assert "This page link is damaged" in html.unescape(response.content.decode())


def test_unsupported_page_size_falls_back_to_25(world, client, many):
    client.force_login(world.lead)

    assert len(listed(client.get("/interruptions/?per_page=1000000"))) == 25
    assert len(listed(client.get("/interruptions/?per_page=ten"))) == 25
