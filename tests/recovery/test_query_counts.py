"""The number of SQL queries a page costs must not grow with the rows or children it shows."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.core.choices import Status
from tests.factories_recovery import (
    RecoveryActionFactory,
    RecoveryCaseFactory,
    RecoveryFeedbackFactory,
    RecoveryInteractionFactory,
    RecoveryResolutionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(world, action_types):
    """120 cases of client A with owners, teams and children of every kind; 5 of client B."""
    now = timezone.now()
    people = [world.agent, world.lead, world.auditor]
    teams = [world.team_a1, world.team_a2]
    for number in range(120):
        case = RecoveryCaseFactory(
            client=world.client_a,
            status=[Status.NEW, Status.IN_PROGRESS, Status.RESOLVED][number % 3],
            severity=["SEV1", "SEV2", "SEV3", "SEV4"][number % 4],
            nature=["delivery_problem", "service_error"][number % 2],
            assignee=people[number % 3],
            team=teams[number % 2],
            occurred_at=now - timedelta(hours=number + 5),
        )
        RecoveryInteractionFactory(case=case, recorded_by=world.agent, customer_satisfied="yes")
        RecoveryActionFactory(
            case=case, recorded_by=world.agent, action_type=action_types["apology"]
        )
        if number % 2:
            RecoveryResolutionFactory(
                case=case,
                customer_confirmed=True,
                confirmed_at=case.occurred_at + timedelta(hours=3),
            )
            RecoveryFeedbackFactory(case=case, recorded_by=world.lead, satisfaction=1 + number % 5)
    for number in range(5):
        RecoveryCaseFactory(client=world.client_b, occurred_at=now - timedelta(hours=number + 1))


def queries_for(client, url: str, **headers) -> tuple[int, int]:
    """(SQL queries, table rows) of one GET of `url`."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers=headers)
    assert response.status_code == 200
    rows = response.content.decode().count('<td ><a href="/recovery/REC-')
    return len(captured.captured_queries), rows


def warm_up(client) -> None:
    """The first request fills per-process caches (content types, permissions)."""
    client.get("/recovery/")


@pytest.mark.parametrize("role", ["agent", "lead", "auditor", "admin"])
def test_list_costs_the_same_queries_for_25_and_100_rows(world, client, many, role):
    client.force_login(getattr(world, role))
    warm_up(client)

    small, small_rows = queries_for(client, "/recovery/?per_page=25")
    large, large_rows = queries_for(client, "/recovery/?per_page=100")

    assert (small_rows, large_rows) == (25, 100)
    assert small == large
    # Session, user, permissions, scoping, count, measures, rows, filter choices: a handful.
    assert small <= 20


@pytest.mark.parametrize(
    "query",
    [
        "sort=assignee",
        "sort=-nature",
        "sort=client",
        "confirmed=true",
        "confirmed=false&nature=service_error",
        "severity=SEV1&severity=SEV2&status=new",
        "q=AC-2",
    ],
)
def test_sorted_and_filtered_lists_cost_the_same_for_any_page_size(world, client, many, query):
    client.force_login(world.lead)
    warm_up(client)

    counts = {
        per_page: queries_for(client, f"/recovery/?{query}&per_page={per_page}")[0]
        for per_page in (25, 50, 100)
    }

    assert len(set(counts.values())) == 1, counts


def test_later_pages_and_htmx_partials_cost_no_more_than_the_first(world, client, many):
    client.force_login(world.lead)
    warm_up(client)
    first_page = client.get("/recovery/?per_page=25").content.decode()
    next_link = first_page.split('rel="next" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")

    first, _ = queries_for(client, "/recovery/?per_page=25")
    second, second_rows = queries_for(client, f"/recovery/{next_link}")
    partial, partial_rows = queries_for(client, "/recovery/?per_page=100", **{"HX-Request": "true"})

    assert (second_rows, partial_rows) == (25, 100)
    assert second == first
    assert partial <= first


def _with_children(world, action_types, count: int):
    case = RecoveryCaseFactory(
        client=world.client_a, status=Status.IN_PROGRESS, assignee=world.agent
    )
    people = [world.agent, world.lead, world.auditor]
    for number in range(count):
        RecoveryInteractionFactory(case=case, recorded_by=people[number % 3])
        RecoveryActionFactory(
            case=case,
            recorded_by=people[(number + 1) % 3],
            action_type=action_types[["apology", "replacement", "expedite"][number % 3]],
        )
        RecoveryFeedbackFactory(case=case, recorded_by=people[(number + 2) % 3])
    RecoveryResolutionFactory(case=case, recorded_by=world.lead)
    return case


def test_case_page_costs_the_same_however_many_children(world, client, action_types):
    few = _with_children(world, action_types, 1)
    lots = _with_children(world, action_types, 15)
    client.force_login(world.lead)
    client.get(f"/recovery/{few.reference}/")

    small, _ = queries_for(client, f"/recovery/{few.reference}/")
    large, _ = queries_for(client, f"/recovery/{lots.reference}/")

    assert small == large
    page = client.get(f"/recovery/{lots.reference}/").content.decode()
    listed = page.split("Change history", 1)[0]  # the history below tells them again
    assert listed.count("Called the customer, attempt") == 15
