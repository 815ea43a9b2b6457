"""Exports (?_export=csv|xlsx on the list URL) and what an outsider can reach of the list."""

import csv
import html
import io
import re
from datetime import UTC, datetime

import openpyxl
import pytest
from django.http import StreamingHttpResponse

from apps.core import roles
from apps.core.choices import Status
from apps.interruptions.models import Interruption
from tests.background_jobs import exported
from tests.factories import InterruptionFactory, TeamMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = [
    "Reference", "Client", "Kind", "Title", "Severity", "Status", "Affected services",
    "Started at", "Ended at", "Assignee", "Team", "Reported by", "Customers affected",
    "Agents affected", "Impact", "Root cause", "Root-cause analysis", "Corrective actions",
    "Resolution", "Channel", "Vendor", "Vendor ticket", "Error code", "Planned start",
    "Planned end", "Resolved at", "Breached at", "Closed at", "Created at",
]  # fmt: skip
FORMULAS = ["=cmd|' /C calc'!A0", "+SUM(A1:A9)", "-2+3", "@HYPERLINK(0)"]


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)


@pytest.fixture
def lead_b(world):
    """A team lead who works only for client B (and so may export its records)."""
    user = UserFactory(username="lead_b", role=roles.TEAM_LEAD)
    TeamMembershipFactory(team=world.team_b1, user=user)
    return user


@pytest.fixture
def rows(world):
    crm, tel = world.service_a, world.service_a2
    made = {
        "a1": InterruptionFactory(
            client=world.client_a, kind="incident", severity="SEV1", status=Status.NEW,
            title="CRM login failing", occurred_at=at(1), ended_at=at(1, 12),
            assignee=world.agent, team=world.team_a1, reported_by=world.agent,
            customers_affected=40, affected_services=[crm, tel],
        ),
        "a2": InterruptionFactory(
            client=world.client_a, kind="communication", severity="SEV1",
            status=Status.IN_PROGRESS, title="Carrier dropping calls", occurred_at=at(2),
            channel="voice", affected_services=[tel],
        ),
        "a3": InterruptionFactory(
            client=world.client_a, kind="third_party", severity="SEV2", status=Status.NEW,
            title="Vendor API errors", occurred_at=at(3), vendor="Zendesk",
            vendor_ticket_reference="ZD-991", root_cause_category="third_party",
        ),
        "a4": InterruptionFactory(
            client=world.client_a, kind="incident", severity="SEV1", status=Status.NEW,
            title="Softphones freezing", occurred_at=at(4),
        ),
        "b1": InterruptionFactory(
            client=world.client_b, kind="incident", severity="SEV1", status=Status.NEW,
            title="CRM login failing at Globex", occurred_at=at(1),
            affected_services=[world.service_b],
        ),
        "b2": InterruptionFactory(
            client=world.client_b, kind="outage", severity="SEV3", status=Status.NEW,
            title="Globex IVR outage", occurred_at=at(5),
        ),
    }  # fmt: skip
    return made


def expected_references(**filters) -> list[str]:
    queryset = Interruption.objects.filter(**filters).order_by("-occurred_at", "-id")
    return list(queryset.values_list("reference", flat=True))


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def xlsx_rows(response) -> list[list]:
    assert response.status_code == 200
    # Reading the stream to its end closes the response and its temporary file.
    data = b"".join(response.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def by_reference(table: list[list]) -> dict[str, dict]:
    header, *lines = table
    return {line[0]: dict(zip(header, line, strict=True)) for line in lines}


# --- CSV -----------------------------------------------------------------------------------


def test_csv_streams_every_row_the_user_may_see(world, client, rows):
    client.force_login(world.auditor)

    response = client.get("/interruptions/?_export=csv")

    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="interruptions-\d{8}-\d{4}\.csv"', response["Content-Disposition"]
    )
    table = csv_rows(response)
    assert table[0] == HEADER
    assert [line[0] for line in table[1:]] == expected_references(client=world.client_a)
    a1 = by_reference(table)[rows["a1"].reference]
    assert a1["Client"] == "acme"
    assert a1["Kind"] == "Incident"
    assert a1["Severity"] == "SEV1"
    assert a1["Status"] == "New"
    assert sorted(a1["Affected services"].split(", ")) == ["CRM", "Telephony platform"]
    assert a1["Started at"] == "2026-03-01 10:00:00"
    assert a1["Ended at"] == "2026-03-01 12:00:00"
    assert a1["Assignee"] == "agent"
    assert a1["Team"] == "Acme Frontline"
    assert a1["Customers affected"] == "40"
    assert a1["Agents affected"] == ""
    a3 = by_reference(table)[rows["a3"].reference]
    assert (a3["Vendor"], a3["Vendor ticket"]) == ("Zendesk", "ZD-991")
    assert a3["Root cause"] == "Third party / vendor"
    assert a3["Affected services"] == ""


@pytest.mark.parametrize(
    ("query", "filters"),
    [
        ("severity=SEV1&status=new", {"severity": "SEV1", "status": "new"}),
        ("kind=incident&kind=third_party", {"kind__in": ["incident", "third_party"]}),
        ("q=crm", {"title__icontains": "crm"}),
        ("occurred_from=2026-03-02&occurred_to=2026-03-03",
         {"occurred_at__gte": at(2, 0), "occurred_at__lt": at(4, 0)}),
        ("severity=SEV4", {"severity": "SEV4"}),
    ],
)  # fmt: skip
def test_csv_holds_exactly_the_filtered_rows(world, client, rows, query, filters):
    client.force_login(world.auditor)

    table = csv_rows(client.get(f"/interruptions/?{query}&_export=csv"))

    assert [line[0] for line in table[1:]] == expected_references(client=world.client_a, **filters)


def test_csv_keeps_formula_like_titles_as_text(world, client):
    for title in [*FORMULAS, "Plain title"]:
        InterruptionFactory(client=world.client_a, title=title)
    client.force_login(world.auditor)

    titles = [line[3] for line in csv_rows(client.get("/interruptions/?_export=csv"))[1:]]

    assert sorted(titles) == sorted(["'" + title for title in FORMULAS] + ["Plain title"])


# --- XLSX ----------------------------------------------------------------------------------


def test_xlsx_holds_exactly_the_filtered_rows(world, client, rows):
    client.force_login(world.auditor)

    response = exported(client, "/interruptions/?severity=SEV1&_export=xlsx")

    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert 'filename="interruptions-' in response["Content-Disposition"]
    table = xlsx_rows(response)
    assert table[0] == HEADER
    assert [line[0] for line in table[1:]] == expected_references(
        client=world.client_a, severity="SEV1"
    )
    a1 = by_reference(table)[rows["a1"].reference]
    assert a1["Started at"] == datetime(2026, 3, 1, 10, 0)
    assert a1["Customers affected"] == 40
    assert a1["Status"] == "New"
    a2 = by_reference(table)[rows["a2"].reference]
    assert (a2["Channel"], a2["Ended at"]) == ("Voice", None)


def test_xlsx_neutralises_formula_like_titles_as_the_csv_does(world, client):
    for title in FORMULAS:
        InterruptionFactory(client=world.client_a, title=title)
    client.force_login(world.auditor)
    response = exported(client, "/interruptions/?_export=xlsx")
    data = b"".join(response.streaming_content)

    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    cells = [sheet.cell(row=line, column=4) for line in range(2, sheet.max_row + 1)]

    # Text cells, and the same apostrophe as the CSV: pasted or re-saved as CSV, they stay text.
    assert sorted(cell.value for cell in cells) == sorted("'" + title for title in FORMULAS)
    assert {cell.data_type for cell in cells} == {"s"}


# --- refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_agents_may_not_export(world, client, rows, export_format):
    client.force_login(world.agent)

    response = client.get(f"/interruptions/?_export={export_format}")

    assert response.status_code == 403
    assert rows["a1"].reference not in response.content.decode()


def test_list_offers_export_links_only_to_those_who_may_export(world, client, rows):
    for user, offered in [(world.auditor, True), (world.lead, True), (world.agent, False)]:
        client.force_login(user)
        content = html.unescape(client.get("/interruptions/?severity=SEV1").content.decode())
        assert ("?severity=SEV1&_export=csv" in content) is offered
        assert ("?severity=SEV1&_export=xlsx" in content) is offered


@pytest.mark.parametrize("export_format", ["pdf", "CSV", "json"])
def test_unknown_format_is_a_bad_request(world, client, rows, export_format):
    client.force_login(world.auditor)

    response = client.get(f"/interruptions/?_export={export_format}")

    assert response.status_code == 400
    assert "Export as csv or xlsx." in response.content.decode()


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
@pytest.mark.parametrize("query", ["occurred_from=notadate", "severity=SEV9", "client={client_b}"])
def test_invalid_filters_export_nothing(world, client, rows, export_format, query):
    client.force_login(world.auditor)

    response = client.get(
        f"/interruptions/?{query.format(client_b=world.client_b.pk)}&_export={export_format}"
    )

    assert response.status_code == 400
    content = response.content.decode()
    assert content.startswith("These filters are not valid, so nothing was exported")
    assert not any(record.reference in content for record in rows.values())


# --- the outsider --------------------------------------------------------------------------


def listed(response) -> list[str]:
    assert response.status_code == 200
    return re.findall(
        r'<td ><a href="/interruptions/(INT-\d{4}-\d{6})/">', response.content.decode()
    )


def test_outsider_list_and_search_show_only_their_client(world, client, rows):
    client.force_login(world.agent_b)
    a1 = rows["a1"].reference

    assert listed(client.get("/interruptions/")) == [rows["b2"].reference, rows["b1"].reference]
    assert listed(client.get(f"/interruptions/?q={a1}")) == []
    assert listed(client.get("/interruptions/?q=crm")) == [rows["b1"].reference]
    assert listed(client.get("/interruptions/?severity=SEV1&sort=title")) == [rows["b1"].reference]
    # A search is counted live, in the figures' own request.
    figures = client.get(f"/interruptions/?q={a1}&_figures=1", headers={"HX-Request": "true"})
    assert re.search(r'id="row-count"><strong>0</strong>', figures.content.decode())


def test_outsider_filter_choices_are_their_clients_only(world, client, rows):
    client.force_login(world.agent_b)

    content = client.get("/interruptions/").content.decode()

    def options(name):
        block = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', content, re.S).group(1)
        return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', block)

    assert options("client") == [("", "---------"), (str(world.client_b.pk), "Globex Telecom")]
    assert options("service") == [("", "---------"), (str(world.service_b.pk), "IVR")]
    assert options("team") == [("", "---------"), (str(world.team_b1.pk), "Globex Frontline (T1)")]
    # People are named as the forms name them: full name, then username.
    assignee = f"{world.agent_b.get_full_name()} (agent_b)"
    assert options("assignee") == [("", "---------"), (str(world.agent_b.pk), assignee)]


def test_outsider_home_counts_only_their_clients_open_records(world, client, rows):
    client.force_login(world.agent_b)

    content = client.get("/").content.decode()

    assert _open_counter(content) == "2"
    client.force_login(world.lead)
    assert _open_counter(client.get("/").content.decode()) == "4"


def _open_counter(content: str) -> str:
    return re.search(r">Open</a> <strong>(\d+)</strong>", content).group(1)


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_outsider_exports_never_hold_another_clients_records(
    world, client, rows, lead_b, export_format
):
    client.force_login(lead_b)
    read = csv_rows if export_format == "csv" else xlsx_rows

    everything = read(exported(client, f"/interruptions/?_export={export_format}"))
    searched = read(
        exported(client, f"/interruptions/?q={rows['a1'].reference}&_export={export_format}")
    )

    assert [line[0] for line in everything[1:]] == expected_references(client=world.client_b)
    assert {line[1] for line in everything[1:]} == {"globex"}
    assert searched == [HEADER]
