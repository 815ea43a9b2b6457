"""The failure report list: filters, sorting, bulk actions, exports and the query count."""

import csv
import io
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.core.choices import Status
from apps.failures.models import FailureCategory, FailureReport
from tests.background_jobs import exported
from tests.factories_failures import CorrectiveActionFactory, FailureReportFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def at(day: int) -> datetime:
    return datetime(2026, 3, day, 10, tzinfo=UTC)


@pytest.fixture
def rows(world):
    a = world.client_a
    made = {
        "tech": FailureReportFactory(client=a, category="technical", title="CRM froze",
                                     occurred_at=at(1), downtime_minutes=47, severity="SEV1"),
        "cs": FailureReportFactory(client=a, category="customer_service", title="Refund lost",
                                   occurred_at=at(2),
                                   customer_service_failure_type="unresolved_complaint",
                                   assignee=world.agent),
        "dlv": FailureReportFactory(client=a, category="delivery", title="Parcel crushed",
                                    occurred_at=at(3), delivery_failure_type="damaged",
                                    order_reference="ORD-1", status=Status.IN_PROGRESS),
        "cmp": FailureReportFactory(client=a, category="compliance", title="SLA 71%",
                                    occurred_at=at(4), sla_target="80.00", sla_actual="71.40",
                                    contract_clause="4.1"),
        "b": FailureReportFactory(client=world.client_b, category="technical",
                                  title="Globex IVR down", occurred_at=at(5)),
    }  # fmt: skip
    # tech: one overdue, one done, one waived; cs: one open not yet due; dlv: one overdue.
    CorrectiveActionFactory(report=made["tech"], due_date=TODAY - timedelta(days=2))
    CorrectiveActionFactory(report=made["tech"], done_at=timezone.now() - timedelta(days=1))
    CorrectiveActionFactory(report=made["tech"], waived=True, waiver_reason="Superseded")
    CorrectiveActionFactory(report=made["cs"], due_date=TODAY + timedelta(days=3))
    CorrectiveActionFactory(report=made["dlv"], due_date=TODAY - timedelta(days=1))
    CorrectiveActionFactory(report=made["b"], due_date=TODAY - timedelta(days=9))
    return made


def listed(client, query: str = "") -> list[str]:
    response = client.get(f"/failures/?{query}")
    assert response.status_code == 200
    return [record.reference for record in response.context["table"].data]


def refs(rows, *names) -> list[str]:
    return [rows[name].reference for name in names]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["cmp", "dlv", "cs", "tech"]),
        ("category=technical&category=delivery", ["dlv", "tech"]),
        ("overdue=true", ["dlv", "tech"]),
        ("overdue=false", ["cmp", "cs"]),
        ("overdue=true&category=technical", ["tech"]),
        ("status=in_progress", ["dlv"]),
        ("severity=SEV1", ["tech"]),
        ("assignment=me", []),
        ("q=parcel", ["dlv"]),
        ("sort=title", ["tech", "dlv", "cs", "cmp"]),
        ("sort=category", ["cmp", "cs", "dlv", "tech"]),
        ("sort=-category", ["tech", "dlv", "cs", "cmp"]),
    ],
)
def test_filters_and_sorting(world, client, rows, query, expected):
    client.force_login(world.lead)

    assert listed(client, query) == refs(rows, *expected)


def test_list_shows_action_counts_and_overdue_badge(world, client, rows):
    client.force_login(world.agent)

    content = client.get("/failures/").content.decode()

    row = content.split(rows["tech"].reference + "</a>")[1].split("</tr>")[0]
    assert '2/3 <span class="badge text-bg-danger">1 overdue</span>' in row
    row = content.split(rows["cs"].reference + "</a>")[1].split("</tr>")[0]
    assert "0/1" in row


def test_bulk_status_change_by_a_lead(world, client, rows):
    client.force_login(world.lead)
    pks = [rows["tech"].pk, rows["cs"].pk, rows["b"].pk]

    response = client.post(
        "/failures/bulk/", {"selection": pks, "action": "status", "status": "in_progress"}
    )

    assert response.status_code == 302
    statuses = dict(FailureReport.objects.filter(pk__in=pks).values_list("title", "status"))
    assert statuses == {
        "CRM froze": "in_progress",
        "Refund lost": "in_progress",
        "Globex IVR down": "new",  # another client's: untouched
    }


def test_agent_may_not_bulk_update_or_export(world, client, rows):
    client.force_login(world.agent)

    response = client.post(
        "/failures/bulk/", {"selection": [rows["tech"].pk], "action": "status", "status": "on_hold"}
    )

    assert response.status_code == 403
    assert client.get("/failures/?_export=csv").status_code == 403
    rows["tech"].refresh_from_db()
    assert rows["tech"].status == Status.NEW


# --- export ---------------------------------------------------------------------------------


def csv_table(response) -> list[list[str]]:
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8").removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(text)))


def xlsx_table(response) -> list[list]:
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    return [list(line) for line in openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(
        values_only=True)]  # fmt: skip


def expected(**filters) -> list[str]:
    queryset = FailureReport.objects.filter(**filters).order_by("-occurred_at", "-id")
    return list(queryset.values_list("reference", flat=True))


@pytest.mark.parametrize(
    ("query", "filters"),
    [
        ("", {}),
        ("category=technical", {"category": "technical"}),
        ("status=new&severity=SEV1", {"status": "new", "severity": "SEV1"}),
        ("overdue=true", {"title__in": ["CRM froze", "Parcel crushed"]}),
    ],
)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_is_the_filtered_list(world, client, rows, query, filters, fmt):
    client.force_login(world.auditor)

    response = exported(client, f"/failures/?{query}&_export={fmt}")

    table = csv_table(response) if fmt == "csv" else xlsx_table(response)
    assert [line[0] for line in table[1:]] == expected(client=world.client_a, **filters)
    assert [line[0] for line in table[1:]] == listed(client, query)


def test_export_columns_carry_action_counts_and_category_fields(world, client, rows):
    client.force_login(world.lead)

    table = csv_table(client.get("/failures/?_export=csv"))

    header, *lines = table
    by_ref = {line[0]: dict(zip(header, line, strict=True)) for line in lines}
    tech = by_ref[rows["tech"].reference]
    assert (tech["Actions"], tech["Actions open"], tech["Actions overdue"]) == ("3", "1", "1")
    assert (tech["Category"], tech["Downtime (min)"], tech["Client"]) == ("Technical", "47", "acme")
    cs = by_ref[rows["cs"].reference]
    assert (cs["Actions"], cs["Actions open"], cs["Actions overdue"]) == ("1", "1", "0")
    assert cs["Customer-service failure"] == "Unresolved complaint"
    assert cs["Assignee"] == "agent"
    cmp = by_ref[rows["cmp"].reference]
    assert (cmp["Actions"], cmp["SLA target"], cmp["SLA actual"]) == ("0", "80.00", "71.40")
    dlv = by_ref[rows["dlv"].reference]
    assert (dlv["Delivery failure"], dlv["Order / shipment"]) == ("Damaged item", "ORD-1")


def test_xlsx_counts_are_numbers(world, client, rows):
    client.force_login(world.lead)

    header, *lines = xlsx_table(exported(client, "/failures/?category=technical&_export=xlsx"))

    tech = dict(zip(header, lines[0], strict=True))
    assert (tech["Actions"], tech["Actions open"], tech["Actions overdue"]) == (3, 1, 1)


# --- detail of every category ----------------------------------------------------------------


@pytest.mark.parametrize("category", FailureCategory.values)
def test_detail_page_of_every_category(world, client, category):
    report = FailureReportFactory(client=world.client_a, category=category)
    client.force_login(world.agent)

    response = client.get(f"/failures/{report.reference}/")

    assert response.status_code == 200
    assert FailureCategory(category).label in response.content.decode()


# --- query count ----------------------------------------------------------------------------


@pytest.fixture
def many(world):
    now = timezone.now()
    people = [world.agent, world.lead, world.auditor]
    for number in range(110):
        report = FailureReportFactory(
            client=world.client_a,
            category=FailureCategory.values[number % 6],
            assignee=people[number % 3],
            team=[world.team_a1, world.team_a2][number % 2],
            service=world.service_a,
            occurred_at=now - timedelta(minutes=number),
        )
        CorrectiveActionFactory(report=report, due_date=TODAY - timedelta(days=number % 3))
    for number in range(5):
        FailureReportFactory(client=world.client_b, occurred_at=now - timedelta(minutes=number))


def queries_for(client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries), len(response.context["table"].rows)


@pytest.mark.parametrize("extra", ["", "&overdue=true&sort=-team", "&category=technical&q=e"])
@pytest.mark.parametrize("role", ["lead", "auditor"])
def test_list_costs_the_same_queries_for_25_and_100_rows(world, client, many, role, extra):
    client.force_login(getattr(world, role))
    client.get("/failures/")  # fills the per-process caches

    small, small_rows = queries_for(client, f"/failures/?per_page=25{extra}")
    large, large_rows = queries_for(client, f"/failures/?per_page=100{extra}")

    if not extra:
        assert (small_rows, large_rows) == (25, 100)
    assert small == large
    assert small <= 20
