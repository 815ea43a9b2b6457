"""Personal data past each client's retention: anonymised in the record and its whole history,
once, for finished records only; nothing else changes and nothing is deleted."""

import random
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from apps.calls.masking import MASK
from apps.calls.models import Call
from apps.core.choices import Status
from apps.core.exceptions import StaleRecordError
from apps.core.models import Client, TaskRun
from apps.core.retention import (
    ANONYMISED_NAME,
    apply_retention,
    months_before,
    personal_data_kinds,
    records_past_retention,
    register_personal_data,
    retention_cutoff,
)
from apps.core.services.records import record_update
from apps.core.tasks import apply_retention as apply_retention_task
from apps.escalations.models import Escalation
from apps.recovery.models import RecoveryCase
from tests.concurrency import run_at_once
from tests.factories_calls import CallFactory
from tests.factories_escalations import EscalationFactory
from tests.factories_recovery import RecoveryCaseFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
KINDS = {
    "call": (CallFactory, ("caller_number", "customer_name", "account_reference")),
    "escalation": (EscalationFactory, ("customer_name", "account_reference")),
    "recovery": (RecoveryCaseFactory, ("customer_name", "account_reference")),
}
MARKERS = {"caller_number": "", "customer_name": ANONYMISED_NAME, "account_reference": ""}


@pytest.fixture
def clients(world):
    """Client A keeps personal data 6 months, client B 36."""
    Client.objects.filter(pk=world.client_a.pk).update(retention_months=6)
    Client.objects.filter(pk=world.client_b.pk).update(retention_months=36)
    world.client_a.refresh_from_db()
    world.client_b.refresh_from_db()
    return world.client_a, world.client_b


def _record(kind: str, client, *, status=Status.CLOSED, last=None, rename=True, **values):
    """A record of `kind` whose last activity is `last`, with a second history version that
    holds another name (and number) than its first."""
    factory, _ = KINDS[kind]
    last = last or NOW - timedelta(days=400)
    times = {"occurred_at": last - timedelta(days=3)}
    if status == Status.CLOSED:
        times |= {"resolved_at": last - timedelta(hours=1), "closed_at": last}
    elif status == Status.RESOLVED:
        times |= {"resolved_at": last}
    elif status == Status.CANCELLED:
        times |= {"occurred_at": last, "cancel_reason": "Logged twice."}
    else:
        times |= {"occurred_at": last}
    if kind == "call":
        times |= {
            "answered_at": times["occurred_at"] + timedelta(seconds=20),
            "ended_at": times["occurred_at"] + timedelta(minutes=4),
        }
    record = factory(client=client, status=status, **(times | values))
    if rename:
        record.customer_name = "Second Name"
        if kind == "call":
            record.caller_number = "+44 20 7946 9999"
        record.save()
    return record


def _state(record) -> dict:
    return type(record).objects.filter(pk=record.pk).values().get()


def _personal_values(record, fields) -> set:
    values = set()
    for version in record.history.all():
        values.update(getattr(version, name) for name in fields)
    return values


@pytest.mark.parametrize("kind", KINDS)
def test_a_finished_record_past_retention_is_anonymised_with_its_whole_history(kind, clients):
    client_a, _ = clients
    fields = KINDS[kind][1]
    record = _record(kind, client_a)
    before = _state(record)
    originals = _personal_values(record, fields) - {""}
    versions_before = record.history.count()
    assert versions_before == 2 and "Second Name" in originals

    result = apply_retention(now=NOW)

    after = _state(record)
    assert {name: after[name] for name in fields} == {name: MARKERS[name] for name in fields}
    unchanged = set(before) - set(fields) - {"version"}
    assert {name: after[name] for name in unchanged} == {name: before[name] for name in unchanged}
    assert after["version"] == before["version"] + 1
    assert after["status"] == Status.CLOSED and after["updated_at"] == before["updated_at"]
    assert record.history.count() == versions_before + 1
    assert _personal_values(record, fields) <= {"", ANONYMISED_NAME}
    newest = record.history.order_by("-history_date", "-history_id").first()
    assert newest.history_change_reason == (
        f"Personal data anonymised: past {client_a.name}'s retention period of 6 months."
    )
    assert newest.history_user is None and newest.history_type == "~"
    assert result.records[str(type(record)._meta.verbose_name_plural)] == {client_a.code: 1}
    assert result.history_versions[str(type(record)._meta.verbose_name_plural)] == 2


@pytest.mark.parametrize("kind", KINDS)
def test_a_record_just_inside_retention_or_still_open_is_left_alone(kind, clients):
    client_a, _ = clients
    cutoff = retention_cutoff(client_a, NOW)
    inside = _record(kind, client_a, last=cutoff + timedelta(minutes=1))
    at_the_limit = _record(kind, client_a, last=cutoff)
    just_past = _record(kind, client_a, last=cutoff - timedelta(seconds=1))
    open_and_old = _record(
        kind, client_a, status=Status.IN_PROGRESS, last=NOW - timedelta(days=2000)
    )
    on_hold = _record(kind, client_a, status=Status.ON_HOLD, last=NOW - timedelta(days=2000))
    untouched = [inside, at_the_limit, open_and_old, on_hold]
    before = {record.pk: (_state(record), record.history.count()) for record in untouched}

    apply_retention(now=NOW)

    for record in untouched:
        assert (_state(record), record.history.count()) == before[record.pk]
    just_past.refresh_from_db()
    assert just_past.customer_name == ANONYMISED_NAME


@pytest.mark.parametrize("kind", KINDS)
def test_each_client_keeps_personal_data_as_long_as_its_own_retention(kind, clients):
    client_a, client_b = clients
    year_old_a = _record(kind, client_a, last=NOW - relativedelta(months=12))
    year_old_b = _record(kind, client_b, last=NOW - relativedelta(months=12))
    old_b = _record(kind, client_b, last=NOW - relativedelta(months=37))

    result = apply_retention(now=NOW)

    for record in (year_old_a, year_old_b, old_b):
        record.refresh_from_db()
    assert year_old_a.customer_name == ANONYMISED_NAME
    assert year_old_b.customer_name == "Second Name"
    assert old_b.customer_name == ANONYMISED_NAME
    kind_name = str(type(year_old_a)._meta.verbose_name_plural)
    assert result.records[kind_name] == {client_a.code: 1, client_b.code: 1}


@pytest.mark.parametrize("status", [Status.RESOLVED, Status.CANCELLED])
def test_resolved_and_cancelled_records_count_from_their_own_last_activity(status, clients):
    client_a, _ = clients
    cutoff = retention_cutoff(client_a, NOW)
    past = _record("escalation", client_a, status=status, last=cutoff - timedelta(days=1))
    recent = _record("escalation", client_a, status=status, last=cutoff + timedelta(days=1))

    apply_retention(now=NOW)

    past.refresh_from_db()
    recent.refresh_from_db()
    assert (past.customer_name, past.status) == (ANONYMISED_NAME, status)
    assert recent.customer_name == "Second Name"


def test_a_late_close_counts_from_the_close_not_from_when_it_occurred(clients):
    client_a, _ = clients
    call = _record("call", client_a, last=NOW - timedelta(days=30))
    Call.objects.filter(pk=call.pk).update(occurred_at=NOW - timedelta(days=2000))

    assert apply_retention(now=NOW).total("call logs") == 0


def test_nothing_is_deleted_and_a_second_run_changes_nothing(clients):
    client_a, client_b = clients
    for kind in KINDS:
        _record(kind, client_a)
        _record(kind, client_a, status=Status.NEW)
        _record(kind, client_b)
    models = (Call, Escalation, RecoveryCase)
    rows_before = {model: model.objects.count() for model in models}
    history_before = {model: model.history.count() for model in models}

    first = apply_retention(now=NOW)
    states = {model: list(model.objects.order_by("pk").values()) for model in models}
    versions = {model: list(model.history.order_by("pk").values()) for model in models}
    second = apply_retention(now=NOW)

    assert {model: model.objects.count() for model in models} == rows_before
    # One version more per anonymised record (one per kind: client A's closed one).
    assert {model: model.history.count() for model in models} == {
        model: count + 1 for model, count in history_before.items()
    }
    assert [first.total(kind) for kind in first.records] == [1, 1, 1]
    assert [second.total(kind) for kind in second.records] == [0, 0, 0]
    assert sum(second.history_versions.values()) == 0
    assert {model: list(model.objects.order_by("pk").values()) for model in models} == states
    assert {model: list(model.history.order_by("pk").values()) for model in models} == versions


def test_a_record_emptied_by_hand_still_has_its_history_scrubbed(clients):
    client_a, _ = clients
    call = _record("call", client_a)
    call.caller_number = call.customer_name = call.account_reference = ""
    call.save()

    assert apply_retention(now=NOW).total("call logs") == 1
    assert _personal_values(call, KINDS["call"][1]) <= {"", ANONYMISED_NAME}


def test_an_edit_form_opened_before_anonymising_cannot_write_the_data_back(clients):
    client_a, _ = clients
    case = _record("recovery", client_a)
    opened_at_version = case.version

    apply_retention(now=NOW)

    with pytest.raises(StaleRecordError):
        record_update(
            case,
            actor=None,
            changes={"customer_name": "Second Name", "title": "Parcel lost"},
            expected_version=opened_at_version,
        )
    case.refresh_from_db()
    # Editing the anonymised record works as ever (the name field is required on cases).
    record_update(case, actor=None, changes={"title": "Parcel lost"}, expected_version=case.version)
    case.refresh_from_db()
    assert (case.title, case.customer_name) == ("Parcel lost", ANONYMISED_NAME)


def test_anonymised_calls_show_sensibly_masked_or_not(clients, world):
    call = _record("call", clients[0])
    apply_retention(now=NOW)

    for user, name in ((world.agent, ANONYMISED_NAME), (world.auditor, MASK)):
        shown = Call.objects.with_personal_data(user).values(
            "shown_customer_name", "shown_caller_number"
        )
        assert shown.get(pk=call.pk) == {"shown_customer_name": name, "shown_caller_number": ""}


def test_the_task_records_its_run_with_counts_per_kind(clients):
    client_a, _ = clients
    _record("call", client_a, last=timezone.now() - timedelta(days=400))
    _record("recovery", client_a, last=timezone.now() - timedelta(days=400))

    outcome = apply_retention_task()

    run = TaskRun.objects.get(task="apply_retention")
    assert run.finished_at is not None and run.error == ""
    assert run.outcome == outcome
    assert outcome["records"] == {"call logs": 1, "escalations": 0, "recovery cases": 1}
    assert outcome["by_client"]["call logs"] == {client_a.code: 1}
    assert outcome["dry_run"] is False


def test_the_command_dry_run_reports_per_kind_and_client_and_changes_nothing(clients):
    client_a, client_b = clients
    old = timezone.now() - relativedelta(months=40)
    for kind in KINDS:
        _record(kind, client_a, last=old)
        _record(kind, client_b, last=old)
    _record("call", client_a, last=old)
    models = (Call, Escalation, RecoveryCase)
    before = {model: list(model.history.order_by("pk").values()) for model in models}

    out = StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)

    assert {model: list(model.history.order_by("pk").values()) for model in models} == before
    assert not TaskRun.objects.exists()
    text = out.getvalue()
    assert "Would anonymise 3 call logs." in text
    assert "Would anonymise 2 escalations." in text
    assert f"{client_a.name} ({client_a.code}): 2, last activity before" in text
    assert f"{client_b.name} ({client_b.code}): 1, last activity before" in text

    out = StringIO()
    call_command("apply_retention", stdout=out)
    assert "Anonymised 3 call logs (6 earlier history versions scrubbed)." in out.getvalue()
    assert "Anonymised 2 recovery cases" in out.getvalue()
    assert TaskRun.objects.get(task="apply_retention").outcome["records"]["call logs"] == 3
    out = StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    assert "Would anonymise 0 call logs." in out.getvalue()


def test_months_are_calendar_months_on_the_clients_calendar(world):
    rng = random.Random(7)
    start = datetime(2023, 1, 1, tzinfo=UTC)
    for _ in range(2000):
        moment = start + timedelta(minutes=rng.randrange(60 * 24 * 365 * 4))
        months = rng.randint(0, 40)
        assert months_before(moment, months) == moment - relativedelta(months=months)
    assert months_before(datetime(2026, 8, 31, 9, 0, tzinfo=UTC), 6) == datetime(
        2026, 2, 28, 9, 0, tzinfo=UTC
    )
    with pytest.raises(ValueError):
        months_before(start, -1)
    # 20:00 UTC on 30 August is already 31 August in Tokyo: six months before is the end of
    # February there (27 February 20:00 UTC), not 28 February 20:00 as UTC would have it.
    client = world.client_a
    client.timezone, client.retention_months = "Asia/Tokyo", 6
    cutoff = retention_cutoff(client, datetime(2026, 8, 30, 20, 0, tzinfo=UTC))
    assert cutoff == datetime(2026, 2, 27, 20, 0, tzinfo=UTC)


def test_personal_data_declarations_are_checked():
    assert [spec.model for spec in personal_data_kinds()] == [Call, Escalation, RecoveryCase]
    with pytest.raises(ImproperlyConfigured, match="log records only"):
        register_personal_data(Client, fields=("name",))
    with pytest.raises(ImproperlyConfigured, match="has no field 'caller'"):
        register_personal_data(Call, fields=("caller",))
    with pytest.raises(ImproperlyConfigured, match="must also be in `fields`"):
        register_personal_data(Call, fields=("caller_number",), names=("customer_name",))
    with pytest.raises(ImproperlyConfigured, match="reference is unique"):
        register_personal_data(Call, fields=("reference",))
    with pytest.raises(ImproperlyConfigured, match="only text fields"):
        register_personal_data(Call, fields=("occurred_at",))
    with pytest.raises(ImproperlyConfigured, match="already declared differently"):
        register_personal_data(Call, fields=("caller_number",))
    # Declaring the same again (a second `ready()`) is harmless.
    register_personal_data(
        Call,
        fields=("caller_number", "customer_name", "account_reference"),
        names=("customer_name",),
    )
    with pytest.raises(ValueError):
        apply_retention(batch_size=0)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the index is PostgreSQL's plan")
def test_the_calls_retention_query_can_use_its_partial_index(clients):
    spec = next(spec for spec in personal_data_kinds() if spec.model is Call)
    due = records_past_retention(spec, clients[0], NOW).order_by("retention_last_activity")
    sql, params = due.values_list("pk", flat=True)[:100].query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "call_retention_todo" in plan


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_runs_at_once_anonymise_each_record_once(clients):
    client_a, _ = clients
    calls = [_record("call", client_a, rename=False) for _ in range(40)]
    results, errors = run_at_once(lambda: apply_retention(now=NOW, batch_size=3))

    assert errors == []
    assert sum(result.total("call logs") for result in results) == len(calls)
    reasons = Call.history.filter(history_change_reason__startswith="Personal data anonymised")
    assert reasons.count() == len(calls)
    assert set(Call.objects.values_list("version", flat=True)) == {2}
