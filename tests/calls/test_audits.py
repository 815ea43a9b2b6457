"""The quality audit list: scoped by client, filtered, sorted, exported."""

import csv
import io
from datetime import UTC, datetime

import pytest

from apps.calls.models import QualityAudit
from tests.factories import TeamMembershipFactory, UserFactory
from tests.factories_calls import CallFactory, QualityAuditFactory

pytestmark = pytest.mark.django_db

HEADER = [
    "Scored at", "Call", "Client", "Agent", "Auditor", "Greeting", "Tone", "Accuracy",
    "Script / compliance", "Resolution", "Empathy", "Total %", "Pass mark %", "Passed",
    "Coaching needed", "Comments",
]  # fmt: skip


def at(day: int) -> datetime:
    return datetime(2026, 3, day, 10, tzinfo=UTC)


@pytest.fixture
def audits(world):
    a_call = CallFactory(client=world.client_a, assignee=world.agent)
    b_call = CallFactory(client=world.client_b, assignee=world.agent_b)
    low = dict.fromkeys(QualityAudit.SCORE_FIELDS, 2)
    return {
        "pass": QualityAuditFactory(call=a_call, auditor=world.auditor, scored_at=at(1)),
        "fail": QualityAuditFactory(
            call=a_call, auditor=world.lead, scored_at=at(2), coaching_needed=True,
            total_percent=QualityAudit.total_of(low), passed=False, comments="Rushed.", **low,
        ),
        "other": QualityAuditFactory(call=b_call, auditor=world.admin, scored_at=at(3)),
    }  # fmt: skip


def csv_table(response) -> list[list[str]]:
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode("utf-8").removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(content)))


@pytest.mark.parametrize(
    ("query", "wanted"),
    [
        ("", ["fail", "pass"]),
        ("passed=true", ["pass"]),
        ("passed=false", ["fail"]),
        ("coaching_needed=true", ["fail"]),
        ("auditor={lead}", ["fail"]),
        ("scored_from=2026-03-02", ["fail"]),
        ("scored_to=2026-03-01", ["pass"]),
        ("client={client_a}", ["fail", "pass"]),
        ("sort=total_percent", ["fail", "pass"]),
        ("sort=-total_percent", ["pass", "fail"]),
    ],
)
def test_the_auditor_lists_and_exports_the_audits_of_their_clients(
    world, client, audits, query, wanted
):
    query = query.format(lead=world.lead.pk, client_a=world.client_a.pk)
    client.force_login(world.auditor)

    listed = client.get(f"/calls/audits/?{query}").context["page"].rows
    exported = csv_table(client.get(f"/calls/audits/?{query}&_export=csv"))

    assert [audit.pk for audit in listed] == [audits[key].pk for key in wanted]
    assert exported[0] == HEADER
    assert sorted(line[1] for line in exported[1:]) == sorted(
        audits[key].call.reference for key in wanted
    )


def test_export_cells(world, client, audits):
    client.force_login(world.lead)

    header, *lines = csv_table(client.get("/calls/audits/?passed=false&_export=csv"))

    line = dict(zip(header, lines[0], strict=True))
    assert (line["Client"], line["Agent"], line["Auditor"]) == ("acme", "agent", "lead")
    assert (line["Total %"], line["Passed"], line["Coaching needed"]) == ("40.00", "no", "yes")
    assert line["Comments"] == "Rushed."


def test_xlsx_export(world, client, audits):
    import openpyxl

    client.force_login(world.auditor)
    response = client.get("/calls/audits/?_export=xlsx")

    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert list(rows[0]) == HEADER
    assert len(rows) == 3


def test_administrators_see_every_clients_audits(world, client, audits):
    client.force_login(world.admin)

    listed = client.get("/calls/audits/").context["page"].rows

    assert len(listed) == 3


def test_a_lead_of_another_client_sees_none_of_client_a(world, client, audits):
    lead_b = UserFactory(username="lead_b", role="Team lead")
    TeamMembershipFactory(team=world.team_b1, user=lead_b)
    client.force_login(lead_b)

    listed = client.get("/calls/audits/").context["page"].rows
    exported = csv_table(client.get("/calls/audits/?_export=csv"))
    refused = client.get(f"/calls/audits/?client={world.client_a.pk}&_export=csv")

    assert [audit.pk for audit in listed] == [audits["other"].pk]
    assert [line[2] for line in exported[1:]] == ["globex"]
    assert refused.status_code == 400


def test_agents_have_no_audit_list(world, client, audits):
    client.force_login(world.agent)

    assert client.get("/calls/audits/").status_code == 403
    assert client.get("/calls/audits/?_export=csv").status_code == 403
