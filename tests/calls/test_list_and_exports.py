"""The call list: filters, exports equal to the filtered rows, masking per permission."""

import csv
import html
import io
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest

from apps.calls.models import Call, Direction, Outcome, Sentiment
from apps.core.choices import Status
from tests.background_jobs import exported
from tests.factories_calls import CallFactory, DispositionFactory, QueryCategoryFactory

pytestmark = pytest.mark.django_db

HEADER = [
    "Reference", "Client", "Direction", "Title", "Severity", "Status", "Started at",
    "Answered at", "Ended at", "Wait (s)", "Talk (s)", "Caller number", "Customer name",
    "Account reference", "Agent", "Team", "Queue / campaign", "Query category", "Disposition",
    "Outcome", "Sentiment", "Description", "Resolution", "Escalation notes", "Follow-up due",
    "Follow-up of", "External call id", "QA score %", "Reported by", "Resolution due",
    "Resolved at", "Breached at", "Closed at", "Created at",
]  # fmt: skip


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)


@pytest.fixture
def rows(world):
    no_answer = DispositionFactory(code="no-answer", label="No answer")
    delivery = QueryCategoryFactory(code="delivery", label="Delivery")
    return {
        "a1": CallFactory(
            client=world.client_a, title="Bill went up", occurred_at=at(1),
            caller_number="+44 20 7946 0958", customer_name="Jane Doe",
            sentiment=Sentiment.NEGATIVE, assignee=world.agent, team=world.team_a1,
            external_call_id="GEN-0001", severity="SEV3",
        ),
        "a2": CallFactory(
            client=world.client_a, title="Parcel late", occurred_at=at(2),
            direction=Direction.OUTBOUND, query_category=delivery,
            outcome=Outcome.FOLLOW_UP, follow_up_due=at(3), sentiment=Sentiment.NEUTRAL,
            caller_number="+1 212 555 0147", customer_name="Ahmed Khan",
            external_call_id="GEN-0002",
        ),
        "a3": CallFactory(
            client=world.client_a, title="=HYPERLINK(\"x\")", occurred_at=at(3),
            outcome=Outcome.MISSED, answered_at=None, talk_seconds=None, wait_seconds=None,
            disposition=no_answer, query_category=None, resolution="",
            caller_number="07700 900123", customer_name="", status=Status.CLOSED,
            closed_at=at(3, 11), external_call_id="GEN-0003",
        ),
        "b1": CallFactory(
            client=world.client_b, title="Globex roaming", occurred_at=at(1),
            caller_number="+1 646 555 0100", customer_name="Wei Zhang",
        ),
    }  # fmt: skip


def expected(world, **filters) -> list[str]:
    queryset = Call.objects.filter(client=world.client_a, **filters)
    return list(queryset.order_by("-occurred_at", "-id").values_list("reference", flat=True))


def csv_table(response) -> list[list[str]]:
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode("utf-8").removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(content)))


def xlsx_table(response) -> list[list]:
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [list(row) for row in book.active.iter_rows(values_only=True)]


@pytest.mark.parametrize(
    ("query", "filters"),
    [
        ("", {}),
        ("direction=outbound", {"direction": "outbound"}),
        ("outcome=missed&outcome=follow_up", {"outcome__in": ["missed", "follow_up"]}),
        ("disposition={no_answer}", {"disposition__code": "no-answer"}),
        ("query_category={delivery}", {"query_category__code": "delivery"}),
        ("sentiment=negative", {"sentiment": "negative"}),
        ("severity=SEV3", {"severity": "SEV3"}),
        ("status=closed", {"status": "closed"}),
        ("assignee={agent}", {"assignee__username": "agent"}),
        ("team={team}", {"team__name": "Acme Frontline"}),
        ("occurred_from=2026-03-02&occurred_to=2026-03-02", {"title": "Parcel late"}),
        ("q=gen-0002", {"external_call_id": "GEN-0002"}),
        ("q=bill", {"title": "Bill went up"}),
        ("client={client_a}", {}),
    ],
)
def test_csv_export_equals_the_filtered_list(world, client, rows, query, filters):
    query = query.format(
        no_answer=rows["a3"].disposition_id,
        delivery=rows["a2"].query_category_id,
        agent=world.agent.pk,
        team=world.team_a1.pk,
        client_a=world.client_a.pk,
    )
    client.force_login(world.auditor)
    url = f"/calls/?{query}"

    listed = client.get(url).context["page"].rows
    table = csv_table(client.get(f"{url}&_export=csv"))

    assert table[0] == HEADER
    want = expected(world, **filters)
    assert [line[0] for line in table[1:]] == want
    assert sorted(row.reference for row in listed) == sorted(want)


def test_xlsx_export_equals_the_csv_export(world, client, rows):
    client.force_login(world.lead)

    from_csv = csv_table(client.get("/calls/?direction=inbound&_export=csv"))
    from_xlsx = xlsx_table(exported(client, "/calls/?direction=inbound&_export=xlsx"))

    assert from_xlsx[0] == HEADER
    assert [row[0] for row in from_xlsx[1:]] == [line[0] for line in from_csv[1:]]
    assert len(from_xlsx) == 3


def cells(table: list[list], reference: str) -> dict:
    header, *lines = table
    return dict(zip(header, next(line for line in lines if line[0] == reference), strict=True))


def test_csv_cells(world, client, rows):
    client.force_login(world.lead)

    table = csv_table(client.get("/calls/?_export=csv"))

    a1, a3 = cells(table, rows["a1"].reference), cells(table, rows["a3"].reference)
    assert (a1["Client"], a1["Direction"], a1["Outcome"], a1["Sentiment"]) == (
        "acme",
        "Inbound",
        "Resolved on the call",
        "Negative",
    )
    assert (a1["Wait (s)"], a1["Talk (s)"], a1["Agent"]) == ("30", "300", "agent")
    assert a1["Query category"] == "Billing and payments"
    assert a1["Caller number"] == "'+44 20 7946 0958"  # the formula guard
    assert a3["Title"] == '\'=HYPERLINK("x")'
    assert a3["Answered at"] == ""


# --- personal data in lists and exports ----------------------------------------------------


def test_the_auditor_sees_caller_and_customer_masked_in_the_list(world, client, rows):
    client.force_login(world.auditor)

    content = html.unescape(client.get("/calls/").content.decode())

    assert "Jane Doe" not in content and "Ahmed Khan" not in content
    assert "7946 0958" not in content
    assert "•••• 0958" in content
    assert "•••• 0147" in content
    assert "Callers' numbers and names are masked" in content


def test_the_lead_sees_them_in_the_list(world, client, rows):
    client.force_login(world.lead)

    content = html.unescape(client.get("/calls/").content.decode())

    assert "Jane Doe" in content
    assert "+44 20 7946 0958" in content


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_exports_mask_personal_data_for_the_auditor(world, client, rows, export_format):
    reader = csv_table if export_format == "csv" else xlsx_table
    client.force_login(world.auditor)
    masked = reader(exported(client, f"/calls/?_export={export_format}"))
    client.force_login(world.lead)
    plain = reader(exported(client, f"/calls/?_export={export_format}"))

    def people(table, key):
        line = cells(table, rows[key].reference)
        return line["Caller number"], line["Customer name"] or ""

    assert people(masked, "a1") == ("•••• 0958", "••••")
    assert people(masked, "a2") == ("•••• 0147", "••••")
    assert people(masked, "a3") == ("•••• 0123", "")
    text = str(masked)
    assert "Jane Doe" not in text and "Ahmed Khan" not in text and "7946 0958" not in text
    assert people(plain, "a1")[1] == "Jane Doe"
    assert people(plain, "a1")[0].endswith("+44 20 7946 0958")


def test_another_clients_filter_is_refused_not_exported(world, client, rows):
    client.force_login(world.auditor)

    listed = client.get(f"/calls/?client={world.client_b.pk}")
    exported = client.get(f"/calls/?client={world.client_b.pk}&_export=csv")

    assert list(listed.context["page"].rows) == []
    assert exported.status_code == 400
    assert b"Globex" not in exported.content


def test_the_row_writer_masks_as_the_copy_export_does(world, rows):
    """CSV goes through COPY on PostgreSQL and the row writer elsewhere: same cells."""
    from apps.calls.views.calls import EXPORT_COLUMNS
    from apps.core.listing.exports import csv_header, export_rows

    queryset = (
        Call.objects.for_user(world.auditor)
        .with_personal_data(world.auditor)
        .order_by("-occurred_at", "-id")
    )
    rows_written = list(export_rows(queryset, EXPORT_COLUMNS))

    columns = csv_header(EXPORT_COLUMNS).removeprefix("\ufeff").strip().split(",")
    caller = columns.index("Caller number")
    assert [row[caller] for row in rows_written] == ["•••• 0123", "•••• 0147", "•••• 0958"]


def test_search_finds_callers_only_for_who_may_see_them(world, client, rows):
    client.force_login(world.lead)
    lead_by_number = client.get("/calls/?q=7946 0958").context["page"].rows
    lead_by_name = client.get("/calls/?q=jane").context["page"].rows
    client.force_login(world.auditor)
    auditor_by_number = client.get("/calls/?q=7946 0958").context["page"].rows
    auditor_by_tail = client.get("/calls/?q=0958").context["page"].rows
    auditor_by_name = client.get("/calls/?q=jane").context["page"].rows
    auditor_export = csv_table(client.get("/calls/?q=0958&_export=csv"))

    assert [row.reference for row in lead_by_number] == [rows["a1"].reference]
    assert [row.reference for row in lead_by_name] == [rows["a1"].reference]
    assert (auditor_by_number, auditor_by_tail, auditor_by_name) == ([], [], [])
    assert len(auditor_export) == 1  # the header alone


def test_personal_columns_cannot_be_sorted(world, client, rows):
    client.force_login(world.lead)

    default = [row.pk for row in client.get("/calls/").context["page"].rows]

    for column in ("customer", "caller", "qa_score", "-talk_seconds"):
        rows_sorted = client.get(f"/calls/?sort={column}").context["page"].rows
        assert [row.pk for row in rows_sorted] == default, column


def test_bulk_actions_change_only_reachable_calls(world, client, rows):
    client.force_login(world.lead)

    response = client.post(
        "/calls/bulk/",
        {
            "selection": [rows["a1"].pk, rows["b1"].pk],
            "action": "status",
            "status": "in_progress",
            "next": "/calls/",
        },
    )

    assert response.status_code == 302
    rows["a1"].refresh_from_db()
    rows["b1"].refresh_from_db()
    assert (rows["a1"].status, rows["b1"].status) == ("in_progress", "new")


def test_agents_may_not_export_or_use_bulk_actions(world, client, rows):
    client.force_login(world.agent)

    assert client.get("/calls/?_export=csv").status_code == 403
    assert client.post("/calls/bulk/", {"selection": [rows["a1"].pk]}).status_code == 403


def test_a_late_page_by_cursor(world, client, rows):
    for minute in range(30):
        CallFactory(client=world.client_a, occurred_at=at(5) - timedelta(minutes=minute))
    client.force_login(world.lead)
    first = client.get("/calls/?per_page=25").context["page"]

    second = client.get(f"/calls/?per_page=25&after={first.next_cursor}").context["page"]

    assert len(first.rows) == 25
    assert len(second.rows) == 8
    assert not {row.pk for row in first.rows} & {row.pk for row in second.rows}


def test_search_is_served_by_the_two_trigram_indexes(world, rows):
    """The search expression must be the very one the migration indexed."""
    from django.db import connection

    from apps.calls.search import search

    if connection.vendor != "postgresql":
        pytest.skip("trigram indexes are PostgreSQL's")
    with connection.cursor() as cursor:
        # A table this small would be read whole; make the planner show what it would use.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        plan = search(Call.objects.order_by(), "7946 0958", personal=True).explain()

    assert "call_search_public_trgm" in plan
    assert "call_search_personal_trgm" in plan


def test_search_treats_wildcards_as_text(world, client, rows):
    client.force_login(world.lead)

    assert list(client.get("/calls/?q=%25").context["page"].rows) == []
    assert list(client.get("/calls/?q=_").context["page"].rows) == []
