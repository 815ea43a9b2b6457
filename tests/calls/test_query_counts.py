"""The SQL a call page costs must not grow with the rows it shows."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.core.choices import Status
from tests.factories_calls import CallFactory, QualityAuditFactory

pytestmark = pytest.mark.django_db

ROLES = ["agent", "lead", "auditor", "admin"]


@pytest.fixture
def many(world):
    """120 calls of client A with agents, teams and audits; 10 of client B."""
    now = timezone.now()
    people = [world.agent, world.lead, None]
    teams = [world.team_a1, world.team_a2]
    for number in range(120):
        call = CallFactory(
            client=world.client_a,
            status=[Status.NEW, Status.IN_PROGRESS][number % 2],
            severity=["SEV1", "SEV2", "SEV3", "SEV4"][number % 4],
            assignee=people[number % 3],
            team=teams[number % 2],
            occurred_at=now - timedelta(minutes=number + 10),
        )
        if number % 4 == 0:
            QualityAuditFactory(call=call, auditor=[world.auditor, world.lead][number % 8 // 4])
    for number in range(10):
        CallFactory(client=world.client_b, occurred_at=now - timedelta(minutes=number + 10))


def queries_for(client, url: str, marker: str, **headers) -> tuple[int, int]:
    """(SQL queries, table rows) of one GET of `url`."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers=headers)
    assert response.status_code == 200
    return len(captured.captured_queries), response.content.decode().count(marker)


CALL_ROW = '<td ><a href="/calls/CALL-'
AUDIT_ROW = '<td ><a href="/calls/CALL-'


@pytest.mark.parametrize("role", ROLES)
def test_call_list_costs_the_same_for_25_and_100_rows(world, client, many, role):
    client.force_login(getattr(world, role))
    client.get("/calls/")  # per-process caches (content types, permissions)

    small, small_rows = queries_for(client, "/calls/?per_page=25", CALL_ROW)
    large, large_rows = queries_for(client, "/calls/?per_page=100", CALL_ROW)

    assert (small_rows, large_rows) == (25, 100)
    assert small == large
    assert small <= 20
    print(f"{role}: {small} queries at 25 rows, {large} at 100")


@pytest.mark.parametrize(
    "query",
    ["sort=assignee", "sort=-query_category", "sort=client", "outcome=resolved", "q=invoice"],
)
def test_sorted_and_filtered_lists_cost_the_same_for_any_page_size(world, client, many, query):
    client.force_login(world.lead)
    client.get("/calls/")

    counts = {
        per_page: queries_for(client, f"/calls/?{query}&per_page={per_page}", CALL_ROW)[0]
        for per_page in (25, 50, 100)
    }

    assert len(set(counts.values())) == 1, counts


@pytest.mark.parametrize("role", ["lead", "auditor", "admin"])
def test_audit_list_costs_the_same_for_any_page_size(world, client, many, role):
    for _number in range(100):
        call = CallFactory(client=world.client_a)
        QualityAuditFactory(call=call, auditor=world.auditor)
    client.force_login(getattr(world, role))
    client.get("/calls/audits/")

    small, small_rows = queries_for(client, "/calls/audits/?per_page=25", AUDIT_ROW)
    large, large_rows = queries_for(client, "/calls/audits/?per_page=100", AUDIT_ROW)

    assert (small_rows, large_rows) == (25, 100)
    assert small == large
    print(f"audits, {role}: {small} queries at 25 rows, {large} at 100")


def test_call_page_costs_the_same_however_many_audits(world, client):
    few = CallFactory(client=world.client_a)
    lots = CallFactory(client=world.client_a)
    QualityAuditFactory(call=few, auditor=world.auditor)
    for number in range(12):
        QualityAuditFactory(call=lots, auditor=[world.auditor, world.lead][number % 2])
    client.force_login(world.auditor)
    client.get(f"/calls/{few.reference}/")

    small, _ = queries_for(client, f"/calls/{few.reference}/", "")
    large, _ = queries_for(client, f"/calls/{lots.reference}/", "")

    assert small == large
