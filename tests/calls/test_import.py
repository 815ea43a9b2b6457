"""Importing telephony exports: checked row by row, all or nothing, never twice."""

import csv
import io
from datetime import UTC, datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from apps.calls.importing import ImportMode, import_calls
from apps.calls.importing.columns import COLUMN_NAMES
from apps.calls.models import Call
from apps.core.choices import Status, TimelineKind
from apps.core.models import ReferenceSequence, TimelineEntry
from tests.background_jobs import run_followed
from tests.factories import TeamMembershipFactory, UserFactory
from tests.factories_calls import CallFactory

pytestmark = pytest.mark.django_db


def row(number: int, **overrides) -> dict:
    return {
        "external_call_id": f"GEN-{number:04d}",
        "client": "acme",
        "direction": "inbound",
        "started_at": "2026-03-02 09:00:00",
        "answered_at": "2026-03-02 09:00:40",
        "ended_at": "2026-03-02 09:06:40",
        "caller_number": "+44 20 7946 0958",
        "customer_name": "Jane Doe",
        "account_reference": "AC-1",
        "agent": "agent",
        "queue": "Billing",
        "query_category": "billing",
        "disposition": "resolved-first-contact",
        "outcome": "resolved",
        "sentiment": "positive",
        "title": "",
        "description": "Asked about a charge.",
        "resolution": "Explained it.",
        **overrides,
    }


def csv_bytes(rows: list[dict], columns=COLUMN_NAMES) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def run(content: bytes, actor, mode=ImportMode.ALL_OR_NOTHING):
    return import_calls(io.BytesIO(content), actor=actor, filename="calls.csv", mode=mode)


GOOD = [
    row(1),
    row(
        2, answered_at="", ended_at="2026-03-02 09:01:10", outcome="missed",
        disposition="no-answer", query_category="", resolution="", started_at="2026-03-02 09:01:00",
    ),
    row(
        3, direction="outbound", outcome="follow_up", disposition="callback-scheduled",
        follow_up_due="2026-03-03 10:00", started_at="2026-03-02T09:30:00+00:00",
        answered_at="2026-03-02T09:30:20+00:00", ended_at="2026-03-02T09:35:20+00:00",
        resolution="", title="Renewal callback",
    ),
]  # fmt: skip


def test_a_good_file_is_imported_with_history_and_timeline(world, codes):
    report = run(csv_bytes(GOOD), world.lead)

    assert (report.rows, report.created, report.skipped, report.error_count) == (3, 3, 0, 0)
    assert not report.failed
    calls = {call.external_call_id: call for call in Call.objects.all()}
    resolved, missed, follow_up = calls["GEN-0001"], calls["GEN-0002"], calls["GEN-0003"]
    # Naive times are the client's (London, GMT in March); an offset is kept as given.
    assert resolved.occurred_at == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert follow_up.occurred_at == datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    assert (resolved.wait_seconds, resolved.talk_seconds) == (40, 360)
    assert (resolved.status, resolved.closed_at) == (Status.CLOSED, resolved.ended_at)
    assert (missed.status, follow_up.status) == (Status.NEW, Status.NEW)
    assert resolved.title == "Inbound call · Billing and payments"
    assert missed.title == "Inbound call"
    assert follow_up.title == "Renewal callback"
    assert resolved.assignee == world.agent
    assert resolved.reported_by == world.lead
    assert resolved.query_category == codes["billing"]
    assert resolved.resolution_due == resolved.occurred_at.replace(day=5)  # SEV4: 72 h
    assert sorted(call.reference for call in calls.values()) == [
        call.reference for call in Call.objects.order_by("pk")
    ]
    for line, call in ((2, resolved), (3, missed), (4, follow_up)):
        (version,) = call.history.all()
        assert (version.history_type, version.history_user) == ("+", world.lead)
        assert version.history_change_reason == f"Imported from calls.csv, line {line}"
        (entry,) = TimelineEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Call), object_id=call.pk
        )
        assert (entry.kind, entry.actor, entry.client_id) == (
            TimelineKind.CREATED,
            world.lead,
            call.client_id,
        )
        assert f"line {line}" in entry.message
    resolved.full_clean()  # what was imported holds to the model's rules


def test_importing_the_same_file_again_creates_nothing(world, codes):
    run(csv_bytes(GOOD), world.lead)
    sequence = ReferenceSequence.objects.get(prefix="CALL").last_value

    again = run(csv_bytes(GOOD), world.lead)

    assert (again.created, again.skipped, again.error_count) == (0, 3, 0)
    assert again.skipped_rows == [(2, "GEN-0001"), (3, "GEN-0002"), (4, "GEN-0003")]
    assert Call.objects.count() == 3
    assert ReferenceSequence.objects.get(prefix="CALL").last_value == sequence


def test_a_file_overlapping_an_earlier_one_adds_only_the_new_calls(world, codes):
    CallFactory(client=world.client_a, external_call_id="GEN-0001")

    report = run(csv_bytes(GOOD), world.lead)

    assert (report.created, report.skipped) == (2, 1)
    assert Call.objects.count() == 3


BAD = [
    row(1),
    row(2, client="globex"),  # a client the lead does not work for
    row(3, client="nowhere"),  # a client that does not exist: the same words
    row(4, direction="sideways", outcome=""),
    row(5, ended_at="2026-03-02 08:00:00"),
    row(6, disposition="made-up"),
    row(7, agent="agent_b"),
    row(8, caller_number="1" * 40),
    row(1),  # the same call twice in one file
    row(10, started_at="yesterday"),
    row(11, wait_seconds="-3"),
    row(12),
]


def expected_errors() -> list[tuple[int, str]]:
    return [
        (3, "client “globex” is not one of your clients"),
        (4, "client “nowhere” is not one of your clients"),
        (5, "direction “sideways” is not one of inbound, outbound; outcome is missing"),
        (6, "ended_at: A call cannot end before it started."),
        (7, "disposition “made-up” is not an active code"),
        (8, "agent “agent_b” does not work for acme"),
        (9, "caller_number is longer than 32 characters"),
        (10, "external_call_id “GEN-0001” is already on line 2"),
        (11, "started_at “yesterday” is not a date and time like 2026-03-02 09:15:00"),
        (12, "wait_seconds cannot be negative"),
    ]


def test_bad_rows_are_reported_by_line_and_nothing_is_imported(world, codes):
    report = run(csv_bytes(BAD), world.lead)

    assert report.errors == expected_errors()
    assert (report.rows, report.valid, report.created) == (12, 2, 0)
    assert report.failed
    assert not Call.objects.exists()
    # The numbers taken for the file are given back: the next call is still number 1.
    assert not ReferenceSequence.objects.filter(prefix="CALL", last_value__gt=0).exists()


def test_the_valid_rows_may_be_imported_when_asked(world, codes):
    report = run(csv_bytes(BAD), world.lead, mode=ImportMode.VALID_ROWS)

    assert report.errors == expected_errors()
    assert report.created == 2
    assert not report.failed
    assert sorted(Call.objects.values_list("external_call_id", flat=True)) == [
        "GEN-0001",
        "GEN-0012",
    ]


def test_a_check_writes_nothing(world, codes):
    report = run(csv_bytes(GOOD), world.lead, mode=ImportMode.CHECK)

    assert (report.rows, report.valid, report.created, report.error_count) == (3, 3, 0, 0)
    assert not Call.objects.exists()


def test_line_numbers_count_the_lines_of_multi_line_cells(world, codes):
    content = csv_bytes([row(1, description="First line\nsecond line\nthird"), row(2, outcome="x")])

    report = run(content, world.lead)

    assert report.errors == [(5, "outcome “x” is not one of " + OUTCOMES)]


OUTCOMES = "resolved, escalated, follow_up, missed, dropped, voicemail"


def test_a_row_with_too_many_or_too_few_cells_is_reported(world, codes):
    content = csv_bytes([row(1)]) + b"GEN-0002,acme,inbound\n"

    report = run(content, world.lead)

    assert report.errors == [(3, f"the row has 3 cells, the header {len(COLUMN_NAMES)}")]


def test_blank_lines_and_extra_columns_are_ignored(world, codes):
    columns = [*COLUMN_NAMES, "recording_url"]
    content = csv_bytes([{**row(1), "recording_url": "https://x"}], columns) + b"\n\n"

    report = run(content, world.lead)

    assert (report.created, report.error_count) == (1, 0)
    assert report.ignored_columns == ["recording_url"]


def test_columns_may_come_in_any_order_with_a_byte_order_mark(world, codes):
    columns = list(reversed(COLUMN_NAMES))
    content = "\ufeff".encode() + csv_bytes([row(1)], columns)

    report = run(content, world.lead)

    assert report.created == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "not UTF-8 text"),
        (b"external_call_id,client,direction\nGEN-1,acme,inbound\n", "lacks the required"),
        (
            csv_bytes([row(1, customer_name="Zoë")]).decode().encode("latin-1"),
            "not UTF-8 text (line 2)",
        ),
        (b"external_call_id;client;direction;started_at;outcome\n", "semicolons"),
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xb5U0#\xf4\x00", "not UTF-8 text"),
        (
            b"external_call_id,client,direction,started_at,outcome,client\n",
            "appear twice in the header: client",
        ),
        (
            b'external_call_id,client,direction,started_at,outcome\nA,"acme"x,inbound\n',
            "not a readable CSV file (line 2)",
        ),
    ],
)
def test_a_malformed_file_changes_nothing(world, codes, content, message):
    CallFactory(client=world.client_a)
    before = (Call.objects.count(), ReferenceSequence.objects.get(prefix="CALL").last_value)

    report = run(content, world.lead)

    assert message in report.file_error
    assert report.failed and report.created == 0
    after = (Call.objects.count(), ReferenceSequence.objects.get(prefix="CALL").last_value)
    assert after == before


def test_a_crash_half_way_leaves_nothing_behind(world, codes, monkeypatch):
    from apps.calls.importing import runner
    from apps.core.bulk_insert import BulkTable

    monkeypatch.setattr(runner, "BATCH_SIZE", 2)
    real_insert = BulkTable.insert
    inserted = []

    def failing_insert(self, rows):
        if self.model is TimelineEntry and inserted:
            raise RuntimeError("database went away")
        written = real_insert(self, rows)
        if self.model is TimelineEntry:
            inserted.append(written)
        return written

    monkeypatch.setattr(BulkTable, "insert", failing_insert)

    with pytest.raises(RuntimeError):
        run(csv_bytes(GOOD), world.lead)

    assert not Call.objects.exists()
    assert not Call.history.exists()
    assert not TimelineEntry.objects.exists()


def test_a_lead_of_another_client_may_import_only_their_own(world, codes):
    lead_b = UserFactory(username="lead_b", role="Team lead")
    TeamMembershipFactory(team=world.team_b1, user=lead_b)

    report = run(csv_bytes([row(1), row(2, client="globex", agent="agent_b")]), lead_b)

    assert report.errors == [(2, "client “acme” is not one of your clients")]
    assert not Call.objects.exists()


def test_administrators_import_for_any_client(world, codes):
    rows = [row(1), row(2, client="globex", agent="agent_b"), row(3, client="globex", agent="")]

    report = run(csv_bytes(rows), world.admin)

    assert report.created == 3
    assert sorted(Call.objects.values_list("client__code", flat=True)) == [
        "acme",
        "globex",
        "globex",
    ]


# --- the page and the command --------------------------------------------------------------


def upload(client, content: bytes, mode=ImportMode.ALL_OR_NOTHING):
    """Upload, and if the import was queued, run it and open its page (with the report)."""
    response = client.post(
        "/calls/import/",
        {"file": SimpleUploadedFile("export.csv", content, "text/csv"), "mode": mode},
    )
    return run_followed(client, response)


def test_the_import_page_documents_the_columns(world, client):
    client.force_login(world.lead)

    content = client.get("/calls/import/").content.decode()
    template = client.get("/calls/import/template.csv")

    for name in COLUMN_NAMES:
        assert f"<code>{name}</code>" in content
    assert "nothing is imported if any row is invalid" in content
    header, example = list(csv.reader(io.StringIO(template.content.decode())))
    assert header == list(COLUMN_NAMES)
    assert len(example) == len(header)


def test_the_template_itself_imports(world, client, codes):
    client.force_login(world.lead)
    template = client.get("/calls/import/template.csv").content

    response = upload(client, template)

    assert response.context["report"]["created"] == 1


def test_a_lead_uploads_a_file(world, client, codes):
    client.force_login(world.lead)

    response = upload(client, csv_bytes(GOOD))

    content = response.content.decode()
    assert response.status_code == 200
    assert "<strong>3 created</strong>" in content
    assert Call.objects.count() == 3


def test_the_page_lists_bad_rows_by_line(world, client, codes):
    client.force_login(world.lead)

    response = upload(client, csv_bytes(BAD))

    content = response.content.decode()
    assert "Nothing was imported, because some rows are invalid." in content
    assert "<td>8</td><td>agent “agent_b” does not work for acme</td>" in content
    assert not Call.objects.exists()


def test_the_page_reports_a_malformed_file(world, client, codes):
    client.force_login(world.lead)

    response = upload(client, b"\xff\xfe\x00\x00garbage")

    assert "Nothing was imported. The file is not UTF-8 text" in response.content.decode()


@pytest.mark.parametrize("role", ["agent", "auditor", "agent_b"])
def test_who_may_not_import(world, client, codes, role):
    client.force_login(getattr(world, role))

    assert client.get("/calls/import/").status_code == 403
    assert client.get("/calls/import/template.csv").status_code == 403
    assert upload(client, csv_bytes(GOOD)).status_code == 403
    assert not Call.objects.exists()


def test_the_command_imports_as_the_named_user(world, codes, tmp_path):
    path = tmp_path / "calls.csv"
    path.write_bytes(csv_bytes(GOOD))
    out = io.StringIO()

    call_command("import_calls", str(path), "--actor", "lead", stdout=out)
    call_command("import_calls", str(path), "--actor", "lead", stdout=out)

    assert "3 calls created, 0 already imported, 0 invalid" in out.getvalue()
    assert "0 calls created, 3 already imported, 0 invalid" in out.getvalue()
    assert Call.objects.count() == 3


def test_the_command_refuses_bad_files_and_users(world, codes, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(BAD))
    err = io.StringIO()

    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_calls", str(bad), "--actor", "lead", stderr=err)
    with pytest.raises(CommandError, match="may not import"):
        call_command("import_calls", str(bad), "--actor", "agent")
    with pytest.raises(CommandError, match="No active user"):
        call_command("import_calls", str(bad), "--actor", "nobody")

    assert "line 8: agent “agent_b” does not work for acme" in err.getvalue()
    assert not Call.objects.exists()


def test_a_call_logged_meanwhile_by_someone_else_stops_the_import(world, codes, monkeypatch):
    from apps.calls.importing import runner

    existing = runner._existing

    def meanwhile(batch):
        found = existing(batch)
        # Logged after the batch was looked up, before it is written.
        CallFactory(client=world.client_a, external_call_id="GEN-0002")
        return found

    monkeypatch.setattr(runner, "_existing", meanwhile)

    report = run(csv_bytes(GOOD), world.lead)

    assert "logged by someone else" in report.file_error
    assert report.created == 0
    # (Here that call was logged inside the import's transaction, so it went with it.)
    assert not Call.objects.exists()


def test_a_row_of_one_cell_is_reported_in_the_singular(world, codes):
    content = csv_bytes([row(1)]) + b"GEN-0002\n"

    report = run(content, world.lead)

    assert report.errors == [(3, f"the row has 1 cell, the header {len(COLUMN_NAMES)}")]
