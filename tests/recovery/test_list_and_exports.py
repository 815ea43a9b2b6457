"""The recovery case list: filters, sorting, bulk actions and exports equal to the rows."""

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from apps.core.choices import Status
from apps.core.listing.copy_export import _copy_lines
from apps.core.listing.exports import _csv_lines, csv_header
from apps.core.services.links import record_link
from apps.recovery.exports import EXPORT_COLUMNS, with_export_annotations
from apps.recovery.models import RecoveryCase
from tests.background_jobs import exported
from tests.factories import InterruptionFactory
from tests.factories_recovery import (
    RecoveryActionFactory,
    RecoveryCaseFactory,
    RecoveryFeedbackFactory,
    RecoveryInteractionFactory,
    RecoveryResolutionFactory,
)

pytestmark = pytest.mark.django_db

HEADER = [
    "Reference", "Client", "Title", "Nature of issue", "Severity", "Status", "Customer",
    "Account reference", "Occurred at", "Initial customer feedback", "Caused by", "Owner",
    "Team", "Reported by", "Interactions", "Actions", "Final resolution",
    "Customer confirmed", "Confirmed at", "Could not be reached", "Follow-up at",
    "Latest satisfaction (1-5)", "Latest likelihood to return (0-10)",
    "Customer satisfied (latest word)", "Recovered", "Resolved at", "Breached at", "Closed at",
    "Created at",
]  # fmt: skip


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)


@pytest.fixture
def rows(world, action_types):
    a = world.client_a
    made = {
        "a1": RecoveryCaseFactory(
            client=a, title="Parcel lost", nature="delivery_problem", severity="SEV1",
            customer_name="Jane Doe", account_reference="ZZ-42", occurred_at=at(1),
            team=world.team_a1, assignee=world.agent, reported_by=world.agent,
        ),
        "a2": RecoveryCaseFactory(
            client=a, title="Charged twice", nature="service_error", status=Status.IN_PROGRESS,
            customer_name="Ahmed Khan", occurred_at=at(2), team=world.team_a2,
            assignee=world.lead,
        ),
        "a3": RecoveryCaseFactory(
            client=a, title="Rude agent", nature="negative_experience", status=Status.RESOLVED,
            customer_name="Maria Garcia", occurred_at=at(3), resolved_at=at(4),
        ),
        "a4": RecoveryCaseFactory(
            client=a, title="Logged twice", status=Status.CANCELLED, cancel_reason="Duplicate.",
            customer_name="Wei Zhang", occurred_at=at(5),
        ),
        "b1": RecoveryCaseFactory(client=world.client_b, title="Globex roaming", occurred_at=at(2)),
    }  # fmt: skip
    a1, a2 = made["a1"], made["a2"]
    origin = InterruptionFactory(client=a, title="Courier API down")
    record_link(a1, origin, relation="caused_by", actor=world.agent)
    made["origin"] = origin
    RecoveryInteractionFactory(case=a1, recorded_by=world.agent, customer_satisfied="yes")
    RecoveryActionFactory(
        case=a1, recorded_by=world.agent, action_type=action_types["refund"],
        amount=Decimal("10.00"), currency="GBP",
    )  # fmt: skip
    RecoveryActionFactory(case=a1, recorded_by=world.agent, action_type=action_types["apology"])
    RecoveryResolutionFactory(
        case=a1, final_resolution="Refunded and re-sent.", customer_confirmed=True,
        confirmed_at=at(3, 9), follow_up_done=True, follow_up_at=at(6),
    )  # fmt: skip
    RecoveryFeedbackFactory(case=a1, recorded_by=world.agent, satisfaction=5, at=at(6))
    RecoveryFeedbackFactory(
        case=a1, recorded_by=world.agent, satisfaction=5, likelihood_to_return=9, at=at(7)
    )
    RecoveryResolutionFactory(case=a2, final_resolution="Refund pending.")
    RecoveryFeedbackFactory(
        case=a2, recorded_by=world.lead, satisfaction=5, likelihood_to_return=8, at=at(3)
    )
    RecoveryFeedbackFactory(
        case=a2, recorded_by=world.lead, satisfaction=2, likelihood_to_return=None, at=at(4)
    )
    return made


def expected(world, condition: Q) -> list[str]:
    queryset = RecoveryCase.objects.filter(condition, client=world.client_a)
    return list(queryset.order_by("-occurred_at", "-id").values_list("reference", flat=True))


def csv_table(response) -> list[list[str]]:
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode("utf-8").removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(content)))


@pytest.mark.parametrize(
    ("query", "condition"),
    [
        ("", Q()),
        ("nature=service_error&nature=negative_experience",
         Q(nature__in=["service_error", "negative_experience"])),
        ("confirmed=true", Q(resolution__customer_confirmed=True)),
        ("confirmed=false", ~Q(resolution__customer_confirmed=True)),
        ("recovered=true", Q(title="Parcel lost")),
        ("recovered=false", ~Q(title="Parcel lost")),
        ("q=zz-42", Q(account_reference="ZZ-42")),
        ("q=maria", Q(customer_name="Maria Garcia")),
        ("q=charged", Q(title="Charged twice")),
        ("assignee={agent}", Q(assignee__username="agent")),
        ("team={team_a2}", Q(team__name="Acme Technical")),
        ("client={client_a}", Q()),
        ("occurred_from=2026-03-02&occurred_to=2026-03-03",
         Q(occurred_at__gte=at(2, 0), occurred_at__lt=at(4, 0))),
        ("severity=SEV1&status=new", Q(severity="SEV1", status="new")),
        ("status=cancelled", Q(status="cancelled")),
    ],
)  # fmt: skip
def test_csv_export_equals_the_filtered_list(world, client, rows, query, condition):
    client.force_login(world.auditor)
    url = "/recovery/?" + query.format(
        agent=world.agent.pk, team_a2=world.team_a2.pk, client_a=world.client_a.pk
    )

    listed = client.get(url).context["page"].rows
    table = csv_table(client.get(f"{url}&_export=csv"))

    want = expected(world, condition)
    assert table[0] == HEADER
    assert [line[0] for line in table[1:]] == want
    assert [row.reference for row in listed] == want


def test_csv_cells_hold_the_outcome_of_each_case(world, client, rows):
    client.force_login(world.lead)

    header, *lines = csv_table(client.get("/recovery/?_export=csv"))

    by_reference = {line[0]: dict(zip(header, line, strict=True)) for line in lines}
    a1 = by_reference[rows["a1"].reference]
    assert (a1["Client"], a1["Nature of issue"], a1["Status"]) == (
        "acme",
        "Delivery problem",
        "New",
    )
    assert (a1["Customer"], a1["Account reference"], a1["Caused by"]) == (
        "Jane Doe",
        "ZZ-42",
        rows["origin"].reference,
    )
    assert (a1["Owner"], a1["Team"], a1["Reported by"]) == ("agent", "Acme Frontline", "agent")
    assert (a1["Interactions"], a1["Actions"], a1["Customer satisfied (latest word)"]) == (
        "1",
        "2",
        "Yes",
    )
    assert (a1["Final resolution"], a1["Customer confirmed"], a1["Confirmed at"]) == (
        "Refunded and re-sent.",
        "Yes",
        "2026-03-03 09:00:00",
    )
    assert a1["Follow-up at"] == "2026-03-06 10:00:00"
    assert (a1["Latest satisfaction (1-5)"], a1["Latest likelihood to return (0-10)"]) == (
        "5",
        "9",
    )
    assert a1["Recovered"] == "Yes"
    a2 = by_reference[rows["a2"].reference]
    assert (a2["Customer confirmed"], a2["Latest satisfaction (1-5)"], a2["Recovered"]) == (
        "No",
        "2",
        "No",
    )
    assert a2["Customer satisfied (latest word)"] == "No"
    # The latest feedback left it unanswered: the latest answer is the earlier one's.
    assert a2["Latest likelihood to return (0-10)"] == "8"
    a3 = by_reference[rows["a3"].reference]
    assert (a3["Caused by"], a3["Interactions"], a3["Actions"], a3["Final resolution"]) == (
        "",
        "0",
        "0",
        "",
    )
    assert (a3["Customer confirmed"], a3["Latest satisfaction (1-5)"], a3["Recovered"]) == (
        "No",
        "",
        "No",
    )
    assert a3["Customer satisfied (latest word)"] == ""  # nobody asked yet


def test_copy_export_equals_the_row_writer(rows):
    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    queryset = with_export_annotations(RecoveryCase.objects.order_by("-occurred_at", "-id"))

    by_rows = list(csv.reader(io.StringIO("".join(_csv_lines(queryset, EXPORT_COLUMNS)))))
    by_copy = list(
        csv.reader(
            io.StringIO(
                b"".join(_copy_lines(queryset, EXPORT_COLUMNS, csv_header(EXPORT_COLUMNS)))
                .decode()
                .removeprefix("\ufeff")
            )
        )
    )
    by_rows[0][0] = by_rows[0][0].removeprefix("\ufeff")

    assert len(by_rows) == 6
    assert by_copy == by_rows


def test_xlsx_export_equals_the_filtered_list(world, client, rows):
    client.force_login(world.auditor)

    response = exported(client, "/recovery/?confirmed=true&_export=xlsx")

    data = b"".join(response.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    header, *lines = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert header == HEADER
    assert [line[0] for line in lines] == [rows["a1"].reference]
    assert lines[0][HEADER.index("Actions")] == 2
    assert lines[0][HEADER.index("Customer confirmed")] == "Yes"


def test_export_takes_one_query_whatever_the_rows(world, client, rows):
    client.force_login(world.auditor)
    client.get("/recovery/?_export=csv")

    with CaptureQueriesContext(connection) as captured:
        table = csv_table(client.get("/recovery/?_export=csv"))
    few = len(captured.captured_queries)
    for number in range(10):
        RecoveryActionFactory(case=rows["a3"], recorded_by=world.agent)
        RecoveryCaseFactory(client=world.client_a, occurred_at=at(10 + number))
    with CaptureQueriesContext(connection) as captured:
        more = csv_table(client.get("/recovery/?_export=csv"))

    assert (len(table), len(more)) == (5, 15)
    assert len(captured.captured_queries) == few


def test_list_shows_outcome_columns_and_sorts_by_nature(world, client, rows):
    client.force_login(world.lead)

    response = client.get("/recovery/?sort=nature")

    content = response.content.decode()
    references = [row.reference for row in response.context["page"].rows]
    assert references[0] == rows["a1"].reference  # delivery_problem sorts first
    assert content.count('badge text-bg-success">confirmed') == 1
    assert "5/5" in content and "2/5" in content
    assert rows["b1"].reference not in content


def test_bulk_status_change_from_the_list(world, client, rows):
    client.force_login(world.lead)

    response = client.post(
        "/recovery/bulk/",
        {
            "selection": [rows["a1"].pk, rows["b1"].pk],
            "action": "status",
            "status": "in_progress",
        },
    )

    assert response.status_code == 302
    for key, status in (("a1", Status.IN_PROGRESS), ("b1", Status.NEW)):
        rows[key].refresh_from_db()
        assert rows[key].status == status


def test_agent_has_no_bulk_actions(world, client, rows):
    client.force_login(world.agent)

    response = client.post(
        "/recovery/bulk/",
        {"selection": [rows["a1"].pk], "action": "status", "status": "in_progress"},
    )

    assert response.status_code == 403
    rows["a1"].refresh_from_db()
    assert rows["a1"].status == Status.NEW


def test_bulk_assign_an_owner(world, client, rows):
    client.force_login(world.lead)

    client.post(
        "/recovery/bulk/",
        {"selection": [rows["a3"].pk], "action": "assign", "assignee": world.lead.pk},
    )

    rows["a3"].refresh_from_db()
    assert rows["a3"].assignee == world.lead


def test_measure_links_keep_the_list_filters(world, client, rows):
    client.force_login(world.lead)

    response = client.get("/recovery/?nature=service_error")

    measures = {item.label: item for item in response.context["measures"]}
    assert measures["Open"].value == 1
    assert "nature=service_error" in measures["Open"].href
