"""The history export of a list: one row per changed field per version, streamed, scoped,
filtered and masked as the list is."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.calls.services import call_update
from apps.core.choices import RootCause, Severity, Status
from apps.core.history import moment_text
from apps.core.listing.history_export import HEADERS, history_rows
from apps.core.services.records import record_change_status
from apps.interruptions.models import Interruption
from apps.interruptions.services import interruption_create, interruption_update
from tests.factories_calls import CallFactory
from tests.factories_failures import CorrectiveActionFactory, FailureReportFactory

pytestmark = pytest.mark.django_db

URL = "/interruptions/history.csv"


def _create(world, client=None, **values):
    return interruption_create(
        actor=world.agent,
        values={
            "client": client or world.client_a,
            "kind": "incident",
            "title": "Headsets dropping calls",
            "occurred_at": timezone.now() - timedelta(hours=1),
            **values,
        },
    )


def _rows(response) -> list[dict]:
    assert response.status_code == 200, response
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text))
    assert next(reader) == HEADERS
    return [dict(zip(HEADERS, line, strict=True)) for line in reader]


def _export(client, user, url=URL) -> list[dict]:
    client.force_login(user)
    return _rows(client.get(url))


def test_one_row_per_changed_field_per_version_with_who_when_old_new_reason(world, client):
    record = _create(world, severity="SEV3")
    record = interruption_update(
        record,
        actor=world.lead,
        changes={"title": "Headsets dead on floor 2", "severity": "SEV2"},
        expected_version=1,
    )
    record_change_status(record, target=Status.IN_PROGRESS, actor=world.lead)
    versions = list(record.history.order_by("history_date", "history_id"))

    rows = _export(client, world.auditor)

    assert {row["Reference"] for row in rows} == {record.reference}
    created = [row for row in rows if row["Kind"] == "Created"]
    assert {row["Who"] for row in created} == {world.agent.get_full_name()}
    assert {row["Version date"] for row in created} == {
        moment_text(versions[0].history_date, seconds=True)
    }
    assert {"Title": "Headsets dropping calls", "Severity": "SEV3 · Medium"}.items() <= {
        row["Field"]: row["New value"] for row in created
    }.items()
    assert all(row["Old value"] == "" for row in created)
    edit = [row for row in rows if row["Reason"] == versions[1].history_change_reason]
    assert {row["Version date"] for row in edit} == {
        moment_text(versions[1].history_date, seconds=True)
    }
    changed = {row["Field"]: (row["Old value"], row["New value"]) for row in edit}
    assert changed["Title"] == ("Headsets dropping calls", "Headsets dead on floor 2")
    # Choices by their labels, not their codes.
    assert changed["Severity"] == ("SEV3 · Medium", "SEV2 · High")
    assert "Resolution due" in changed
    assert {(row["Who"], row["Kind"]) for row in edit} == {(world.lead.get_full_name(), "Changed")}
    status = [row for row in rows if row["Field"] == "Status" and row["Kind"] == "Changed"]
    assert [(row["Old value"], row["New value"]) for row in status] == [("New", "In progress")]
    assert status[0]["Reason"] == versions[2].history_change_reason != ""
    # Versions in order: nothing of a later version before an earlier one.
    dates = [row["Version date"] for row in rows]
    assert dates == sorted(dates)


def test_the_records_own_rows_are_in_its_history(world, client):
    report = FailureReportFactory(client=world.client_a)
    action = CorrectiveActionFactory(report=report, action="Retrain the night shift")
    action.action = "Retrain both shifts"
    action.save()

    rows = _export(client, world.auditor, "/failures/history.csv")

    named = [row for row in rows if row["Field"] == "Corrective action 1: Action"]
    assert [(row["Kind"], row["Old value"], row["New value"]) for row in named] == [
        ("Created", "", "Retrain the night shift"),
        ("Changed", "Retrain the night shift", "Retrain both shifts"),
    ]
    assert {row["Reference"] for row in named} == {report.reference}


def test_personal_data_is_masked_for_whoever_the_list_masks_it_for(world, client):
    call = CallFactory(
        client=world.client_a, caller_number="+44 20 7946 0958", customer_name="Jane Doe"
    )
    call_update(
        call,
        actor=world.lead,
        changes={"customer_name": "Jane Smith", "caller_number": "+44 20 7946 1234"},
        expected_version=call.version,
    )

    def personal(rows):
        return {
            (row["Kind"], row["Field"]): (row["Old value"], row["New value"])
            for row in rows
            if row["Field"] in ("Caller number", "Customer name")
        }

    assert personal(_export(client, world.auditor, "/calls/history.csv")) == {
        ("Created", "Caller number"): ("", "•••• 0958"),
        ("Created", "Customer name"): ("", "••••"),
        ("Changed", "Caller number"): ("•••• 0958", "•••• 1234"),
        ("Changed", "Customer name"): ("••••", "••••"),
    }
    # Whoever may see them sees them (a leading "+" kept as text, as in the list's export).
    assert personal(_export(client, world.lead, "/calls/history.csv")) == {
        ("Created", "Caller number"): ("", "'+44 20 7946 0958"),
        ("Created", "Customer name"): ("", "Jane Doe"),
        ("Changed", "Caller number"): ("'+44 20 7946 0958", "'+44 20 7946 1234"),
        ("Changed", "Customer name"): ("Jane Doe", "Jane Smith"),
    }


def test_another_clients_records_never_appear(world, client):
    ours = _create(world, title="Acme headsets")
    theirs = _create(world, client=world.client_b, title="Globex only")

    rows = _export(client, world.auditor)

    assert {row["Reference"] for row in rows} == {ours.reference}
    assert "Globex only" not in str(rows)
    assert theirs.reference not in str(rows)


def test_the_lists_filters_choose_the_records(world, client):
    high = _create(world, severity="SEV2")
    _create(world, severity="SEV4")

    rows = _export(client, world.auditor, f"{URL}?severity=SEV2")

    assert {row["Reference"] for row in rows} == {high.reference}


def test_invalid_filters_export_nothing_and_say_why(world, client):
    client.force_login(world.auditor)
    response = client.get(f"{URL}?severity=SEV9")
    assert response.status_code == 400
    assert "severity" in response.content.decode()


def test_whoever_may_not_export_the_list_is_refused(world, client):
    client.force_login(world.agent)
    assert client.get(URL).status_code == 403
    assert client.post(URL).status_code == 405


def test_the_list_links_to_its_history_with_its_filters(world, client):
    _create(world)
    client.force_login(world.auditor)
    page = client.get("/interruptions/?severity=SEV2").content.decode()
    assert f'href="{reverse("interruptions:history_export")}?severity=SEV2"' in page
    client.force_login(world.agent)
    assert "History (CSV)" not in client.get("/interruptions/").content.decode()


def test_batches_read_each_record_once_in_a_fixed_number_of_queries(world):
    def count_queries(n: int) -> tuple[int, list]:
        for _ in range(n):
            interruption_update(
                _create(world), actor=world.lead, changes={"title": "Edited"}, expected_version=1
            )
        records = Interruption.objects.order_by("pk")
        with CaptureQueriesContext(connection) as queries:
            rows = list(history_rows(records, batch_size=1000))
        return len(queries.captured_queries), rows

    few, _ = count_queries(2)
    many, rows = count_queries(6)
    assert few == many
    small_batches = list(history_rows(Interruption.objects.all(), batch_size=3))
    assert small_batches == rows
    references = [row.reference for row in rows]
    assert len(set(references)) == 8
    ids = dict(Interruption.objects.values_list("reference", "pk"))
    assert references == sorted(references, key=ids.__getitem__)


SAFE_TEXT = (
    st.text(alphabet="abcdefghij KLMNOP0123456789", min_size=1, max_size=30)
    .map(str.strip)
    .filter(bool)
)
EDIT = st.fixed_dictionaries(
    {},
    optional={
        "title": SAFE_TEXT,
        "severity": st.sampled_from(Severity.values),
        "impact_assessment": st.one_of(st.just(""), SAFE_TEXT),
        "customers_affected": st.one_of(st.none(), st.integers(0, 5000)),
        "root_cause_category": st.sampled_from(["", *RootCause.values]),
    },
)


def _shown(record) -> dict[str, str]:
    """What the export should end on, written from the field's meaning."""
    return {
        "Title": record.title,
        "Severity": Severity(record.severity).label,
        "Impact assessment": record.impact_assessment,
        "Customers affected": (
            "" if record.customers_affected is None else str(record.customers_affected)
        ),
        "Root cause category": (
            RootCause(record.root_cause_category).label if record.root_cause_category else ""
        ),
    }


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(edits=st.lists(EDIT, max_size=5))
def test_replaying_the_rows_gives_the_final_values(world, edits):
    record = _create(world)
    first = _shown(record)
    for changes in edits:
        record = interruption_update(
            record, actor=world.lead, changes=changes, expected_version=record.version
        )
    record.refresh_from_db()

    rows = list(history_rows(Interruption.objects.filter(pk=record.pk)))

    replayed = dict(first)
    for row in rows:
        if row.kind == "Changed" and row.field in replayed:
            assert replayed[row.field] == row.old, row
            replayed[row.field] = row.new
    assert replayed == _shown(record)
    created = {row.field: row.new for row in rows if row.kind == "Created"}
    assert {field: created.get(field, "") for field in first} == first
