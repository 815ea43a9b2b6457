"""The escalation list: filters, exports equal to the filtered rows, constant query count."""

import csv
import io
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.core.choices import Status, Tier
from apps.escalations.models import Escalation
from tests.background_jobs import exported
from tests.factories_escalations import EscalationCategoryFactory, EscalationFactory

pytestmark = pytest.mark.django_db

HEADER = [
    "Reference", "Client", "Title", "Severity", "Status", "Origin", "Channel", "Category",
    "Tier", "Customer", "Account reference", "Reason", "Escalated at", "First response due",
    "First response at", "First response breached at", "Resolution due", "Assignee", "Team",
    "Reported by", "Resolution steps", "Outcome", "Root cause", "Root-cause analysis",
    "Post-resolution review", "Resolved at",
    "Breached at", "Closed at", "Created at",
]  # fmt: skip


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)


@pytest.fixture
def rows(world):
    vip = EscalationCategoryFactory(code="vip-customer", label="VIP customer")
    now = timezone.now()
    return {
        "a1": EscalationFactory(
            client=world.client_a, title="Double charge", severity="SEV1", origin="customer",
            channel="voice", occurred_at=at(1), resolution_due=now + timedelta(days=1),
            first_response_due=at(1, 11), team=world.team_a1, assignee=world.agent,
            customer_name="Jane Doe", account_reference="ZZ-42",
        ),
        "a2": EscalationFactory(
            client=world.client_a, title="Router keeps rebooting", origin="technical",
            channel="chat", tier=Tier.TECHNICAL, team=world.team_a2, category=vip,
            occurred_at=now - timedelta(hours=30), resolution_due=now - timedelta(hours=6),
            first_response_due=now - timedelta(hours=29),
        ),
        "a3": EscalationFactory(
            client=world.client_a, title="Old overdue but resolved", origin="process",
            channel="web", status=Status.RESOLVED, occurred_at=now - timedelta(days=3),
            resolution_due=now - timedelta(days=2), first_response_due=now - timedelta(days=3),
        ),
        "a4": EscalationFactory(
            client=world.client_a, title="Due soon", origin="customer", channel="email",
            occurred_at=now - timedelta(hours=1), resolution_due=now + timedelta(hours=1),
            first_response_due=now - timedelta(minutes=30),
        ),
        "b1": EscalationFactory(
            client=world.client_b, title="Globex overdue", occurred_at=now - timedelta(days=2),
            resolution_due=now - timedelta(days=1), first_response_due=now - timedelta(days=2),
        ),
    }  # fmt: skip


def expected(world, **filters) -> list[str]:
    queryset = Escalation.objects.filter(client=world.client_a, **filters)
    return list(queryset.order_by("-occurred_at", "-id").values_list("reference", flat=True))


def csv_table(response) -> list[list[str]]:
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode("utf-8").removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(content)))


@pytest.mark.parametrize(
    ("query", "filters"),
    [
        ("", {}),
        ("origin=technical&origin=process", {"origin__in": ["technical", "process"]}),
        ("channel=voice", {"channel": "voice"}),
        ("tier=2", {"tier": 2}),
        ("category={vip}", {"category__code": "vip-customer"}),
        ("overdue=true", {"title": "Router keeps rebooting"}),
        ("overdue=false", {"title__in": ["Double charge", "Old overdue but resolved", "Due soon"]}),
        ("q=zz-42", {"account_reference": "ZZ-42"}),
        ("severity=SEV1&status=new", {"severity": "SEV1", "status": "new"}),
    ],
)
def test_csv_export_equals_the_filtered_list(world, client, rows, query, filters):
    vip = rows["a2"].category.pk
    client.force_login(world.auditor)
    url = f"/escalations/?{query.format(vip=vip)}"

    listed = client.get(url).context["page"].rows
    table = csv_table(client.get(f"{url}&_export=csv"))

    assert table[0] == HEADER
    want = expected(world, **filters)
    assert [line[0] for line in table[1:]] == want
    assert sorted(row.reference for row in listed) == sorted(want)


def test_csv_cells(world, client, rows):
    client.force_login(world.lead)

    table = csv_table(client.get("/escalations/?_export=csv"))

    header, *lines = table
    a1 = dict(
        zip(header, next(line for line in lines if line[0] == rows["a1"].reference), strict=True)
    )
    assert a1["Client"] == "acme"
    assert (a1["Origin"], a1["Channel"], a1["Category"], a1["Tier"]) == (
        "Customer-initiated",
        "Voice",
        "Billing dispute",
        "1",
    )
    assert (a1["Customer"], a1["Account reference"]) == ("Jane Doe", "ZZ-42")
    assert a1["Escalated at"] == "2026-03-01 10:00:00"
    assert a1["First response due"] == "2026-03-01 11:00:00"
    assert a1["First response at"] == ""
    assert (a1["Assignee"], a1["Team"]) == ("agent", "Acme Frontline")


def test_xlsx_export_equals_the_filtered_list(world, client, rows):
    client.force_login(world.auditor)

    response = exported(client, "/escalations/?overdue=true&_export=xlsx")

    data = b"".join(response.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    header, *lines = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert header == HEADER
    assert [line[0] for line in lines] == [rows["a2"].reference]
    assert lines[0][HEADER.index("Origin")] == "Technical"
    assert lines[0][HEADER.index("Tier")] == 2


def test_list_marks_overdue_rows_and_is_sortable_by_tier(world, client, rows):
    client.force_login(world.lead)

    response = client.get("/escalations/?sort=-tier")

    content = response.content.decode()
    assert response.status_code == 200
    assert content.count('badge text-bg-danger">breached') == 1
    references = [row.reference for row in response.context["page"].rows]
    assert references[0] == rows["a2"].reference
    assert rows["b1"].reference not in content


def test_bulk_status_change_from_the_list(world, client, rows):
    client.force_login(world.lead)
    picked = [rows["a1"], rows["a2"]]

    response = client.post(
        "/escalations/bulk/",
        {"selection": [row.pk for row in picked], "action": "status", "status": "in_progress"},
    )

    assert response.status_code == 302
    for row in picked:
        row.refresh_from_db()
        assert row.status == Status.IN_PROGRESS
    rows["a4"].refresh_from_db()
    assert rows["a4"].status == Status.NEW


def test_agent_has_no_bulk_actions(world, client, rows):
    client.force_login(world.agent)

    response = client.post(
        "/escalations/bulk/",
        {"selection": [rows["a1"].pk], "action": "status", "status": "in_progress"},
    )

    assert response.status_code == 403
    rows["a1"].refresh_from_db()
    assert rows["a1"].status == Status.NEW


# --- query counts --------------------------------------------------------------------------


@pytest.fixture
def many(world):
    now = timezone.now()
    categories = [
        EscalationCategoryFactory(code=f"cat-{number}", label=f"Category {number}")
        for number in range(3)
    ]
    people = [world.agent, world.lead, world.auditor]
    teams = [world.team_a1, world.team_a2]
    for number in range(120):
        EscalationFactory(
            client=world.client_a,
            category=categories[number % 3],
            assignee=people[number % 3],
            team=teams[number % 2],
            tier=1 + number % 3,
            occurred_at=now - timedelta(minutes=number),
            resolution_due=now + timedelta(minutes=60 - number),
        )


def queries_for(client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    rows = response.content.decode().count('<a href="/escalations/ESC-')
    return len(captured.captured_queries), rows


@pytest.mark.parametrize("role", ["lead", "auditor", "admin"])
@pytest.mark.parametrize("query", ["", "sort=category&", "overdue=true&tier=2&", "sort=-tier&"])
def test_list_costs_the_same_queries_for_25_and_100_rows(world, client, many, role, query):
    client.force_login(getattr(world, role))
    client.get("/escalations/")

    small, small_rows = queries_for(client, f"/escalations/?{query}per_page=25")
    large, large_rows = queries_for(client, f"/escalations/?{query}per_page=100")

    assert small == large
    assert small <= 20
    if not query:
        assert (small_rows, large_rows) == (25, 100)
